/**
 * The EmbeddedSource's process-create reads besides the lineage walk (source.ts delegates): seed
 * search (narrowed by the search index when it has one, search-index.ts), children pages and counts,
 * the rule planner's name statistics and rule scan, and stored notables. One statement each.
 */
import { listValue } from '@duckdb/node-api';
import { canonicalGuid, type Notable } from '@lineage/shared';
import { CREATE_EXTRA_FIELDS, type BaseOptions, type PageOptions, type ProcessRecord, type QueryContext, type RowPage, type ScanRequest, type SeedQuery } from '../event-source.js';
import { CREATE_EXTRA_COLUMNS, CREATE_EXTRAS_JOIN, CREATE_EXTRAS_SELECT, PROCESS_COLUMNS } from './schema.js';
import { Params, queryJson, queryOnce, streamQuery, type ConnectionPool } from './sql-runner.js';
import { toProcess, toScanned } from './rows.js';
import { decodeChildPosition, encodeChildPosition } from './cursor.js';
import { indexedSearchSql, type SearchPlan, type TextCriteria } from './search-index.js';
import { clampLimit, filters, guidList, guidMatch } from './source-sql.js';

/**
 * EventSource.findSeeds; `plan` narrows an image / command-line text search by the search index
 * (null: no index, or no piece rare enough — the search scans).
 */
export async function findSeeds(
  reads: ConnectionPool, plan: (c: TextCriteria, ctx: QueryContext) => Promise<SearchPlan | null>, q: SeedQuery, o: BaseOptions & { limit: number },
): Promise<ProcessRecord[]> {
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
  const narrowed = !q.guid && (q.image || q.text) ? await plan({ text: q.text, image: q.image }, o.ctx) : null;
  const limit = p.arg(clampLimit(o.limit));
  const hostArg = narrowed && host ? p.arg(host.toLowerCase()) : undefined;
  const rows = narrowed
    ? await queryOnce(reads, o.ctx, indexedSearchSql(narrowed, PROCESS_COLUMNS, where, limit, hostArg), p)
    : await queryJson(reads, o.ctx, `SELECT ${PROCESS_COLUMNS} FROM processes p WHERE ${where} ORDER BY p.start_time, p.guid, p.host LIMIT ${limit}`, p);
  return rows.map(toProcess);
}

/** EventSource.getChildren: a page in start order, the total on the first page (same statement). */
export async function childrenPage(reads: ConnectionPool, parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
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
  const rows = await queryJson(reads, o.ctx,
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

/** EventSource.countChildren: children per parent, one GROUP BY over the parents' children. */
export async function childCounts(pool: ConnectionPool, parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (parentGuids.length === 0) return out;
  const p = new Params();
  const m = guidMatch(p, guidList(parentGuids), 'p', 'pkey', 'parent_guid');
  const rows = await queryJson(pool, o.ctx,
    `SELECT p.parent_guid AS parent, count(DISTINCT p.guid) AS n FROM processes p ${m.join} WHERE TRUE ${m.where} ${filters(p, o, 'p', 'start_time')} GROUP BY p.parent_guid`, p);
  for (const r of rows) out.set(String(r.parent), Number(r.n));
  return out;
}

/** Lowercased ParentImage basename (after the last \ or /), as the Splunk source's `ParentImage="*\\name"`. */
const PARENT_NAME = `lower(regexp_extract(p.parent_image, '[^\\\\/]*$'))`;

/** EventSource.countNamePairs (rule-planner statistics): one GROUP BY over the matching creates. */
export async function namePairs(reads: ConnectionPool, names: string[], o: BaseOptions): Promise<{ name: string; parentName: string; count: number }[]> {
  if (names.length === 0) return [];
  const p = new Params();
  const list = p.arg(listValue(names.map((n) => n.toLowerCase())));
  const rows = await queryJson(reads, o.ctx,
    `SELECT name, parent_name, count(*) AS n FROM (SELECT p.name, ${PARENT_NAME} AS parent_name
     FROM processes p WHERE TRUE ${filters(p, o, 'p', 'start_time')}) WHERE name IN (SELECT unnest(CAST(${list} AS VARCHAR[])))
     OR parent_name IN (SELECT unnest(CAST(${list} AS VARCHAR[]))) GROUP BY ALL`, p);
  return rows.map((r) => ({ name: String(r.name), parentName: String(r.parent_name), count: Number(r.n) }));
}

/**
 * EventSource.scanProcesses (rule scans): the creates in start order, streamed in batches, each with the
 * PE fields asked for (`o.fields`, default all) that it has, in `fields`. `stored`: `processes` holds them
 * (schema 4); else (an older store open read-only) they are read from each row's create event — measured
 * ≈ 7–9.4× the CPU of a names scan on the 10M store, so only when some are asked for (docs/sigma.md
 * "Create fields of a rule scan").
 */
export async function* scan(pool: ConnectionPool, o: BaseOptions & ScanRequest, stored = true): AsyncIterable<ProcessRecord[]> {
  const p = new Params();
  let where = `TRUE ${filters(p, o, 'p', 'start_time')}`;
  if (o.names) where += ` AND p.name IN (SELECT unnest(CAST(${p.arg(listValue(o.names.map((n) => n.toLowerCase())))} AS VARCHAR[])))`;
  if (o.parentNames) where += ` AND ${PARENT_NAME} IN (SELECT unnest(CAST(${p.arg(listValue(o.parentNames.map((n) => n.toLowerCase())))} AS VARCHAR[])))`;
  // Only the asked fields' columns (each costs ≈ 6–9 % of the scan's CPU when every create has it).
  const asked = o.fields ?? CREATE_EXTRA_FIELDS;
  const extras = asked.map((f) => CREATE_EXTRA_COLUMNS[f]);
  const from = stored || extras.length === 0 ? 'processes p' : `(SELECT p.*, ${CREATE_EXTRAS_SELECT} FROM processes p ${CREATE_EXTRAS_JOIN}) p`;
  const sql = `SELECT ${[PROCESS_COLUMNS, ...extras].join(', ')} FROM ${from} WHERE ${where} ORDER BY p.start_time, p.guid, p.host`;
  for await (const rows of streamQuery(pool, o.ctx, sql, p, Math.max(1, o.batchSize ?? 5000))) {
    yield rows.map((r) => toScanned(r, asked));
  }
}

/** EventSource.notables: the stored notables, most severe first, then newest. */
export async function storedNotables(reads: ConnectionPool, o: BaseOptions & { limit: number }): Promise<Notable[]> {
  const p = new Params();
  const rows = await queryJson(reads, o.ctx,
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
