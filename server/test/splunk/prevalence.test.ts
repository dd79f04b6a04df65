/**
 * Prevalence from Splunk (the splunkd test server over real captures): pair and image figures equal an
 * independent count over the same raw events (prevalence-oracle.ts, read from an embedded store of the
 * same files, plus a renamed copy of one image on another host, so image-by-hash must count it); one
 * stats search per graph, then answered from the per-baseline cache; chain is not answered (null, with
 * the reason in `notComputed.chain`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { investigate } from '../../src/graph/investigate.js';
import { newContext } from '../../src/sources/event-source.js';
import { prevalence } from '../../src/services/prevalence.js';
import { dataset, requireDatasets } from '../datasets.js';
import { expectedPrevalence, rawCreates, type RawCreate } from '../api/prevalence-oracle.js';
import { loginSource, openPair, type Pair } from './fixture.js';

describe('prevalence from Splunk', () => {
  if (!requireDatasets('prevalence from Splunk')) return;
  const FILES = [
    'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log',
    'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json',
  ].map(dataset);
  let pair: Pair;
  let creates: RawCreate[];
  let guids: string[];
  let renamed: { hash: string; original: string };
  const tmp = mkdtempSync(join(tmpdir(), 'lineage-prev-renamed-'));
  const RENAMED_HOST = 'renamed-copy.example';
  const ALL = { from: '2000-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' };

  beforeAll(async () => {
    // A renamed copy: the first create of the OTRF capture, same Hashes, another name, GUID and host.
    const line = readFileSync(FILES[1]!, 'utf8').split('\n').find((l) => /"EventID":1,/.test(l) && /SHA256=/.test(l))!;
    const ev = JSON.parse(line) as Record<string, unknown>;
    renamed = { hash: `SHA256=${/SHA256=([0-9A-F]+)/i.exec(String(ev.Hashes))![1]!.toUpperCase()}`, original: String(ev.Image) };
    Object.assign(ev, { Image: 'C:\\Users\\Public\\renamed-copy.exe', ProcessGuid: '{d273d0f0-0000-5f67-0708-00000000abcd}', Hostname: RENAMED_HOST, host: RENAMED_HOST });
    const extra = join(tmp, 'renamed.json');
    writeFileSync(extra, `${JSON.stringify(ev)}\n`);
    pair = await openPair([...FILES, extra]);
    creates = await rawCreates((pair.embedded as unknown as { store: Parameters<typeof rawCreates>[0] }).store);
    const withHash = creates.find((c) => c.host !== RENAMED_HOST && c.hashes.toUpperCase().includes(renamed.hash))!;
    guids = [...new Set([withHash.guid, ...creates.map((c) => c.guid)])].slice(0, 300);
  }, 600_000);
  afterAll(async () => { await pair?.close(); rmSync(tmp, { recursive: true, force: true }); });

  it('pair, command-line and image figures equal the independent count; chain null with a reason; one stats search, then the cache', async () => {
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
      expect({ pair: got.pair, commandLine: got.commandLine, image: got.image }, g).toEqual({ pair: w.pair, commandLine: w.commandLine, image: w.image });
      expect(got.chain).toBeNull();
    }
    expect(a.notComputed?.chain).toMatch(/not available on Splunk/);
    expect(Math.max(...Object.values(a.items).map((i) => i.commandLine?.count ?? 0))).toBeGreaterThan(1);
    // The renamed copy is counted under its original's hash (a name-only search would miss its host).
    const orig = guids.find((g) => a.items[g]?.image?.hash === renamed.hash);
    expect(orig, 'a drawn process with the renamed copy\'s hash').toBeDefined();
    const sameName = creates.filter((c) => c.image.toLowerCase() === renamed.original.toLowerCase() && c.hashes.toUpperCase().includes(renamed.hash)).length;
    expect(a.items[orig!]!.image!.count).toBe(sameName + 1);
    expect(creates.some((c) => c.host === RENAMED_HOST)).toBe(true);
    expect(Math.max(...Object.values(a.items).map((i) => i.pair?.count ?? 0))).toBeGreaterThan(1);
    expect(Math.max(...Object.values(a.items).map((i) => i.image?.count ?? 0))).toBeGreaterThan(1);
    const again = await prevalence(pair.splunk, { guids, baseline: ALL }, newContext());
    expect(again.stats.searches).toBe(0);
    expect(again.cached).toBe(true);
    expect(again.items).toEqual(a.items);
  });

  it('after a graph, its processes\' prevalence costs the stats search alone (the graph\'s records are kept)', async () => {
    const fresh = await loginSource(pair.splunkd);
    // The process with the most children in the captures (from the raw creates): a graph of several processes.
    const kids = new Map<string, number>();
    for (const c of creates) kids.set(c.parentGuid, (kids.get(c.parentGuid) ?? 0) + 1);
    const origin = creates.filter((c) => c.host !== RENAMED_HOST).sort((x, y) => (kids.get(y.guid) ?? 0) - (kids.get(x.guid) ?? 0))[0]!;
    const doc = await investigate(fresh, { guid: origin.guid, host: origin.host, up: true, down: Infinity }, newContext());
    const drawn = doc.nodes.filter((n) => !n.placeholder && n.kind === 'process').map((n) => n.guid);
    expect(drawn.length).toBeGreaterThan(1);
    const a = await prevalence(fresh, { guids: drawn, baseline: ALL }, newContext());
    expect(a.stats.searches).toBe(1);
    const want = expectedPrevalence(creates, drawn, ALL.from, ALL.to);
    for (const [g, w] of want) expect({ pair: a.items[g]!.pair, commandLine: a.items[g]!.commandLine, image: a.items[g]!.image }, g).toEqual({ pair: w.pair, commandLine: w.commandLine, image: w.image });
  });

  it('a baseline that ends before the captures counts nothing (bounds reach Splunk)', async () => {
    const early = { from: '2000-01-01T00:00:00.000Z', to: '2001-01-01T00:00:00.000Z' };
    const a = await prevalence(pair.splunk, { guids: guids.slice(0, 20), baseline: early }, newContext());
    expect(a.stats.searches).toBe(1); // the records are remembered; one stats search for the new baseline
    for (const item of Object.values(a.items)) {
      expect(item.pair?.count ?? 0).toBe(0);
      expect(item.image?.count).toBe(0);
      if (item.commandLine) expect(item.commandLine.count).toBe(0);
    }
  });
});
