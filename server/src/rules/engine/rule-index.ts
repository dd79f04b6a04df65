/**
 * The rule engine's lookup tables, built once from the compiled rules (engine.ts reads them per row):
 * which names can be a rule's leaf, the ancestry bits and each rule's masks for the pre-filter, the raw
 * fields predicates read beyond the core ones, and which event ids a `then` can need.
 */
import { MAX_WALK, type CompiledRule } from '../model.js';
import { CORE_FIELDS, type PredInfo, type PredTable } from './node.js';
import type { NodeStore } from './node-table.js';
import type { PStep, PUnless, Prepared } from './verify.js';

/** Names a predicate can match (null: any) and the non-core fields it reads. */
export interface FieldNeed { names: ReadonlySet<string> | null; fields: string[] }

/** The tables of RuleEngine (see its fields for each one's meaning). */
export interface RuleIndex {
  rules: Prepared[];
  byName: Map<string, number[]>;
  leafRules: (number[] | undefined)[];
  anyName: number[];
  anyLeaf: PredInfo[];
  bit0: number[];
  bit1: number[];
  needs: Int32Array[];
  fieldNeeds: FieldNeed[];
  hasThen: boolean;
  thenIds: ReadonlySet<number> | null;
}

/** Prepare `rules` on a node table: registers their predicates and interns their names (rule names first). */
export function indexRules(rules: CompiledRule[], st: NodeStore, preds: PredTable): RuleIndex {
  const byName = new Map<string, number[]>();
  const leafRules: (number[] | undefined)[] = [];
  const anyName: number[] = [];
  const bit0: number[] = [];
  const bit1: number[] = [];
  const fieldNeeds: FieldNeed[] = [];
  const reg = (p: CompiledRule['steps'][number]['pred'] | null): PredInfo | null => (p ? preds.add(p) : null);
  const prepared: Prepared[] = rules.map((rule) => {
    let reach = 0;
    for (const s of rule.steps) reach += s.hi;
    let extra = 0;
    for (const u of rule.unless) if (u.kind === 'ancestor') extra = Math.max(extra, u.hi);
    const steps: PStep[] = rule.steps.map((s) => ({ pred: reg(s.pred)!, all: reg(s.all), none: reg(s.none), lo: s.lo, hi: s.hi }));
    const unless: PUnless[] = rule.unless.map((u) => (u.kind === 'ancestor' ? { ...u, pred: reg(u.pred)! } : { kind: 'path', pred: reg(u.pred)! }));
    return { rule, reach: Math.min(MAX_WALK, reach + extra), steps, unless };
  });
  // '' (no image known) may match anything under `unknown: match`: it carries every ancestry bit.
  const empty = st.nameId('');
  prepared.forEach((p, i) => {
    const names = p.rule.steps[p.rule.steps.length - 1]!.pred.names;
    if (!names) { anyName.push(i); return; }
    for (const n of names) {
      const list = byName.get(n);
      if (list) list.push(i); else byName.set(n, [i]);
      const id = st.nameId(n);
      (leafRules[id] ??= []).push(i);
    }
  });
  let bits = 0;
  const needs = rules.map((r) => {
    const masks: number[] = [];
    for (let j = 0; j < r.steps.length - 1; j++) {
      const names = r.steps[j]!.pred.names;
      if (names === null) continue;
      let m0 = 0;
      let m1 = 0;
      for (const n of names) {
        const id = st.nameId(n);
        if (bit0[id] === undefined && bit1[id] === undefined) {
          const b = bits++ % 62;
          bit0[id] = b < 31 ? 1 << b : 0;
          bit1[id] = b < 31 ? 0 : 1 << (b - 31);
        }
        m0 |= bit0[id] ?? 0;
        m1 |= bit1[id] ?? 0;
      }
      masks.push(m0, m1);
    }
    return Int32Array.from(masks);
  });
  bit0[empty] = 0x7fffffff;
  bit1[empty] = 0x7fffffff;
  for (let id = 0; id < st.nameStr.length; id++) { bit0[id] ??= 0; bit1[id] ??= 0; }
  const anyLeaf = anyName.map((i) => prepared[i]!.steps[prepared[i]!.steps.length - 1]!.pred);
  // Which raw fields beyond the core ones each node must keep: those some predicate reads, on nodes
  // whose name that predicate can match (a predicate pinned to other names is No there anyway).
  for (const r of rules) {
    const need = (names: ReadonlySet<string> | null, fields: Iterable<string>) => {
      const extra = [...fields].filter((f) => !CORE_FIELDS.has(f));
      if (extra.length > 0) fieldNeeds.push({ names, fields: extra });
    };
    for (const s of r.steps) for (const p of [s.pred, s.all, s.none]) if (p) need(p.names, p.fields);
    for (const u of r.unless) need(u.pred.names, u.pred.fields);
    // `where` reads named steps; which one a field belongs to is not kept, so any step's names count.
    const stepNames = r.steps.some((s) => s.pred.names === null) ? null : new Set(r.steps.flatMap((s) => [...s.pred.names!]));
    for (const w of r.where) need(stepNames, w.fields);
  }
  const thens = rules.flatMap((r) => r.then);
  const thenIds = thens.some((t) => t.eventIds === null) ? null : new Set(thens.flatMap((t) => [...t.eventIds!]));
  return { rules: prepared, byName, leafRules, anyName, anyLeaf, bit0, bit1, needs, fieldNeeds, hasThen: thens.length > 0, thenIds };
}
