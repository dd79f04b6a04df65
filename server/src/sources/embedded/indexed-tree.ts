/**
 * `getTree` / `getAncestors` through the lineage index: walk the index (no SQL), then fetch exactly
 * the rows walked, with their event counts, in one statement pruned by host key and GUID keys. Returns the rows tree-sql.ts's
 * recursive statement would (same columns, `depth`, order and descendant cut), or null when a link
 * of the walk does not hold on the fetched GUID strings (a hash collision) — the caller then runs
 * the recursive statement.
 */
import type { Category } from '@lineage/shared';
import type { QueryContext } from '../event-source.js';
import type { LineageIndex, WalkEntry } from './lineage-index.js';
import { PROCESS_COLUMNS } from './schema.js';
import { Params, queryJson, type ConnectionPool, type SqlRow } from './sql-runner.js';
import { MAX_GENERATIONS, type TreeSqlOptions } from './tree-sql.js';
import type { EventCounts, ProcessEvents } from './event-counts.js';

/** Columns in PROCESS_COLUMNS (commas outside parentheses, + 1). */
const PROCESS_COLUMN_COUNT = PROCESS_COLUMNS.replace(/\([^)]*\)/g, '').split(',').length;

/** Key lists up to this long are `IN (…)` table filters; longer ones join a bound list. */
const IN_LIST_MAX = 32;

/**
 * The tree's rows; the creates of the parents above the range where the upward walk stopped; and the
 * event counts of every row walked (all time, with their time span), by host + "\n" + guid.
 */
export interface IndexedTree { rows: SqlRow[]; outside: SqlRow[]; counts: HeldCounts }

/** Events of one process and category: how many, and the earliest and latest time (µs since the epoch). */
export interface HeldCount { n: number; from: number; to: number }
/** Event counts by host + "\n" + guid, then category, over all time. */
export type HeldCounts = Map<string, Partial<Record<Category, HeldCount>>>;

export async function indexedTree(
  store: ConnectionPool, index: LineageIndex, ctx: QueryContext, o: TreeSqlOptions, memory: EventCounts | null = null,
): Promise<IndexedTree | null> {
  const origins = index.find(o.guid, o.host);
  if (origins.length === 0) return { rows: [], outside: [], counts: new Map() }; // the statement would find no origin, so nothing at all
  const limit = o.budget + 1;
  const { entries: walked, outside } = index.walk(origins, {
    up: Math.min(o.up, MAX_GENERATIONS), down: Math.min(o.down, MAX_GENERATIONS), limit, ...(o.range ? { range: o.range } : {}),
  });
  // The parents above the range come in the same statement: a graph needs them next (placeholders).
  const all = [...walked, ...outside];
  // The rows' event counts: from memory when the index has them (event-counts.ts), else in the same statement.
  const { rows: fetched, counts } = await fetchRows(store, index, ctx, all, memory === null);
  // Every walked row must come back exactly once, and every link must hold on the GUID strings.
  const keyOf = new Map<number, string>(); // row → host + gkey text (BigInt formatting is not free)
  const rowOf = (e: WalkEntry): SqlRow | undefined => {
    let k = keyOf.get(e.row);
    if (k === undefined) { k = `${index.hostName(e.row)}\n${index.gkey(e.row)}`; keyOf.set(e.row, k); }
    return fetched.get(k);
  };
  // From memory, only what memory answered is held. Counted in SQL, every process fetched had all its
  // events counted (by key, on its host): one without a count has none.
  if (memory) heldFromMemory(memory, all, rowOf, counts);
  else {
    for (const r of fetched.values()) {
      if (r.guid === undefined) continue;
      const k = `${String(r.host)}\n${String(r.guid)}`;
      if (!counts.has(k)) counts.set(k, {});
    }
  }
  const out: { row: SqlRow; depth: number; micros: number }[] = [];
  for (const e of walked) {
    const row = rowOf(e);
    if (!row) return null;
    if (e.depth === 0 && row.guid !== o.guid) return null;
    if (e.from >= 0) {
      const from = rowOf({ row: e.from, depth: 0, from: -1 });
      if (!from) return null;
      const linked = e.depth > 0 ? row.parent_guid === from.guid : from.parent_guid === row.guid;
      if (!linked) return null;
    }
    out.push({ row: { ...row, depth: e.depth }, depth: e.depth, micros: index.startMicros(e.row) });
  }
  // The statement's descendant cut: (depth, start_time, guid) order, budget + 1 rows.
  const guidOf = (x: { row: SqlRow }): string => String(x.row.guid);
  const byCut = (a: typeof out[number], b: typeof out[number]): number =>
    a.depth - b.depth || a.micros - b.micros || (guidOf(a) < guidOf(b) ? -1 : guidOf(a) > guidOf(b) ? 1 : 0);
  const down = out.filter((x) => x.depth > 0).sort(byCut).slice(0, limit);
  const rows = [...out.filter((x) => x.depth <= 0), ...down].map((x) => x.row);
  const above = outside.map((e) => ({ row: rowOf(e), from: rowOf({ row: e.from, depth: 0, from: -1 }) }))
    .filter((x): x is { row: SqlRow; from: SqlRow } => x.row !== undefined && x.from?.parent_guid === x.row.guid)
    .map((x) => x.row);
  // …and its final ORDER BY depth, start_time (the formatted text), guid, host.
  const cmp = (x: unknown, y: unknown): number => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0);
  rows.sort((a, b) => Number(a.depth) - Number(b.depth) || cmp(a.start_time, b.start_time) || cmp(a.guid, b.guid) || cmp(a.host, b.host));
  return { rows, outside: above, counts };
}

/**
 * One statement: the walked rows' process columns, keyed by host + gkey, and — as extra rows with
 * `n` set — their events by category: count, earliest and latest time, over all time. `heldCounts`
 * answers countEvents from them for any range that holds or misses each (process, category)'s
 * events whole (a graph asks next for the events over the shown processes' lifetimes, not its
 * window) — that saves countEvents' statement. Events match by key here and are attributed by their
 * own GUID text, so a key collision cannot move counts to another process. A UNION ALL of two
 * pruned scans: a CTE shared by both parts measured 2–4× slower (the key filter was no longer pushed
 * into the processes scan).
 *
 * The process rows are found by their `rowid` first (a scan of the key columns only), then fetched:
 * an `IN` list of keys is only an optional (zonemap) filter in DuckDB, so the plain statement read
 * every wide column of the host's ≈ 100k rows for a handful of matches (10M store: 15 → 3.4 ms CPU
 * for 8 keys, 23.5 → 12.3 ms for 150; docs/security.md "Cheaper requests").
 */
async function fetchRows(
  store: ConnectionPool, index: LineageIndex, ctx: QueryContext, walked: WalkEntry[], withCounts: boolean,
): Promise<{ rows: Map<string, SqlRow>; counts: HeldCounts }> {
  const hosts = [...new Set(walked.map((e) => index.hostName(e.row)))].sort();
  const keys = [...new Set(walked.map((e) => index.gkey(e.row).toString()))].sort();
  const p = new Params();
  const hostArgs = hosts.map((h) => p.arg(h));
  // Host keys first: both tables are sorted by hkey, so this prunes to the host's row groups.
  const onHosts = (alias: string): string =>
    `${alias}.hkey IN (${hostArgs.map((a) => `hash(${a})`).join(', ')}) AND ${alias}.host IN (${hostArgs.join(', ')})`;
  let onKeys: (alias: string) => { join: string; where: string };
  if (keys.length <= IN_LIST_MAX) {
    const args = keys.map((k) => `CAST(${p.arg(k)} AS UBIGINT)`).join(', ');
    onKeys = (alias) => ({ join: '', where: ` AND ${alias}.gkey IN (${args})` });
  } else {
    // One text of decimal keys, split in SQL: binding a LIST value costs a conversion per element.
    const list = p.arg(keys.join(','));
    onKeys = (alias) => ({ join: `SEMI JOIN (SELECT unnest(CAST(string_split(${list}, ',') AS UBIGINT[])) AS k) q ON ${alias}.gkey = q.k`, where: '' });
  }
  const pk = onKeys('pp');
  const ek = onKeys('e');
  const nulls = PROCESS_COLUMN_COUNT - 3; // all but guid, parent_guid, host
  const rows = await queryJson(store, ctx, `
SELECT ${PROCESS_COLUMNS}, CAST(p.gkey AS VARCHAR) AS gk, NULL AS category, NULL AS n, NULL AS t0, NULL AS t1
FROM processes p WHERE p.rowid IN (SELECT pp.rowid FROM processes pp ${pk.join} WHERE ${onHosts('pp')} ${pk.where})${withCounts ? `
UNION ALL
SELECT e.guid, NULL, e.host, ${Array(nulls).fill('NULL').join(', ')}, NULL, e.category, count(*), epoch_us(min(e.time)), epoch_us(max(e.time))
FROM events e ${ek.join} WHERE ${onHosts('e')} ${ek.where} AND e.event_id <> 1
GROUP BY e.guid, e.host, e.category` : ''}`, p);
  const out = new Map<string, SqlRow>();
  const counts: HeldCounts = new Map();
  for (const r of rows) {
    if (r.n != null) {
      const k = `${String(r.host)}\n${String(r.guid)}`;
      const c = counts.get(k) ?? {};
      c[r.category as Category] = { n: Number(r.n), from: Number(r.t0), to: Number(r.t1) };
      counts.set(k, c);
      continue;
    }
    const k = `${String(r.host)}\n${String(r.gk)}`;
    if (out.has(k)) out.set(k, {}); // two rows with one key on one host: no GUID, so the check fails
    else out.set(k, r);
  }
  return { rows: out, counts };
}

/**
 * Hold the counts memory answers for the fetched rows (each category with the process's whole span:
 * a range that cuts it is counted in SQL). `rowOf` is the tree's lookup of an entry's fetched row.
 */
function heldFromMemory(memory: EventCounts, entries: WalkEntry[], rowOf: (e: WalkEntry) => SqlRow | undefined, held: HeldCounts): void {
  for (const e of entries) {
    const r = rowOf(e);
    if (!r || r.guid === undefined) continue;
    const got = memory.get(e.row, String(r.guid));
    if (got) held.set(`${String(r.host)}\n${String(r.guid)}`, asHeld(got));
  }
}

/** Counts from memory as held counts: every category with the process's whole span. */
export function asHeld(got: ProcessEvents): Partial<Record<Category, HeldCount>> {
  const c: Partial<Record<Category, HeldCount>> = {};
  for (const [cat, n] of Object.entries(got.counts) as [Category, number][]) c[cat] = { n, from: got.from, to: got.to };
  return c;
}
