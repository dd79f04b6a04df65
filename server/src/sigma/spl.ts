/**
 * Sigma process_creation detections → an SPL predicate for the Splunk rule scan (docs/sigma.md "On
 * Splunk"). The predicate selects a SUPERSET of the events the engine matches: the engine re-checks
 * every returned event, so hits are unchanged and only the number of records pulled shrinks.
 *
 * Two steps. `scanFilter()` reads the detection and condition into a source-neutral `ScanFilter`
 * (raw Sysmon field names, whole-value patterns whose only special character is the `*` wildcard,
 * matched case-insensitively — what SPL's `field="…"` does). Every part gets an over-approximation
 * (holds whenever the engine's part holds) and an under-approximation (holds only when it does);
 * `not` swaps them, so a negated filter still never drops an engine match. What SPL cannot say exactly
 * widens: over → no constraint, under → nothing. `filterSpl()` writes a filter as SPL with the
 * search-time field names of the configured style and every literal through the SPL value escaping
 * (server/src/sources/splunk/spl-values.ts).
 */
import type { Cond } from './condition.js';
import { parseCondition } from './condition.js';
import { windashLiteral } from './modifiers.js';
import { ONE, STAR, parseSigmaString, type SigmaString } from './pattern.js';
import { IN_CLAUSE_BUDGET, MAX_VALUE_LENGTH, inClause, quote } from '../sources/splunk/spl-values.js';

/** A superset filter on process-create fields (raw Sysmon names); `glob`: `*` = any run, the rest literal. */
export type ScanFilter =
  | { op: 'match'; field: string; glob: string }
  | { op: 'and' | 'or'; args: ScanFilter[] }
  | { op: 'not'; arg: ScanFilter };

/** A filter while it is built: `true` = no constraint, `false` = nothing. */
type F = ScanFilter | boolean;
/** Over- and under-approximation of one part. */
type Pair = { over: F; under: F };
const WIDE: Pair = { over: true, under: false };

/** Modifiers the translation reads exactly; any other (re, cidr, base64*, wide, fieldref, exists, gt …) widens. */
const EXACT_MODS = new Set(['contains', 'startswith', 'endswith', 'all', 'windash', 'cased']);
/** More windash variants than this per value: the over-approximation puts `*` for each dash instead. */
const MAX_VARIANTS = 25;
/** Longest SPL a filter may take; a longer one is dropped (no constraint). */
const MAX_FILTER_SPL = 60_000;

/**
 * Process-create fields a lineage step sees as the event wrote them (a source's ProcessRecord keeps
 * them verbatim): the rest (GUIDs, ids, times) is normalised by the sources, so it widens.
 */
export const RECORD_TEXT_FIELDS: ReadonlySet<string> = new Set([
  'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'User', 'ParentUser', 'IntegrityLevel', 'Hashes', 'CurrentDirectory',
]);

export interface FilterOptions {
  /** Fields the scanned records carry as the events do (others widen); undefined: every field. */
  fields?: ReadonlySet<string>;
  /**
   * Fields the evaluated record never has (a lineage step on a record of the rule scan: LogonId,
   * TerminalSessionId …; the Splunk scan does return OriginalFileName, Description, Product, Company,
   * FileVersion): an item on one is decided exactly as the engine decides it on an absent field — false,
   * except `null` and `exists: false` — instead of widening.
   */
  absent?: (field: string) => boolean;
}

function and(xs: F[]): F {
  if (xs.includes(false)) return false;
  const args = xs.filter((x): x is ScanFilter => x !== true).flatMap((x) => (x.op === 'and' ? x.args : [x]));
  return args.length === 0 ? true : args.length === 1 ? args[0]! : { op: 'and', args };
}
function or(xs: F[]): F {
  if (xs.includes(true)) return true;
  const args = xs.filter((x): x is ScanFilter => x !== false).flatMap((x) => (x.op === 'or' ? x.args : [x]));
  return args.length === 0 ? false : args.length === 1 ? args[0]! : { op: 'or', args };
}
const not = (x: F): F => (typeof x === 'boolean' ? !x : x.op === 'not' ? x.arg : { op: 'not', arg: x });
const pairAnd = (ps: Pair[]): Pair => ({ over: and(ps.map((p) => p.over)), under: and(ps.map((p) => p.under)) });
const pairOr = (ps: Pair[]): Pair => ({ over: or(ps.map((p) => p.over)), under: or(ps.map((p) => p.under)) });

/**
 * A character SPL cannot hold literally in a quoted value, or whose case folding may differ from the
 * engine's (`toLowerCase`): `*` (always a wildcard), backtick (macros), controls, line separators,
 * surrogates, and non-ASCII letters with case.
 */
function unsafe(c: string): boolean {
  if (c === '*' || c === '`' || /[\u0000-\u001f\u007f\u2028\u2029\uD800-\uDFFF]/.test(c)) return true;
  return c.charCodeAt(0) > 0x7f && (c.toLowerCase() !== c || c.toUpperCase() !== c);
}

/** A Sigma string as a glob: over (each `?` and unsafe character → `*`) or under (null when it cannot be exact). */
function glob(s: SigmaString, mode: 'over' | 'under'): string | null {
  let out = '';
  for (const p of s) {
    if (p === STAR) { out += '*'; continue; }
    if (p === ONE) { if (mode === 'under') return null; out += '*'; continue; }
    for (const c of p) {
      if (!unsafe(c)) out += c;
      else if (mode === 'under') return null;
      else out += '*';
    }
  }
  out = out.replace(/\*{2,}/g, '*');
  // Only wildcards: SPL `field=*` needs a non-empty value where the engine accepts an empty one.
  if (/^\**$/.test(out)) return null;
  return out.length > MAX_VALUE_LENGTH ? null : out;
}

/** windash variants, chunk by chunk as the engine expands them; over the limit, `*` for every word-start dash. */
function windashVariants(s: SigmaString, limit: number): SigmaString[] | null {
  let variants: SigmaString[] = [[]];
  for (const p of s) {
    const alts = typeof p === 'string' ? windashLiteral(p) : [p];
    variants = variants.flatMap((v) => alts.map((a) => [...v, a]));
    if (variants.length > limit) return null;
  }
  return variants;
}
/** Every word-start `-`/`/` (where the engine's windash puts its variants) as a `*` wildcard. */
const dashesToStar = (s: SigmaString): SigmaString =>
  s.flatMap((p) => (typeof p === 'string' ? p.split(/(?<!\w)[-/](?=\w)/).flatMap((x, i): SigmaString => (i === 0 ? [x] : [STAR, x])) : [p]));

/** One value of a `Field|mods: value` item. */
function valuePair(field: string, v: unknown, mods: string[]): Pair {
  let s: SigmaString;
  if (typeof v === 'string') s = parseSigmaString(v);
  else if ((typeof v === 'number' && mods.length > 0) || typeof v === 'boolean') s = [String(v)];
  else return WIDE; // null (absent or empty), plain numbers (numeric equality), anything else
  if (mods.includes('contains') || mods.includes('endswith')) s = [STAR, ...s];
  if (mods.includes('contains') || mods.includes('startswith')) s = [...s, STAR];
  const windash = mods.includes('windash');
  const overs = windash ? windashVariants(s, MAX_VARIANTS) ?? [dashesToStar(s)] : [s];
  const unders = windash ? windashVariants(s, MAX_VARIANTS) : [s];
  const m = (g: string | null, mode: 'over' | 'under'): F => (g === null ? mode === 'over' : { op: 'match', field, glob: g });
  // `cased`: SPL matches case-insensitively — a superset (over), but not a subset (under) once a letter is in it.
  const cased = mods.includes('cased');
  const under = (x: SigmaString): F => { const g = glob(x, 'under'); return cased && g !== null && /[A-Za-z]/.test(g) ? false : m(g, 'under'); };
  return {
    over: or(overs.map((x) => m(glob(x, 'over'), 'over'))),
    under: unders === null ? false : or(unders.map(under)),
  };
}

/** One `Field|mods: value(s)` item of a detection map. */
function itemPair(key: string, value: unknown, o: FilterOptions): Pair {
  const [field = '', ...mods] = key.split('|');
  const values = Array.isArray(value) ? value : [value];
  if (field !== '' && values.length > 0 && o.absent?.(field)) return absentPair(values, mods);
  if (field === '' || (o.fields && !o.fields.has(field)) || mods.some((m) => !EXACT_MODS.has(m))) return WIDE;
  if (values.length === 0) return WIDE;
  const pairs = values.map((v) => valuePair(field, v, mods));
  return mods.includes('all') ? pairAnd(pairs) : pairOr(pairs);
}

/** An item on a field the record never has: what the engine answers for an absent field, exactly. */
function absentPair(values: unknown[], mods: string[]): Pair {
  const holds = mods.includes('exists') ? values[0] === false
    : mods.includes('all') ? values.every((v) => v === null) : values.some((v) => v === null);
  return { over: holds, under: holds };
}

/** One detection identifier: a map (AND), a list of maps (OR); keyword searches widen. */
function searchPair(v: unknown, o: FilterOptions): Pair {
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) ? pairOr(v.map((x) => searchPair(x, o))) : WIDE;
  if (!v || typeof v !== 'object') return WIDE;
  const items = Object.entries(v as Record<string, unknown>);
  return items.length === 0 ? WIDE : pairAnd(items.map(([k, x]) => itemPair(k, x, o)));
}

function condPair(c: Cond, sel: (name: string) => Pair): Pair {
  switch (c.op) {
    case 'id': return sel(c.name);
    case 'not': { const p = condPair(c.arg, sel); return { over: not(p.under), under: not(p.over) }; }
    case 'and': return pairAnd(c.args.map((a) => condPair(a, sel)));
    case 'or': return pairOr(c.args.map((a) => condPair(a, sel)));
    case 'of': {
      const ps = c.names.map(sel);
      if (c.min === 'all') return pairAnd(ps);
      const any = pairOr(ps);
      // At least N of them: over, any one holds; under, all of them (when there are N).
      return c.min <= 1 ? any : { over: any.over, under: ps.length >= c.min ? pairAnd(ps).under : false };
    }
  }
}

/**
 * The superset filter of a Sigma detection (a rule's `detection` map: identifiers + `condition`), or
 * null when nothing can be pushed down (no constraint). Throws nothing: what it cannot read widens.
 */
export function scanFilter(detection: Record<string, unknown>, o: FilterOptions = {}): ScanFilter | null {
  const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const conds = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  if (conds.length === 0 || conds.some((c) => typeof c !== 'string')) return null;
  let cond: Cond;
  try {
    const parsed = (conds as string[]).map((c) => parseCondition(c, identifiers));
    cond = parsed.length === 1 ? parsed[0]! : { op: 'or', args: parsed };
  } catch {
    return null;
  }
  const memo = new Map<string, Pair>();
  const sel = (n: string): Pair => { let p = memo.get(n); if (!p) { p = searchPair(detection[n], o); memo.set(n, p); } return p; };
  const over = condPair(cond, sel).over;
  return typeof over === 'boolean' ? null : over;
}

/** Filters of alternatives (any may match): their OR; null (no constraint) when one has none. */
export function anyFilter(fs: readonly (ScanFilter | null)[]): ScanFilter | null {
  if (fs.length === 0 || fs.includes(null)) return null;
  const r = or(fs as ScanFilter[]);
  return typeof r === 'boolean' ? null : r;
}

/** Filters that must all hold: their AND (null ones add nothing). */
export function allFilters(fs: readonly (ScanFilter | null)[]): ScanFilter | null {
  const r = and(fs.filter((f): f is ScanFilter => f !== null));
  return typeof r === 'boolean' ? null : r;
}

/** A glob as one quoted SPL value: `*` from the glob only, every literal run escaped by `quote()`. */
function splValue(g: string): string {
  return `"${g.split('*').map((lit) => (lit === '' ? '' : quote(lit, 'Sigma value').slice(1, -1))).join('*')}"`;
}

/**
 * A filter as an SPL search predicate (parenthesised, explicit AND/OR/NOT — in SPL OR binds tighter
 * than AND). `name` maps a raw Sysmon field to its search-time name. Null when it would exceed
 * MAX_FILTER_SPL (then: no constraint).
 */
export function filterSpl(f: ScanFilter, name: (raw: string) => string): string | null {
  const out = render(f, name);
  return out.length > MAX_FILTER_SPL ? null : out;
}

function render(f: ScanFilter, name: (raw: string) => string): string {
  switch (f.op) {
    case 'match': return `${name(f.field)}=${splValue(f.glob)}`;
    case 'not': return `NOT ${render(f.arg, name)}`;
    case 'and': return `(${f.args.map((a) => render(a, name)).join(' AND ')})`;
    case 'or': {
      // Alternatives on one field: `field IN (…)` (split by the IN budget).
      const byField = new Map<string, string[]>();
      const rest: string[] = [];
      for (const a of f.args) {
        if (a.op === 'match') { const l = byField.get(a.field) ?? []; l.push(splValue(a.glob)); byField.set(a.field, l); } else rest.push(render(a, name));
      }
      const parts = [...byField].map(([field, vs]) => (vs.length === 1 ? `${name(field)}=${vs[0]}` : inClause(name(field), vs, IN_CLAUSE_BUDGET)));
      const all = [...parts, ...rest];
      return all.length === 1 ? all[0]! : `(${all.join(' OR ')})`;
    }
  }
}
