/**
 * One lineage walk, three implementations: the embedded source's recursive SQL (tree-sql.ts), its
 * lineage index (lineage-index.ts + indexed-tree.ts) and the pure reference walk (reference-walk.ts,
 * which imports neither) must return the same tree — same rows, same `complete` — for every shape of
 * request, on the demo fleet and on real captures. The reference reads the stored process rows
 * straight from the database, not through the source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from '../../test/datasets.js';
import { writeDemo } from '../demo/generate.js';
import { ingestPaths } from '../ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { newContext, type TreeOptions } from '../sources/event-source.js';
import { referenceWalk, type WalkRow } from './reference-walk.js';

const SHAPES: Omit<TreeOptions, 'ctx' | 'range'>[] = [
  { up: true, down: Infinity, nodeBudget: 100_000 },
  { up: true, down: 1, nodeBudget: 100_000 },
  { up: false, down: 3, nodeBudget: 100_000 },
  { up: true, down: 0, nodeBudget: 0 },
  { up: false, down: Infinity, nodeBudget: 5 },
];

interface Fixture { store: EmbeddedStore; sql: EmbeddedSource; indexed: EmbeddedSource; rows: WalkRow[]; dir: string }

async function open(fill: (store: EmbeddedStore) => Promise<unknown>): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-walk-'));
  const store = await EmbeddedStore.open(join(dir, 'walk.duckdb'));
  await fill(store);
  const conn = await store.acquire();
  const rows = (await conn.runAndReadAll(`SELECT guid, host, parent_guid, strftime(start_time, '%Y-%m-%dT%H:%M:%S.%gZ') FROM processes`))
    .getRowsJS().map((r) => ({ guid: String(r[0]), host: String(r[1]), parentGuid: r[2] === null ? null : String(r[2]), startTime: r[3] === null ? null : String(r[3]) }));
  store.release(conn);
  const indexed = new EmbeddedSource(store, { lineageIndex: true });
  expect(await indexed.indexReady()).toBe(true);
  return { store, sql: new EmbeddedSource(store), indexed, rows, dir };
}

const key = (r: { host: string; guid: string }) => `${r.host}|${r.guid}`;

/** Where a walk starts: a GUID, on one host or (host undefined) on every host that has it. */
interface Origin { guid: string; host: string | undefined; startTime: string | null }

/** Every shape, with and without a window, from `origins`: SQL = index = reference. */
async function expectOneWalk(f: Fixture, origins: Origin[]): Promise<number> {
  let compared = 0;
  for (const o of origins) {
    const t = Date.parse(o.startTime ?? '');
    const windows = [undefined, ...(Number.isFinite(t) ? [{ from: new Date(t - 3_600_000).toISOString(), to: new Date(t + 600_000).toISOString() }] : [])];
    for (const shape of SHAPES) {
      for (const range of windows) {
        const ref = referenceWalk(f.rows, { guid: o.guid, host: o.host, up: shape.up, down: shape.down, budget: shape.nodeBudget, range });
        const expected = { keys: ref.rows.map((x) => key(x.row)).sort(), complete: ref.complete };
        for (const [name, src] of [['sql', f.sql], ['index', f.indexed]] as const) {
          const got = await src.getTree(o.guid, { ...shape, ctx: newContext(), ...(o.host ? { host: o.host } : {}), ...(range ? { range } : {}) });
          expect({ keys: got.processes.map(key).sort(), complete: got.complete }, `${name} ${o.host} ${o.guid} ${JSON.stringify(shape)} ${range ? 'window' : 'all time'}`)
            .toEqual(expected);
        }
        compared++;
      }
    }
  }
  return compared;
}

/**
 * Origins: a deterministic spread (every `step`-th row by host and GUID), the five rows with the largest
 * subtrees (so the budget cuts across generations), and GUIDs present on two hosts asked without a host.
 */
function spread(rows: WalkRow[], count: number): Origin[] {
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const step = Math.max(1, Math.floor(sorted.length / count));
  const kids = new Map<string, number>();
  for (const r of rows) if (r.parentGuid) kids.set(`${r.host}|${r.parentGuid}`, (kids.get(`${r.host}|${r.parentGuid}`) ?? 0) + 1);
  const big = [...rows].sort((a, b) => (kids.get(key(b)) ?? 0) - (kids.get(key(a)) ?? 0) || (key(a) < key(b) ? -1 : 1)).slice(0, 5);
  const hostsOf = new Map<string, number>();
  for (const r of rows) hostsOf.set(r.guid, (hostsOf.get(r.guid) ?? 0) + 1);
  const shared = rows.filter((r) => (hostsOf.get(r.guid) ?? 0) > 1).slice(0, 3).map((r) => ({ ...r, host: undefined }));
  return [...sorted.filter((_, i) => i % step === 0).slice(0, count), ...big, ...shared];
}

describe('one lineage walk on the demo fleet: SQL = index = reference', () => {
  let f: Fixture;
  beforeAll(async () => { f = await open((s) => writeDemo(s, { hosts: 4, seed: 77, processesPerHostDay: 60 })); });
  afterAll(async () => { await f?.indexed.close(); rmSync(f.dir, { recursive: true, force: true }); });

  it('roots, leaves and inner nodes, every request shape, with and without a window', async () => {
    // Roots (no parent row) and deep nodes are both in the spread; the reference must have walked far.
    const origins = spread(f.rows, 30);
    expect(origins.some((o) => o.host === undefined)).toBe(true); // the demo plants one GUID on two hosts
    expect(await expectOneWalk(f, origins)).toBe(origins.length * SHAPES.length * 2);
    const deepest = Math.max(...origins.map((o) => -Math.min(...referenceWalk(f.rows, { guid: o.guid, host: o.host ?? null, up: true, down: 0, budget: 0 }).rows.map((r) => r.depth))));
    expect(deepest).toBeGreaterThanOrEqual(3);
  });
});

const run = requireDatasets('one lineage walk on real captures');
describe.runIf(run)('one lineage walk on real captures: SQL = index = reference', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await open(async (s) => {
      const report = await ingestPaths([
        dataset('splunk-attack_data/xmlwineventlog'),
        dataset('sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution'),
        dataset('OTRF-Security-Datasets/psh_control_panel_execution_2020-10-2201312134.json'),
      ], { write: (b) => s.writeEvents(b) });
      expect(report.events).toBeGreaterThan(0);
    });
  });
  afterAll(async () => { await f?.indexed.close(); rmSync(f.dir, { recursive: true, force: true }); });

  it('every process of the captures as origin (up to 60), every request shape', async () => {
    expect(f.rows.length).toBeGreaterThan(20);
    const origins = spread(f.rows, 60);
    expect(await expectOneWalk(f, origins)).toBe(origins.length * SHAPES.length * 2 - origins.filter((o) => !Number.isFinite(Date.parse(o.startTime ?? ''))).length * SHAPES.length);
  });
});
