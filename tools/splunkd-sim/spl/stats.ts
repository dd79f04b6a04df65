/**
 * Aggregations shared by `stats` and `tstats`: `count`, `dc`, `values`, `list`, `first`, `last`,
 * `earliest`, `latest`, `min`, `max`, `sum`, `avg` … `by` fields. Groups come out sorted by their
 * by-field values (as Splunk's stats does); rows missing a by-field are dropped, and a multivalue
 * by-field puts the row in one group per value.
 */
import { commandError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { asNumber, compareValues, formatNumber, valuesOf, type Row, type Value } from './values.js';

/** One aggregation: function, input field (null for bare `count`), output name. */
export interface Aggregation { fn: string; field: string | null; as: string }

/** A parsed stats clause. */
export interface StatsSpec { aggs: Aggregation[]; by: string[] }

const FN_ALIASES: Record<string, string> = { c: 'count', distinct_count: 'dc', mean: 'avg' };
const FNS = new Set(['count', 'dc', 'values', 'list', 'first', 'last', 'earliest', 'latest', 'min', 'max', 'sum', 'avg']);

/** Splunk's list() keeps at most 100 values (limits.conf [stats] list_maxsize). */
const LIST_MAX = 100;

/**
 * Parse `agg[, agg…] [by f1[, f2…]]` from tokens. `stopWords` ends the aggregation list (tstats'
 * `from`). Returns the spec and the index of the first unconsumed token.
 */
export function parseAggregations(toks: Token[], start: number, command: string, stopWords: string[] = []): { aggs: Aggregation[]; pos: number } {
  const aggs: Aggregation[] = [];
  let i = start;
  const word = (k: number) => { const t = toks[k]; return t && t.t === 'word' ? t.v : null; };
  while (i < toks.length) {
    const w = word(i);
    if (w === null) { const t = toks[i]!; if (t.t === 'op' && t.v === ',') { i++; continue; } throw commandError(command, `Unexpected '${t.v}'.`); }
    const lw = w.toLowerCase();
    if (lw === 'by' || stopWords.includes(lw)) break;
    const fn = FN_ALIASES[lw] ?? lw;
    const next = toks[i + 1];
    let field: string | null = null;
    let label: string;
    if (next && next.t === 'op' && next.v === '(') {
      const arg = toks[i + 2];
      const close = toks[i + 3];
      if (!arg || arg.t !== 'word' || !close || close.t !== 'op' || close.v !== ')') {
        throw commandError(command, `The argument to '${w}' must be a single field name (eval expressions are not supported by the Lineage splunkd test server).`);
      }
      field = arg.v;
      if (field.includes('*')) throw commandError(command, `Wildcard field '${field}' in '${w}()' is not supported by the Lineage splunkd test server.`);
      label = `${w}(${field})`;
      i += 4;
    } else {
      if (fn !== 'count') throw commandError(command, `The '${w}' function requires a field argument.`);
      label = w;
      i += 1;
    }
    if (!FNS.has(fn)) throw commandError(command, `Unknown function '${w}'.`);
    if (word(i)?.toLowerCase() === 'as') {
      const name = toks[i + 1];
      if (!name || name.t === 'op') throw commandError(command, `Missing a name after 'as'.`);
      label = name.v;
      i += 2;
    }
    aggs.push({ fn, field, as: label });
  }
  if (aggs.length === 0) throw commandError(command, 'The search specifies no aggregation functions.');
  return { aggs, pos: i };
}

/** Parse `by f1, f2 …` (returns [] when absent). */
export function parseBy(toks: Token[], start: number, command: string): { by: string[]; pos: number } {
  let i = start;
  const by: string[] = [];
  const t = toks[i];
  if (!t || t.t !== 'word' || t.v.toLowerCase() !== 'by') return { by, pos: i };
  i++;
  while (i < toks.length) {
    const f = toks[i]!;
    if (f.t === 'op' && f.v === ',') { i++; continue; }
    if (f.t !== 'word') break;
    if (f.v.includes('=')) break;
    by.push(f.v);
    i++;
  }
  if (by.length === 0) throw commandError(command, "Missing fields after 'by'.");
  return { by, pos: i };
}

/** Parse a full `stats` argument string. */
export function parseStats(args: string): StatsSpec {
  const toks = tokenize(args);
  const { aggs, pos } = parseAggregations(toks, 0, 'stats');
  const { by, pos: end } = parseBy(toks, pos, 'stats');
  if (end < toks.length) throw commandError('stats', `Unexpected '${toks[end]!.v}' (stats options are not supported by the Lineage splunkd test server).`);
  return { aggs, by };
}

/** One accumulator per (group, aggregation): only the state its function needs. */
interface Acc { add(vals: string[], time: number): void; finish(): Value | null }

function one(vals: string[]): Value { return vals.length === 1 ? vals[0]! : vals; }

function numeric(fn: 'min' | 'max' | 'sum' | 'avg'): Acc {
  let nums = 0;
  let total = 0;
  let best: number | null = null;
  const strs: string[] = [];
  return {
    add(vals) {
      for (const v of vals) {
        const n = asNumber(v);
        if (n === null) { strs.push(v); continue; }
        nums++;
        total += n;
        if (best === null || (fn === 'min' ? n < best : n > best)) best = n;
      }
    },
    finish() {
      if (fn === 'sum') return nums ? formatNumber(total) : null;
      if (fn === 'avg') return nums ? formatNumber(total / nums) : null;
      // Numeric values win over strings; strings are compared lexically only when no number exists.
      if (best !== null) return formatNumber(best);
      if (!strs.length) return null;
      const sorted = strs.sort(compareValues);
      return fn === 'min' ? sorted[0]! : sorted[sorted.length - 1]!;
    },
  };
}

function newAcc(fn: string, counted: boolean): Acc {
  switch (fn) {
    case 'count': {
      let n = 0;
      return { add(vals) { n += counted ? vals.length : 1; }, finish: () => String(n) };
    }
    case 'dc': {
      const set = new Set<string>();
      return { add(vals) { for (const v of vals) set.add(v); }, finish: () => String(set.size) };
    }
    case 'values': {
      const set = new Set<string>();
      return { add(vals) { for (const v of vals) set.add(v); }, finish: () => (set.size ? one([...set].sort()) : null) };
    }
    case 'list': {
      const list: string[] = [];
      return { add(vals) { for (const v of vals) if (list.length < LIST_MAX) list.push(v); }, finish: () => (list.length ? one(list) : null) };
    }
    case 'first': {
      let first: string[] | null = null;
      return { add(vals) { first ??= vals; }, finish: () => (first ? one(first) : null) };
    }
    case 'last': {
      let last: string[] | null = null;
      return { add(vals) { last = vals; }, finish: () => (last ? one(last) : null) };
    }
    case 'earliest': case 'latest': {
      let best: string[] | null = null;
      let bestTime = fn === 'earliest' ? Infinity : -Infinity;
      return {
        add(vals, time) {
          if (!Number.isFinite(time)) return;
          // Rows arrive newest first, so ties keep the first (latest) / last (earliest) seen.
          if (fn === 'earliest' ? time <= bestTime : time > bestTime) { bestTime = time; best = vals; }
        },
        finish: () => (best ? one(best) : null),
      };
    }
    default: return numeric(fn as 'min' | 'max' | 'sum' | 'avg');
  }
}

interface Group { key: string[]; accs: Acc[] }

/** Run the aggregation over rows (in their incoming order, which defines first/last). */
export function aggregate(rows: Row[], spec: StatsSpec): Row[] {
  const groups = new Map<string, Group>();
  const needTime = spec.aggs.some((a) => a.fn === 'earliest' || a.fn === 'latest');
  const make = (key: string[]): Group => ({ key, accs: spec.aggs.map((a) => newAcc(a.fn, a.field !== null)) });
  const addTo = (id: string, key: string[], row: Row) => {
    let g = groups.get(id);
    if (!g) { g = make(key); groups.set(id, g); }
    const time = needTime ? Number(row._time ?? NaN) : NaN;
    for (let k = 0; k < spec.aggs.length; k++) {
      const agg = spec.aggs[k]!;
      if (agg.field === null) { g.accs[k]!.add(ONE, time); continue; }
      const v = row[agg.field];
      if (v === undefined) continue;
      const vals = Array.isArray(v) ? v : [v];
      if (vals.length) g.accs[k]!.add(vals, time);
    }
  };
  const by = spec.by;
  for (const row of rows) {
    if (by.length === 1) {
      // Fast path for the common single by-field.
      const v = row[by[0]!];
      if (v === undefined) continue;
      if (typeof v === 'string') { addTo(v, [v], row); continue; }
      for (const x of new Set(v)) addTo(x, [x], row);
      continue;
    }
    let single = true;
    let id = '';
    for (let i = 0; i < by.length; i++) {
      const v = row[by[i]!];
      if (v === undefined || (Array.isArray(v) && v.length === 0)) { single = false; id = ''; break; }
      if (Array.isArray(v)) { single = false; break; }
      id = i === 0 ? v : `${id}\u0000${v}`;
    }
    if (single) { if (!groups.has(id)) groups.set(id, make(by.map((f) => row[f] as string))); addTo(id, [], row); continue; }
    if (id === '' && by.some((f) => valuesOf(row[f]).length === 0)) continue;
    // A multivalue by-field puts the row in one group per value combination.
    let keys: string[][] = [[]];
    for (const f of by) {
      const vals = [...new Set(valuesOf(row[f]))];
      keys = keys.flatMap((k) => vals.map((x) => [...k, x]));
    }
    for (const k of keys) addTo(k.join('\u0000'), k, row);
  }
  if (by.length === 0 && groups.size === 0) groups.set('', make([]));
  // Decorate once so the sort does not re-parse numbers on every comparison.
  const decorated = [...groups.values()].map((g) => ({ g, nums: g.key.map(asNumber) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < a.g.key.length; i++) {
      const na = a.nums[i]!;
      const nb = b.nums[i]!;
      let c: number;
      if (na !== null && nb !== null) c = na - nb;
      else if (na !== null) c = -1;
      else if (nb !== null) c = 1;
      else { const x = a.g.key[i]!; const y = b.g.key[i]!; c = x < y ? -1 : x > y ? 1 : 0; }
      if (c !== 0) return c;
    }
    return 0;
  });
  return decorated.map(({ g }) => {
    const out: Row = {};
    by.forEach((f, i) => { out[f] = g.key[i]!; });
    spec.aggs.forEach((agg, k) => { const v = g.accs[k]!.finish(); if (v !== null) out[agg.as] = v; });
    return out;
  });
}

const ONE = [''];
