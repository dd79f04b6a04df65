/**
 * The lineage index path (lineage-index.ts + indexed-tree.ts) against the recursive SQL it replaces,
 * on a real demo store (10 hosts, planted scenarios of source.test.ts):
 *
 *   explorer ── OUTLOOK ── WINWORD ── cmd ── powershell ── rundll32   (phishing chain)
 *   TaniumClient ── 500 probes                                         (budget cuts)
 *   powershell_ise ──(65 min)── whoami                                 (parent outside the window)
 *   dllhost {G} on ws-0001 / sihost {G} on ws-0002                     (same GUID, two hosts)
 *
 * Every answer must equal the SQL one exactly (rows, order, `complete`), with fewer statements.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemo } from '../../demo/generate.js';
import { plantedManifest } from '../../demo/planted.js';
import { defaultWindow, investigate, OPEN_START } from '../../graph/investigate.js';
import type { SysmonEvent } from '../../ingest/record.js';
import { newContext, type TreeOptions } from '../event-source.js';
import { duckHash } from './duck-hash.js';
import { isoToMicros } from './lineage-index.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore } from './store.js';

const OPTS = { hosts: 10, seed: 4242, processesPerHostDay: 80 };
const m = plantedManifest(OPTS);
let dir: string;
let store: EmbeddedStore;
let plain: EmbeddedSource;
let indexed: EmbeddedSource;
let sample: { guid: string; host: string; start: string }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-idx-'));
  store = await EmbeddedStore.open(join(dir, 'demo.duckdb'));
  await writeDemo(store, OPTS);
  plain = new EmbeddedSource(store);
  indexed = new EmbeddedSource(store, { lineageIndex: true });
  expect(await indexed.indexReady()).toBe(true);
  const conn = await store.acquire();
  // Every 7th process by GUID hash: a deterministic spread over hosts, roots, leaves and inner nodes.
  sample = (await conn.runAndReadAll(`SELECT guid, host, strftime(start_time, '%Y-%m-%dT%H:%M:%S.%gZ') FROM processes
    WHERE hash(guid) % 7 = 0 ORDER BY guid, host LIMIT 48`)).getRowsJS().map((r) => ({ guid: String(r[0]), host: String(r[1]), start: String(r[2]) }));
  store.release(conn);
});
afterAll(async () => {
  await indexed?.close(); // closes the store
  rmSync(dir, { recursive: true, force: true });
});

describe('duckHash', () => {
  it('equals DuckDB hash() for GUIDs, host names, empty, short, block-sized and non-ASCII text', async () => {
    const texts = ['', 'a', '12345678', '123456789', 'ws-0001', m.phishing.explorer, '{00000000-0000-0000-0000-000000000000}', 'héllo wörld', 'x'.repeat(40)];
    const conn = await store.acquire();
    try {
      for (const t of texts) {
        const [[h]] = (await conn.runAndReadAll('SELECT hash($1)', [t])).getRowsJS() as [[bigint]];
        expect(duckHash(t), t).toBe(h);
      }
    } finally {
      store.release(conn);
    }
  });
});

describe('isoToMicros', () => {
  it('keeps microseconds beyond the milliseconds Date.parse reads', () => {
    expect(isoToMicros('2024-05-01T10:00:00.000Z')).toBe(Date.parse('2024-05-01T10:00:00.000Z') * 1000);
    expect(isoToMicros('2024-05-01T10:00:00.123456Z')).toBe(Date.parse('2024-05-01T10:00:00.123Z') * 1000 + 456);
    expect(isoToMicros('2024-05-01T10:00:00Z')).toBe(Date.parse('2024-05-01T10:00:00Z') * 1000);
  });
});

describe('getTree through the lineage index', () => {
  const shapes: Omit<TreeOptions, 'ctx'>[] = [
    { up: true, down: 2, nodeBudget: 4000 },
    { up: false, down: Infinity, nodeBudget: 7 },
    { up: true, down: 1, nodeBudget: 2 },
    { up: true, down: 0, nodeBudget: 0 },
  ];

  it('when compared with the recursive statement on 48 processes × 4 shapes × with/without window, then every answer is identical, in one statement', async () => {
    let compared = 0;
    for (const t of sample) {
      for (const shape of shapes) {
        for (const range of [defaultWindow(t.start), undefined]) {
          const o = { ...shape, host: t.host, ...(range ? { range } : {}) };
          const want = await plain.getTree(t.guid, { ctx: newContext(), ...o });
          const ctx = newContext();
          const got = await indexed.getTree(t.guid, { ctx, ...o });
          expect(got, `${t.guid} ${JSON.stringify(o)}`).toEqual(want);
          expect(ctx.stats.searches).toBe(1);
          compared++;
        }
      }
    }
    expect(compared).toBe(sample.length * shapes.length * 2);
  });

  it('when the node budget cuts the 500 probes, then the same first children are kept and complete is false', async () => {
    for (const budget of [1, 50, 499, 500]) {
      const o = { up: false, down: 1, nodeBudget: budget };
      const got = await indexed.getTree(m.bigParent.guid, { ctx: newContext(), ...o });
      expect(got).toEqual(await plain.getTree(m.bigParent.guid, { ctx: newContext(), ...o }));
      expect(got.processes).toHaveLength(budget + 1);
      expect(got.complete).toBe(budget >= 500);
    }
  });

  it('when a GUID is on two hosts and no host is given, then both trees come back as SQL gives them', async () => {
    const sg = m.sharedGuid!;
    const o = { up: true, down: 3, nodeBudget: 100 };
    const got = await indexed.getTree(sg.guid, { ctx: newContext(), ...o });
    expect(got).toEqual(await plain.getTree(sg.guid, { ctx: newContext(), ...o }));
    expect(new Set(got.processes.filter((p) => p.guid === sg.guid).map((p) => p.host))).toEqual(new Set(sg.hosts));
  });

  it('getAncestors gives the phishing chain nearest first, as SQL does', async () => {
    const o = { maxDepth: 10 };
    const got = await indexed.getAncestors(m.phishing.rundll32, { ctx: newContext(), ...o });
    expect(got.map((p) => p.name).slice(0, 5)).toEqual(['powershell.exe', 'cmd.exe', 'winword.exe', 'outlook.exe', 'explorer.exe']);
    expect(got).toEqual(await plain.getAncestors(m.phishing.rundll32, { ctx: newContext(), ...o }));
  });

  it('event counts come with the tree: countEvents for its rows needs no statement for a range that holds or misses their events whole, and equals SQL for every range', async () => {
    let withEvents = 0;
    let answeredHeld = 0;
    let cut = 0;
    for (const t of sample.slice(0, 24)) {
      const window = defaultWindow(t.start);
      const ctx = newContext();
      const tree = await indexed.getTree(t.guid, { ctx, host: t.host, range: window, up: true, down: 2, nodeBudget: 100 });
      const guids = tree.processes.map((p) => p.guid);
      // The window, all time, a lifetime span (open start), and — read from the store here — half of the
      // span of the first shown process with events of one category at two times (cuts that span: only SQL can count it).
      const conn = await store.acquire();
      const spans = (await conn.runAndReadAll(`SELECT epoch_ms(min(time)), epoch_ms(max(time)) FROM events
        WHERE host = $1 AND guid IN (SELECT unnest(CAST($2 AS VARCHAR[]))) AND event_id <> 1 GROUP BY guid, category HAVING min(time) < max(time) ORDER BY guid, category LIMIT 1`,
      [t.host, listValue(guids)])).getRowsJS();
      store.release(conn);
      const ranges: ({ from: string; to: string } | undefined)[] = [window, undefined, { from: OPEN_START, to: window.to }];
      for (const [lo, hi] of spans) {
        ranges.push({ from: new Date(Number(lo)).toISOString(), to: new Date((Number(lo) + Number(hi)) / 2).toISOString() });
      }
      for (const range of ranges) {
        const before = ctx.stats.searches;
        const got = await indexed.countEvents(guids, { ctx, host: t.host, ...(range ? { range } : {}) });
        expect(got, `${t.guid} ${JSON.stringify(range)}`).toEqual(await plain.countEvents(guids, { ctx: newContext(), host: t.host, ...(range ? { range } : {}) }));
        if (ctx.stats.searches === before) answeredHeld++; else cut++;
        withEvents += got.size;
      }
      // All time always holds every span: no statement after the tree.
      const c2 = newContext();
      await indexed.getTree(t.guid, { ctx: c2, host: t.host, range: window, up: true, down: 2, nodeBudget: 100 });
      await indexed.countEvents(guids, { ctx: c2, host: t.host });
      expect(c2.stats.searches).toBe(1);
    }
    expect(withEvents).toBeGreaterThan(0);
    expect(answeredHeld).toBeGreaterThan(24);
    expect(cut).toBeGreaterThan(0);
  });

  it('an unknown GUID costs no statement: empty tree, no processes', async () => {
    const ctx = newContext();
    const nobody = '{12345678-1234-1234-1234-123456789abc}';
    expect(await indexed.getTree(nobody, { ctx, up: true, down: 1, nodeBudget: 10 })).toEqual({ processes: [], complete: true });
    expect(await indexed.getProcesses([nobody, m.notLogged.parentGuid], { ctx })).toEqual([]);
    expect(ctx.stats.searches).toBe(0);
  });
});

describe('graphs through the lineage index', () => {
  it('when investigating planted processes, then the document equals the SQL one and costs fewer statements', async () => {
    const cases = [
      { guid: m.phishing.rundll32, up: true, down: 1 },
      { guid: m.phishing.outlook, up: true, down: Infinity },
      { guid: m.outsideWindow.child, up: true, down: 1 }, // parent 65 min earlier: a not-in-range placeholder
      { guid: m.notLogged.child, up: true, down: 1 }, // parent never logged
      { guid: m.bigParent.guid, up: false, down: 1 },
    ];
    for (const c of cases) {
      const a = newContext();
      const b = newContext();
      const want = await investigate(plain, c, a);
      const got = await investigate(indexed, c, b);
      expect({ ...got, stats: null }, c.guid).toEqual({ ...want, stats: null });
      expect(b.stats.searches, c.guid).toBeLessThan(a.stats.searches);
    }
    // A parent above the window is walked through (docs/ingest.md "Honest views"), not left as a not-in-range placeholder.
    const above = (await investigate(indexed, { guid: m.outsideWindow.child, up: true, down: 1 }, newContext()))
      .nodes.find((n) => n.guid === m.outsideWindow.parent);
    expect(above).toMatchObject({ placeholder: false, placeholderReason: null });
    const unlogged = (await investigate(indexed, { guid: m.notLogged.child, up: true, down: 1 }, newContext()))
      .nodes.find((n) => n.guid === m.notLogged.parentGuid);
    expect(unlogged).toMatchObject({ placeholder: true, placeholderReason: 'not-logged' });
  });
});

describe('index freshness', () => {
  it('when events are written, then answers include them at once (SQL) and again from the rebuilt index', async () => {
    const parent = m.phishing.cmd;
    const child = '{5c33ff12-0000-4000-8000-00000000beef}';
    const before = await indexed.getTree(parent, { ctx: newContext(), up: false, down: 1, nodeBudget: 100 });
    expect(before.processes.some((p) => p.guid === child)).toBe(false);
    const start = before.processes.find((p) => p.guid === parent)!.startTime;
    const create: SysmonEvent = {
      eventId: 1, category: 'process', host: m.phishing.host, recordId: 987_654_321,
      time: new Date(Date.parse(start) + 1000).toISOString(), guid: child, targetGuid: null,
      fields: { ProcessGuid: child, ParentProcessGuid: parent, Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', ProcessId: '7777' },
    };
    expect(await store.writeEvents([create])).toEqual({ inserted: 1, duplicates: 0 });
    const o = { up: false, down: 1, nodeBudget: 100 };
    const fresh = await indexed.getTree(parent, { ctx: newContext(), ...o });
    expect(fresh.processes.find((p) => p.guid === child)?.parentGuid).toBe(parent);
    // The rebuild waits for writes to pause, then the index is current and agrees.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await indexed.indexReady()).toBe(true);
    const ctx = newContext();
    const again = await indexed.getTree(parent, { ctx, ...o });
    expect(again).toEqual(fresh);
    expect(again).toEqual(await plain.getTree(parent, { ctx: newContext(), ...o }));
    expect(indexed.locateOrigin(child, m.phishing.host)).toEqual([{ host: m.phishing.host, startTime: create.time }]);
  });
});
