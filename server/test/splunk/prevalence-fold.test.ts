/**
 * The command-line fold spelled in SPL (`foldSpl`, run by the splunkd test server's `replace()`) equals
 * the sibling key's fold and the oracle's own spelling of the rules, on every real command line of the
 * captures (process creates and their parents' command lines).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext } from '../../src/sources/event-source.js';
import { normaliseCommandLine } from '../../src/graph/sibling-key.js';
import { foldSpl } from '../../src/sources/splunk/prevalence.js';
import { dataset, requireDatasets } from '../datasets.js';
import { foldCommandLine } from '../api/prevalence-oracle.js';
import { openPair, type Pair } from './fixture.js';

describe('command-line folding in SPL', () => {
  if (!requireDatasets('command-line folding in SPL')) return;
  const FILES = [
    'sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.log',
    'OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json',
  ].map(dataset);
  let pair: Pair;
  beforeAll(async () => { pair = await openPair(FILES); }, 600_000);
  afterAll(async () => { await pair?.close(); });

  it('SPL fold == sibling key == oracle fold on every captured command line', async () => {
    const s = pair.splunk.spl;
    const spl = `${s.base()} EventCode=1 | eval a=${foldSpl(`coalesce(${s.f('CommandLine')}, "")`)}`
      + ` | eval b=${foldSpl(`coalesce(${s.f('ParentCommandLine')}, "")`)}`
      + ` | eval ca=coalesce(${s.f('CommandLine')}, "") | eval cb=coalesce(${s.f('ParentCommandLine')}, "") | table ca a cb b`;
    const { rows } = await pair.splunk.client.search(spl, { ctx: newContext() });
    const pairs = rows.flatMap((r) => [[String(r.ca ?? ''), String(r.a ?? '')], [String(r.cb ?? ''), String(r.b ?? '')]] as const);
    const distinct = new Map(pairs);
    expect(distinct.size).toBeGreaterThan(100);
    let folded = 0;
    for (const [raw, spled] of distinct) {
      expect(spled, raw).toBe(normaliseCommandLine(raw));
      expect(spled, raw).toBe(foldCommandLine(raw));
      if (spled !== raw.toLowerCase().replace(/\s+/g, ' ').trim()) folded++;
    }
    expect(folded).toBeGreaterThan(20); // the rules did fold something: digits, GUIDs, temp names
  });
});
