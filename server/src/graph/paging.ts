/**
 * Cursor-paged listings over an EventSource: children of a process (optionally one sibling group)
 * and events of a process. Our cursors (./cursor.ts) wrap the source's, plus a count of rows already
 * consumed from the page the source cursor starts, so a filtered listing can stop mid-page.
 */
import type { Category, GraphEvent, Page, ProcessNode, TimeRange } from '@lineage/shared';
import type { EventSource, QueryContext, RowPage } from '../sources/event-source.js';
import { CursorError, decodeCursor, encodeCursor, type ChildrenCursor, type EventsCursor } from './cursor.js';
import { processNode } from './nodes.js';
import { siblingKey } from './sibling-key.js';

interface Position { s: string | null; skip: number }

/**
 * Read rows from `position` until `limit` rows pass `keep`. Returns them and where to resume
 * (null when the listing is exhausted). `fetch(s, n)` returns up to n rows starting at source cursor s.
 */
async function readFiltered<T>(
  fetch: (s: string | null, n: number) => Promise<RowPage<T>>, position: Position, limit: number,
  keep: (row: T) => boolean, batch: number,
): Promise<{ items: T[]; next: Position | null }> {
  const items: T[] = [];
  let { s, skip } = position;
  for (;;) {
    const page = await fetch(s, batch + skip);
    const rows = page.items;
    for (let i = skip; i < rows.length; i++) {
      if (!keep(rows[i]!)) continue;
      items.push(rows[i]!);
      if (items.length === limit) {
        if (i + 1 < rows.length) return { items, next: { s, skip: i + 1 } };
        return { items, next: page.nextCursor ? { s: page.nextCursor, skip: 0 } : null };
      }
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
  return {
    items: items.map((r) => processNode(r, 1, counts.get(r.guid))),
    nextCursor: next ? encodeCursor({ ...cur, h: host, r: range, ...next }) : null,
    stats: { searches: q.ctx.stats.searches, rows: q.ctx.stats.rows, ms: Math.round(performance.now() - started) },
  };
}

export interface EventsQuery extends ChildrenQuery { category: Category | null }

/** A page of the events of `guid` in (time, recordId) order, optionally one category. */
export async function listEvents(source: EventSource, guid: string, q: EventsQuery): Promise<Page<GraphEvent>> {
  const started = performance.now();
  const cur: EventsCursor = q.cursor
    ? expectKind(decodeCursor(q.cursor), 'events')
    : { k: 'events', g: guid, h: q.host, c: q.category, s: null, skip: 0, r: q.range };
  if (cur.g !== guid) throw new CursorError(`cursor lists the events of ${cur.g}, not of ${guid}`);
  if (q.category && cur.c && q.category !== cur.c) throw new CursorError(`cursor lists ${cur.c} events, not ${q.category}`);
  const host = q.host ?? cur.h;
  const category = (cur.c ?? q.category) as Category | null;
  const range = q.range ?? cur.r;
  const base = { ctx: q.ctx, ...(host ? { host } : {}), ...(range ? { range } : {}) };
  const { items, next } = await readFiltered(
    (s, n) => source.getEvents([guid], { ...base, limit: n, cursor: s, ...(category ? { category } : {}) }),
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
