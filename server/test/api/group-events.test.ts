/**
 * A sibling group's events (`GET /api/groups/events`): its members' events, merged in (time, recordId)
 * order and paged, over a real DuckDB store holding the demo fleet. Truth: the planted manifest
 * (server/src/demo/planted.ts) for the members and SQL run directly against the store for their events.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, GraphEvent, Page, ProcessNode } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { EmbeddedStore } from '../../src/sources/embedded/index.js';
import { openDemoApp, type DemoApp } from './demo-app.js';

const HOSTS = 10;
const m = plantedManifest({ hosts: HOSTS });

let demo: DemoApp;
let store: EmbeddedStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  demo = await openDemoApp('lineage-group-events-', { hosts: HOSTS, processesPerHostDay: 100 });
  ({ store, app } = demo);
});

afterAll(() => demo?.close());

/** Independent truth: `time|record_id|guid` of every non-create event of the GUIDs, straight from the store. */
async function storeEvents(guids: string[], category: string | null = null): Promise<string[]> {
  const conn = await store.acquire();
  try {
    const marks = guids.map((_, i) => `$${i + 1}`).join(',');
    const rows = (await conn.runAndReadAll(
      `SELECT strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ'), record_id, guid FROM events
       WHERE guid IN (${marks}) AND event_id <> 1 ${category ? `AND category = '${category}'` : ''}`, guids,
    )).getRowsJS();
    return rows.map((r) => `${String(r[0])}|${String(r[1])}|${String(r[2])}`);
  } finally {
    store.release(conn);
  }
}

const key = (e: GraphEvent) => `${e.time}|${e.recordId}|${e.guid}`;
/** Time order as the wire shows it: ISO UTC text sorts like time; then record id numerically. */
const ordered = (a: GraphEvent, b: GraphEvent) => Date.parse(a.time) - Date.parse(b.time) || Number(a.recordId) - Number(b.recordId);

async function groupsOf(parent: string): Promise<ProcessNode[]> {
  const res = await request(app).get('/api/graph').query({ guid: parent });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as GraphDocument).nodes.filter((n) => n.kind === 'group' && n.parentGuid === parent);
}

async function members(parent: string, groupCursor: string): Promise<string[]> {
  const res = await request(app).get(`/api/processes/${parent}/children`).query({ cursor: groupCursor, limit: 1000 });
  expect(res.status).toBe(200);
  return (res.body as Page<ProcessNode>).items.map((n) => n.guid);
}

async function readAll(query: Record<string, string | number>, limit: number): Promise<GraphEvent[]> {
  const out: GraphEvent[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const res = await request(app).get('/api/groups/events').query(cursor ? { cursor, limit } : { ...query, limit });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body as Page<GraphEvent>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

describe('GET /api/groups/events', () => {
  it('the planted sibling group lists exactly its members\' events, merged in time order, each once', async () => {
    const s = m.siblings;
    const [grp] = await groupsOf(s.parent);
    expect(grp?.group?.count).toBe(s.children.length);
    const truth = await storeEvents([...s.children]);
    expect(truth.length).toBeGreaterThan(0);
    const got = await readAll({ group: grp!.group!.cursor }, 3);
    expect(got.map(key).sort()).toEqual([...truth].sort());
    expect(got).toEqual([...got].sort(ordered));
    expect(got.every((e) => s.children.includes(e.guid))).toBe(true);
  });

  it('every group of the 500-child parent: events of exactly the members it expands to; a category filter keeps only that category', async () => {
    const groups = await groupsOf(m.bigParent.guid);
    expect(groups.length).toBeGreaterThan(1);
    let seen = 0;
    for (const g of groups) {
      const guids = await members(m.bigParent.guid, g.group!.cursor);
      const got = await readAll({ group: g.group!.cursor }, 50);
      expect(got.map(key).sort()).toEqual((await storeEvents(guids)).sort());
      expect(got).toEqual([...got].sort(ordered));
      seen += got.length;
    }
    expect(seen).toBeGreaterThan(0);
    const g = groups[0]!;
    const guids = await members(m.bigParent.guid, g.group!.cursor);
    for (const category of ['network', 'file']) {
      const got = await readAll({ group: g.group!.cursor, category }, 7);
      expect(got.every((e) => e.category === category)).toBe(true);
      expect(got.map(key).sort()).toEqual((await storeEvents(guids, category)).sort());
    }
  });

  it.each([
    ['neither group nor cursor', {}, /group/],
    ['a cursor that is not ours', { group: 'bm90LWEtY3Vyc29y' }, /cursor/],
    ['a single process\'s events cursor', { cursor: 'EVENTS' }, /not of a sibling group/],
    ['an events cursor as the group', { group: 'EVENTS' }, /children cursor/],
  ])('refuses %s with a 400 and a message', async (_name, query, message) => {
    let q: Record<string, string> = query;
    if (Object.values(q).includes('EVENTS')) {
      const res = await request(app).get(`/api/processes/${m.phishing.rundll32}/events`).query({ limit: 1 });
      const c = (res.body as Page<GraphEvent>).nextCursor!;
      q = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, v === 'EVENTS' ? c : v]));
    }
    const res = await request(app).get('/api/groups/events').query(q);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(message);
  });

  it('a group page cursor is refused by the single-process events route', async () => {
    const [grp] = await groupsOf(m.siblings.parent);
    const res = await request(app).get('/api/groups/events').query({ group: grp!.group!.cursor, limit: 1 });
    const next = (res.body as Page<GraphEvent>).nextCursor;
    expect(next).toBeTruthy();
    const bad = await request(app).get(`/api/processes/${m.siblings.children[0]}/events`).query({ cursor: next });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/sibling group/);
  });
});
