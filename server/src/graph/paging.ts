/**
 * Cursor-paged listings over an EventSource: children of a process (optionally one sibling group)
 * and events of a process or of a sibling group (its members' events, merged in time order). Our cursors (./cursor.ts) wrap the source's, plus a count of rows already
 * consumed from the page the source cursor starts, so a filtered listing can stop mid-page.
 */
import type { Category, GraphEvent, Page, ProcessNode, TimeRange } from '@lineage/shared';
import type { EventSource, QueryContext, RowPage } from '../sources/event-source.js';
import { CursorError, decodeCursor, encodeCursor, type ChildrenCursor, type EventsCursor } from './cursor.js';
import { processNode } from './nodes.js';
import { siblingKey } from './sibling-key.js';

interface Position { s: string | null; skip: number }

/**
 * Read rows from `position` until `limit` rows pass `keep`. Returns them and where to resume (null when
 * the listing is exhausted). `fetch(s, n)` returns up to n rows starting at source cursor s. It reads one
 * row past the limit, so a source that hands out a cursor for an exactly-full last page (Splunk does)
 * never makes us promise a next page that would come back empty.
 */
async function readFiltered<T>(
  fetch: (s: string | null, n: number) => Promise<RowPage<T>>, position: Position, limit: number,
  keep: (row: T) => boolean, batch: number,
): Promise<{ items: T[]; next: Position | null }> {
  const items: T[] = [];
  let { s, skip } = position;
  for (;;) {
    // One row more than needed, so the row that proves a next page exists comes with this read, not another.
    const page = await fetch(s, batch + skip + 1);
    const rows = page.items;
    for (let i = skip; i < rows.length; i++) {
      if (!keep(rows[i]!)) continue;
      if (items.length === limit) return { items, next: { s, skip: i } };
      items.push(rows[i]!);
    }
    if (!page.nextCursor) return { items, next: null };
    s = page.nextCursor;
    skip = 0;
  }
}

export interface ChildrenQuery {
  ctx: QueryContext;
  host: string | null;
  range: TimeRange | null;
  limit: number;
  cursor: string | null;
}

/** A page of the children of `parent` (in (startTime, guid) order); a group cursor lists only that group. */
export async function listChildren(source: EventSource, parent: string, q: ChildrenQuery): Promise<Page<ProcessNode>> {
  const started = performance.now();
  const cur: ChildrenCursor = q.cursor
    ? expectKind(decodeCursor(q.cursor), 'children')
    : { k: 'children', p: parent, h: q.host, key: null, x: [], s: null, skip: 0, r: q.range };
  if (cur.p !== parent) throw new CursorError(`cursor lists the children of ${cur.p}, not of ${parent}`);
  const host = q.host ?? cur.h;
  const range = q.range ?? cur.r;
  const base = { ctx: q.ctx, ...(host ? { host } : {}), ...(range ? { range } : {}) };
  const key = cur.key;
  const excluded = new Set(cur.x);
  const { items, next } = await readFiltered(
    (s, n) => source.getChildren([parent], { ...base, limit: n, cursor: s }),
    cur, q.limit, (r) => key === null || (siblingKey(r) === key && !excluded.has(r.guid)), key === null ? q.limit : Math.max(q.limit * 2, 200),
  );
  const counts = items.length ? await source.countEvents(items.map((r) => r.guid), base) : new Map();
  const kids = await childCounts(source, items.map((r) => r.guid), base);
  return {
    items: items.map((r) => ({ ...processNode(r, 1, counts.get(r.guid)), childCount: kids ? kids.get(r.guid) ?? 0 : null })),
    nextCursor: next ? encodeCursor({ ...cur, h: host, r: range, ...next }) : null,
    stats: { searches: q.ctx.stats.searches, rows: q.ctx.stats.rows, ms: Math.round(performance.now() - started) },
  };
}

/** Most grandchildren a children page reads to count its items' children; beyond it counts are null (unknown). */
export const MAX_COUNTED_CHILDREN = 5000;

/**
 * How many children each of `guids` has, so the client offers "expand" only where there is something to
 * expand: one count statement or search (EventSource.countChildren) when the source has one, else one
 * listing over all of them — null when that would read more than MAX_COUNTED_CHILDREN rows.
 */
async function childCounts(source: EventSource, guids: string[], base: BaseOf): Promise<Map<string, number> | null> {
  const counts = new Map<string, number>();
  if (guids.length === 0) return counts;
  if (source.countChildren) return source.countChildren(guids, base);
  const { items, next } = await readFiltered(
    (s, n) => source.getChildren(guids, { ...base, limit: n, cursor: s }), { s: null, skip: 0 }, MAX_COUNTED_CHILDREN, () => true, 1000,
  );
  if (next) return null;
  for (const r of items) if (r.parentGuid) counts.set(r.parentGuid, (counts.get(r.parentGuid) ?? 0) + 1);
  return counts;
}

export interface EventsQuery extends ChildrenQuery { category: Category | null }

/** A page of the events of `guid` in (time, recordId) order, optionally one category. */
export async function listEvents(source: EventSource, guid: string, q: EventsQuery): Promise<Page<GraphEvent>> {
  const started = performance.now();
  const cur: EventsCursor = q.cursor
    ? expectKind(decodeCursor(q.cursor), 'events')
    : { k: 'events', g: guid, h: q.host, c: q.category, s: null, skip: 0, r: q.range, grp: null };
  if (cur.g !== guid || cur.grp) throw new CursorError(`cursor lists the events of ${cur.grp ? 'a sibling group' : cur.g}, not of ${guid}`);
  return eventsPage(source, () => Promise.resolve([guid]), cur, q, started);
}

/** Most members a group's event listing resolves (a larger group is read member by member). */
export const MAX_GROUP_MEMBERS = 10_000;

/**
 * A page of a sibling group's events: the events of all its members, merged in (time, recordId) order.
 * Starts from the group's children cursor (`group`, as the graph hands it out), resumes from `cursor`.
 */
export async function listGroupEvents(source: EventSource, group: string | null, q: EventsQuery): Promise<Page<GraphEvent>> {
  const started = performance.now();
  let cur: EventsCursor;
  if (q.cursor) {
    cur = expectKind(decodeCursor(q.cursor), 'events');
    if (!cur.grp) throw new CursorError(`cursor lists the events of ${cur.g}, not of a sibling group; use /api/processes/:guid/events`);
  } else {
    if (!group) throw new CursorError('pass the group\'s cursor as `group` (or a page cursor as `cursor`)');
    const g = expectKind(decodeCursor(group), 'children');
    cur = { k: 'events', g: g.p, h: g.h, c: q.category, s: null, skip: 0, r: g.r, grp: { p: g.p, key: g.key, x: g.x } };
  }
  const grp = cur.grp!;
  const members = async (base: BaseOf) => {
    const excluded = new Set(grp.x);
    const { items } = await readFiltered(
      (s, n) => source.getChildren([grp.p], { ...base, limit: n, cursor: s }), { s: null, skip: 0 }, MAX_GROUP_MEMBERS + 1,
      (r) => (grp.key === null || siblingKey(r) === grp.key) && !excluded.has(r.guid), 1000,
    );
    if (items.length > MAX_GROUP_MEMBERS) {
      throw new CursorError(`this group has more than ${MAX_GROUP_MEMBERS} members; expand it and read its members' events one by one`);
    }
    return items.map((r) => r.guid);
  };
  return eventsPage(source, members, cur, q, started);
}

type BaseOf = { ctx: QueryContext; host?: string; range?: TimeRange };

/** One page of events of the GUIDs `guidsOf` resolves, from `cur`; the cursor of the next page keeps `cur`'s subject. */
async function eventsPage(
  source: EventSource, guidsOf: (base: BaseOf) => Promise<string[]>, cur: EventsCursor, q: EventsQuery, started: number,
): Promise<Page<GraphEvent>> {
  if (q.category && cur.c && q.category !== cur.c) throw new CursorError(`cursor lists ${cur.c} events, not ${q.category}`);
  const host = q.host ?? cur.h;
  const category = (cur.c ?? q.category) as Category | null;
  const range = q.range ?? cur.r;
  const base: BaseOf = { ctx: q.ctx, ...(host ? { host } : {}), ...(range ? { range } : {}) };
  const guids = await guidsOf(base);
  const { items, next } = guids.length === 0 ? { items: [], next: null } : await readFiltered(
    (s, n) => source.getEvents(guids, { ...base, limit: n, cursor: s, ...(category ? { category } : {}) }),
    cur, q.limit, () => true, q.limit,
  );
  return {
    items: items.map((e) => ({
      guid: e.guid, host: e.host, eventId: e.eventId, category: e.category, time: e.time, recordId: e.recordId,
      targetGuid: e.targetGuid, fields: e.fields,
    })),
    nextCursor: next ? encodeCursor({ ...cur, h: host, c: category, r: range, ...next }) : null,
    stats: { searches: q.ctx.stats.searches, rows: q.ctx.stats.rows, ms: Math.round(performance.now() - started) },
  };
}

function expectKind<K extends 'children' | 'events'>(
  c: ReturnType<typeof decodeCursor>, kind: K,
): Extract<ReturnType<typeof decodeCursor>, { k: K }> {
  if (c.k !== kind) throw new CursorError(`this is a ${c.k} cursor; this endpoint takes a ${kind} cursor`);
  return c as Extract<ReturnType<typeof decodeCursor>, { k: K }>;
}
