/**
 * The EmbeddedSource's event reads (source.ts delegates): counts by GUID and category, event pages
 * and the cross-process (8/10) events. One statement each, or none when the request's tree already
 * counted the same processes' events (source-tree.ts `heldCounts`).
 */
import type { Category } from '@lineage/shared';
import type { BaseOptions, EventRecord, PageOptions, RowPage } from '../event-source.js';
import { EVENT_COLUMNS } from './schema.js';
import { Params, queryJson, type ConnectionPool, type SqlRow } from './sql-runner.js';
import { toEvent } from './rows.js';
import { decodeEventPosition, encodeEventPosition } from './cursor.js';
import { clampLimit, filters, guidList, guidMatch } from './source-sql.js';
import type { HeldCount, HeldCounts } from './indexed-tree.js';
import { isoToMicros } from './lineage-index.js';

/** A process's event counts from memory (event-counts.ts) in held form, or null / undefined when it has none to give. */
export type MemoryCounts = (guid: string, host: string) => Partial<Record<Category, HeldCount>> | null | undefined;

/**
 * EventSource.countEvents; `held`: what this request's trees counted (all time, with each count's time
 * span); `memory`: the per-process counts kept in memory. A process whose every category lies wholly
 * inside or wholly outside the range is answered from them; the others (not held, or a span the range
 * cuts) by one statement.
 */
export async function countEvents(
  reads: ConnectionPool, held: HeldCounts | undefined, memory: MemoryCounts | null, guids: string[], o: BaseOptions,
): Promise<Map<string, Partial<Record<Category, number>>>> {
  const out = new Map<string, Partial<Record<Category, number>>>();
  let wanted = guidList(guids);
  if ((held || memory) && o.host && wanted.length > 0) {
    const host = o.host.toLowerCase();
    wanted = wanted.filter((g) => {
      const c = held?.get(`${host}\n${g}`) ?? memory?.(g, host);
      const counts = c && inRange(c, o.range);
      if (!counts) return true;
      if (Object.keys(counts).length > 0) out.set(g, counts);
      return false;
    });
  }
  if (wanted.length === 0) return out;
  const p = new Params();
  const m = guidMatch(p, wanted, 'e', 'gkey', 'guid');
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

/**
 * Held counts of one process restricted to `range` (the statement's `time >= from AND time <= to`),
 * or null when the range cuts a category's span (only a statement can count part of it).
 */
function inRange(held: Partial<Record<Category, HeldCount>>, range: BaseOptions['range']): Partial<Record<Category, number>> | null {
  const from = range ? isoToMicros(range.from) : -Infinity;
  const to = range ? isoToMicros(range.to) : Infinity;
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  const out: Partial<Record<Category, number>> = {};
  for (const [cat, c] of Object.entries(held) as [Category, HeldCount][]) {
    if (c.from >= from && c.to <= to) out[cat] = c.n;
    else if (c.to < from || c.from > to) continue;
    else return null;
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
