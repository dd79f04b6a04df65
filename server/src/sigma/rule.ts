/**
 * A Sigma rule document → a compiled rule (logsource scope, one test per detection identifier, the
 * condition) or an `UnevaluableRule` with the reason. Never half-compiled: one unsupported piece makes
 * the whole rule unevaluable.
 */
import { compileCondition, foldCondition, parseCondition, type Cond } from './condition.js';
import type { EventView } from './event.js';
import { resolveLogsource, type Applies } from './logsource.js';
import { compileItem, Unevaluable, type ItemTest } from './modifiers.js';
import { imageNames } from './names.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export interface RuleMeta {
  id: string;
  title: string;
  level: Level;
  tags: string[];
  status: string | null;
  /** Where the rule came from (file path), when loaded from disk. */
  source: string | null;
}

/** One prefilter clause: the rule can only match when one of these literals occurs in its field. */
export type Needles = Array<{ field: string; literal: string }>;

export interface CompiledRule extends RuleMeta {
  applies: Applies;
  identifiers: string[];
  /** Evaluates the rule on an event; returns the identifiers that matched, or null when the rule does not. */
  evaluate(ev: EventView): string[] | null;
  /**
   * Prefilter clauses, all necessary: the rule can only match when, for every clause, one of its
   * literals occurs in its (lower-cased) field. Empty = no prefilter possible (tried on every event).
   */
  clauses: Needles[];
  /** Field names the detection reads (keys before `|`, `fieldref` targets); null = a keyword search (every field). */
  fields: string[] | null;
  /** Image basenames (lower case) the rule can only match on a process_creation event; null: any (./names.ts). */
  imageNames: ReadonlySet<string> | null;
  /** The `detection` map compiled (identifiers + condition): the Splunk scan push-down reads it (./spl.ts). */
  detection: Readonly<Record<string, unknown>>;
}

export interface UnevaluableRule extends Omit<RuleMeta, 'level'> { level: string | null; reason: string }

type Search = { test: (ev: EventView) => boolean; clauses: Needles[] };

/**
 * What a needle set costs the prefilter: short literals, and literals in nearly every process event
 * (`.exe`, the system account's logon id…), let almost every event through.
 */
const UBIQUITOUS = ['.exe', '.dll', 'c:\\windows\\', '\\windows\\', 'microsoft corporation', 'microsoft', '0x3e7', 'system32'];
/**
 * A literal in nearly every event: a piece of a ubiquitous one, or ubiquitous ones joined by path
 * punctuation with at most one more letter or digit (`\\.exe`, `c:\\windows\\system32\\`, `a.dll`;
 * not `csi.exe`, not `\\..\\windows\\`).
 */
function ubiquitous(l: string): boolean {
  if (UBIQUITOUS.some((u) => u.includes(l))) return true;
  let rest = l;
  for (const u of UBIQUITOUS) rest = rest.split(u).join(' ');
  return rest !== l && /^[\\/:" ]*[a-z0-9]?[\\/:" ]*$/.test(rest);
}
export function needleCost(n: Array<{ literal: string }> | string[]): number {
  let c = 0;
  for (const x of n) {
    const l = typeof x === 'string' ? x : x.literal;
    c += ubiquitous(l) ? 1000 : l.length >= 8 ? 1 : l.length >= 5 ? 4 : 16;
  }
  return c;
}

/** Clauses kept for an OR: the product of its branches' clauses is cut to about this many. */
const OR_PRODUCT = 16;

/**
 * Clauses of an OR: (a1 ∧ a2) ∨ (b1 ∧ b2) implies every (ai ∨ bj), so each choice of one clause per
 * branch, united, is a clause. The branches' cheapest clauses are combined, as many as keep the
 * product within `OR_PRODUCT` (always at least each branch's cheapest); none when a branch has none.
 */
function orClauses(branches: Needles[][]): Needles[] {
  if (branches.length === 1) return branches[0]!;
  if (branches.some((b) => b.length === 0)) return [];
  const sorted = branches.map((b) => [...b].sort((x, y) => needleCost(x) - needleCost(y)));
  const take = sorted.map(() => 1);
  // Widen the branch with the most clauses left while the product stays within the bound.
  for (;;) {
    const product = take.reduce((a, n) => a * n, 1);
    let best = -1;
    for (let i = 0; i < sorted.length; i++) {
      if (take[i]! < sorted[i]!.length && product / take[i]! * (take[i]! + 1) <= OR_PRODUCT && (best < 0 || sorted[i]!.length - take[i]! > sorted[best]!.length - take[best]!)) best = i;
    }
    if (best < 0) break;
    take[best]!++;
  }
  let out: Needles[] = [[]];
  sorted.forEach((b, i) => { out = out.flatMap((acc) => b.slice(0, take[i]).map((c) => [...acc, ...c])); });
  return out;
}

/** A map: every item must hold (AND); each item with literals gives one clause. */
function compileMap(m: Record<string, unknown>): Search {
  const items: ItemTest[] = Object.entries(m).map(([k, v]) => compileItem(k, v));
  if (items.length === 0) throw new Unevaluable('empty detection map');
  const tests = items.map((t) => t.test);
  return {
    test: tests.length === 1 ? tests[0]! : (ev) => { for (const t of tests) if (!t(ev)) return false; return true; },
    clauses: items.flatMap((t) => (t.clauses ?? []).map((c) => c.any.map((literal) => ({ field: c.field, literal })))),
  };
}

function orSearch(parts: Search[]): Search {
  const tests = parts.map((p) => p.test);
  return { test: (ev) => { for (const t of tests) if (t(ev)) return true; return false; }, clauses: orClauses(parts.map((p) => p.clauses)) };
}

/** A keyword list: searched in every value; its needles are looked for in all values at once (field ''). */
function keywords(words: string[]): Search {
  const item = compileItem('|contains', words);
  return { test: item.test, clauses: (item.clauses ?? []).map((c) => c.any.map((literal) => ({ field: '', literal }))) };
}

/** One detection identifier's value: a map, a list of maps (OR), or a keyword list. */
function compileSearch(name: string, v: unknown): Search {
  if (v && typeof v === 'object' && !Array.isArray(v)) return compileMap(v as Record<string, unknown>);
  if (Array.isArray(v)) {
    if (v.length === 0) throw new Unevaluable(`detection "${name}" is an empty list`);
    if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) return orSearch(v.map((x) => compileMap(x as Record<string, unknown>)));
    if (v.every((x) => typeof x === 'string' || typeof x === 'number')) return keywords(v.map(String));
    throw new Unevaluable(`detection "${name}" mixes maps and plain values`);
  }
  if (typeof v === 'string' || typeof v === 'number') return keywords([String(v)]);
  throw new Unevaluable(`detection "${name}" is neither a map, a list nor a keyword`);
}

/** The fields a detection reads; null when an identifier is a keyword search (reads every value). */
function detectionFields(det: Record<string, unknown>, identifiers: string[]): string[] | null {
  const out = new Set<string>();
  for (const name of identifiers) {
    const v = det[name];
    for (const m of Array.isArray(v) ? v : [v]) {
      if (!m || typeof m !== 'object' || Array.isArray(m)) return null;
      for (const [k, val] of Object.entries(m as Record<string, unknown>)) {
        const [field, ...mods] = k.split('|');
        if (!field) return null;
        out.add(field);
        if (mods.includes('fieldref')) for (const x of Array.isArray(val) ? val : [val]) out.add(String(x));
      }
    }
  }
  return [...out];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function metaOf(doc: Record<string, unknown>, source: string | null): UnevaluableRule {
  return {
    id: str(doc.id) ?? '', title: str(doc.title) ?? '(untitled)', level: str(doc.level), reason: '',
    tags: Array.isArray(doc.tags) ? doc.tags.map(String) : [], status: str(doc.status), source,
  };
}

/** Compiles one parsed Sigma YAML document. */
export function compileRule(doc: unknown, source: string | null = null): CompiledRule | UnevaluableRule {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ...metaOf({}, source), reason: 'not a YAML map' };
  const d = doc as Record<string, unknown>;
  const meta = metaOf(d, source);
  try {
    if (d.correlation !== undefined) throw new Unevaluable('correlation rule (needs several events and time windows)');
    if (d.filter !== undefined) throw new Unevaluable('filter (meta) rule');
    if (d.action !== undefined) throw new Unevaluable(`rule collection action "${String(d.action)}"`);
    if (!meta.id) throw new Unevaluable('rule has no id');
    const level = (meta.level ?? 'medium') as Level;
    if (!LEVELS.includes(level)) throw new Unevaluable(`unknown level "${meta.level}"`);
    const applies = resolveLogsource(d.logsource);
    const det = d.detection as Record<string, unknown> | undefined;
    if (!det || typeof det !== 'object') throw new Unevaluable('no detection');
    const identifiers = Object.keys(det).filter((k) => k !== 'condition' && k !== 'timeframe');
    if (det.timeframe !== undefined) throw new Unevaluable('timeframe (aggregation over time) is not supported');
    const searches = new Map(identifiers.map((n) => [n, compileSearch(n, det[n])]));
    const conds = Array.isArray(det.condition) ? det.condition : [det.condition];
    if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) throw new Unevaluable('condition missing or not a string');
    const parsed = (conds as string[]).map((c) => parseCondition(c, identifiers));
    const cond: Cond = parsed.length === 1 ? parsed[0]! : { op: 'or', args: parsed };
    // Clauses of the condition: all must hold whenever it does (`not` contributes none).
    const clauses = foldCondition(cond, (n) => searches.get(n)!.clauses, { and: (xs) => xs.flat(), or: orClauses, not: [] });
    const { reason: _none, ...base } = meta;
    // Identifier results of the current evaluation, stamped with its number (evaluation is synchronous).
    const tests = identifiers.map((n) => searches.get(n)!.test);
    const run = compileCondition(cond, new Map(identifiers.map((n, i) => [n, i])));
    const stamp = new Uint32Array(identifiers.length);
    const value = new Uint8Array(identifiers.length);
    let gen = 0;
    let view: EventView | null = null;
    const sel = (i: number): boolean => {
      if (stamp[i] === gen) return value[i] === 1;
      stamp[i] = gen;
      const r = tests[i]!(view!);
      value[i] = r ? 1 : 0;
      return r;
    };
    return {
      ...base, level, applies, identifiers, clauses, fields: detectionFields(det, identifiers),
      imageNames: imageNames(cond, det), detection: det,
      evaluate(ev) {
        view = ev;
        if (++gen === 0xffffffff) { stamp.fill(0); gen = 1; }
        if (!run(sel)) return null;
        const out: string[] = [];
        for (let i = 0; i < identifiers.length; i++) if (stamp[i] === gen && value[i] === 1) out.push(identifiers[i]!);
        return out;
      },
    };
  } catch (e) {
    if (e instanceof Unevaluable) return { ...meta, reason: e.message };
    throw e;
  }
}

export const isCompiled = (r: CompiledRule | UnevaluableRule): r is CompiledRule => !('reason' in r);
