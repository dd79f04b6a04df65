/**
 * Compiling and running an SPL string against the emulator's indexed data. Compilation happens at
 * dispatch (syntax errors are 400s before any job exists); running yields the events (rows that
 * reached the first transforming command), the final results and the scan count that the latency
 * model charges for.
 */
import { compileCommand, isCommandName, RISKY_COMMANDS, type Shape, type Stage } from './commands.js';
import { SplError } from './errors.js';
import { splitPipeline } from './lexer.js';
import { matchRow, parseSearch, type ParsedSearch, type SearchNode } from './search-expr.js';
import { aggregate } from './stats.js';
import { parseTimeModifier } from './time.js';
import { parseTstats, type DataModelName, type TstatsSpec } from './tstats.js';
import { valuesOf, wildcardRegex, type Row } from './values.js';

/** What the engine reads: indexed events (newest first) and data model datasets. */
export interface EventStore {
  /** Every indexed event, newest first, each with `index`, `_time` (epoch seconds string) and `_raw`. */
  events(): readonly Row[];
  /** Rows of a data model dataset (fields prefixed like `Processes.process_guid`). */
  datamodel(name: DataModelName): readonly Row[];
  /**
   * Optional field index: the events (newest first) having one of `values` (lowercase, no wildcards)
   * in `field`. Only narrows the scan; every candidate is still matched against the full search.
   */
  lookup?(field: string, values: readonly string[]): readonly Row[];
}

/** Options of one search run. */
export interface RunOptions {
  nowSec: number;
  /** Indexes searched when the search names none (Splunk's role default: main). */
  defaultIndexes: readonly string[];
  /** REST `earliest_time`/`latest_time` params; SPL time modifiers override them (§8.30). */
  earliestTime?: string | null;
  latestTime?: string | null;
  /** Use only the first N matched events (newest first): a finalized or previewed job's partial view. */
  scanLimit?: number;
}

/** A compiled search: the generating clause plus the remaining stages. */
export interface CompiledSearch {
  spl: string;
  generator: { kind: 'search'; parsed: ParsedSearch } | { kind: 'tstats'; spec: TstatsSpec };
  stages: Stage[];
  /** `eventSearch` / `reportSearch` split as the job entry shows it. */
  eventSearch: string;
  reportSearch: string;
}

/** Output of a run. */
export interface SearchOutput {
  events: Row[];
  results: Row[];
  /** Result column order and the stats group-by fields (for `fields[].groupby_rank`). */
  fields: string[];
  groupBy: string[];
  /** Events read by the generating command (what the per-event latency is charged on). */
  scanCount: number;
  /** Time bounds actually applied (epoch seconds; null = unbounded). */
  earliest: number | null;
  latest: number | null;
}

/** Compile a REST `search` string (must start with `search` or `|`, §4.1). */
export function compileSearch(spl: string): CompiledSearch {
  const commands = splitPipeline(spl);
  const [first, ...rest] = commands;
  let generator: CompiledSearch['generator'];
  if (first!.name === 'search') generator = { kind: 'search', parsed: parseSearch(first!.args, 'search', true) };
  else if (first!.name === 'tstats') generator = { kind: 'tstats', spec: parseTstats(first!.args) };
  else {
    // Validate the command name first so an unknown one gets Splunk's "Unknown search command".
    compileCommand(first!.name, first!.args);
    throw new SplError(`Error in '${first!.name}' command: This command must not be the first command of a search (it is not a generating command).`);
  }
  // Bad time modifiers fail at dispatch (400), not later as a FAILED job.
  const parsed = generator.kind === 'search' ? generator.parsed : generator.spec.where;
  if (parsed?.earliest != null) parseTimeModifier(parsed.earliest, 0);
  if (parsed?.latest != null) parseTimeModifier(parsed.latest, 0);
  const stages = rest.map((c) => compileCommand(c.name, c.args));
  // The job entry splits the search like Splunk: generating search plus distributable streaming
  // commands form eventSearch; everything from the first other command is reportSearch.
  const firstReport = generator.kind === 'tstats' ? 0 : stages.findIndex((s) => !s.streaming);
  const cut = firstReport < 0 ? stages.length : firstReport;
  const text = (c: { name: string; args: string }) => `${c.name} ${c.args.trim()}`.trim();
  return {
    spl, generator, stages,
    eventSearch: generator.kind === 'search' ? commands.slice(0, 1 + cut).map(text).join(' | ') : '',
    reportSearch: commands.slice(generator.kind === 'search' ? 1 + cut : 0).map(text).join(' | '),
  };
}

/**
 * Compile a post-process search (`search` param of /results, §2.5): its first command may be a
 * bare search clause. Risky commands answer 403 unless the v2 check is off (§8.26).
 */
export function compilePostProcess(text: string, checkRisky: boolean): Stage[] {
  const trimmed = text.trim();
  const firstWord = /^[A-Za-z_]+/.exec(trimmed)?.[0] ?? '';
  const startsWithCommand = trimmed.startsWith('|') || (isCommandName(firstWord.toLowerCase()) && !/^[A-Za-z_]+\s*(=|!=|<|>)/.test(trimmed));
  // `x=1 | stats count`: a first segment that is not a command is an implied search.
  const commands = splitPipeline(trimmed.startsWith('|') ? trimmed : startsWithCommand ? `| ${trimmed}` : `search ${trimmed}`);
  if (checkRisky) {
    const risky = commands.find((c) => RISKY_COMMANDS.has(c.name));
    if (risky) throw new SplError(`Error in '${risky.name}' command: This command is considered risky and is not allowed in a post-process search. Set check_risky_command=false to run it.`, 403);
  }
  return commands.map((c) => compileCommand(c.name, c.args));
}

/** Run stages over rows; returns rows, shape and the rows that reached the first transforming command. */
export function runStages(stages: Stage[], input: Row[], shape: Shape): { rows: Row[]; shape: Shape; events: Row[] | null } {
  let rows = input;
  let events: Row[] | null = null;
  for (const st of stages) {
    if (st.transforming && events === null) events = rows;
    ({ rows, shape } = st.run(rows, shape));
  }
  return { rows, shape, events };
}

function bounds(parsedEarliest: string | null, parsedLatest: string | null, opts: RunOptions): { earliest: number | null; latest: number | null } {
  // REST params may be ISO 8601; SPL modifiers may not (they use %m/%d/%Y:%H:%M:%S).
  const parse = (spl: string | null, param: string | null | undefined): number | null => {
    if (spl !== null) return parseTimeModifier(spl, opts.nowSec, false);
    if (param == null || param === '') return null;
    return parseTimeModifier(param, opts.nowSec, true);
  };
  return { earliest: parse(parsedEarliest, opts.earliestTime), latest: parse(parsedLatest, opts.latestTime) };
}

function inRange(row: Row, earliest: number | null, latest: number | null): boolean {
  if (earliest === null && latest === null) return true;
  const t = Number(valuesOf(row._time)[0]);
  if (!Number.isFinite(t)) return false;
  // Splunk's window is [earliest, latest).
  return (earliest === null || t >= earliest) && (latest === null || t < latest);
}

/**
 * The smallest candidate set a top-level literal term allows (`field=value`, `field IN (…)` without
 * wildcards), or every event. Candidates keep the store's newest-first order.
 */
function candidates(node: SearchNode, store: EventStore): readonly Row[] {
  if (!store.lookup) return store.events();
  const terms = node.k === 'and' ? node.items : [node];
  let best: readonly Row[] | null = null;
  for (const t of terms) {
    let lit: { field: string; values: string[] } | null = null;
    if (t.k === 'cmp' && t.op === '=' && !t.value.includes('*')) lit = { field: t.field, values: [t.value] };
    else if (t.k === 'in' && t.values.every((v) => !v.includes('*'))) lit = { field: t.field, values: t.values };
    if (!lit) continue;
    const rows = store.lookup(lit.field, lit.values.map((v) => v.toLowerCase()));
    if (best === null || rows.length < best.length) best = rows;
    if (best.length === 0) break;
  }
  return best ?? store.events();
}

function limit(rows: Row[], n: number | undefined): Row[] {
  return n === undefined || n >= rows.length ? rows : rows.slice(0, Math.max(0, n));
}

/** Run a compiled search over the store. */
export function runSearch(c: CompiledSearch, store: EventStore, opts: RunOptions): SearchOutput {
  if (c.generator.kind === 'tstats') {
    const spec = c.generator.spec;
    const where = spec.where;
    const { earliest, latest } = bounds(where?.earliest ?? null, where?.latest ?? null, opts);
    const all = store.datamodel(spec.datamodel);
    const matched = limit(all.filter((r) => inRange(r, earliest, latest) && (!where || matchRow(where.node, r))), opts.scanLimit);
    const agg = aggregate(matched, spec.stats);
    const shape: Shape = { order: [...spec.stats.by, ...spec.stats.aggs.map((a) => a.as)], groupBy: spec.stats.by };
    const out = runStages(c.stages, agg, shape);
    return { events: [], results: out.rows, fields: fieldOrder(out.rows, out.shape), groupBy: out.shape.groupBy, scanCount: matched.length, earliest, latest };
  }
  const parsed = c.generator.parsed;
  const { earliest, latest } = bounds(parsed.earliest, parsed.latest, opts);
  const defaults = opts.defaultIndexes.map((i) => wildcardRegex(i));
  const matched = limit(candidates(parsed.node, store).filter((r) => {
    if (!inRange(r, earliest, latest)) return false;
    if (!parsed.mentionsIndex && !defaults.some((re) => re.test(String(r.index)))) return false;
    return matchRow(parsed.node, r);
  }), opts.scanLimit);
  const out = runStages(c.stages, matched, { order: null, groupBy: [] });
  return { events: out.events ?? out.rows, results: out.rows, fields: fieldOrder(out.rows, out.shape), groupBy: out.shape.groupBy, scanCount: matched.length, earliest, latest };
}

/** Column order of a result set: the explicit order when a command defined one, else first-seen order. */
export function fieldOrder(rows: readonly Row[], shape: Shape): string[] {
  if (shape.order) return shape.order.filter((f) => rows.some((r) => r[f] !== undefined));
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}
