/**
 * POST /api/prevalence over the embedded store: every figure equals an independent count over the raw
 * events (prevalence-oracle.ts), on the demo fleet (with its 7 days of history) and on real captures;
 * the baseline's bounds are respected; one statement per graph once the tables are current; new
 * writes are taken in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrevalenceAnswer } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { writeDemo } from '../../src/demo/generate.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { dataset, requireDatasets } from '../datasets.js';
import { expectedPrevalence, rawCreates, type RawCreate } from './prevalence-oracle.js';

const HOSTS = 20;
const m = plantedManifest({ hosts: HOSTS });

async function ask(app: ReturnType<typeof createApp>, body: unknown): Promise<PrevalenceAnswer> {
  const res = await request(app).post('/api/prevalence').set('X-Lineage-Request', '1').send(body as object);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as PrevalenceAnswer;
}

function expectFigures(a: PrevalenceAnswer, creates: RawCreate[], guids: string[]): void {
  const want = expectedPrevalence(creates, guids, a.baseline.from, a.baseline.to);
  expect(Object.keys(a.items).sort()).toEqual([...want.keys()].sort());
  for (const [g, w] of want) expect(a.items[g], g).toEqual(w);
}

describe('prevalence on the demo fleet', () => {
  let dir: string;
  let store: EmbeddedStore;
  let app: ReturnType<typeof createApp>;
  let creates: RawCreate[];
  let day0: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-prev-'));
    store = await EmbeddedStore.open(join(dir, 'demo.duckdb'));
    await writeDemo(store, { hosts: HOSTS, processesPerHostDay: 60, historyPerHostDay: 40 });
    const source = new EmbeddedSource(store);
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
    creates = await rawCreates(store);
    // Every day-0 process of the phishing host (what a wide graph there draws), plus the planted oddities.
    day0 = creates.filter((c) => c.host === m.phishing.host && c.ms >= Date.parse('2026-03-02T00:00:00Z')).map((c) => c.guid);
    day0.push(m.lsassAccess.dropper, m.bigParent.guid, m.notLogged.child);
    // A GUID on two hosts (the planted clone) answers for one of them: left out of the exact comparison.
    day0 = day0.filter((g) => g !== m.sharedGuid?.guid);
  }, 600_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('default baseline: the 30 days before the window (to the hour); every figure as counted from the raw events; one statement', async () => {
    const a = await ask(app, { guids: day0, window: { from: '2026-03-02T06:30:00Z', to: '2026-03-03T00:00:00Z' } });
    // 06:30 − 30 days = 31 Jan 06:30, rounded up to the hour; the end rounded down to the hour.
    expect(a.baseline).toEqual({ from: '2026-01-31T07:00:00.000Z', to: '2026-03-02T06:00:00.000Z' });
    expect(a.stats.searches).toBe(1);
    expect(a.unknown).toEqual([]);
    expectFigures(a, creates, day0);
    // The planted phishing pair never happened before day 0: rare. Office apps are everywhere in history.
    expect(a.items[m.phishing.cmd]?.pair).toMatchObject({ parentImage: 'winword.exe', image: 'cmd.exe', hosts: 0, count: 0 });
    const explorer = a.items[m.phishing.explorer]!;
    expect(explorer.pair?.hosts).toBe(HOSTS);
    expect(explorer.chain?.count).toBeGreaterThanOrEqual(HOSTS * 7);
  });

  it('an explicit baseline bounds the counts: inside history, and one that includes day 0 counts the planted pair itself', async () => {
    const inside = await ask(app, { guids: day0, baseline: { from: '2026-02-25T03:00:00Z', to: '2026-02-27T05:00:00Z' } });
    expect(inside.baseline).toEqual({ from: '2026-02-25T03:00:00.000Z', to: '2026-02-27T05:00:00.000Z' });
    expectFigures(inside, creates, day0);
    const wide = await ask(app, { guids: day0, baseline: { from: '2026-02-01T00:00:00Z', to: '2026-03-04T00:00:00Z' } });
    expectFigures(wide, creates, day0);
    expect(wide.items[m.phishing.cmd]?.pair?.count).toBeGreaterThanOrEqual(1);
    // A narrower baseline never counts more.
    for (const g of day0) expect(inside.items[g]!.pair?.count ?? 0).toBeLessThanOrEqual(wide.items[g]!.pair?.count ?? 0);
  });

  it('unknown GUIDs are listed, bad input is a 400 naming the field', async () => {
    const ghost = '{00000000-1111-2222-3333-444444444444}';
    const a = await ask(app, { guids: [m.phishing.cmd, ghost] });
    expect(a.unknown).toEqual([ghost]);
    // No window: the 30 days before the earliest requested start.
    expect(Date.parse(a.baseline.to)).toBeLessThanOrEqual(creates.find((c) => c.guid === m.phishing.cmd)!.ms);
    const bad = await request(app).post('/api/prevalence').set('X-Lineage-Request', '1').send({ guids: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toMatch(/guids/);
  });

  it('events written later are taken in (counted in stats.searches)', async () => {
    const parent = creates.find((c) => c.guid === m.phishing.winword)!;
    const time = '2026-02-28T12:00:00.000Z';
    const guid = '{12345678-aaaa-bbbb-cccc-000000000001}';
    await store.writeEvents([{
      eventId: 1, category: 'process', host: m.phishing.host, recordId: 1_999_999_999, time, guid, targetGuid: null,
      fields: { ProcessGuid: guid, ParentProcessGuid: '{12345678-aaaa-bbbb-cccc-000000000000}', Image: 'C:\\Windows\\System32\\cmd.exe',
        ParentImage: parent.image, CommandLine: 'cmd.exe /c whoami', UtcTime: time.replace('T', ' ').slice(0, 23) },
    }]);
    const a = await ask(app, { guids: [m.phishing.cmd], window: { from: '2026-03-02T06:30:00Z', to: '2026-03-03T00:00:00Z' } });
    expect(a.stats.searches).toBeGreaterThan(1);
    expect(a.items[m.phishing.cmd]?.pair).toMatchObject({ hosts: 1, count: 1 });
    expectFigures(a, await rawCreates(store), [m.phishing.cmd]);
  });
});

describe('prevalence on real captures', () => {
  if (!requireDatasets('prevalence on real captures')) return;
  const FILES = [
    'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log',
    'splunk-attack_data/nxlog-json/T1027_atomic_red_team/attack_data.txt',
    'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json',
  ];
  let dir: string;
  let store: EmbeddedStore;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-prev-real-'));
    store = await EmbeddedStore.open(join(dir, 'real.duckdb'));
    const s = store;
    // Plain ingest, no prevalence step: the first request builds the tables in place (an older store's upgrade).
    await ingestPaths(FILES.map(dataset), { write: (b) => s.writeEvents(b) });
    const source = new EmbeddedSource(s);
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
  }, 600_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every process of the captures: figures over all time equal the independent count', async () => {
    const creates = await rawCreates(store);
    expect(creates.length).toBeGreaterThan(100);
    const guids = [...new Set(creates.map((c) => c.guid))].slice(0, 5000);
    const a = await ask(app, { guids, baseline: { from: '2000-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' } });
    expect(a.stats.searches).toBeGreaterThan(1); // the tables were built by this request
    expectFigures(a, creates, guids);
    const again = await ask(app, { guids, baseline: { from: '2000-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' } });
    expect(again.stats.searches).toBe(1);
    // Some pair is seen more than once, some only once: the figures discriminate.
    const counts = Object.values(a.items).map((i) => i.pair?.count ?? 0);
    expect(Math.max(...counts)).toBeGreaterThan(1);
    expect(counts).toContain(1);
  });
});
