/**
 * Cross-host stitching on real captures: every file of EVTX-ATTACK-SAMPLES `Lateral Movement` and the
 * OTRF remote-WMI capture (WORKSTATION5 → WORKSTATION6), ingested into one store. Expected links come
 * from the files themselves, read here independently (line regexes / JSON.parse, not our ingest): a
 * connection both hosts logged (same 5-tuple, either orientation, within 5 s), a process the port's
 * launcher started on the target within 2 min, each root to its closest connection. docs/lateral.md
 * explains why the EVTX-ATTACK-SAMPLES files cannot link.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { linkLateral } from '../../src/graph/lateral.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { newContext } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';

const LM = 'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement';
const OTRF = 'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json';

/** A Sysmon event as the oracle reads it: machine, EventID, time (ms), data fields. */
interface Ev { host: string; id: number; ms: number; d: Record<string, string> }

function xmlEvents(file: string): Ev[] {
  const out: Ev[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('Microsoft-Windows-Sysmon')) continue;
    const d: Record<string, string> = {};
    for (const m of line.matchAll(/<Data Name=["']([^"']+)["']>([^<]*)<\/Data>/g)) d[m[1]!] = m[2]!.replace(/&amp;/g, '&');
    const host = /<Computer>([^<]*)<\/Computer>/.exec(line)?.[1] ?? '';
    out.push({ host: host.toLowerCase(), id: Number(/<EventID>(\d+)</.exec(line)?.[1]), ms: Date.parse(`${d.UtcTime?.replace(' ', 'T')}Z`), d });
  }
  return out;
}

function jsonEvents(file: string): Ev[] {
  const out: Ev[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (o.SourceName !== 'Microsoft-Windows-Sysmon') continue;
    const d = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    out.push({ host: String(o.Hostname).toLowerCase(), id: Number(o.EventID), ms: Date.parse(`${d.UtcTime?.replace(' ', 'T')}Z`), d });
  }
  return out;
}

const LAUNCHER: Record<string, string> = { '445': 'services.exe', '135': 'wmiprvse.exe', '5985': 'wsmprovhost.exe', '5986': 'wsmprovhost.exe' };
const lowerGuid = (g: string | undefined): string => (g ?? '').toLowerCase();

/** The links the files allow, by the rules above: `source guid → root guid` strings. */
function expectedLinks(evs: Ev[]): { pairs: number; links: string[] } {
  const net = evs.filter((e) => e.id === 3);
  const key = (a: string, ap: string, b: string, bp: string) => `${a}:${ap}>${b}:${bp}`;
  let pairs = 0;
  const best = new Map<string, { src: string; gap: number }>();
  for (const o of net.filter((e) => e.d.Initiated === 'true' && LAUNCHER[e.d.DestinationPort ?? ''])) {
    const k = key(o.d.SourceIp!, o.d.SourcePort!, o.d.DestinationIp!, o.d.DestinationPort!);
    const peer = net.find((i) => i.d.Initiated === 'false' && i.host !== o.host && Math.abs(i.ms - o.ms) <= 5000
      && (key(i.d.SourceIp!, i.d.SourcePort!, i.d.DestinationIp!, i.d.DestinationPort!) === k || key(i.d.DestinationIp!, i.d.DestinationPort!, i.d.SourceIp!, i.d.SourcePort!) === k));
    if (!peer) continue;
    pairs += 1;
    const t = Math.min(o.ms, peer.ms);
    for (const r of evs.filter((e) => e.id === 1 && e.host === peer.host && (e.d.ParentImage ?? '').toLowerCase().endsWith(`\\${LAUNCHER[o.d.DestinationPort!]}`))) {
      const gap = r.ms - t;
      if (gap < -5000 || gap > 120_000) continue;
      const root = lowerGuid(r.d.ProcessGuid);
      if (!best.has(root) || Math.abs(gap) < best.get(root)!.gap) best.set(root, { src: lowerGuid(o.d.ProcessGuid), gap: Math.abs(gap) });
    }
  }
  return { pairs, links: [...best].map(([root, b]) => `${b.src} → ${root}`).sort() };
}

const run = requireDatasets('lateral movement on real captures');

describe.runIf(run)('lateral links in real captures', () => {
  let dir: string;
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  const lmFiles = run ? readdirSync(dataset(LM)).map((f) => join(dataset(LM), f)).sort() : [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-lateral-real-'));
    store = await EmbeddedStore.open(join(dir, 'real.duckdb'));
    await ingestPaths([...lmFiles, dataset(OTRF)], { write: (b) => store.writeEvents(b) });
    source = new EmbeddedSource(store);
  });
  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function linksIn(from: string, to: string): Promise<string[]> {
    const facts = await source.lateralFacts({ from, to }, newContext());
    return linkLateral(facts).map((l) => `${l.source} → ${l.target}`).sort();
  }

  it('EVTX-ATTACK-SAMPLES Lateral Movement: each file is one machine, no connection is logged at both ends, nothing links', async () => {
    expect(lmFiles.length).toBe(5);
    for (const f of lmFiles) {
      const evs = xmlEvents(f);
      expect(new Set(evs.map((e) => e.host)).size, f).toBe(1);
      expect(expectedLinks(evs), f).toEqual({ pairs: 0, links: [] });
    }
    expect(await linksIn('2019-01-01T00:00:00Z', '2019-12-31T00:00:00Z')).toEqual([]);
  });

  it('OTRF remote WMI: the connections both workstations logged link the source to what WmiPrvSE started', async () => {
    const evs = jsonEvents(dataset(OTRF));
    const want = expectedLinks(evs);
    expect(want.pairs).toBeGreaterThan(0);
    expect(want.links.length).toBeGreaterThan(0);
    expect(await linksIn('2020-09-20T00:00:00Z', '2020-09-21T00:00:00Z')).toEqual(want.links);
    const facts = await source.lateralFacts({ from: '2020-09-20T00:00:00Z', to: '2020-09-21T00:00:00Z' }, newContext());
    const l = linkLateral(facts)[0]!;
    expect([l.sourceHost, l.targetHost, l.mechanism, l.confidence]).toEqual(['workstation5.theshire.local', 'workstation6.theshire.local', 'wmi', 'high']);
  });
});
