/**
 * Sigma-style field matching for lineage-rule steps: `{Field|mod|mod: value | [values]}` maps (AND of
 * fields), lists of maps (OR). Case-insensitive unless `|cased`. Field names may be raw Sysmon or CIM
 * (mapped through ../../sysmon/fields.ts, the one field-name mapping).
 */
import { RE2JS } from 're2js';
import { CIM_TO_RAW } from '../../sysmon/fields.js';
import { MatchError, Tri, type FieldGetter, type Predicate } from './predicate.js';
import type { SigmaLibrary } from '../../sigma/load.js';
import { cidrTest, Unevaluable, windashLiteral } from '../../sigma/modifiers.js';
import { compileSigmaMatch } from './sigma-step.js';

/** What compiling a match block needs beyond the block: the Sigma rules `sigma: <id>` names. */
export interface MatchOptions { sigma?: SigmaLibrary | null }

export { MatchError, Tri, type FieldGetter, type Predicate };

/**
 * The image names `pred` can be Yes on for records that carry only the fields in `available` (a field
 * outside it reads as absent): `'never'` when no such record can match, null when any name can. This
 * narrows OR branches on fields a source does not return (e.g. OriginalFileName) for the scan planner.
 */
export function namesWithFields(pred: Predicate, available: ReadonlySet<string>): ReadonlySet<string> | null | 'never' {
  if (pred.parts === undefined) {
    if (pred.absentIsUnknown && [...pred.fields].some((f) => !available.has(f))) return 'never';
    return pred.names;
  }
  const subs = pred.parts.preds.map((q) => namesWithFields(q, available));
  if (pred.parts.op === 'and') {
    if (subs.includes('never')) return 'never';
    let out: Set<string> | null = null;
    for (const n of subs) {
      if (n === null || n === 'never') continue;
      const set: ReadonlySet<string> = n;
      const prev: Set<string> | null = out;
      out = prev ? new Set([...prev].filter((x: string) => set.has(x))) : new Set(set);
    }
    return out;
  }
  const live = subs.filter((n) => n !== 'never');
  if (live.length === 0) return 'never';
  if (live.some((n) => n === null)) return null;
  return new Set(live.flatMap((n) => [...n!]));
}

const MODIFIERS = new Set(['contains', 'startswith', 'endswith', 're', 'all', 'cased', 'exists', 'cidr', 'gt', 'gte', 'lt', 'lte', 'windash']);

/** Raw Sysmon name for a rule field (CIM names and a few lower-case spellings accepted). */
export function rawFieldName(field: string): string {
  return CIM_TO_RAW[field] ?? CIM_TO_RAW[field.toLowerCase()] ?? PSEUDO[field.toLowerCase()] ?? field;
}
const PSEUDO: Record<string, string> = {
  name: 'Name', image: 'Image', commandline: 'CommandLine', eventid: 'EventID', computer: 'Computer',
  integritylevel: 'IntegrityLevel', parentimage: 'ParentImage', parentcommandline: 'ParentCommandLine',
};

/** Lowercase basename of a Windows or POSIX path. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return (i >= 0 ? path.slice(i + 1) : path).toLowerCase();
}

type Scalar = string | number | boolean;

function scalarList(v: unknown, path: (string | number)[]): string[] {
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 0) throw new MatchError('empty value list', path);
  return arr.map((x, i) => {
    if (x === null) return '';
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x as Scalar);
    throw new MatchError('value must be a string, number or list of them', Array.isArray(v) ? [...path, i] : path);
  });
}

/** `cidr` and `windash` are the Sigma engine's (server/src/sigma/modifiers.ts): one implementation, its errors positioned here. */
function sigmaModifier<T>(f: () => T, path: (string | number)[]): T {
  try { return f(); } catch (e) {
    if (e instanceof Unevaluable) throw new MatchError(e.message, path);
    throw e;
  }
}

/** Sigma `windash` (spec): a `-` or `/` starting a word also matches the other and – — ―. */
function windash(values: string[], path: (string | number)[]): string[] {
  return [...new Set(values.flatMap((v) => sigmaModifier(() => windashLiteral(v), path)))];
}

/** One `Field|mods: values` entry compiled. */
function compileField(key: string, value: unknown, path: (string | number)[]): Predicate {
  const [rawField, ...mods] = key.split('|');
  if (!rawField) throw new MatchError('empty field name', path);
  for (const m of mods) if (!MODIFIERS.has(m)) throw new MatchError(`unknown modifier |${m} (known: ${[...MODIFIERS].join(', ')})`, path);
  const field = rawFieldName(rawField);
  const cased = mods.includes('cased');
  const all = mods.includes('all');
  const op = mods.find((m) => m !== 'cased' && m !== 'all' && m !== 'windash') ?? 'equals';
  let values = scalarList(value, path);
  if (mods.includes('windash')) values = windash(values, path);
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  const fields = new Set([field === 'Name' ? 'Image' : field]);

  if (op === 'exists') {
    const want = values[0]?.toLowerCase() !== 'false';
    return { names: null, fields, absentIsUnknown: false, test: (get) => ((get(field) !== undefined && get(field) !== '') === want ? Tri.Yes : Tri.No) };
  }
  let one: (v: string) => boolean;
  let names: Set<string> | null = null;
  if (op === 're') {
    const res = values.map((s, i) => {
      // Sigma/PCRE inline flag `(?i)` at the start is common in shared rules; JS wants it as a flag.
      // RE2 semantics (re2js): linear time in the input, so no rule can freeze the server with
      // backtracking (`^(.+)+!$`); backreferences and lookaround are refused (docs/security.md).
      const ci = s.startsWith('(?i)');
      try { return RE2JS.compile(ci ? s.slice(4) : s, ci || !cased ? RE2JS.CASE_INSENSITIVE : 0); } catch (e) {
        throw new MatchError(`invalid regex (RE2 syntax: no backreferences or lookaround): ${(e as Error).message}`, Array.isArray(value) ? [...path, i] : path);
      }
    });
    one = all ? (v) => res.every((r) => r.matcher(v).find()) : (v) => res.some((r) => r.matcher(v).find());
  } else if (op === 'cidr') {
    const nets = values.map((s, i) => sigmaModifier(() => cidrTest(s), Array.isArray(value) ? [...path, i] : path));
    one = (v) => nets.some((n) => n(v));
  } else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
    const n = Number(values[0]);
    if (!Number.isFinite(n)) throw new MatchError(`|${op} needs a number`, path);
    one = (v) => { const x = Number(v); return op === 'gt' ? x > n : op === 'gte' ? x >= n : op === 'lt' ? x < n : x <= n; };
  } else {
    const vs = values.map(norm);
    const f = op === 'contains' ? (s: string, v: string) => s.includes(v)
      : op === 'startswith' ? (s: string, v: string) => s.startsWith(v)
      : op === 'endswith' ? (s: string, v: string) => s.endsWith(v)
      : op === 'equals' ? (s: string, v: string) => s === v
      : null;
    if (!f) throw new MatchError(`modifier |${op} cannot be combined here`, path);
    one = all ? (s) => { const x = norm(s); return vs.every((v) => f(x, v)); } : (s) => { const x = norm(s); return vs.some((v) => f(x, v)); };
    // Image|endswith '\x.exe' (or equals a path / Name equals) pins the basename: the rule index key.
    if (!all && !cased && (field === 'Image' || field === 'Name')) {
      const bn = vs.map((v) => {
        if (field === 'Name' && op === 'equals') return v.includes('\\') || v.includes('/') ? null : v;
        if (op === 'endswith' && (v.startsWith('\\') || v.startsWith('/')) && baseName(v) === v.slice(1)) return v.slice(1);
        if (op === 'equals' && v !== '') return baseName(v);
        return null;
      });
      if (bn.every((b) => b !== null)) {
        names = new Set(bn as string[]);
        // An endswith '\x.exe' test is exactly basename equality, which also matches basename-only images (CIM).
        if (op === 'endswith' || field === 'Name') {
          const set = names;
          // `Name` (the lowercase basename the engine precomputes) saves a slice + lowercase per test.
          return {
            names, fields, absentIsUnknown: true,
            test: (get) => {
              let nm = get('Name');
              if (nm === undefined) { const img = get('Image'); if (img === undefined) return Tri.Unknown; nm = baseName(img); }
              return set.has(nm) ? Tri.Yes : Tri.No;
            },
          };
        }
      }
    }
  }
  // One-entry memo: the engine tests the same low-cardinality values (IntegrityLevel, User) on node after
  // node; a repeat costs a string compare instead of lowercasing (an allocation) or a regex run.
  let lastV: string | undefined;
  let lastR: Tri = Tri.No;
  const test = (get: FieldGetter): Tri => {
    const v = get(field);
    if (v === undefined) return Tri.Unknown;
    if (v === lastV) return lastR;
    lastR = one(v) ? Tri.Yes : Tri.No;
    lastV = v;
    return lastR;
  };
  return { names, fields, test, absentIsUnknown: true };
}

function and(preds: Predicate[]): Predicate {
  let names: Set<string> | null = null;
  const fields = new Set<string>();
  for (const p of preds) {
    for (const f of p.fields) fields.add(f);
    const pn = p.names;
    if (pn) names = names ? new Set([...names].filter((n: string) => pn.has(n))) : new Set(pn);
  }
  if (preds.length === 1) return preds[0]!;
  return {
    names, fields, parts: { op: 'and', preds },
    test(get) {
      let unknown = false;
      for (const p of preds) { const r = p.test(get); if (r === Tri.No) return Tri.No; if (r === Tri.Unknown) unknown = true; }
      return unknown ? Tri.Unknown : Tri.Yes;
    },
  };
}

function or(preds: Predicate[]): Predicate {
  if (preds.length === 1) return preds[0]!;
  const fields = new Set<string>();
  for (const p of preds) for (const f of p.fields) fields.add(f);
  const names = preds.every((p) => p.names) ? new Set(preds.flatMap((p) => [...p.names!])) : null;
  return {
    names, fields, parts: { op: 'or', preds },
    test(get) {
      let unknown = false;
      for (const p of preds) { const r = p.test(get); if (r === Tri.Yes) return Tri.Yes; if (r === Tri.Unknown) unknown = true; }
      return unknown ? Tri.Unknown : Tri.No;
    },
  };
}

/** The predicate that is always true (a step with no `match`). */
export const ANY: Predicate = { names: null, fields: new Set(), test: () => Tri.Yes };

/**
 * Compile a Sigma-style match block: an object (AND over its keys) or a list of objects (OR).
 * Throws MatchError with the path of the offending entry.
 */
export function compileMatch(block: unknown, path: (string | number)[] = [], opts: MatchOptions = {}): Predicate {
  if (block == null) return ANY;
  if (Array.isArray(block)) {
    if (block.length === 0) throw new MatchError('empty match list', path);
    return or(block.map((b, i) => compileMatch(b, [...path, i], opts)));
  }
  if (typeof block !== 'object') throw new MatchError('match must be a map of field: value, or a list of such maps', path);
  const entries = Object.entries(block as Record<string, unknown>);
  if (entries.length === 0) return ANY;
  // `sigma:` is a Sigma rule reference or detection block (./sigma-step.ts), ANDed with the other keys.
  return and(entries.map(([k, v]) => (k === 'sigma' ? compileSigmaMatch(v, [...path, k], opts.sigma) : compileField(k, v, [...path, k]))));
}
