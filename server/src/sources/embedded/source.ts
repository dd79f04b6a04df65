/**
 * EventSource over the embedded DuckDB store. Every method is one SQL statement (counted in
 * `ctx.stats.searches`); `getTree` answers origin + ancestors + descendants in one recursive query.
 * GUID lookups go through the hash keys of schema.ts so zonemaps prune them.
 */
import { listValue } from '@duckdb/node-api';
import { canonicalGuid, type Category, type Notable } from '@lineage/shared';
import type {
  BaseOptions, EventRecord, EventSource, PageOptions, ProcessRecord, RowPage, SeedQuery, TreeOptions, TreeRows,
} from '../event-source.js';
import type { EmbeddedStore } from './store.js';
import { EVENT_COLUMNS, PROCESS_COLUMNS } from './schema.js';
import { Params, query, streamQuery, type SqlRow } from './sql-runner.js';
import { toEvent, toProcess } from './rows.js';
import { treeSql, MAX_GENERATIONS } from './tree-sql.js';
import {
  decodeChildPosition, decodeEventPosition, encodeChildPosition, encodeEventPosition,
} from './cursor.js';

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

  constructor(private readonly store: EmbeddedStore) {}

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
    const rows = await query(this.store, o.ctx,
      `SELECT ${PROCESS_COLUMNS} FROM processes p WHERE ${where} ORDER BY p.start_time, p.guid, p.host LIMIT ${p.arg(clampLimit(o.limit))}`, p);
    return rows.map(toProcess);
  }

  async getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    if (guids.length === 0) return [];
    const p = new Params();
    const m = guidMatch(p, guidList(guids), 'p', 'gkey', 'guid');
    const rows = await query(this.store, o.ctx,
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
    const rows = await query(this.store, o.ctx,
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

  async getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    const { sql, params } = treeSql({
      guid: canonicalGuid(guid) ?? guid, host: o.host?.toLowerCase(), up: Math.max(0, o.maxDepth), down: 0, budget: 0, range: o.range,
    });
    const rows = await query(this.store, o.ctx, sql, params);
    // depth -1 is the parent: nearest first.
    return rows.filter((r) => Number(r.depth) < 0).sort((a, b) => Number(b.depth) - Number(a.depth)).map(toProcess);
  }

  async getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    const budget = Math.max(0, Math.floor(Number.isFinite(o.nodeBudget) ? o.nodeBudget : 1_000_000));
    const { sql, params } = treeSql({
      guid: canonicalGuid(guid) ?? guid,
      host: o.host?.toLowerCase(),
      up: o.up ? MAX_GENERATIONS : 0,
      down: Number.isFinite(o.down) ? Math.max(0, Math.floor(o.down)) : MAX_GENERATIONS,
      budget,
      range: o.range,
    });
    const rows = await query(this.store, o.ctx, sql, params);
    const descendants = rows.filter((r) => Number(r.depth) > 0).length;
    const kept = descendants > budget ? dropLastDescendant(rows) : rows;
    return { processes: kept.map(toProcess), complete: descendants <= budget };
  }

  async countEvents(guids: string[], o: BaseOptions): Promise<Map<string, Partial<Record<Category, number>>>> {
    const out = new Map<string, Partial<Record<Category, number>>>();
    if (guids.length === 0) return out;
    const p = new Params();
    const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
    const rows = await query(this.store, o.ctx,
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
    const rows = await query(this.store, o.ctx,
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
    const rows = await query(this.store, o.ctx,
      `SELECT ${EVENT_COLUMNS} FROM events e ${m.join} WHERE e.event_id IN (8, 10) ${m.where} ${filters(p, o, 'e', 'time')}
       ORDER BY e.time, coalesce(e.record_id, -1), e.seq`, p);
    return rows.map(toEvent);
  }

  /** Rule-planner statistics (EventSource.countNamePairs): one GROUP BY over the matching creates. */
  async countNamePairs(names: string[], o: BaseOptions): Promise<{ name: string; parentName: string; count: number }[]> {
    if (names.length === 0) return [];
    const p = new Params();
    const list = p.arg(listValue(names.map((n) => n.toLowerCase())));
    const rows = await query(this.store, o.ctx,
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

  async notables(o: BaseOptions & { limit: number }): Promise<Notable[]> {
    const p = new Params();
    const rows = await query(this.store, o.ctx,
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
      ...(r.chain == null ? {} : { chain: JSON.parse(String(r.chain)) as string[] }),
    }));
  }

  /** The store belongs to whoever opened it; closing the source closes it too. */
  async close(): Promise<void> {
    await this.store.close();
  }
}

/** Rows come ordered by depth, so the budget + 1-th descendant is the last descendant row. */
function dropLastDescendant(rows: SqlRow[]): SqlRow[] {
  let idx = -1;
  for (let i = rows.length - 1; i >= 0; i--) if (Number(rows[i]!.depth) > 0) { idx = i; break; }
  return idx < 0 ? rows : rows.filter((_, i) => i !== idx);
}
