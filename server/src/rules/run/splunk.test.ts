/**
 * The same rules over the same captures give identical hits from the embedded store and from Splunk (the
 * Splunk-REST-compatible test server), and the Splunk run moves only the rows the push-down asks for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from '../../../test/datasets.js';
import { openPair, type Pair } from '../../../test/splunk/fixture.js';
import type { EmbeddedSource } from '../../sources/embedded/index.js';
import type { SplunkSource } from '../../sources/splunk/source.js';
import { newContext, type NamePairCount } from '../../sources/event-source.js';
import { loadPack } from '../pack.js';
import { runRules } from './run.js';
import { pinnedNames } from './scan-plan.js';

const FILES = [
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_sysmon_psexec_smb_meterpreter.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Privilege Escalation/Sysmon_UACME_53.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_wmi_PoisonHandler_Mr-Un1k0d3r_sysmon_1_13.xml.log',
  'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json',
];

describe.runIf(requireDatasets('rules: embedded vs Splunk'))('rules: embedded and Splunk give identical hits', () => {
  const pack = loadPack();
  let pair: Pair;
  let splunk: SplunkSource;
  let embedded: EmbeddedSource;
  beforeAll(async () => {
    pair = await openPair(FILES.map((f) => dataset(f)));
    ({ splunk, embedded } = pair);
  });
  afterAll(async () => { await pair?.close(); });

  it('both sources count creates by (image, parent image) basename alike: the planner sees the same data', async () => {
    const names = pinnedNames(pack);
    const sorted = (xs: NamePairCount[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name) || a.parentName.localeCompare(b.parentName));
    const e = sorted(await embedded.countNamePairs(names, { ctx: newContext() }));
    const s = sorted(await splunk.countNamePairs(names, { ctx: newContext() }));
    expect(s).toEqual(e);
    // services.exe → cmd.exe etc. are there; every row touches a pinned name
    expect(e.length).toBeGreaterThan(5);
    for (const c of e) expect(names.includes(c.name) || names.includes(c.parentName)).toBe(true);
  });

  it('both sources narrow a scan by parent image basename alike (the pair push-down: shells under w3wp / services)', async () => {
    const scan = async (src: SplunkSource | EmbeddedSource, o: { names?: string[]; parentNames?: string[] }) => {
      const out: string[] = [];
      for await (const b of src.scanProcesses({ ctx: newContext(), ...o })) for (const r of b) out.push(`${r.host} ${r.guid} ${r.name} ${r.parentImage.split('\\').pop()!.toLowerCase()}`);
      return out.sort();
    };
    const o = { names: ['cmd.exe', 'powershell.exe'], parentNames: ['w3wp.exe', 'services.exe', 'wmiprvse.exe'] };
    const e = await scan(embedded, o);
    expect(await scan(splunk, o)).toEqual(e);
    expect(e.length).toBeGreaterThan(0);
    for (const row of e) expect(o.parentNames).toContain(row.split(' ')[3]);
    // Narrower than the names alone: the IIS webshell capture's cmd.exe under w3wp, not every shell.
    expect((await scan(embedded, { names: o.names })).length).toBeGreaterThan(e.length);
  });

  it('same hits, same paths; Splunk scans only leaf/anchor names and walks ancestors in few searches', async () => {
    const e = await runRules(embedded, pack, { ctx: newContext() });
    const ctx = newContext();
    const s = await runRules(splunk, pack, { ctx });
    const key = (h: (typeof e.hits)[number]) => ({ rule: h.rule, host: h.host, chain: h.chain, steps: h.steps, truncated: h.truncated });
    expect(e.hits.length).toBe(10); // 2 + 2 + 3 + 2 + 1, as in run.test.ts per capture
    expect(s.hits.map(key)).toEqual(e.hits.map(key));
    expect(s.stats.pushedNames).toEqual(e.stats.pushedNames);
    // one scan per plan term, ≤ reach + 1 ancestor rounds, ≤ 2 searches per child page (anchored rules:
    // the Splunk source fetches the children's end times alongside)
    expect(s.stats.counted).toBe(true);
    expect(s.stats.searches).toBeLessThanOrEqual(1 + s.stats.scans + s.stats.ancestorRounds + 2 * s.stats.childPages);
    expect(s.stats.childPages).toBeLessThanOrEqual(3); // the deepest walk below an anchor in the pack
    expect(s.stats.scanned + s.stats.ancestors + (s.stats.descendants ?? 0)).toBe(e.stats.scanned + e.stats.ancestors + (e.stats.descendants ?? 0));
  });
});
