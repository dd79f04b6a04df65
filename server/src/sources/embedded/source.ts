/**
 * EventSource over the embedded DuckDB store. Every method is one SQL statement (counted in
 * `ctx.stats.searches`); `getTree` answers origin + ancestors + descendants in one recursive query.
 * GUID lookups go through the hash keys of schema.ts so zonemaps prune them.
 */
import { listValue } from '@duckdb/node-api';
import { canonicalGuid, type Category, type Notable, type TimeRange } from '@lineage/shared';
import type {
  BaseOptions, EventRecord, EventSource, LateralFacts, PageOptions, PrevalenceResult, ProcessRecord, QueryContext, RowPage, SeedQuery, TreeOptions, TreeRows,
} from '../event-source.js';
import { embeddedPrevalence } from './prevalence-query.js';
import type { EmbeddedStore } from './store.js';
import { EVENT_COLUMNS, PROCESS_COLUMNS } from './schema.js';
import { Params, queryJson, queryOnce, streamQuery, type ConnectionPool, type SqlRow } from './sql-runner.js';
import { ReadPool } from './read-pool.js';
import { toEvent, toProcess } from './rows.js';
import { treeSql, MAX_GENERATIONS } from './tree-sql.js';
import {
  decodeChildPosition, decodeEventPosition, encodeChildPosition, encodeEventPosition,
} from './cursor.js';
import { indexedTree } from './indexed-tree.js';
import { LineageIndex } from './lineage-index.js';
import { hasSearchIndex, indexedSearchSql, planSearch, SearchIndexKeeper } from './search-index.js';
import { embeddedLateralFacts } from './lateral-sql.js';

/** Options of an EmbeddedSource. */
export interface EmbeddedSourceOptions {
  /**
   * Keep a lineage index in memory (lineage-index.ts): built in the background from now on, caught up
   * after writes (LineageIndex.catchUp), used by tree, ancestor and process lookups once current. For a long-running
   * server; a one-shot command is better off without the build.
   */
  lineageIndex?: boolean;
  /**
   * Keep the store's search index caught up (search-index.ts; needs a writable store) and use it for
   * image / command-line searches. Absent: a search uses the index if the store has one (as far as
   * it is caught up). `false`: always scan (benches compare).
   */
  searchIndex?: boolean;
  /**
   * At most this many statements run at once, the others wait in order (read-pool.ts). Absent:
   * one connection per concurrent statement, unbounded. Rule scans (`scanProcesses`) are not counted.
   */
  readConnections?: number;
}

/** A first build (no index yet) waits for writes to pause this long; a catch-up starts at once. */
const REBUILD_DELAY_MS = 1000;

/** GUIDs as given, canonicalised when they are GUIDs (a non-GUID simply matches nothing). */
function guidList(guids: readonly string[]): string[] {
  return [...new Set(guids.map((g) => canonicalGuid(g) ?? g))];
}

/** `AND …` clauses for the common host and time-range options on a table alias. */
function filters(p: Params, o: BaseOptions, alias: string, timeCol: string): string {
  let sql = '';
  if (o.host) {
    const h = p.arg(o.host.toLowerCase());
    sql += ` AND ${alias}.hkey = hash(${h}) AND ${alias}.host = ${h}`;
  }
  if (o.range) {
    sql += ` AND ${alias}.${timeCol} >= CAST(${p.arg(o.range.from)} AS TIMESTAMP)`
      + ` AND ${alias}.${timeCol} <= CAST(${p.arg(o.range.to)} AS TIMESTAMP)`;
  }
  return sql;
}

/** Lists up to this long match by `IN (…)` literals (pruned table filters); longer ones by a SEMI JOIN. */
const IN_LIST_MAX = 32;

/**
 * Restrict `alias` to rows whose `guidCol` is one of `guids` (hash key `keyCol`), as SQL to put after
 * `FROM table alias`. Short lists become `keyCol IN (hash($a), …)` — bound parameters that DuckDB
 * turns into table filters, so row groups are pruned and no hash table is built (measured on 1.8M
 * events: 7 ms vs 11 ms CPU for one GUID). Long lists (a subtree) join a bound list on the hash key,
 * the list being the hash-join build side.
 */
function guidMatch(p: Params, guids: string[], alias: string, keyCol: string, guidCol: string): { join: string; where: string } {
  if (guids.length <= IN_LIST_MAX) {
    const args = guids.map((g) => p.arg(g));
    return { join: '', where: ` AND ${alias}.${keyCol} IN (${args.map((a) => `hash(${a})`).join(', ')}) AND ${alias}.${guidCol} IN (${args.join(', ')})` };
  }
  const list = p.arg(listValue(guids));
  return { join: `SEMI JOIN (SELECT unnest(CAST(${list} AS VARCHAR[])) AS g) q ON ${alias}.${keyCol} = hash(q.g) AND ${alias}.${guidCol} = q.g`, where: '' };
}

const clampLimit = (n: number): number => Math.max(1, Math.min(Math.floor(n), 100_000));

/** EventSource over an open EmbeddedStore (the store may be read-only). */
export class EmbeddedSource implements EventSource {
  readonly kind = 'embedded' as const;

  /** The last index built (possibly stale: `currentIndex` checks). */
  private index: LineageIndex | null = null;
  /** Full builds, catch-ups, and lookups that found the index stale (those go to SQL). */
  readonly indexStats = { builds: 0, catchUps: 0, stale: 0 };
  private building: Promise<void> | null = null;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private closing = false;
  /**
   * Per request, what a tree fetched beside its rows, so the graph's next calls need no statement:
   * `creates` — the parents above its range (placeholders), by host + "\n" + guid; `counts` — event
   * counts of every row walked, by range (`rangeKey`), then host + "\n" + guid.
   */
  private readonly prefetched = new WeakMap<BaseOptions['ctx'], {
    creates: Map<string, ProcessRecord>;
    counts: Map<string, Map<string, Partial<Record<Category, number>>>>;
  }>();

  /** Keeps the search index caught up (option `searchIndex`). */
  private readonly keeper: SearchIndexKeeper | null;
  /** Whether the store has a search index, when no keeper says (checked once). */
  private indexed: Promise<boolean> | null = null;

  /** Where request statements get their connection: the read pool, or the store itself. */
  private readonly reads: ConnectionPool;
  /** The bounded pool (option `readConnections`). */
  readonly readPool: ReadPool | null;

  constructor(private readonly store: EmbeddedStore, private readonly options: EmbeddedSourceOptions = {}) {
    this.readPool = options.readConnections ? new ReadPool(store, options.readConnections) : null;
    this.reads = this.readPool ?? store;
    if (options.lineageIndex) this.buildIndex();
    this.keeper = options.searchIndex ? new SearchIndexKeeper(store) : null;
  }

  /** Resolves when the search index catch-up in progress has ended (tests, benches). */
  async searchIndexIdle(): Promise<void> {
    await this.keeper?.idle();
  }

  private async searchIndexReady(): Promise<boolean> {
    if (this.keeper) { this.keeper.poke(); return this.keeper.ready; }
    if (this.options.searchIndex === false) return false;
    this.indexed ??= hasSearchIndex(this.store).catch(() => false);
    return this.indexed;
  }

  /** Resolves when the lineage index build started so far has ended (tests, benches). */
  async indexReady(): Promise<boolean> {
    if (this.index && this.index.version !== this.store.changes) this.buildIndex();
    while (this.building) await this.building;
    return this.currentIndex() !== null;
  }

  private buildIndex(): void {
    if (this.building || this.closing) return;
    const started = performance.now();
    const cancelled = (): boolean => this.closing;
    // A stale index catches up with the rows written since (lineage-index.ts); else a full build.
    const prev = this.index;
    this.building = (prev ? prev.catchUp(this.store, cancelled) : Promise.resolve(null))
      .then(async (caught) => { if (caught) this.indexStats.catchUps += 1; return caught ?? LineageIndex.build(this.store, cancelled).then((b) => { if (b) this.indexStats.builds += 1; return b; }); })
      .then((index) => {
        if (!index) return;
        this.index = index;
        // One line per build on stderr (a server's log; benches wait for it).
        process.stderr.write(`lineage index: ${index.size} processes in ${Math.round(performance.now() - started)} ms${prev ? ' (catch-up)' : ''}\n`);
      })
      .catch((err: unknown) => { process.stderr.write(`lineage index not built: ${(err as Error).message}\n`); })
      .finally(() => {
        this.building = null;
        if (this.index?.version !== this.store.changes) this.scheduleRebuild();
      });
  }

  private scheduleRebuild(): void {
    if (!this.options.lineageIndex || this.closing || this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      this.buildIndex();
    }, this.index ? 0 : REBUILD_DELAY_MS);
    this.rebuildTimer.unref();
  }

  /** The index when it reflects the store as it is now; otherwise null (and a rebuild is scheduled). */
  private currentIndex(): LineageIndex | null {
    const index = this.index;
    if (!index) return null;
    if (index.version === this.store.changes) return index;
    this.indexStats.stale += 1;
    this.scheduleRebuild();
    return null;
  }

  /**
   * Host and start of the process(es) with this GUID, from the lineage index without a statement;
   * null when the index is not current (the caller looks the origin up instead).
   */
  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    const index = this.currentIndex();
    if (!index) return null;
    return index.find(canonicalGuid(guid) ?? guid, host?.toLowerCase())
      .map((r) => ({ host: index.hostName(r), startTime: new Date(Math.floor(index.startMicros(r) / 1000)).toISOString() }));
  }

  /** The tree statement's rows: through the index when current (one pruned fetch), else recursive SQL. */
  private async treeRows(ctx: BaseOptions['ctx'], o: Parameters<typeof treeSql>[0]): Promise<SqlRow[]> {
    const index = this.currentIndex();
    if (index) {
      const found = await indexedTree(this.reads, index, ctx, o);
      if (found) {
        const held = this.prefetched.get(ctx) ?? { creates: new Map(), counts: new Map() };
        for (const r of found.outside) held.creates.set(`${String(r.host)}\n${String(r.guid)}`, toProcess(r));
        held.counts.set(rangeKey(o.range), found.counts);
        this.prefetched.set(ctx, held);
        return found.rows;
      }
    }
    const { sql, params } = treeSql(o);
    return queryJson(this.reads, ctx, sql, params);
  }

  async findSeeds(q: SeedQuery, o: BaseOptions & { limit: number }): Promise<ProcessRecord[]> {
    const p = new Params();
    let where = 'TRUE';
    if (q.guid) {
      const g = p.arg(canonicalGuid(q.guid) ?? q.guid);
      where += ` AND p.gkey = hash(${g}) AND p.guid = ${g}`;
    }
    const host = q.host ?? o.host;
    if (q.image) where += ` AND contains(lower(p.image), lower(${p.arg(q.image)}))`;
    if (q.text) where += ` AND contains(lower(p.command_line), lower(${p.arg(q.text)}))`;
    where += filters(p, { ...o, host }, 'p', 'start_time');
    // Image / command-line text: narrowed by the search index when it has a rare enough piece (same answer).
    const plan = !q.guid && (q.image || q.text) && await this.searchIndexReady()
      ? await planSearch(this.reads, o.ctx, { text: q.text, image: q.image }) : null;
    const limit = p.arg(clampLimit(o.limit));
    const hostArg = plan && host ? p.arg(host.toLowerCase()) : undefined;
    const rows = plan
      ? await queryOnce(this.reads, o.ctx, indexedSearchSql(plan, PROCESS_COLUMNS, where, limit, hostArg), p)
      : await queryJson(this.reads, o.ctx, `SELECT ${PROCESS_COLUMNS} FROM processes p WHERE ${where} ORDER BY p.start_time, p.guid, p.host LIMIT ${limit}`, p);
    return rows.map(toProcess);
  }

  async getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    let wanted = guidList(guids);
    const held = this.prefetched.get(o.ctx)?.creates;
    if (held && o.host && !o.range) {
      const host = o.host.toLowerCase();
      const rows = wanted.map((g) => held.get(`${host}\n${g}`));
      if (rows.every((r) => r !== undefined)) return sortProcesses(rows as ProcessRecord[]);
    }
    // GUIDs the current index does not know have no create: no statement for them (often none is left:
    // a tree's topmost parent that was never logged).
    const index = this.currentIndex();
    if (index) wanted = wanted.filter((g) => index.has(g, o.host?.toLowerCase(), o.range));
    if (wanted.length === 0) return [];
    const p = new Params();
    const m = guidMatch(p, wanted, 'p', 'gkey', 'guid');
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT ${PROCESS_COLUMNS} FROM processes p ${m.join} WHERE TRUE ${m.where} ${filters(p, o, 'p', 'start_time')} ORDER BY p.start_time, p.guid, p.host`, p);
    return rows.map(toProcess);
  }

  async getChildren(parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
    if (parentGuids.length === 0) return { items: [], nextCursor: null, total: 0 };
    const p = new Params();
    const limit = clampLimit(o.limit);
    const m = guidMatch(p, guidList(parentGuids), 'p', 'pkey', 'parent_guid');
    const join = m.join;
    let where = `TRUE ${m.where} ${filters(p, o, 'p', 'start_time')}`;
    if (o.cursor) {
      const pos = decodeChildPosition(o.cursor);
      const t = p.arg(pos.t);
      where += ` AND (p.start_time > CAST(${t} AS TIMESTAMP) OR (p.start_time = CAST(${t} AS TIMESTAMP) AND p.guid > ${p.arg(pos.g)}))`;
    }
    // count(*) OVER () is evaluated before LIMIT: the total from this position on, in the same statement.
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT ${PROCESS_COLUMNS}, count(*) OVER () AS total FROM processes p ${join} WHERE ${where}
       ORDER BY p.start_time, p.guid LIMIT ${p.arg(limit + 1)}`, p);
    const items = rows.slice(0, limit).map(toProcess);
    const last = items[items.length - 1];
    const more = rows.length > limit && last !== undefined;
    return {
      items,
      nextCursor: more ? encodeChildPosition({ t: last.startTime, g: last.guid }) : null,
      ...(o.cursor ? {} : { total: rows.length === 0 ? 0 : Number(rows[0]!.total) }),
    };
  }

  /** Children per parent (EventSource.countChildren): one GROUP BY over the parents' children. */
  async countChildren(parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (parentGuids.length === 0) return out;
    const p = new Params();
    const m = guidMatch(p, guidList(parentGuids), 'p', 'pkey', 'parent_guid');
    const rows = await queryJson(this.store, o.ctx,
      `SELECT p.parent_guid AS parent, count(DISTINCT p.guid) AS n FROM processes p ${m.join} WHERE TRUE ${m.where} ${filters(p, o, 'p', 'start_time')} GROUP BY p.parent_guid`, p);
    for (const r of rows) out.set(String(r.parent), Number(r.n));
    return out;
  }

  async getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    const rows = await this.treeRows(o.ctx, {
      guid: canonicalGuid(guid) ?? guid, host: o.host?.toLowerCase(), up: Math.max(0, o.maxDepth), down: 0, budget: 0, range: o.range,
    });
    // depth -1 is the parent: nearest first.
    return rows.filter((r) => Number(r.depth) < 0).sort((a, b) => Number(b.depth) - Number(a.depth)).map(toProcess);
  }

  async getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    const budget = Math.max(0, Math.floor(Number.isFinite(o.nodeBudget) ? o.nodeBudget : 1_000_000));
    const rows = await this.treeRows(o.ctx, {
      guid: canonicalGuid(guid) ?? guid,
      host: o.host?.toLowerCase(),
      up: o.up ? MAX_GENERATIONS : 0,
      down: Number.isFinite(o.down) ? Math.max(0, Math.floor(o.down)) : MAX_GENERATIONS,
      budget,
      range: o.range,
    });
    const descendants = rows.filter((r) => Number(r.depth) > 0).length;
    const kept = descendants > budget ? dropLastDescendant(rows) : rows;
    return { processes: kept.map(toProcess), complete: descendants <= budget };
  }

  async countEvents(guids: string[], o: BaseOptions): Promise<Map<string, Partial<Record<Category, number>>>> {
    const out = new Map<string, Partial<Record<Category, number>>>();
    if (guids.length === 0) return out;
    // Counted already with this request's tree (same host and range): no statement.
    const held = o.host ? this.prefetched.get(o.ctx)?.counts.get(rangeKey(o.range)) : undefined;
    if (held) {
      const host = o.host!.toLowerCase();
      const wanted = guidList(guids);
      const found = wanted.map((g) => held.get(`${host}\n${g}`));
      if (found.every((c) => c !== undefined)) {
        wanted.forEach((g, i) => { if (Object.keys(found[i]!).length > 0) out.set(g, { ...found[i]! }); });
        return out;
      }
    }
    const p = new Params();
    const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT e.guid, e.category, count(*) AS n FROM events e ${m.join}
       WHERE e.event_id <> 1 ${m.where} ${filters(p, o, 'e', 'time')} GROUP BY ALL`, p);
    for (const r of rows) {
      const g = String(r.guid);
      const counts = out.get(g) ?? {};
      counts[r.category as Category] = Number(r.n);
      out.set(g, counts);
    }
    return out;
  }

  async getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
    if (guids.length === 0) return { items: [], nextCursor: null, total: 0 };
    const p = new Params();
    const limit = clampLimit(o.limit);
    const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
    const join = m.join;
    let where = `e.event_id <> 1 ${m.where} ${filters(p, o, 'e', 'time')}`;
    if (o.category) where += ` AND e.category = ${p.arg(o.category)}`;
    if (o.cursor) {
      const pos = decodeEventPosition(o.cursor);
      const t = p.arg(pos.t);
      const r = p.arg(pos.r);
      where += ` AND (e.time > CAST(${t} AS TIMESTAMP) OR (e.time = CAST(${t} AS TIMESTAMP) AND (coalesce(e.record_id, -1) > ${r}
        OR (coalesce(e.record_id, -1) = ${r} AND e.seq > ${p.arg(pos.s)}))))`;
    }
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT ${EVENT_COLUMNS}, count(*) OVER () AS total FROM events e ${join} WHERE ${where}
       ORDER BY e.time, coalesce(e.record_id, -1), e.seq LIMIT ${p.arg(limit + 1)}`, p);
    const page = rows.slice(0, limit);
    const last: SqlRow | undefined = page[page.length - 1];
    const more = rows.length > limit && last !== undefined;
    return {
      items: page.map(toEvent),
      nextCursor: more
        ? encodeEventPosition({ t: String(last.time), r: last.record_id == null ? -1 : Number(last.record_id), s: Number(last.seq) })
        : null,
      ...(o.cursor ? {} : { total: rows.length === 0 ? 0 : Number(rows[0]!.total) }),
    };
  }

  async getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]> {
    if (guids.length === 0) return [];
    const p = new Params();
    const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT ${EVENT_COLUMNS} FROM events e ${m.join} WHERE e.event_id IN (8, 10) ${m.where} ${filters(p, o, 'e', 'time')}
       ORDER BY e.time, coalesce(e.record_id, -1), e.seq`, p);
    return rows.map(toEvent);
  }

  /** Rule-planner statistics (EventSource.countNamePairs): one GROUP BY over the matching creates. */
  async countNamePairs(names: string[], o: BaseOptions): Promise<{ name: string; parentName: string; count: number }[]> {
    if (names.length === 0) return [];
    const p = new Params();
    const list = p.arg(listValue(names.map((n) => n.toLowerCase())));
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT name, parent_name, count(*) AS n FROM (SELECT p.name, lower(regexp_extract(p.parent_image, '[^\\\\/]*$')) AS parent_name
       FROM processes p WHERE TRUE ${filters(p, o, 'p', 'start_time')}) WHERE name IN (SELECT unnest(CAST(${list} AS VARCHAR[])))
       OR parent_name IN (SELECT unnest(CAST(${list} AS VARCHAR[]))) GROUP BY ALL`, p);
    return rows.map((r) => ({ name: String(r.name), parentName: String(r.parent_name), count: Number(r.n) }));
  }

  async *scanProcesses(o: BaseOptions & { names?: string[]; parentNames?: string[]; batchSize?: number }): AsyncIterable<ProcessRecord[]> {
    const p = new Params();
    let where = `TRUE ${filters(p, o, 'p', 'start_time')}`;
    if (o.names) where += ` AND p.name IN (SELECT unnest(CAST(${p.arg(listValue(o.names.map((n) => n.toLowerCase())))} AS VARCHAR[])))`;
    // ParentImage basename (after the last \ or /), lowercased, as the Splunk source's `ParentImage="*\\name"`.
    if (o.parentNames) where += ` AND lower(regexp_extract(p.parent_image, '[^\\\\/]*$')) IN (SELECT unnest(CAST(${p.arg(listValue(o.parentNames.map((n) => n.toLowerCase())))} AS VARCHAR[])))`;
    const sql = `SELECT ${PROCESS_COLUMNS} FROM processes p WHERE ${where} ORDER BY p.start_time, p.guid, p.host`;
    for await (const rows of streamQuery(this.store, o.ctx, sql, p, Math.max(1, o.batchSize ?? 5000))) {
      yield rows.map(toProcess);
    }
  }

  prevalence(guids: string[], o: { baseline: TimeRange; ctx: QueryContext }): Promise<PrevalenceResult> {
    return embeddedPrevalence(this.store, guidList(guids), o.baseline, o.ctx);
  }

  /** Cross-host stitching facts of a window: three statements (lateral-sql.ts). */
  lateralFacts(range: TimeRange, ctx: QueryContext): Promise<LateralFacts> {
    return embeddedLateralFacts(this.store, range, ctx);
  }

  async notables(o: BaseOptions & { limit: number }): Promise<Notable[]> {
    const p = new Params();
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT n.id, n.title, n.host, strftime(n.time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, n.severity, n.guid, n.image, n.source, n.chain
       FROM notables n WHERE TRUE ${filters(p, { ...o, host: undefined }, 'n', 'time')}
       ${o.host ? `AND n.host = ${p.arg(o.host.toLowerCase())}` : ''}
       ORDER BY CASE n.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
                n.time DESC, n.id
       LIMIT ${p.arg(clampLimit(o.limit))}`, p);
    return rows.map((r) => ({
      id: String(r.id), title: String(r.title), host: String(r.host), time: String(r.time), severity: String(r.severity),
      guid: r.guid == null ? null : String(r.guid), image: r.image == null ? null : String(r.image),
      source: r.source as Notable['source'],
      // JSON columns arrive parsed (queryJson).
      ...(Array.isArray(r.chain) ? { chain: r.chain.map(String) } : {}),
    }));
  }

  /** The store belongs to whoever opened it; closing the source closes it too. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    await this.keeper?.stop();
    while (this.building) await this.building;
    await this.store.close();
  }
}

/** A time range as a map key (absent = all time). */
function rangeKey(range: BaseOptions['range']): string {
  return range ? `${range.from}/${range.to}` : '';
}

/** The order of getProcesses' statement: start time, GUID, host. */
function sortProcesses(rows: ProcessRecord[]): ProcessRecord[] {
  const key = (r: ProcessRecord): string[] => [r.startTime, r.guid, r.host];
  return rows.sort((a, b) => {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

/** Rows come ordered by depth, so the budget + 1-th descendant is the last descendant row. */
function dropLastDescendant(rows: SqlRow[]): SqlRow[] {
  let idx = -1;
  for (let i = rows.length - 1; i >= 0; i--) if (Number(rows[i]!.depth) > 0) { idx = i; break; }
  return idx < 0 ? rows : rows.filter((_, i) => i !== idx);
}
