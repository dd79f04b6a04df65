/**
 * The EmbeddedSource's event reads (source.ts delegates): counts by GUID and category, event pages
 * and the cross-process (8/10) events. One statement each, or none when the request's tree already
 * counted the same rows (source-tree.ts `heldCounts`).
 */
import type { Category } from '@lineage/shared';
import type { BaseOptions, EventRecord, PageOptions, RowPage } from '../event-source.js';
import { EVENT_COLUMNS } from './schema.js';
import { Params, queryJson, type ConnectionPool, type SqlRow } from './sql-runner.js';
import { toEvent } from './rows.js';
import { decodeEventPosition, encodeEventPosition } from './cursor.js';
import { clampLimit, filters, guidList, guidMatch } from './source-sql.js';
import type { HeldCounts } from './source-tree.js';

/** EventSource.countEvents; `held`: what this request's tree counted for the same range. */
export async function countEvents(
  reads: ConnectionPool, held: HeldCounts | undefined, guids: string[], o: BaseOptions,
): Promise<Map<string, Partial<Record<Category, number>>>> {
  const out = new Map<string, Partial<Record<Category, number>>>();
  if (guids.length === 0) return out;
  // Counted already with this request's tree (same host and range): no statement.
  if (held && o.host) {
    const host = o.host.toLowerCase();
    const wanted = guidList(guids);
    const found = wanted.map((g) => held.get(`${host}\n${g}`));
    if (found.every((c) => c !== undefined)) {
      wanted.forEach((g, i) => { if (Object.keys(found[i]!).length > 0) out.set(g, { ...found[i]! }); });
      return out;
    }
  }
  const p = new Params();
  const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
  const rows = await queryJson(reads, o.ctx,
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

/** EventSource.getEvents: a page in time order, the total on the first page (same statement). */
export async function eventsPage(reads: ConnectionPool, guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
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
  const rows = await queryJson(reads, o.ctx,
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

/** EventSource.getCrossEvents: the processes' remote-thread and process-access events (8, 10). */
export async function crossEvents(reads: ConnectionPool, guids: string[], o: BaseOptions): Promise<EventRecord[]> {
  if (guids.length === 0) return [];
  const p = new Params();
  const m = guidMatch(p, guidList(guids), 'e', 'gkey', 'guid');
  const rows = await queryJson(reads, o.ctx,
    `SELECT ${EVENT_COLUMNS} FROM events e ${m.join} WHERE e.event_id IN (8, 10) ${m.where} ${filters(p, o, 'e', 'time')}
     ORDER BY e.time, coalesce(e.record_id, -1), e.seq`, p);
  return rows.map(toEvent);
}
