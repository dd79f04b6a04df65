/**
 * Event counts per process in memory (event-counts.ts) against an oracle written here: a plain
 * GROUP BY host, guid, category over the stored events (EventID ≠ 1), optionally in a time range.
 * On a demo store, then after writes the index catches up with: new events of stored processes, a
 * new process with events, and events stored before their process's create (the create comes in a
 * later write). Every answer must equal the oracle's; processes known at the build must be answered
 * without a statement, the others by SQL (never from incomplete memory).
 */
import type { Category } from '@lineage/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, type DemoStore } from '../../../test/demo-store.js';
import type { SysmonEvent } from '../../ingest/record.js';
import { newContext } from '../event-source.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore } from './store.js';

let demo: DemoStore | undefined;
let store: EmbeddedStore;
let indexed: EmbeddedSource;

beforeAll(async () => {
  demo = await openDemoStore('lineage-counts-', { hosts: 4, seed: 91, processesPerHostDay: 60 });
  store = demo.store;
  indexed = new EmbeddedSource(store, { lineageIndex: true });
  expect(await indexed.indexReady()).toBe(true);
});
afterAll(async () => {
  await indexed?.close(); // closes the store
  demo?.remove();
});

type Counts = Map<string, Partial<Record<Category, number>>>;

/** The oracle: counts by host + "\n" + guid, straight from `events`. */
async function sqlCounts(range?: { from: string; to: string }): Promise<Counts> {
  const conn = await store.acquire();
  try {
    const where = range ? `AND time >= CAST($1 AS TIMESTAMP) AND time <= CAST($2 AS TIMESTAMP)` : '';
    const rows = (await conn.runAndReadAll(`SELECT host, guid, category, count(*) FROM events WHERE event_id <> 1 AND guid IS NOT NULL ${where} GROUP BY ALL`,
      range ? [range.from, range.to] : [])).getRowsJS();
    const out: Counts = new Map();
    for (const [h, g, c, n] of rows) {
      const k = `${String(h)}\n${String(g)}`;
      out.set(k, { ...out.get(k), [String(c)]: Number(n) });
    }
    return out;
  } finally {
    store.release(conn);
  }
}

async function processes(): Promise<{ host: string; guid: string }[]> {
  const conn = await store.acquire();
  try {
    return (await conn.runAndReadAll(`SELECT host, guid FROM processes ORDER BY host, guid`)).getRowsJS().map((r) => ({ host: String(r[0]), guid: String(r[1]) }));
  } finally {
    store.release(conn);
  }
}

/** countEvents of each process alone: the answer, and how many needed a statement. */
async function compare(procs: { host: string; guid: string }[], range?: { from: string; to: string }): Promise<{ statements: number; withEvents: number }> {
  const want = await sqlCounts(range);
  let statements = 0, withEvents = 0;
  for (const p of procs) {
    const ctx = newContext();
    const got = await indexed.countEvents([p.guid], { ctx, host: p.host, ...(range ? { range } : {}) });
    const expected = want.get(`${p.host}\n${p.guid}`);
    expect(got.get(p.guid), `${p.host} ${p.guid} ${JSON.stringify(range)}`).toEqual(expected);
    statements += ctx.stats.searches;
    if (expected) withEvents++;
  }
  return { statements, withEvents };
}

const ev = (host: string, guid: string, eventId: number, category: Category, time: string, recordId: number, fields: Record<string, string> = {}): SysmonEvent =>
  ({ eventId, category, host, recordId, time, guid, targetGuid: null, fields: { ProcessGuid: guid, ...fields } });

describe('event counts in memory', () => {
  it('when built with the lineage index, then every process is answered without a statement and equals the GROUP BY', async () => {
    const procs = await processes();
    expect(procs.length).toBeGreaterThan(200);
    const r = await compare(procs);
    expect(r.withEvents).toBeGreaterThan(50);
    expect(r.statements).toBe(0);
    // A range that cuts one process's events (read from the store here) and holds or misses others': equal still, the cut one by SQL.
    const conn = await store.acquire();
    const [[h, g, lo, hi]] = (await conn.runAndReadAll(`SELECT host, guid, epoch_ms(min(time)), epoch_ms(max(time)) FROM events
      WHERE event_id <> 1 GROUP BY host, guid HAVING epoch_ms(max(time)) - epoch_ms(min(time)) > 10 ORDER BY host, guid LIMIT 1`)).getRowsJS() as [[string, string, number, number]];
    store.release(conn);
    const mid = { from: new Date(Number(lo)).toISOString(), to: new Date((Number(lo) + Number(hi)) / 2).toISOString() };
    const cut = await compare([{ host: String(h), guid: String(g) }, ...procs.slice(0, 100)], mid);
    expect(cut.statements).toBeGreaterThan(0);
    expect(cut.statements).toBeLessThan(50);
  });

  it('when events are written after the build, then counts catch up: stored processes stay answered from memory, new ones by SQL, all equal', async () => {
    const procs = await processes();
    const [a, b] = [procs[3]!, procs[procs.length - 5]!];
    const late = '{0badc0de-0000-4000-8000-000000000001}';
    const fresh = '{0badc0de-0000-4000-8000-000000000002}';
    const t = (s: number): string => new Date(Date.parse('2026-03-02T10:00:00.000Z') + s * 1000).toISOString();
    // New events of two stored processes; a new process with events; events of a process whose create comes later.
    expect((await store.writeEvents([
      ev(a.host, a.guid, 3, 'network', t(1), 900_001), ev(a.host, a.guid, 3, 'network', t(2), 900_002), ev(b.host, b.guid, 11, 'file', t(3), 900_003),
      ev(a.host, fresh, 1, 'process', t(4), 900_004, { Image: 'C:\\x\\fresh.exe', CommandLine: 'fresh', ParentProcessGuid: a.guid }),
      ev(a.host, fresh, 22, 'dns', t(5), 900_005), ev(b.host, late, 13, 'registry', t(6), 900_006),
    ])).inserted).toBe(6);
    expect(await indexed.indexReady()).toBe(true);
    let r = await compare(await processes());
    expect(r.statements).toBe(1); // `fresh`: a row added after the build
    expect(await store.writeEvents([
      ev(b.host, late, 1, 'process', t(7), 900_007, { Image: 'C:\\x\\late.exe', CommandLine: 'late', ParentProcessGuid: b.guid }),
      ev(b.host, late, 13, 'registry', t(8), 900_008), ev(a.host, a.guid, 5, 'process', t(9), 900_009),
    ])).toEqual({ inserted: 3, duplicates: 0 });
    expect(await indexed.indexReady()).toBe(true);
    r = await compare(await processes());
    expect(r.statements).toBe(2); // `fresh` and `late`
    expect((await indexed.countEvents([late], { ctx: newContext(), host: b.host })).get(late)).toEqual({ registry: 2 });
    expect((await indexed.countEvents([a.guid], { ctx: newContext(), host: a.host })).get(a.guid)?.network).toBeGreaterThanOrEqual(2);
  });
});
