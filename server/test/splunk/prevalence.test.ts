/**
 * Prevalence from Splunk (the splunkd test server over real captures): pair and image figures equal an
 * independent count over the same raw events (prevalence-oracle.ts, read from an embedded store of the
 * same files); one stats search per graph, then answered from the per-baseline cache; chain and
 * command line are not answered (null).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext } from '../../src/sources/event-source.js';
import { prevalence } from '../../src/services/prevalence.js';
import { dataset, requireDatasets } from '../datasets.js';
import { expectedPrevalence, rawCreates, type RawCreate } from '../api/prevalence-oracle.js';
import { openPair, type Pair } from './fixture.js';

describe('prevalence from Splunk', () => {
  if (!requireDatasets('prevalence from Splunk')) return;
  const FILES = [
    'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log',
    'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json',
  ].map(dataset);
  let pair: Pair;
  let creates: RawCreate[];
  let guids: string[];
  const ALL = { from: '2000-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' };

  beforeAll(async () => {
    pair = await openPair(FILES);
    creates = await rawCreates((pair.embedded as unknown as { store: Parameters<typeof rawCreates>[0] }).store);
    guids = [...new Set(creates.map((c) => c.guid))].slice(0, 300);
  }, 600_000);
  afterAll(async () => { await pair?.close(); });

  it('pair and image figures equal the independent count; chain and command line null; one stats search, then the cache', async () => {
    const ctx = newContext();
    const a = await prevalence(pair.splunk, { guids, baseline: ALL }, ctx);
    expect(a.source).toBe('splunk');
    expect(a.baseline).toEqual(ALL);
    const processJobs = Math.ceil(guids.length / 1000);
    expect(a.stats.searches).toBe(processJobs + 1);
    expect(a.cached).toBe(false);
    const want = expectedPrevalence(creates, guids, ALL.from, ALL.to);
    expect(Object.keys(a.items).sort()).toEqual([...want.keys()].sort());
    for (const [g, w] of want) {
      const got = a.items[g]!;
      expect({ pair: got.pair, image: got.image }, g).toEqual({ pair: w.pair, image: w.image });
      expect(got.chain).toBeNull();
      expect(got.commandLine).toBeNull();
    }
    expect(Math.max(...Object.values(a.items).map((i) => i.pair?.count ?? 0))).toBeGreaterThan(1);
    expect(Math.max(...Object.values(a.items).map((i) => i.image?.count ?? 0))).toBeGreaterThan(1);
    const again = await prevalence(pair.splunk, { guids, baseline: ALL }, newContext());
    expect(again.stats.searches).toBe(0);
    expect(again.cached).toBe(true);
    expect(again.items).toEqual(a.items);
  });

  it('a baseline that ends before the captures counts nothing (bounds reach Splunk)', async () => {
    const early = { from: '2000-01-01T00:00:00.000Z', to: '2001-01-01T00:00:00.000Z' };
    const a = await prevalence(pair.splunk, { guids: guids.slice(0, 20), baseline: early }, newContext());
    expect(a.stats.searches).toBe(1); // the records are remembered; one stats search for the new baseline
    for (const item of Object.values(a.items)) {
      expect(item.pair?.count ?? 0).toBe(0);
      expect(item.image?.count).toBe(0);
    }
  });
});
