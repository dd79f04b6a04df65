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

interface Acc { count: number; set: Set<string>; list: string[]; first: string[] | null; last: string[] | null; eTime: number; e: string[] | null; lTime: number; l: string[] | null; nums: number[]; strs: string[] }

function newAcc(): Acc { return { count: 0, set: new Set(), list: [], first: null, last: null, eTime: Infinity, e: null, lTime: -Infinity, l: null, nums: [], strs: [] }; }

function one(vals: string[]): Value { return vals.length === 1 ? vals[0]! : vals; }

function finish(fn: string, acc: Acc): Value | null {
  switch (fn) {
    case 'count': return String(acc.count);
    case 'dc': return String(acc.set.size);
    case 'values': { if (acc.set.size === 0) return null; return one([...acc.set].sort()); }
    case 'list': return acc.list.length === 0 ? null : one(acc.list);
    case 'first': return acc.first ? one(acc.first) : null;
    case 'last': return acc.last ? one(acc.last) : null;
    case 'earliest': return acc.e ? one(acc.e) : null;
    case 'latest': return acc.l ? one(acc.l) : null;
    case 'min': case 'max': {
      // Numeric values win over strings; strings are compared lexically only when no number exists.
      if (acc.nums.length) return formatNumber(fn === 'min' ? Math.min(...acc.nums) : Math.max(...acc.nums));
      if (!acc.strs.length) return null;
      const sorted = [...acc.strs].sort(compareValues);
      return fn === 'min' ? sorted[0]! : sorted[sorted.length - 1]!;
    }
    case 'sum': return acc.nums.length ? formatNumber(acc.nums.reduce((a, b) => a + b, 0)) : null;
    default: return acc.nums.length ? formatNumber(acc.nums.reduce((a, b) => a + b, 0) / acc.nums.length) : null;
  }
}

/** Run the aggregation over rows (in their incoming order, which defines first/last). */
export function aggregate(rows: Row[], spec: StatsSpec): Row[] {
  const groups = new Map<string, { key: string[]; accs: Acc[] }>();
  const addTo = (key: string[], row: Row) => {
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) { g = { key, accs: spec.aggs.map(newAcc) }; groups.set(id, g); }
    const time = Number(row._time ?? NaN);
    spec.aggs.forEach((agg, k) => {
      const acc = g.accs[k]!;
      if (agg.field === null) { acc.count++; return; }
      const vals = valuesOf(row[agg.field]);
      if (vals.length === 0) return;
      acc.count += vals.length;
      for (const v of vals) acc.set.add(v);
      if (acc.list.length < LIST_MAX) acc.list.push(...vals.slice(0, LIST_MAX - acc.list.length));
      if (!acc.first) acc.first = vals;
      acc.last = vals;
      if (Number.isFinite(time)) {
        if (time < acc.eTime) { acc.eTime = time; acc.e = vals; }
        if (time >= acc.lTime) { acc.lTime = time; acc.l = vals; }
      }
      for (const v of vals) { const n = asNumber(v); if (n === null) acc.strs.push(v); else acc.nums.push(n); }
    });
  };
  for (const row of rows) {
    let keys: string[][] = [[]];
    for (const f of spec.by) {
      const vals = valuesOf(row[f]);
      if (vals.length === 0) { keys = []; break; }
      keys = keys.flatMap((k) => [...new Set(vals)].map((v) => [...k, v]));
    }
    for (const k of keys) addTo(k, row);
  }
  if (spec.by.length === 0 && groups.size === 0) groups.set('[]', { key: [], accs: spec.aggs.map(newAcc) });
  const ordered = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const c = compareValues(a.key[i]!, b.key[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  return ordered.map((g) => {
    const out: Row = {};
    spec.by.forEach((f, i) => { out[f] = g.key[i]!; });
    spec.aggs.forEach((agg, k) => { const v = finish(agg.fn, g.accs[k]!); if (v !== null) out[agg.as] = v; });
    return out;
  });
}
