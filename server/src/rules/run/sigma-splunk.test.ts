/**
 * Sigma-based lineage rules (docs/rules.md §1.3) over real captures: the embedded store and Splunk (the
 * Splunk-REST-compatible test server) give the same hits, the Sigma steps' image names are pushed down
 * (server/src/sigma/names.ts), and hostile Sigma values reach SPL escaped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGMAHQ, dataset, requireDatasets, requireSigmaHQ } from '../../../test/datasets.js';
import { openPair, type Pair } from '../../../test/splunk/fixture.js';
import type { EmbeddedSource } from '../../sources/embedded/index.js';
import type { SplunkSource } from '../../sources/splunk/source.js';
import { loadRules as loadSigma, sigmaLibrary } from '../../sigma/load.js';
import { newContext } from '../../sources/event-source.js';
import { parseRulesOrThrow, type ParseOptions } from '../language/parse.js';
import { runRules } from './run.js';

const FILES = [
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.xml.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_sysmon_psexec_smb_meterpreter.xml.log',
];
const WEBSHELL = '8202070f-edeb-4d31-a010-a26c72ac5600'; // proc_creation_win_webshell_susp_process_spawned_from_webserver.yml

const RULES = `
title: a shell spawned by a web server (SigmaHQ rule by id)
id: sig-1
chain:
  - match: { sigma: ${WEBSHELL} }
---
title: a process 1..3 levels below w3wp, which is a cmd.exe with /c (inline Sigma detection)
id: sig-2
chain:
  - as: web
    match: { sigma: { web: { Image|endswith: '\\w3wp.exe' }, condition: web } }
  - as: shell
    via: 1..3
    match: { sigma: { sel: { Image|endswith: '\\cmd.exe', CommandLine|contains|windash: ' /c ' }, condition: sel } }
`;

const present = requireDatasets('Sigma lineage rules: embedded vs Splunk') && requireSigmaHQ('Sigma lineage rules: embedded vs Splunk');
describe.runIf(present)('Sigma lineage rules: embedded and Splunk give identical hits', () => {
  let pair: Pair;
  let splunk: SplunkSource;
  let embedded: EmbeddedSource;
  let opts: ParseOptions = {};
  beforeAll(async () => {
    const pc = join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation');
    opts = { sigma: sigmaLibrary(loadSigma([join(pc, 'proc_creation_win_webshell_susp_process_spawned_from_webserver.yml')]).rules, 'test library') };
    pair = await openPair(FILES.map((f) => dataset(f)));
    ({ splunk, embedded } = pair);
  });
  afterAll(async () => { await pair?.close(); });

  it('same hits and paths; the Sigma steps push their image names down', async () => {
    const rules = parseRulesOrThrow(RULES, null, opts);
    const e = await runRules(embedded, rules, { ctx: newContext() });
    const s = await runRules(splunk, rules, { ctx: newContext() });
    const key = (h: (typeof e.hits)[number]) => ({ rule: h.rule, host: h.host, chain: h.chain, steps: h.steps, truncated: h.truncated });
    expect(s.hits.map(key)).toEqual(e.hits.map(key));
    expect(e.hits.filter((h) => h.rule === 'sig-1').length).toBeGreaterThan(0);
    expect(e.hits.filter((h) => h.rule === 'sig-2').length).toBeGreaterThan(0);
    // Not a full scan: the names the planner pushed are the Sigma rules' pinned images.
    expect(s.stats.pushedNames).not.toBeNull();
    expect(s.stats.pushedNames).toEqual(e.stats.pushedNames);
    const spl = pair.splunkd.received.map((r) => r.spl).join('\n');
    expect(spl).toContain('Image IN ("*\\\\arp.exe"');
    expect(spl).toContain('"*\\\\cmd.exe"');
  });

  it('a hostile value in a Sigma detection reaches SPL escaped; a backtick is refused with a message', async () => {
    const evil = 'a" OR index=_internal OR x="1.exe';
    const rule = parseRulesOrThrow(`title: evil\nid: evil\nchain:\n  - match: { sigma: { s: { Image|endswith: '\\${evil}' }, condition: s } }\n`);
    const before = pair.splunkd.received.length;
    const s = await runRules(splunk, rule, { ctx: newContext() });
    expect(s.hits).toEqual([]);
    const sent = pair.splunkd.received.slice(before).map((r) => r.spl).join('\n');
    expect(sent).toContain('"*\\\\a\\" or index=_internal or x=\\"1.exe"');
    expect(sent.toLowerCase()).not.toContain('a" or index=_internal');
    const tick = parseRulesOrThrow("title: tick\nid: tick\nchain:\n  - match: { sigma: { s: { Image|endswith: '\\a`whoami`.exe' }, condition: s } }\n");
    await expect(runRules(splunk, tick, { ctx: newContext() })).rejects.toThrow(/backticks are not allowed/);
  });
});
