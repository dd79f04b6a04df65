/**
 * Cross-step `where:` constraints: `a.Field OP b.Field`, `rank(a.IntegrityLevel) > rank(b.IntegrityLevel)`,
 * or a step field against a literal (`a.User == 'NT AUTHORITY\\SYSTEM'`). String comparison is
 * case-insensitive; a field a node lacks makes the constraint unknown.
 */
import { Tri, rawFieldName, type FieldGetter } from './match.js';
import type { Where } from '../model.js';

/** Windows mandatory integrity levels, low to high (Sysmon `IntegrityLevel` values). */
const RANK: Record<string, number> = {
  untrusted: 0, low: 1, medium: 2, mediumplus: 3, high: 4, system: 5, protected: 6,
};

type Operand =
  | { kind: 'field'; step: number; field: string; rank: boolean }
  | { kind: 'lit'; value: string };

const OPS = ['==', '!=', '<=', '>=', '<', '>'] as const;
type Op = (typeof OPS)[number];

function parseOperand(text: string, steps: Map<string, number>): Operand {
  const t = text.trim();
  const lit = /^'(.*)'$|^"(.*)"$/.exec(t);
  if (lit) return { kind: 'lit', value: (lit[1] ?? lit[2] ?? '').replace(/\\\\/g, '\\') };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'lit', value: t };
  const m = /^(rank\()?\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*(\))?$/.exec(t);
  if (!m || Boolean(m[1]) !== Boolean(m[4])) {
    throw new Error(`cannot read operand "${t}" (expected step.Field, rank(step.Field), 'text' or a number)`);
  }
  const step = steps.get(m[2]!);
  if (step === undefined) throw new Error(`unknown step "${m[2]}" (steps: ${[...steps.keys()].join(', ')})`);
  return { kind: 'field', step, field: rawFieldName(m[3]!), rank: Boolean(m[1]) };
}

/** Compile one `where:` line against the rule's step names (name → index). Throws with a reason. */
export function compileWhere(text: string, steps: Map<string, number>): Where {
  let op: Op | undefined;
  let at = -1;
  for (const o of OPS) { const i = text.indexOf(o); if (i >= 0) { op = o; at = i; break; } }
  if (!op) throw new Error(`no comparison operator in "${text}" (use ==, !=, <, >, <=, >=)`);
  const left = parseOperand(text.slice(0, at), steps);
  const right = parseOperand(text.slice(at + op.length), steps);
  const value = (o: Operand, get: (s: number) => FieldGetter): string | number | undefined => {
    if (o.kind === 'lit') return o.value;
    const v = get(o.step)(o.field);
    if (v === undefined) return undefined;
    if (o.rank) return RANK[v.toLowerCase().replace(/\s+/g, '')] ?? undefined;
    return v;
  };
  const cmp = op;
  const fields = [left, right].flatMap((o) => (o.kind === 'field' ? [o.field] : []));
  return {
    text,
    fields,
    test(get) {
      const a = value(left, get);
      const b = value(right, get);
      if (a === undefined || b === undefined) return Tri.Unknown;
      let c: number;
      if (typeof a === 'number' || typeof b === 'number' || (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b))) {
        c = Number(a) - Number(b);
      } else {
        const x = a.toLowerCase(); const y = b.toLowerCase();
        c = x < y ? -1 : x > y ? 1 : 0;
      }
      const ok = cmp === '==' ? c === 0 : cmp === '!=' ? c !== 0 : cmp === '<' ? c < 0 : cmp === '>' ? c > 0 : cmp === '<=' ? c <= 0 : c >= 0;
      return ok ? Tri.Yes : Tri.No;
    },
  };
}
