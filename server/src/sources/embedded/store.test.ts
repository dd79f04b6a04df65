/**
 * EmbeddedStore write path against a real DuckDB file in a temp dir.
 *
 *   explorer {…0001}            (EID 1)
 *   └── cmd {…0002}             (EID 1, EID 3 network, EID 5 terminate)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { newContext } from '../event-source.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore, StoreError } from './store.js';

const P = '{aaaaaaaa-0000-0000-0000-000000000001}';
const C = '{aaaaaaaa-0000-0000-0000-000000000002}';

function ev(eventId: number, recordId: number | null, time: string, guid: string, fields: Record<string, string>, category = 'process'): SysmonEvent {
  return { eventId, category, host: 'ws-1', recordId, time, guid, targetGuid: null, fields: { ProcessGuid: guid, ...fields } };
}

const parentCreate = ev(1, 10, '2024-05-01T10:00:00.000Z', P, { Image: 'C:\\Windows\\explorer.exe', CommandLine: 'C:\\Windows\\Explorer.EXE', ProcessId: '4000', ParentProcessGuid: '{00000000-0000-0000-0000-000000000000}' });
const childCreate = ev(1, 11, '2024-05-01T10:05:00.123Z', C, {
  Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'cmd.exe /c whoami', ProcessId: '4242', ParentProcessId: '4000',
  ParentProcessGuid: P, ParentImage: 'C:\\Windows\\explorer.exe', ParentCommandLine: 'C:\\Windows\\Explorer.EXE',
  ParentUser: 'CORP\\jdoe', User: 'CORP\\jdoe', IntegrityLevel: 'High', Hashes: 'SHA256=AB', CurrentDirectory: 'C:\\Users\\jdoe\\',
  LogonGuid: '{aaaaaaaa-0000-0000-0000-0000000003e7}',
});
const childNet = ev(3, 12, '2024-05-01T10:05:01.000Z', C, { Image: 'c:\\windows\\system32\\cmd.exe', DestinationIp: '10.0.0.1' }, 'network');
const childEnd = ev(5, 13, '2024-05-01T10:06:00.500Z', C, { Image: 'C:\\Windows\\System32\\CMD.EXE' });

let dir = '';
const stores: EmbeddedStore[] = [];
async function openTemp(name = 'db.duckdb'): Promise<EmbeddedStore> {
  if (!dir) dir = mkdtempSync(join(tmpdir(), 'lineage-store-'));
  const s = await EmbeddedStore.open(join(dir, name));
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('EmbeddedStore.writeEvents', () => {
  it('when a create, event and terminate are written, then the process row carries the normalised columns and end time', async () => {
    const store = await openTemp();
    expect(await store.writeEvents([parentCreate, childCreate, childNet, childEnd])).toEqual({ inserted: 4, duplicates: 0 });
    const src = new EmbeddedSource(store);
    const [p] = await src.getProcesses([C], { ctx: newContext() });
    expect(p).toMatchObject({
      guid: C, parentGuid: P, host: 'ws-1', pid: 4242, parentPid: 4000, image: 'C:\\Windows\\System32\\CMD.EXE', name: 'cmd.exe',
      commandLine: 'cmd.exe /c whoami', parentImage: 'C:\\Windows\\explorer.exe', parentCommandLine: 'C:\\Windows\\Explorer.EXE',
      parentUser: 'CORP\\jdoe', user: 'CORP\\jdoe', integrityLevel: 'High', hashes: 'SHA256=AB', currentDirectory: 'C:\\Users\\jdoe\\',
      logonGuid: '{aaaaaaaa-0000-0000-0000-0000000003e7}', startTime: '2024-05-01T10:05:00.123Z', endTime: '2024-05-01T10:06:00.500Z',
    });
    const counts = await src.countEvents([C], { ctx: newContext() });
    expect(counts.get(C)).toEqual({ network: 1, process: 1 });
    expect(await store.counts()).toMatchObject({ events: 4, processes: 2, hosts: 1 });
  });

  it('when the same events are written again, then nothing is added (record ids, or content without them)', async () => {
    const store = await openTemp();
    const noRecord = { ...childNet, recordId: null, time: '2024-05-01T10:05:02.000Z' };
    const batch = [parentCreate, childCreate, childNet, childEnd, noRecord];
    expect(await store.writeEvents(batch)).toEqual({ inserted: 5, duplicates: 0 });
    expect(await store.writeEvents(batch)).toEqual({ inserted: 0, duplicates: 5 });
    // Repeats inside one batch count as duplicates too.
    expect(await store.writeEvents([noRecord, { ...noRecord }])).toEqual({ inserted: 0, duplicates: 2 });
    expect(await store.counts()).toMatchObject({ events: 5, processes: 2 });
  });

  it('when a later batch mixes a stored record id with new and id-less events, then only the stored one is a duplicate', async () => {
    // The dedupe reads only stored rows inside the batch's record-id span (or without an id): the
    // span [11, 500] must still find record id 11, and the id-less event must be checked too.
    const store = await openTemp();
    const noRecord = { ...childNet, recordId: null, time: '2024-05-01T10:05:02.000Z' };
    expect(await store.writeEvents([parentCreate, childCreate, childNet])).toEqual({ inserted: 3, duplicates: 0 });
    expect(await store.writeEvents([{ ...childNet, recordId: 500 }, childCreate, noRecord])).toEqual({ inserted: 2, duplicates: 1 });
    expect(await store.writeEvents([noRecord, { ...childEnd, recordId: 3 }])).toEqual({ inserted: 1, duplicates: 1 });
    expect(await store.writeEvents([{ ...childNet, recordId: 500 }])).toEqual({ inserted: 0, duplicates: 1 });
    expect(await store.counts()).toMatchObject({ events: 6, processes: 2 });
  });

  it('when two hosts reuse record ids and GUIDs across batches, then dedupe and end times stay per host', async () => {
    // The merge only looks at stored rows of the batch's own hosts (host-key filter): ws-2's record
    // id 11 must not be taken for ws-1's, and ws-2's terminate must not end ws-1's cmd.
    const store = await openTemp();
    const on2 = (e: SysmonEvent): SysmonEvent => ({ ...e, host: 'ws-2' });
    expect(await store.writeEvents([parentCreate, childCreate])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await store.writeEvents([on2(childCreate), on2(childEnd)])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await store.writeEvents([on2(childCreate), childCreate, on2(childEnd)])).toEqual({ inserted: 0, duplicates: 3 });
    const src = new EmbeddedSource(store);
    const rows = await src.getProcesses([C], { ctx: newContext() });
    expect(rows.map((r) => [r.host, r.endTime])).toEqual([['ws-1', null], ['ws-2', '2024-05-01T10:06:00.500Z']]);
    await store.writeEvents([childEnd]);
    expect((await src.getProcesses([C], { ctx: newContext(), host: 'ws-1' }))[0]!.endTime).toBe('2024-05-01T10:06:00.500Z');
    expect(await store.counts()).toMatchObject({ events: 5, processes: 3, hosts: 2 });
  });

  it('when batches arrive out of order (child before parent, terminate before create), then rows are identical', async () => {
    const inOrder = await openTemp('a.duckdb');
    await inOrder.writeEvents([parentCreate, childCreate, childNet, childEnd]);
    const shuffled = await openTemp('b.duckdb');
    await shuffled.writeEvents([childEnd]);
    await shuffled.writeEvents([childNet, childCreate]);
    await shuffled.writeEvents([parentCreate]);
    const read = async (s: EmbeddedStore) => {
      const src = new EmbeddedSource(s);
      const ctx = newContext();
      return {
        processes: await src.getProcesses([P, C], { ctx }),
        events: (await src.getEvents([P, C], { ctx, limit: 100 })).items,
      };
    };
    const a = await read(inOrder);
    expect(a.processes).toHaveLength(2);
    expect(a.processes[1]!.endTime).toBe('2024-05-01T10:06:00.500Z');
    expect(await read(shuffled)).toEqual(a);
  });

  it('when two different creates exist for one GUID, then the earliest is kept whatever the arrival order', async () => {
    const late = { ...childCreate, recordId: 30, time: '2024-05-01T10:07:00.000Z', fields: { ...childCreate.fields, Image: 'C:\\x\\late.exe' } };
    const a = await openTemp('early-first.duckdb');
    await a.writeEvents([childCreate]);
    await a.writeEvents([late]);
    const b = await openTemp('late-first.duckdb');
    await b.writeEvents([late]);
    await b.writeEvents([childCreate]);
    const rows = async (s: EmbeddedStore) => new EmbeddedSource(s).getProcesses([C], { ctx: newContext() });
    expect((await rows(a)).map((x) => [x.name, x.startTime])).toEqual([['cmd.exe', '2024-05-01T10:05:00.123Z']]);
    expect(await rows(b)).toEqual(await rows(a));
    const c = await openTemp('one-batch.duckdb');
    await c.writeEvents([late, childCreate]);
    expect(await rows(c)).toEqual(await rows(a));
  });

  it('when a batch holds an unusable time, then it is refused whole with a clear error and earlier data stays', async () => {
    const store = await openTemp();
    await store.writeEvents([parentCreate]);
    const bad = { ...childCreate, time: 'yesterday' };
    await expect(store.writeEvents([childNet, bad])).rejects.toThrow(StoreError);
    await expect(store.writeEvents([bad])).rejects.toThrow(/not stored.*yesterday/s);
    expect(await store.counts()).toMatchObject({ events: 1, processes: 1 });
    // The store stays usable after a refused batch.
    expect(await store.writeEvents([childCreate])).toEqual({ inserted: 1, duplicates: 0 });
  });

  it('when reopened read-only, then reads work and writes are refused; optimize keeps every row', async () => {
    const store = await openTemp();
    await store.writeEvents([parentCreate, childCreate, childNet, childEnd]);
    await store.optimize();
    expect(await store.counts()).toMatchObject({ events: 4, processes: 2 });
    const path = store.path;
    await store.close();
    const ro = await EmbeddedStore.open(path, { readOnly: true });
    stores.push(ro);
    expect((await new EmbeddedSource(ro).getProcesses([C], { ctx: newContext() }))[0]?.endTime).toBe('2024-05-01T10:06:00.500Z');
    await expect(ro.writeEvents([childNet])).rejects.toThrow(/read-only/);
  });

  it('when reads repeat across writes and optimize, then the cached prepared statements see the current tables', async () => {
    // Reads reuse prepared statements per connection; optimize() drops and renames the tables under them.
    const store = await openTemp();
    const src = new EmbeddedSource(store);
    await store.writeEvents([parentCreate, childCreate]);
    const read = async () => ({
      procs: (await src.getProcesses([P, C], { ctx: newContext(), host: 'ws-1' })).map((p) => [p.guid, p.endTime]),
      counts: Object.fromEntries(await src.countEvents([C], { ctx: newContext(), host: 'ws-1' })),
    });
    expect(await read()).toEqual({ procs: [[P, null], [C, null]], counts: {} });
    await store.writeEvents([childNet, childEnd]);
    const after = { procs: [[P, null], [C, '2024-05-01T10:06:00.500Z']], counts: { [C]: { network: 1, process: 1 } } };
    expect(await read()).toEqual(after);
    await store.optimize();
    expect(await read()).toEqual(after);
    await store.writeEvents([{ ...childNet, recordId: 99 }]);
    expect((await read()).counts).toEqual({ [C]: { network: 2, process: 1 } });
  });

  it('when many events share one timestamp (some without record id), then event pages never repeat or skip', async () => {
    const store = await openTemp();
    const same = '2024-05-01T10:05:30.000Z';
    // Every third event has no record id: those share (time, record id) and only seq orders them.
    const batch = Array.from({ length: 25 }, (_, i) => ev(3, i % 3 === 0 ? null : 100 + i, same, C, { DestinationPort: String(i) }, 'network'));
    await store.writeEvents([childCreate, ...batch]);
    const src = new EmbeddedSource(store);
    const ports: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await src.getEvents([C], { ctx: newContext(), limit: 4, cursor });
      ports.push(...page.items.map((e) => e.fields.DestinationPort!));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ports.length).toBe(25);
    expect(new Set(ports).size).toBe(25);
  });

  it('when the stored hash keys came from another DuckDB hash, then a writable open rebuilds them, read-only refuses', async () => {
    const store = await openTemp();
    await store.writeEvents([parentCreate, childCreate, childNet]);
    const conn = await store.acquire();
    // Simulate a DuckDB upgrade that changed hash(): stale probe and stale keys.
    await conn.run(`UPDATE meta SET value = 'other' WHERE key = 'hash_probe'`);
    await conn.run(`UPDATE processes SET gkey = 0, pkey = 0`);
    await conn.run(`UPDATE events SET gkey = 0, dkey = 0`);
    store.release(conn);
    const path = store.path;
    await store.close();
    await expect(EmbeddedStore.open(path, { readOnly: true })).rejects.toThrow(/another hash function/);
    const again = await EmbeddedStore.open(path);
    stores.push(again);
    const src = new EmbeddedSource(again);
    expect((await src.getProcesses([C], { ctx: newContext() })).map((x) => x.guid)).toEqual([C]);
    expect((await src.getChildren([P], { ctx: newContext(), limit: 5 })).items.map((x) => x.guid)).toEqual([C]);
    expect(await again.writeEvents([childNet])).toEqual({ inserted: 0, duplicates: 1 });
  });

  it('when batches are streamed (the next filled while the previous merges), then rows equal writeEvents of the same events', async () => {
    // beginBatch stages each event as it is added, on its own connection; `lineage ingest` fills
    // the next batch while the previous one commits. Out of order on purpose: terminate and child
    // before the parent's create, and a repeat of the first batch's event in the second.
    const streamed = await openTemp('streamed.duckdb');
    const first = await streamed.beginBatch();
    for (const e of [childEnd, childNet, childCreate]) first.add(e);
    expect(first.size).toBe(3);
    const firstDone = first.commit();
    const second = await streamed.beginBatch();
    for (const e of [parentCreate, childNet]) second.add(e);
    const secondDone = second.commit();
    expect(await firstDone).toEqual({ inserted: 3, duplicates: 0 });
    expect(await secondDone).toEqual({ inserted: 1, duplicates: 1 });
    expect(() => first.add(childNet)).toThrow(/already committed/);

    const written = await openTemp('written.duckdb');
    await written.writeEvents([childEnd, childNet, childCreate]);
    await written.writeEvents([parentCreate, childNet]);
    const read = async (s: EmbeddedStore) => {
      const src = new EmbeddedSource(s);
      const ctx = newContext();
      return { processes: await src.getProcesses([P, C], { ctx }), events: (await src.getEvents([P, C], { ctx, limit: 100 })).items };
    };
    const a = await read(written);
    expect(a.processes.map((p) => [p.name, p.endTime])).toEqual([['explorer.exe', null], ['cmd.exe', '2024-05-01T10:06:00.500Z']]);
    expect(await read(streamed)).toEqual(a);
  });

  it('when a streamed batch is aborted or refused, then nothing of it is stored and the next batch works', async () => {
    const store = await openTemp();
    const dropped = await store.beginBatch();
    dropped.add(parentCreate);
    dropped.abort();
    const bad = await store.beginBatch();
    bad.add(childNet);
    bad.add({ ...childCreate, time: 'yesterday' });
    await expect(bad.commit()).rejects.toThrow(/not stored.*yesterday/s);
    expect(await store.counts()).toMatchObject({ events: 0, processes: 0 });
    const ok = await store.beginBatch();
    ok.add(childCreate);
    expect(await ok.commit()).toEqual({ inserted: 1, duplicates: 0 });
    expect(await store.counts()).toMatchObject({ events: 1, processes: 1 });
  });

  it('when the file is not a database, then open fails with the path in the message', async () => {
    await expect(EmbeddedStore.open('/nonexistent/x.duckdb', { readOnly: true })).rejects.toThrow(/x\.duckdb/);
  });
});

describe('incremental optimize (docs/ingest.md)', () => {
  /** Generated creates on two hosts, GUIDs in descending order so appended rows are out of sort order. */
  const gen = (from: number, n: number): SysmonEvent[] => Array.from({ length: n }, (_, i) => {
    const k = from + n - 1 - i;
    const g = `{bbbbbbbb-0000-0000-0000-${k.toString(16).padStart(12, '0')}}`;
    return { ...ev(1, k, `2024-05-01T10:${String(k % 60).padStart(2, '0')}:00.000Z`, g, { Image: 'C:\\x.exe', ParentProcessGuid: P }), host: k % 2 ? 'ws-1' : 'ws-2' };
  });
  const dump = async (s: EmbeddedStore, sql: string): Promise<string[]> => {
    const c = await s.acquire();
    try { return (await c.runAndReadAll(sql)).getRowsJS().map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))); } finally { s.release(c); }
  };

  it('when a load is re-sorted with `since`, then every row is kept and only the new rows are rewritten, in order', async () => {
    const store = await openTemp('inc.duckdb');
    await store.writeEvents(gen(0, 500));
    await store.optimize();
    const since = store.nextEventSeq;
    await store.writeEvents(gen(500, 300));
    const before = { e: (await dump(store, 'SELECT * FROM events ORDER BY seq')), p: await dump(store, 'SELECT * FROM processes ORDER BY seq') };
    const oldRows = await dump(store, `SELECT seq FROM events WHERE seq < ${since} ORDER BY rowid`);
    await store.optimize({ since });
    expect(await dump(store, 'SELECT * FROM events ORDER BY seq')).toEqual(before.e);
    expect(await dump(store, 'SELECT * FROM processes ORDER BY seq')).toEqual(before.p);
    // The older rows keep their place; the new ones follow, sorted by (hkey, gkey, time, seq).
    expect(await dump(store, `SELECT seq FROM events WHERE seq < ${since} ORDER BY rowid`)).toEqual(oldRows);
    const tail = await dump(store, `SELECT hkey, gkey, time, seq FROM events WHERE seq >= ${since} ORDER BY rowid`);
    const sortedTail = await dump(store, `SELECT hkey, gkey, time, seq FROM events WHERE seq >= ${since} ORDER BY hkey, gkey, time, seq`);
    expect(tail).toEqual(sortedTail);
    expect(tail).toHaveLength(300);
  });
});
