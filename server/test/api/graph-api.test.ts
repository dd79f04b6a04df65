/**
 * The investigation API over a real DuckDB store holding the demo fleet: planted chains, placeholders,
 * paging, sibling groups, events and input validation. Truth comes from the planted manifest
 * (server/src/demo/planted.ts) and from SQL run directly against the store.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, GraphEvent, Page, ProcessNode } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { openDemoApp, type DemoApp } from './demo-app.js';
import type { EventSource } from '../../src/sources/event-source.js';
import type { SysmonEvent } from '../../src/ingest/record.js';

const HOSTS = 10;
const m = plantedManifest({ hosts: HOSTS });
const DAY = { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' };

let demo: DemoApp;
let store: EmbeddedStore;
let source: EmbeddedSource;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  demo = await openDemoApp('lineage-api-', { hosts: HOSTS, processesPerHostDay: 100 });
  ({ store, source, app } = demo);
});

afterAll(() => demo?.close());

/** Independent truth: a scalar straight from the store. */
async function sql(text: string, ...params: string[]): Promise<number> {
  const conn = await store.acquire();
  try {
    const rows = (await conn.runAndReadAll(text, params)).getRowsJS();
    return Number(rows[0]?.[0]);
  } finally {
    store.release(conn);
  }
}

async function graph(q: Record<string, string>): Promise<GraphDocument> {
  const res = await request(app).get('/api/graph').query(q);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as GraphDocument;
}
const spawn = (d: GraphDocument) => d.edges.filter((e) => e.kind === 'spawn').map((e) => `${e.source}>${e.target}`);
const node = (d: GraphDocument, guid: string) => d.nodes.find((n) => n.guid === guid);

describe('GET /api/graph: planted chains', () => {
  /*
   *  explorer → OUTLOOK → WINWORD → cmd → powershell → rundll32 (origin, walked up)
   */
  it('when walking up from rundll32 over the whole day, then the phishing chain comes back edge by edge', async () => {
    const p = m.phishing;
    const d = await graph({ guid: p.rundll32, up: '1', down: '0', ...DAY });
    const chain = [p.explorer, p.outlook, p.winword, p.cmd, p.powershell, p.rundll32];
    for (let i = 1; i < chain.length; i++) expect(spawn(d)).toContain(`${chain[i - 1]}>${chain[i]}`);
    expect(chain.map((g) => node(d, g)?.name)).toEqual(['explorer.exe', 'outlook.exe', 'winword.exe', 'cmd.exe', 'powershell.exe', 'rundll32.exe']);
    expect(chain.map((g) => node(d, g)?.depth)).toEqual([-5, -4, -3, -2, -1, 0]);
    expect(d.stats.searches).toBeGreaterThan(0);
  });

  it.each([
    ['cmd → powershell → winword', () => [m.cmdPowershellWinword.cmd, m.cmdPowershellWinword.powershell, m.cmdPowershellWinword.winword]],
    ['cmd → conhost → powershell → excel', () => [m.conhostChain.cmd, m.conhostChain.conhost, m.conhostChain.powershell, m.conhostChain.excel]],
  ])('the planted %s chain: every edge from the top down and from the leaf up', async (_name, chainOf) => {
    const chain = chainOf();
    const down = await graph({ guid: chain[0]! });
    const up = await graph({ guid: chain[chain.length - 1]!, up: '1', down: '0' });
    for (const d of [down, up]) {
      for (let i = 1; i < chain.length; i++) expect(spawn(d)).toContain(`${chain[i - 1]}>${chain[i]}`);
    }
    expect(chain.map((g) => node(down, g)?.depth)).toEqual(chain.map((_, i) => i));
    expect(chain.map((g) => node(up, g)?.depth)).toEqual(chain.map((_, i) => i - chain.length + 1));
  });

  it('when the parent started outside the default window, then `up` walks on through it (issue 13: a create that exists is never a stopping placeholder)', async () => {
    const o = m.outsideWindow;
    const d = await graph({ guid: o.child, up: '1' });
    expect(node(d, o.parent)).toMatchObject({ placeholder: false, placeholderReason: null });
    expect(spawn(d)).toContain(`${o.parent}>${o.child}`);
    expect(d.nodes.filter((n) => n.placeholderReason === 'not-in-range')).toEqual([]);
    // The same ancestors as a window wide enough to hold the parent.
    const start = Date.parse(node(d, o.parent)!.startTime!);
    const wider = await graph({ guid: o.child, up: '1', from: new Date(start - 3_600_000).toISOString(), to: d.range.to });
    expect(node(wider, o.parent)).toMatchObject({ placeholder: false, placeholderReason: null });
    expect(spawn(wider)).toContain(`${o.parent}>${o.child}`);
  });

  it('when the parent GUID has no create anywhere, then it is a not-logged placeholder from the child\'s Parent* fields', async () => {
    const n = m.notLogged;
    const d = await graph({ guid: n.grandchild, up: '1' });
    expect(node(d, n.parentGuid)).toMatchObject({ placeholder: true, placeholderReason: 'not-logged', state: 'placeholder', startTime: null });
    expect(node(d, n.parentGuid)!.image).not.toBe('');
    expect(spawn(d)).toEqual(expect.arrayContaining([`${n.parentGuid}>${n.child}`, `${n.child}>${n.grandchild}`]));
  });

  it('when the origin itself has no create, then it stands in as a placeholder with its children below', async () => {
    const n = m.notLogged;
    const d = await graph({ guid: n.parentGuid });
    expect(d.origin).toBe(n.parentGuid);
    expect(node(d, n.parentGuid)).toMatchObject({ placeholder: true, placeholderReason: 'not-logged', depth: 0, startTime: null });
    expect(node(d, n.child)).toMatchObject({ placeholder: false, depth: 1 });
    expect(d.edges).toContainEqual(expect.objectContaining({ kind: 'spawn', source: n.parentGuid, target: n.child, deltaMs: null }));
    const kids = await sql(`SELECT count(*) FROM processes WHERE parent_guid = $1`, n.parentGuid);
    expect(d.nodes.filter((x) => x.depth === 1).reduce((s, x) => s + (x.group?.count ?? 1), 0)).toBe(kids);
    const one = await request(app).get(`/api/processes/${encodeURIComponent(n.parentGuid)}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ guid: n.parentGuid, placeholder: true, placeholderReason: 'not-logged' });
  });

  it('draws process-access (10) and remote-thread (8) as cross edges from the source', async () => {
    const l = m.lsassAccess;
    const d1 = await graph({ guid: l.dropper, ...DAY });
    const access = d1.edges.find((e) => e.kind === 'process-access' && e.target === l.lsass)!;
    expect(access.source).toBe(l.dropper);
    expect(access.count).toBe(await sql(`SELECT count(*) FROM events WHERE event_id = 10 AND guid = $1 AND target_guid = $2`, l.dropper, l.lsass));
    expect(node(d1, l.lsass)?.name).toBe('lsass.exe');
    const r = m.remoteThread;
    const d2 = await graph({ guid: r.source, ...DAY });
    expect(d2.edges).toContainEqual(expect.objectContaining({ kind: 'remote-thread', source: r.source, target: r.target }));
  });

  it('when a GUID lives on two hosts, then host picks which one', async () => {
    const s = m.sharedGuid!;
    for (const host of s.hosts) {
      const res = await request(app).get(`/api/processes/${encodeURIComponent(s.guid)}`).query({ host: host.toUpperCase() });
      expect(res.status).toBe(200);
      expect((res.body as ProcessNode).host).toBe(host);
      expect((await graph({ guid: s.guid, host })).nodes.find((n) => n.guid === s.guid)!.host).toBe(host);
    }
  });

  it('is deterministic: the same request gives the same document', async () => {
    const a = await graph({ guid: m.bigParent.guid, up: '1' });
    const b = await graph({ guid: m.bigParent.guid, up: '1' });
    expect({ ...b, stats: null }).toEqual({ ...a, stats: null });
  });
});

describe('children paging and sibling groups', () => {
  async function pageAll(guid: string, cursor: string | null, limit: number): Promise<ProcessNode[]> {
    const out: ProcessNode[] = [];
    for (let i = 0; i < 1000; i++) {
      const res = await request(app).get(`/api/processes/${encodeURIComponent(guid)}/children`).query({ limit, ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const page = res.body as Page<ProcessNode>;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      out.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('paging did not end');
  }

  it('paging the 500-child process returns each child exactly once', async () => {
    const b = m.bigParent;
    const kids = await pageAll(b.guid, null, 37);
    const guids = kids.map((k) => k.guid);
    expect(new Set(guids).size).toBe(guids.length);
    expect(guids.length).toBe(b.childCount);
    expect(await sql(`SELECT count(*) FROM processes WHERE parent_guid = $1`, b.guid)).toBe(b.childCount);
    expect(kids.every((k) => k.parentGuid === b.guid)).toBe(true);
  });

  it('the planted near-identical siblings become one group that expands to exactly them', async () => {
    const s = m.siblings;
    const d = await graph({ guid: s.parent });
    const groups = d.nodes.filter((n) => n.kind === 'group' && n.parentGuid === s.parent);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.group!.count).toBe(s.children.length);
    const members = await pageAll(s.parent, groups[0]!.group!.cursor, 4);
    expect(members.map((k) => k.guid).sort()).toEqual([...s.children].sort());
  });

  it('the 500 children fold into groups whose expansions partition them', async () => {
    const b = m.bigParent;
    const d = await graph({ guid: b.guid });
    const groups = d.nodes.filter((n) => n.kind === 'group');
    const singles = d.nodes.filter((n) => n.kind === 'process' && n.parentGuid === b.guid);
    expect(groups.reduce((s, g) => s + g.group!.count, 0) + singles.length).toBe(b.childCount);
    const all: string[] = singles.map((n) => n.guid);
    for (const g of groups) {
      const members = await pageAll(b.guid, g.group!.cursor, 64);
      expect(members).toHaveLength(g.group!.count);
      all.push(...members.map((x) => x.guid));
    }
    expect(new Set(all).size).toBe(b.childCount);
  });

  it('when the node budget cuts children, then the truncation cursor lists them all', async () => {
    const b = m.bigParent;
    const d = await graph({ guid: b.guid, budget: '3', group: '1000000' });
    expect(d.nodes.filter((n) => n.kind === 'process')).toHaveLength(3);
    const t = d.truncated[`children:${b.guid}`]!;
    expect(t).toMatchObject({ limit: 2, remaining: b.childCount - 2 });
    expect(await pageAll(b.guid, t.cursor, 200)).toHaveLength(b.childCount);
  });
});

describe('cursors keep the graph\'s window', () => {
  it('when a truncation cursor is listed without from/to, then only children inside the graph\'s window come back', async () => {
    const b = m.bigParent;
    const conn = await store.acquire();
    let median: string;
    try {
      median = String((await conn.runAndReadAll(
        `SELECT strftime(quantile_disc(start_time, 0.5), '%Y-%m-%dT%H:%M:%S.%gZ') FROM processes WHERE parent_guid = $1`, [b.guid])).getRowsJS()[0]![0]);
    } finally {
      store.release(conn);
    }
    const d = await graph({ guid: b.guid, budget: '2', group: '1000000', from: '2026-03-02T00:00:00Z', to: median });
    const inWindow = await sql(`SELECT count(*) FROM processes WHERE parent_guid = $1 AND start_time <= CAST($2 AS TIMESTAMP)`, b.guid, median);
    expect(inWindow).toBeLessThan(b.childCount);
    const t = d.truncated[`children:${b.guid}`]!;
    expect(t.remaining).toBe(inWindow - 1);
    let cursor: string | null = t.cursor;
    let n = 0;
    while (cursor) {
      const res = await request(app).get(`/api/processes/${b.guid}/children`).query({ cursor, limit: 1000 });
      n += (res.body as Page<ProcessNode>).items.length;
      cursor = (res.body as Page<ProcessNode>).nextCursor;
    }
    expect(n).toBe(inWindow);
  });
});

describe('a group leaves out its same-key sibling that has children', () => {
  /*
   *  P services.exe
   *  ├─ 6× worker.exe --job N      (leaves → one group of 6)
   *  └─ worker.exe --job 99        (same key, but spawned cmd.exe: shown on its own)
   *      └─ cmd.exe
   */
  it('when the group is expanded, then exactly its 6 members come back', async () => {
    const gid = (n: number) => `{aaaaaaaa-0000-0000-0000-${n.toString(16).padStart(12, '0')}}`;
    const ev = (n: number, parent: number, image: string, cmd: string): SysmonEvent => ({
      eventId: 1, category: 'process', host: 'ws9', recordId: n, time: `2024-05-01T10:00:${String(n).padStart(2, '0')}.000Z`,
      guid: gid(n), targetGuid: null,
      fields: { UtcTime: `2024-05-01 10:00:${String(n).padStart(2, '0')}.000`, ProcessGuid: gid(n), ProcessId: String(n), Image: image, CommandLine: cmd,
        ParentProcessGuid: gid(parent), ParentProcessId: String(parent), ParentImage: 'C:\\Windows\\System32\\services.exe', User: 'SYSTEM' },
    });
    const small = await EmbeddedStore.open(join(demo.dir, 'group.duckdb'));
    try {
      await small.writeEvents([
        ev(1, 0, 'C:\\Windows\\System32\\services.exe', 'services.exe'),
        ...[2, 3, 4, 5, 6, 7].map((n) => ev(n, 1, 'C:\\w\\worker.exe', `worker.exe --job ${n}`)),
        ev(8, 1, 'C:\\w\\worker.exe', 'worker.exe --job 99'), ev(9, 8, 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe'),
      ]);
      const src = new EmbeddedSource(small);
      const a = createApp({ mode: 'embedded', version: 't', sourceFor: () => src });
      const d = (await request(a).get('/api/graph').query({ guid: gid(1) })).body as GraphDocument;
      const grp = d.nodes.find((n) => n.kind === 'group')!;
      expect(grp.group!.count).toBe(6);
      expect(node(d, gid(8))).toBeDefined();
      const res = await request(a).get(`/api/processes/${gid(1)}/children`).query({ cursor: grp.group!.cursor, limit: 4 });
      const next = await request(a).get(`/api/processes/${gid(1)}/children`).query({ cursor: res.body.nextCursor as string, limit: 4 });
      const listed = [...(res.body as Page<ProcessNode>).items, ...(next.body as Page<ProcessNode>).items].map((n) => n.guid);
      expect(listed.sort()).toEqual([2, 3, 4, 5, 6, 7].map(gid));
      expect((next.body as Page<ProcessNode>).nextCursor).toBeNull();
    } finally {
      await small.close();
    }
  });
});

describe('events paging', () => {
  it('pages of events never repeat or skip, in (time, recordId) order', async () => {
    const g = m.phishing.rundll32;
    const total = await sql(`SELECT count(*) FROM events WHERE guid = $1 AND event_id <> 1`, g);
    expect(total).toBeGreaterThan(3);
    const seen: GraphEvent[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(app).get(`/api/processes/${g}/events`).query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const page = res.body as Page<GraphEvent>;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    const keys = seen.map((e) => `${e.time}|${e.recordId}`);
    expect(new Set(keys).size).toBe(total);
    expect([...keys]).toEqual([...keys].sort());
  });

  it('a category filter returns only that category, all of it', async () => {
    const g = m.phishing.rundll32;
    const res = await request(app).get(`/api/processes/${g}/events`).query({ category: 'network', limit: 1000 });
    expect(res.status).toBe(200);
    const items = (res.body as Page<GraphEvent>).items;
    expect(items.every((e) => e.category === 'network')).toBe(true);
    expect(items).toHaveLength(await sql(`SELECT count(*) FROM events WHERE guid = $1 AND category = 'network'`, g));
  });

  it('graph with events attaches them and counts agree with the store', async () => {
    const g = m.phishing.powershell;
    const d = await graph({ guid: g, events: '1', ...DAY });
    const mine = d.events!.filter((e) => e.guid === g);
    expect(mine).toHaveLength(await sql(`SELECT count(*) FROM events WHERE guid = $1 AND event_id <> 1`, g));
    const counts = node(d, g)!.eventCounts;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(mine.length);
  });
});

describe('search, notables, health', () => {
  it('finds seeds by host + image', async () => {
    const res = await request(app).get('/api/search').query({ host: m.phishing.host, image: 'winword' });
    expect(res.status).toBe(200);
    expect((res.body as Page<ProcessNode>).items.map((n) => n.guid)).toContain(m.phishing.winword);
  });

  it('lists notables and health', async () => {
    const n = await request(app).get('/api/notables');
    expect(n.status).toBe(200);
    // Embedded: every stored notable, plus the shipped rule pack's hits, each with its chain (rule-notables.ts).
    const items = (n.body as { items: Array<{ source: string; guid: string | null; chain?: string[] }> }).items;
    expect(items.filter((x) => x.source !== 'rule').length).toBe(await sql('SELECT count(*) FROM notables'));
    const rules = items.filter((x) => x.source === 'rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.chain?.at(-1)).toBe(r.guid);
    expect((await request(app).get('/api/health')).body).toEqual({ source: 'embedded', version: 'test' });
  });
});

describe('bad input is refused with a clear 4xx', () => {
  const g = () => m.bigParent.guid;
  it.each([
    ['malformed GUID', () => `/api/graph?guid=not-a-guid`, 400, /not a GUID/],
    ['malformed GUID in path', () => `/api/processes/123/children`, 400, /not a GUID/],
    ['bad time', () => `/api/graph?guid=${g()}&from=yesterday`, 400, /ISO 8601/],
    ['inverted range', () => `/api/graph?guid=${g()}&from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z`, 400, /inverted/],
    ['inverted range (children)', () => `/api/processes/${g()}/children?from=2026-03-03&to=2026-03-02`, 400, /inverted/],
    ['absurd limit', () => `/api/processes/${g()}/children?limit=100000`, 400, /limit/],
    ['zero limit', () => `/api/processes/${g()}/events?limit=0`, 400, /limit/],
    ['unknown category', () => `/api/processes/${g()}/events?category=bogus`, 400, /category/],
    ['garbage cursor', () => `/api/processes/${g()}/children?cursor=xyz`, 400, /cursor/],
    ['unknown parameter', () => `/api/graph?guid=${g()}&dwon=3`, 400, /dwon/],
    ['unknown GUID', () => `/api/graph?guid={11111111-2222-3333-4444-555555555555}`, 404, /no process-create/],
    ['unknown process', () => `/api/processes/11111111-2222-3333-4444-555555555555`, 404, /no process-create/],
    ['unknown route', () => `/api/nope`, 404, /no route/],
  ])('%s', async (_name, url, status, message) => {
    const res = await request(app).get(url());
    expect(res.status).toBe(status);
    expect(res.body.error.code).toMatch(/^[a-z_]+$/);
    expect(res.body.error.message).toMatch(message);
  });

  it('a cursor for one parent is refused for another', async () => {
    const d = await graph({ guid: m.siblings.parent });
    const cursor = d.nodes.find((n) => n.kind === 'group')!.group!.cursor;
    const res = await request(app).get(`/api/processes/${m.bigParent.guid}/children`).query({ cursor });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_cursor');
  });
});

describe('a client that disconnects interrupts its queries', () => {
  it('when the connection closes mid-request, then the source sees the abort', async () => {
    let sawAbort!: () => void;
    const aborted = new Promise<void>((resolve) => { sawAbort = resolve; });
    let started!: () => void;
    const inTree = new Promise<void>((resolve) => { started = resolve; });
    // A decorator over the real source: getTree waits until the request's signal fires.
    const slow: EventSource = Object.create(source, {
      getTree: {
        value: (_guid: string, o: { ctx: { signal?: AbortSignal } }) => new Promise((_res, rej) => {
          started();
          o.ctx.signal!.addEventListener('abort', () => { sawAbort(); rej(o.ctx.signal!.reason); });
        }),
      },
    }) as EventSource;
    const server = createApp({ mode: 'embedded', version: 'test', sourceFor: () => slow }).listen(0);
    try {
      const port = (server.address() as AddressInfo).port;
      const req = http.get(`http://127.0.0.1:${port}/api/graph?guid=${encodeURIComponent(m.bigParent.guid)}`);
      req.on('error', () => undefined);
      await inTree;
      req.destroy();
      await aborted;
    } finally {
      server.close();
    }
  });
});
