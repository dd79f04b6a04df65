/**
 * Rule scans at fleet scale (docs/splunk.md "Rule scans at fleet scale"), on UF-shaped data (host =
 * short name): every pushed predicate carries the image basename as an indexed keyword, ancestry of
 * candidates comes in few batched rounds, and the hits equal the embedded store's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPack } from '../../src/rules/pack.js';
import { runRules } from '../../src/rules/run/run.js';
import { newContext } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';
import { openPair, type Pair } from './fixture.js';

const FILES = [
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_winrm_exec_sysmon_1_winrshost.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Privilege Escalation/Sysmon_UACME_53.xml.log',
];

describe.runIf(requireDatasets('rule scans on Splunk'))('rule scans on UF-shaped Splunk data', () => {
  let pair: Pair;
  beforeAll(async () => { pair = await openPair(FILES.map((f) => dataset(f)), { data: { deployment: { host: 'short' } } }); });
  afterAll(async () => { await pair?.close(); });

  it('winrshost -[1..3]-> recon: same hit as embedded, in a bounded number of jobs, each scan term keyed', async () => {
    const pack = loadPack().filter((r) => r.id === 'lin-winrm-recon');
    expect(pack).toHaveLength(1);
    const e = await runRules(pair.embedded, pack, { ctx: newContext() });
    const first = pair.splunkd.received.length;
    const ctx = newContext();
    const s = await runRules(pair.splunk, pack, { ctx });
    const key = (h: (typeof e.hits)[number]) => ({ rule: h.rule, host: h.host, chain: h.chain, steps: h.steps });
    expect(e.hits.length).toBe(1); // winrshost.exe > cmd.exe > ipconfig.exe (run.test.ts)
    expect(s.hits.map(key)).toEqual(e.hits.map(key));
    // Planner statistics (1) + one scan per plan term + ≤ 2 ancestor rounds (the 2nd only when a
    // candidate's parent lies outside the first round's window) — was one round per generation.
    expect(s.stats.ancestorRounds).toBeLessThanOrEqual(2);
    expect(ctx.stats.searches).toBeLessThanOrEqual(1 + s.stats.scans + 2 + 2 * s.stats.childPages);
    // Every search that filters on an image basename also carries it as a quoted keyword (an indexed term).
    const spls = pair.splunkd.received.slice(first).map((r) => r.spl);
    let keyed = 0;
    for (const spl of spls) {
      for (const m of spl.matchAll(/Image IN \(([^)]*)\)/g)) {
        for (const v of m[1]!.split(', ')) {
          const base = v.replace(/^"\*\\\\/, '').replace(/"$/, '');
          expect(spl, `${base} keyed`).toContain(`"${base}"`);
          keyed++;
        }
      }
    }
    expect(keyed).toBeGreaterThan(0);
    expect(pair.splunkd.jobs.all().filter((j) => j.owner === 'admin')).toEqual([]);
  });
});
