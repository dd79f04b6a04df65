/**
 * The lineage index caught up with writes (LineageIndex.catchUp, docs/security.md "Reads during an
 * upload"): on a demo store, then a real capture from ../shared/datasets written in small batches
 * (as an upload stores them), plus a create that replaces a stored one (an earlier start, another
 * parent), the incrementally updated index must answer exactly as one built from scratch, its links
 * must be the ones SQL states (an oracle written here: parent = the process of `parent_guid` on the
 * same host), and graphs through it must equal the recursive SQL path's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, type DemoStore } from '../../../test/demo-store.js';
import { investigate } from '../../graph/investigate.js';
import { ingestPaths } from '../../ingest/pipeline.js';
import type { SysmonEvent } from '../../ingest/record.js';
import { dataset, requireDatasets } from '../../../test/datasets.js';
import { newContext } from '../event-source.js';
import { LineageIndex } from './lineage-index.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore } from './store.js';

const run = requireDatasets('lineage index catch-up');
const CAPTURE = 'OTRF-Security-Datasets/empire_launcher_vbs_2020-09-04160940.json';

let demo: DemoStore | undefined;
let store: EmbeddedStore;
let plain: EmbeddedSource;
let indexed: EmbeddedSource;

beforeAll(async () => {
  demo = await openDemoStore('lineage-catchup-', { hosts: 6, seed: 77, processesPerHostDay: 60 });
  store = demo.store;
  plain = new EmbeddedSource(store);
  indexed = new EmbeddedSource(store, { lineageIndex: true });
  expect(await indexed.indexReady()).toBe(true);
});
afterAll(async () => {
  await indexed?.close(); // closes the store
  demo?.remove();
});

interface Proc { host: string; guid: string; parent: string | null; startUs: number }

async function sqlProcesses(): Promise<Proc[]> {
  const conn = await store.acquire();
  try {
    return (await conn.runAndReadAll(`SELECT host, guid, parent_guid, CAST(epoch_us(start_time) AS DOUBLE) FROM processes ORDER BY host, guid`))
      .getRowsJS().map((r) => ({ host: String(r[0]), guid: String(r[1]), parent: r[2] === null ? null : String(r[2]), startUs: Number(r[3]) }));
  } finally {
    store.release(conn);
  }
}

/** What an index says of a process: its start, its parent (host\nguid) and children, from its public API. */
function describeIndex(index: LineageIndex, procs: Proc[], guidOf: Map<bigint, string>): Map<string, string> {
  const out = new Map<string, string>();
  const key = (row: number): string => `${index.hostName(row)}\n${guidOf.get(index.gkey(row)) ?? '?'}`;
  for (const p of procs) {
    const rows = index.find(p.guid, p.host);
    if (rows.length !== 1) { out.set(`${p.host}\n${p.guid}`, `rows=${rows.length}`); continue; }
    const { entries } = index.walk(rows, { up: 1, down: 1, limit: 1e9 });
    const parent = entries.filter((e) => e.depth === -1).map((e) => key(e.row));
    const children = entries.filter((e) => e.depth === 1).map((e) => key(e.row));
    out.set(`${p.host}\n${p.guid}`, JSON.stringify([index.startMicros(rows[0]!), parent, children]));
  }
  return out;
}

/** The same from the rows alone: children ordered by start, then GUID key (as the index orders ties). */
function describeSql(procs: Proc[], keyOf: (g: string) => bigint): Map<string, string> {
  const byKey = new Map(procs.map((p) => [`${p.host}\n${p.guid}`, p]));
  const kids = new Map<string, Proc[]>();
  for (const p of procs) {
    const k = p.parent === null ? undefined : `${p.host}\n${p.parent}`;
    if (k && byKey.has(k)) kids.set(k, [...(kids.get(k) ?? []), p]);
  }
  const out = new Map<string, string>();
  for (const p of procs) {
    const me = `${p.host}\n${p.guid}`;
    const parentKey = p.parent === null ? undefined : `${p.host}\n${p.parent}`;
    const children = (kids.get(me) ?? []).sort((a, b) => a.startUs - b.startUs || (keyOf(a.guid) < keyOf(b.guid) ? -1 : 1))
      .map((c) => `${c.host}\n${c.guid}`);
    out.set(me, JSON.stringify([p.startUs, parentKey && byKey.has(parentKey) ? [parentKey] : [], children]));
  }
  return out;
}

async function hashes(guids: string[]): Promise<Map<string, bigint>> {
  const conn = await store.acquire();
  try {
    const rows = (await conn.runAndReadAll(`SELECT g, hash(g) FROM (SELECT unnest(CAST($1 AS VARCHAR[])) AS g)`, [JSON.stringify(guids)])).getRowsJS();
    return new Map(rows.map((r) => [String(r[0]), r[1] as bigint]));
  } finally {
    store.release(conn);
  }
}

describe.runIf(run)('lineage index catch-up', () => {
  it('when a capture is written in batches, then the caught-up index equals a fresh build, SQL links and SQL graphs', async () => {
    let index = (await LineageIndex.build(store, () => false))!;
    const demoSize = index.size;
    const demoHosts = new Set((await sqlProcesses()).map((p) => p.host));
    let batches = 0;
    await ingestPaths([dataset(CAPTURE)], {
      write: async (b) => {
        const r = await store.writeEvents(b);
        batches += 1;
        // New processes only: caught up in place (the same index, not a new one linked from all rows).
        expect(await index.catchUp(store, () => false)).toBe(index);
        return r;
      },
    }, { batchSize: 40 });
    expect(batches).toBeGreaterThan(3);
    // A child stored before its parent (another batch): the parent's arrival adopts it in place.
    const [adopter] = (await sqlProcesses()).filter((p) => demoHosts.has(p.host)).slice(9, 10);
    const proc = (guid: string, parent: string, offsetMs: number, recordId: number): SysmonEvent => ({
      eventId: 1, category: 'process', host: adopter!.host, recordId, guid, targetGuid: null,
      time: new Date(Math.floor(adopter!.startUs / 1000) + offsetMs).toISOString(),
      fields: { ProcessGuid: guid, ParentProcessGuid: parent, Image: 'C:\\y.exe', CommandLine: 'y', ProcessId: String(recordId) },
    });
    const lateParent = '{7a7a7a7a-0000-4000-8000-000000000001}';
    await store.writeEvents([proc('{7a7a7a7a-0000-4000-8000-000000000002}', lateParent, 2000, 900_001)]);
    expect(await index.catchUp(store, () => false)).toBe(index);
    await store.writeEvents([proc(lateParent, adopter!.guid, 1000, 900_002)]);
    expect(await index.catchUp(store, () => false)).toBe(index);
    expect(index.walk(index.find(lateParent, adopter!.host), { up: 1, down: 1, limit: 10 }).entries.length).toBe(3);
    // A create that replaces a stored process: earlier start, another parent (the store keeps the earliest).
    const [victim, newParent] = (await sqlProcesses()).filter((p) => demoHosts.has(p.host)).slice(5, 7);
    const replace: SysmonEvent = {
      eventId: 1, category: 'process', host: victim!.host, recordId: 123_456_789,
      time: new Date(Math.floor(victim!.startUs / 1000) - 60_000).toISOString(), guid: victim!.guid, targetGuid: null,
      fields: { ProcessGuid: victim!.guid, ParentProcessGuid: newParent!.guid, Image: 'C:\\x.exe', CommandLine: 'x', ProcessId: '1' },
    };
    await store.writeEvents([replace]);
    const relinked = (await index.catchUp(store, () => false))!;
    expect(relinked).not.toBe(index);
    index = relinked;

    const procs = await sqlProcesses();
    expect(procs.find((p) => p.guid === victim!.guid && p.host === victim!.host)?.parent).toBe(newParent!.guid);
    expect(index.size).toBe(procs.length);
    expect(index.size).toBeGreaterThan(demoSize);
    expect(index.version).toBe(store.changes);
    const keys = await hashes([...new Set(procs.flatMap((p) => [p.guid]))]);
    const guidOf = new Map([...keys].map(([g, k]) => [k, g]));
    const fresh = (await LineageIndex.build(store, () => false))!;
    const got = describeIndex(index, procs, guidOf);
    expect(got).toEqual(describeIndex(fresh, procs, guidOf));
    expect(got).toEqual(describeSql(procs, (g) => keys.get(g)!));
    // A process of the capture and the replaced one: graphs through the source's caught-up index equal SQL's.
    expect(await indexed.indexReady()).toBe(true);
    const captured = procs.filter((p) => !demoHosts.has(p.host)).slice(0, 6);
    expect(captured.length).toBeGreaterThan(0);
    for (const c of [...captured.map((p) => ({ guid: p.guid, up: true, down: Infinity })), { guid: victim!.guid, up: true, down: 2 }]) {
      const a = newContext();
      const b = newContext();
      const want = await investigate(plain, c, a);
      const graph = await investigate(indexed, c, b);
      expect({ ...graph, stats: null }, c.guid).toEqual({ ...want, stats: null });
      expect(b.stats.searches, c.guid).toBeLessThan(a.stats.searches);
    }
    expect(indexed.indexStats.builds).toBe(1);
    expect(indexed.indexStats.catchUps).toBeGreaterThan(0);
  });
});
