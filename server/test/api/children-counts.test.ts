/**
 * Children pages tell which items have children (`childCount`), and no page promises a next page that
 * would come back empty, even over a source that hands out a cursor for an exactly-full last page (as
 * Splunk does). Demo fleet in DuckDB; truth: the planted manifest and SQL run directly against the store.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, type DemoStore } from '../demo-store.js';
import type { Page, ProcessNode } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import type { EventSource, PageOptions } from '../../src/sources/event-source.js';

const m = plantedManifest({ hosts: 10 });
let demo: DemoStore | undefined;
let store: EmbeddedStore;
let source: EmbeddedSource;

beforeAll(async () => {
  demo = await openDemoStore('lineage-child-counts-', { hosts: 10, processesPerHostDay: 100 });
  store = demo.store;
  source = new EmbeddedSource(store);
});

afterAll(async () => {
  await demo?.close();
});

async function childrenInStore(guid: string): Promise<number> {
  const conn = await store.acquire();
  try {
    return Number((await conn.runAndReadAll('SELECT count(*) FROM processes WHERE parent_guid = $1', [guid])).getRowsJS()[0]![0]);
  } finally {
    store.release(conn);
  }
}

async function page(src: EventSource, parent: string, query: Record<string, string | number>): Promise<Page<ProcessNode>> {
  const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => src });
  const res = await request(app).get(`/api/processes/${parent}/children`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Page<ProcessNode>;
}

describe('children pages count each item\'s children', () => {
  it.each([
    ['explorer (outlook has children, others may not)', () => m.phishing.explorer],
    ['the phishing chain\'s outlook', () => m.phishing.outlook],
    ['the 500-child parent (leaves)', () => m.bigParent.guid],
  ])('%s: every item\'s childCount is its number of children in the store', async (_name, parentOf) => {
    const p = await page(source, parentOf(), { limit: 60 });
    expect(p.items.length).toBeGreaterThan(0);
    for (const item of p.items) expect([item.guid, item.childCount]).toEqual([item.guid, await childrenInStore(item.guid)]);
  });

  it('outlook, listed as a child of explorer, is counted as having children; the 500-child parent\'s children as leaves', async () => {
    const ex = await page(source, m.phishing.explorer, { limit: 1000 });
    expect(ex.items.find((i) => i.guid === m.phishing.outlook)?.childCount).toBeGreaterThan(0);
    const leaves = await page(source, m.bigParent.guid, { limit: 50 });
    expect(leaves.items.every((i) => i.childCount === 0)).toBe(true);
  });
});

/** The embedded source, but like Splunk: a full page always carries a cursor, even when nothing follows. */
function alwaysCursor(inner: EventSource): EventSource {
  const wrapped = Object.create(inner) as EventSource;
  wrapped.getChildren = async (parents: string[], o: PageOptions) => {
    if (o.cursor === 'past-the-end') return { items: [], nextCursor: null };
    const p = await inner.getChildren(parents, o);
    return { ...p, nextCursor: p.nextCursor ?? (p.items.length >= o.limit ? 'past-the-end' : null) };
  };
  return wrapped;
}

describe('no cursor that yields nothing', () => {
  it('a page that holds exactly the last children carries no next cursor (the source\'s eager cursor is checked)', async () => {
    const s = m.siblings;
    const n = await childrenInStore(s.parent);
    const all = await page(alwaysCursor(source), s.parent, { limit: n });
    expect(all.items).toHaveLength(n);
    expect(all.nextCursor).toBeNull();
    const first = await page(alwaysCursor(source), s.parent, { limit: n - 1 });
    expect(first.nextCursor).not.toBeNull();
    const rest = await page(alwaysCursor(source), s.parent, { cursor: first.nextCursor!, limit: 1 });
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    expect([...first.items, ...rest.items].map((i) => i.guid).sort()).toEqual(all.items.map((i) => i.guid).sort());
  });
});
