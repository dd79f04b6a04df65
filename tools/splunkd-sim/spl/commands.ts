/**
 * The non-generating pipeline commands the emulator supports: search, where, eval, stats, fields,
 * table, rename, sort, head, dedup. Each parses its arguments up front (so a bad search fails at
 * dispatch with a 400, as in Splunk) and then transforms rows.
 */
import { enrichNotable, REVIEW_STAGE } from '../es.js';
import { commandError, SplError } from './errors.js';
import { evalCondition, evaluate, parseExpr, toFieldValue, type Expr } from './eval-expr.js';
import { tokenize } from './lexer.js';
import { matchRow, parseSearch } from './search-expr.js';
import { aggregate, parseStats } from './stats.js';
import { compareValues, matchesFieldName, valuesOf, type Row } from './values.js';

/** Output shape carried along the pipeline: explicit column order and stats group-by fields. */
export interface Shape { order: string[] | null; groupBy: string[] }

/** One compiled pipeline stage. */
export interface Stage {
  name: string;
  /** Transforming commands turn events into results (`/events` stops before the first one). */
  transforming: boolean;
  /** Distributable streaming commands stay in the job's `eventSearch`; the rest form `reportSearch`. */
  streaming?: boolean;
  run(rows: Row[], shape: Shape): { rows: Row[]; shape: Shape };
}

/** Commands Splunk considers risky in a post-process search (v2 results, §8.26 [S20]). */
export const RISKY_COMMANDS = new Set(['collect', 'delete', 'dump', 'map', 'outputcsv', 'outputlookup', 'run', 'runshellscript', 'script', 'sendalert', 'sendemail', 'tscollect', 'crawl', 'debug', 'input']);

/** Commands Splunk has but this emulator does not: a clear 400 instead of "Unknown search command". */
const KNOWN_UNSUPPORTED = new Set(['eventstats', 'streamstats', 'join', 'append', 'appendcols', 'lookup', 'inputlookup', 'transaction', 'chart', 'timechart', 'top', 'rare', 'rex', 'regex', 'spath', 'mvexpand', 'makemv', 'fillnull', 'convert', 'bin', 'bucket', 'makeresults', 'datamodel', 'from', 'tail', 'reverse', 'uniq', 'return', 'format', 'addinfo', 'foreach', 'xyseries', 'untable', 'multisearch', 'union', 'iplocation', 'fieldformat', 'metadata', 'rest', ...RISKY_COMMANDS]);

function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && i + 1 < text.length) { cur += text[++i]; continue; }
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; cur += c; continue; }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === sep && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Field-name list for fields/table/dedup: words separated by spaces and/or commas. */
function fieldList(args: string, command: string): string[] {
  const toks = tokenize(args);
  const out: string[] = [];
  for (const t of toks) {
    if (t.t === 'op' && t.v === ',') continue;
    if (t.t === 'op') throw commandError(command, `Unexpected '${t.v}'.`);
    out.push(t.v);
  }
  return out;
}

function expandNames(patterns: string[], present: string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    if (!p.includes('*')) { if (!out.includes(p)) out.push(p); continue; }
    for (const n of present) if (matchesFieldName(n, p) && !out.includes(n)) out.push(n);
  }
  return out;
}

function presentFields(rows: Row[], shape: Shape): string[] {
  const seen = new Set<string>(shape.order ?? []);
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

function searchStage(args: string): Stage {
  const parsed = parseSearch(args, 'search', false);
  return { name: 'search', transforming: false, streaming: true, run: (rows, shape) => ({ rows: rows.filter((r) => matchRow(parsed.node, r)), shape }) };
}

function whereStage(args: string): Stage {
  const e = parseExpr(args, 'where');
  return { name: 'where', transforming: false, streaming: true, run: (rows, shape) => ({ rows: rows.filter((r) => evalCondition(e, r, 'where')), shape }) };
}

function evalStage(args: string): Stage {
  const assignments: { field: string; expr: Expr }[] = [];
  for (const part of splitTopLevel(args, ',')) {
    const m = /^\s*('([^']+)'|([A-Za-z_][\w.:{}-]*))\s*=(?!=)([\s\S]*)$/.exec(part);
    if (!m) throw commandError('eval', 'The expression is malformed. Expected field=expression.');
    assignments.push({ field: m[2] ?? m[3]!, expr: parseExpr(m[4]!, 'eval') });
  }
  return {
    name: 'eval', transforming: false, streaming: true,
    run: (rows, shape) => {
      const out = rows.map((r) => {
        const copy: Row = { ...r };
        for (const a of assignments) {
          // Assignments apply left to right: a later expression sees an earlier one's result.
          const v = toFieldValue(evaluate(a.expr, copy, 'eval'), 'eval');
          if (v === null) delete copy[a.field]; else copy[a.field] = v;
        }
        return copy;
      });
      const order = shape.order ? [...shape.order, ...assignments.map((a) => a.field).filter((f) => !shape.order!.includes(f))] : null;
      return { rows: out, shape: { ...shape, order } };
    },
  };
}

function statsStage(args: string): Stage {
  const spec = parseStats(args);
  return {
    name: 'stats', transforming: true,
    run: (rows) => ({ rows: aggregate(rows, spec), shape: { order: [...spec.by, ...spec.aggs.map((a) => a.as)], groupBy: spec.by } }),
  };
}

function fieldsStage(args: string): Stage {
  let rest = args.trim();
  let remove = false;
  if (rest.startsWith('-')) { remove = true; rest = rest.slice(1); } else if (rest.startsWith('+')) rest = rest.slice(1);
  const patterns = fieldList(rest, 'fields');
  if (patterns.length === 0) throw commandError('fields', 'Missing field list.');
  return {
    name: 'fields', transforming: false, streaming: true,
    run: (rows, shape) => {
      const keep = (name: string) => {
        const listed = patterns.some((p) => matchesFieldName(name, p));
        // `fields a b` keeps the internal _raw/_time unless they are removed explicitly.
        return remove ? !listed : listed || name === '_raw' || name === '_time';
      };
      const out = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => keep(k))) as Row);
      const order = remove ? (shape.order?.filter(keep) ?? null) : expandNames(patterns, presentFields(rows, shape));
      return { rows: out, shape: { order, groupBy: shape.groupBy.filter(keep) } };
    },
  };
}

function tableStage(args: string): Stage {
  const patterns = fieldList(args, 'table');
  if (patterns.length === 0) throw commandError('table', 'Missing field list.');
  return {
    name: 'table', transforming: false,
    run: (rows, shape) => {
      const order = expandNames(patterns, presentFields(rows, shape));
      const out = rows.map((r) => { const o: Row = {}; for (const f of order) { const v = r[f]; if (v !== undefined) o[f] = v; } return o; });
      return { rows: out, shape: { order, groupBy: shape.groupBy.filter((g) => order.includes(g)) } };
    },
  };
}

function renameStage(args: string): Stage {
  const toks = tokenize(args);
  const pairs: { from: string; to: string }[] = [];
  for (let i = 0; i < toks.length;) {
    const t = toks[i]!;
    if (t.t === 'op' && t.v === ',') { i++; continue; }
    const as = toks[i + 1];
    const to = toks[i + 2];
    if (t.t === 'op' || !as || as.t !== 'word' || as.v.toLowerCase() !== 'as' || !to || to.t === 'op') throw commandError('rename', 'Usage: rename <field> AS <newname> [, …].');
    if ((t.v.split('*').length - 1) !== (to.v.split('*').length - 1)) throw commandError('rename', `Wildcards in '${t.v}' and '${to.v}' do not match.`);
    pairs.push({ from: t.v, to: to.v });
    i += 3;
  }
  if (pairs.length === 0) throw commandError('rename', 'Missing field to rename.');
  const mapName = (name: string): string => {
    for (const p of pairs) {
      if (!p.from.includes('*')) { if (name === p.from) return p.to; continue; }
      const body = p.from.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)');
      const m = new RegExp(`^${body}$`, 's').exec(name);
      if (m) { let k = 1; return p.to.replace(/\*/g, () => m[k++] ?? ''); }
    }
    return name;
  };
  return {
    name: 'rename', transforming: false, streaming: true,
    run: (rows, shape) => {
      const out = rows.map((r) => {
        const o: Row = {};
        for (const [k, v] of Object.entries(r)) { const n = mapName(k); if (n === k && o[n] !== undefined) continue; o[n] = v; }
        return o;
      });
      return { rows: out, shape: { order: shape.order ? [...new Set(shape.order.map(mapName))] : null, groupBy: shape.groupBy.map(mapName) } };
    },
  };
}

function sortStage(args: string): Stage {
  const toks = tokenize(args);
  // Splunk's sort keeps only 10,000 results unless a count (0 = unlimited) is given.
  let limit = 10_000;
  let i = 0;
  const first = toks[0];
  if (first?.t === 'word' && /^\d+$/.test(first.v)) { limit = Number(first.v) || Infinity; i = 1; }
  else if (first?.t === 'word' && first.v === 'limit' && toks[1]?.t === 'op' && toks[1].v === '=' && toks[2]) { limit = Number(toks[2].v) || Infinity; i = 3; }
  const keys: { field: string; desc: boolean; mode: 'auto' | 'num' | 'str' }[] = [];
  let pendingDesc: boolean | null = null;
  for (; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.t === 'op' && t.v === ',') continue;
    if (t.t === 'word' && (t.v === '-' || t.v === '+')) { pendingDesc = t.v === '-'; continue; }
    if (t.t === 'word' && t.v.toLowerCase() === 'd' && i === toks.length - 1 && keys.length) { keys.forEach((k) => { k.desc = !k.desc; }); continue; }
    if (t.t === 'word' && t.v.toLowerCase() === 'desc' && i === toks.length - 1 && keys.length) { keys.forEach((k) => { k.desc = !k.desc; }); continue; }
    if (t.t !== 'word') throw commandError('sort', `Unexpected '${t.v}'.`);
    let name = t.v;
    let desc = pendingDesc ?? false;
    if (name.startsWith('-') || name.startsWith('+')) { desc = name[0] === '-'; name = name.slice(1); }
    let mode: 'auto' | 'num' | 'str' = 'auto';
    const fn = name.toLowerCase();
    if ((fn === 'num' || fn === 'str' || fn === 'auto' || fn === 'ip') && toks[i + 1]?.t === 'op' && toks[i + 1]!.v === '(') {
      const arg = toks[i + 2];
      if (!arg || arg.t !== 'word' || toks[i + 3]?.v !== ')') throw commandError('sort', `Bad ${fn}() argument.`);
      if (fn === 'ip') throw commandError('sort', 'ip() is not supported by the Lineage splunkd test server.');
      mode = fn === 'auto' ? 'auto' : fn;
      name = arg.v;
      i += 3;
    }
    keys.push({ field: name, desc, mode });
    pendingDesc = null;
  }
  if (keys.length === 0) throw commandError('sort', 'Missing sort field.');
  const cmp = (a: string, b: string, mode: 'auto' | 'num' | 'str') => (mode === 'str' ? (a < b ? -1 : a > b ? 1 : 0) : compareValues(a, b));
  return {
    name: 'sort', transforming: false,
    run: (rows, shape) => {
      const sorted = [...rows].sort((ra, rb) => {
        for (const k of keys) {
          const a = valuesOf(ra[k.field])[0];
          const b = valuesOf(rb[k.field])[0];
          // Rows without the field sort last, regardless of direction.
          if (a === undefined || b === undefined) { if (a === b) continue; return a === undefined ? 1 : -1; }
          const c = cmp(a, b, k.mode);
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
      return { rows: Number.isFinite(limit) ? sorted.slice(0, limit) : sorted, shape };
    },
  };
}

function headStage(args: string): Stage {
  const a = args.trim();
  let n = 10;
  const m = /^(?:limit\s*=\s*)?(\d+)$/.exec(a);
  if (m) n = Number(m[1]);
  else if (a !== '') throw commandError('head', `'${a}' is not supported by the Lineage splunkd test server (use head N).`);
  return { name: 'head', transforming: false, run: (rows, shape) => ({ rows: rows.slice(0, n), shape }) };
}

function dedupStage(args: string): Stage {
  const toks = tokenize(args);
  let keep = 1;
  let keepEmpty = false;
  const fieldsToDedup: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.t === 'op' && t.v === ',') continue;
    if (t.t !== 'word') throw commandError('dedup', `Unexpected '${t.v}'.`);
    if (i === 0 && /^\d+$/.test(t.v)) { keep = Number(t.v); continue; }
    if (toks[i + 1]?.t === 'op' && toks[i + 1]!.v === '=') {
      const val = toks[i + 2]?.v ?? '';
      if (t.v === 'keepempty') keepEmpty = /^(true|t|1)$/i.test(val);
      else throw commandError('dedup', `Option '${t.v}' is not supported by the Lineage splunkd test server.`);
      i += 2;
      continue;
    }
    if (t.v.toLowerCase() === 'sortby') throw commandError('dedup', 'sortby is not supported by the Lineage splunkd test server.');
    fieldsToDedup.push(t.v);
  }
  if (fieldsToDedup.length === 0) throw commandError('dedup', 'Missing field list.');
  return {
    name: 'dedup', transforming: false,
    run: (rows, shape) => {
      const seen = new Map<string, number>();
      const out: Row[] = [];
      for (const r of rows) {
        const vals = fieldsToDedup.map((f) => valuesOf(r[f]));
        if (vals.some((v) => v.length === 0)) { if (keepEmpty) out.push(r); continue; }
        const key = JSON.stringify(vals);
        const n = seen.get(key) ?? 0;
        if (n < keep) out.push(r);
        seen.set(key, n + 1);
      }
      return { rows: out, shape };
    },
  };
}

/** The `notable` macro's incident-review join (es.ts): only ever reached through the macro. */
function reviewStage(args: string): Stage {
  if (args.trim() !== '') throw new SplError(`Error in '${REVIEW_STAGE}' command: takes no arguments.`);
  return { name: REVIEW_STAGE, transforming: false, streaming: false, run: (rows, shape) => ({ rows: rows.map((r) => (r.index === 'notable' ? enrichNotable(r) : r)), shape }) };
}

const BUILDERS: Record<string, (args: string) => Stage> = {
  [REVIEW_STAGE]: reviewStage,
  search: searchStage, where: whereStage, eval: evalStage, stats: statsStage, fields: fieldsStage,
  table: tableStage, rename: renameStage, sort: sortStage, head: headStage, dedup: dedupStage,
};

/** True for any command name Splunk knows (supported here or not). */
export function isCommandName(name: string): boolean {
  return name in BUILDERS || KNOWN_UNSUPPORTED.has(name) || name === 'tstats';
}

/** Compile one non-generating command; unknown commands are Splunk's 400 text. */
export function compileCommand(name: string, args: string): Stage {
  if (name === 'tstats') throw new SplError("Error in 'tstats' command: This command must be the first command of a search.");
  const b = BUILDERS[name];
  if (b) return b(args);
  if (KNOWN_UNSUPPORTED.has(name)) throw new SplError(`Error in '${name}' command: The '${name}' command is not supported by the Lineage splunkd test server.`);
  throw new SplError(`Unknown search command '${name}'.`);
}
