/**
 * The rule pack run end to end over the embedded store (DuckDB) through the EventSource seam:
 * demo fleet (planted chains found, no benign process) and real Sysmon captures (the chains found by
 * reading each capture's process tree, listed below, and nothing else).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from '../../../test/datasets.js';
import { writeDemo } from '../../demo/generate.js';
import { plantedManifest } from '../../demo/planted.js';
import { ingestPaths } from '../../ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../../sources/embedded/index.js';
import { newContext } from '../../sources/event-source.js';
import { loadPack } from '../pack.js';
import { parseRulesOrThrow } from '../language/parse.js';
import { runRules, type RunResult } from './run.js';
import { countedCosts, pinnedNames, planScan } from './scan-plan.js';

const pack = loadPack();
const base = (p: string) => (p.split(/[\\/]/).pop() ?? p).toLowerCase();
const describeHits = (r: RunResult) => r.hits.map((h) => `${h.rule}: ${h.images.map(base).join(' > ')}`).sort();

describe('demo fleet (embedded store)', () => {
  const hosts = 20;
  const m = plantedManifest({ hosts });
  let source: EmbeddedSource;
  let result: RunResult;
  beforeAll(async () => {
    const store = await EmbeddedStore.open(':memory:');
    await writeDemo(store, { hosts });
    source = new EmbeddedSource(store);
    result = await runRules(source, pack, { ctx: newContext() });
  });
  afterAll(async () => { await source?.close(); });

  it('finds each planted chain with its rule, with the planted GUIDs oldest first, and no benign process', () => {
    const got = result.hits.map((h) => ({ rule: h.rule, host: h.host, chain: h.chain }));
    expect(got).toEqual([
      // OUTLOOK → WINWORD → cmd → powershell → rundll32: the macro's shell and its PowerShell
      { rule: 'lin-office-shell', host: m.phishing.host, chain: [m.phishing.winword, m.phishing.cmd] },
      { rule: 'lin-office-shell', host: m.phishing.host, chain: [m.phishing.winword, m.phishing.cmd, m.phishing.powershell] },
      // the planted lateral movements' payloads on their target host
      { rule: 'lin-psexesvc-shell', host: m.psexec!.target.host, chain: [m.psexec!.psexesvc, m.psexec!.payload] },
      { rule: 'lin-wmi-powershell', host: m.wmi!.target.host, chain: [m.wmi!.wmiprvse, m.wmi!.payload] },
      { rule: 'lin-0001', host: m.cmdPowershellWinword.host, chain: [m.cmdPowershellWinword.cmd, m.cmdPowershellWinword.powershell, m.cmdPowershellWinword.winword] },
      { rule: 'lin-0001', host: m.conhostChain.host, chain: [m.conhostChain.cmd, m.conhostChain.conhost, m.conhostChain.powershell, m.conhostChain.excel] },
    ]);
    const winword = result.hits[4]!;
    expect(winword.steps).toEqual([0, 1, 2]);
    expect(result.hits[5]!.steps).toEqual([0, null, 1, 2]);
    expect(winword.url).toContain(`guid=${m.cmdPowershellWinword.winword}`);
    expect(winword.url).toContain(`highlight=${m.cmdPowershellWinword.cmd},${m.cmdPowershellWinword.powershell},${m.cmdPowershellWinword.winword}`);
  });

  it('pushes the leaf names down and walks ancestors in ≤ max reach + 1 batched queries', async () => {
    const s = result.stats;
    // The plan comes from the store's own (image, parent image) counts: one statistics query.
    expect(s.counted).toBe(true);
    const counted = planScan(pack, countedCosts(await source.countNamePairs(pinnedNames(pack), { ctx: newContext() })));
    expect(s.pushedNames).toEqual(counted.names);
    expect(s.pushedNames).toContain('winword.exe');
    expect(s.pushedNames).not.toContain('svchost.exe');
    expect(s.ancestorRounds).toBeLessThanOrEqual(Math.max(...pack.map((r) => r.steps.reduce((a, x) => a + Math.min(x.hi, 256), 0))) + 1);
    // the counts, then one query per plan term, per ancestor round and per descendant page (+ event pages)
    expect(s.scans).toBe(counted.terms.length);
    expect(s.searches).toBeLessThanOrEqual(1 + s.scans + s.ancestorRounds + s.childPages + 1);
    expect(s.scanned).toBeGreaterThan(0);
  });

  it('restricts hits to leaves created in the range, still seeing parents created before it', async () => {
    // The cmd → powershell → winword chain starts at m.cmdPowershellWinword.time; open the window after cmd.
    const t = Date.parse(m.cmdPowershellWinword.time);
    const rules = parseRulesOrThrow('cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe');
    const inRange = await runRules(source, rules, { ctx: newContext(), range: { from: new Date(t + 1).toISOString(), to: new Date(t + 3_600_000).toISOString() } });
    expect(inRange.hits.map((h) => h.chain.at(-1))).toEqual([m.cmdPowershellWinword.winword]);
    const before = await runRules(source, rules, { ctx: newContext(), range: { from: new Date(t - 7_200_000).toISOString(), to: new Date(t - 3_600_000).toISOString() } });
    expect(before.hits).toEqual([]);
  });
});

/**
 * Process trees read from each capture (parent > child; [x] = parent without its own create):
 *  OTRF cmd_mshta:          cmd > mshta > powershell > conhost
 *  OTRF empire_launcher:    explorer > wscript > powershell -enc > {conhost, whoami}; svchost > WmiPrvSE
 *  OTRF empire_msbuild:     [svchost] > WmiPrvSE > cmd > MSBuild > {csc > cvtres, powershell > whoami}
 *  OTRF control_panel:      [powershell] > control > rundll32 > rundll32 > cmd > {conhost, calc}
 *  IIS webshell:            [w3wp] > cmd > net > net1
 *  wmiexec (impacket):      [WmiPrvSE] > cmd /Q /c … 1> \\127.0.0.1\ADMIN$ ×3; one cmd > whoami
 *  psexec meterpreter:      [services] > cmd > powershell > powershell
 *  winrm:                   [svchost] > winrshost > cmd > ipconfig
 *  maldoc mshta:            [explorer] > WINWORD; [explorer] > mshta > rundll32 (COM-launched: no office parent)
 *  rundll32/mshta/schtasks: [cmd] > cmd > rundll32 javascript: > mshta > schtasks /Create
 *  UACME 53:                [cmd] > UACME (Medium) > sdclt (High) > control > cmd (High)
 *  PoisonHandler:           [WmiPrvSE] > rundll32 url.dll > cmd > notepad (×2); [WmiPrvSE] > cmd > cmd > notepad
 *  sideloading/uac bypass:  [dllhost] > test.exe (High) > WINWORD.exe (fake) > {rundll32, explorer, WINWORD, cmd}
 */
const CAPTURES: [string, string[]][] = [
  ['OTRF-Security-Datasets/cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json', ['lin-mshta-shell: mshta.exe > powershell.exe']],
  ['OTRF-Security-Datasets/empire_launcher_vbs_2020-09-04160940.json', ['lin-script-encoded-ps: wscript.exe > powershell.exe']],
  ['OTRF-Security-Datasets/empire_msbuild_dcerpc_wmi_smb_2020-09-20173857.json', ['lin-wmi-powershell: wmiprvse.exe > cmd.exe > msbuild.exe > powershell.exe']],
  ['OTRF-Security-Datasets/psh_control_panel_execution_2020-10-2201312134.json', ['lin-cpl-shell: control.exe > rundll32.exe > rundll32.exe > cmd.exe']],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.xml.log', [
    'lin-webshell-recon: w3wp.exe > cmd.exe > net.exe',
    'lin-webshell-shell: w3wp.exe > cmd.exe',
  ]],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_wmiexec_impacket_sysmon_whoami.xml.log', ['lin-wmiexec-grandchild: wmiprvse.exe > cmd.exe > whoami.exe']],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_sysmon_psexec_smb_meterpreter.xml.log', [
    'lin-services-cmd-powershell: services.exe > cmd.exe > powershell.exe',
    'lin-services-cmd-powershell: services.exe > cmd.exe > powershell.exe > powershell.exe',
  ]],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_winrm_exec_sysmon_1_winrshost.xml.log', ['lin-winrm-recon: winrshost.exe > cmd.exe > ipconfig.exe']],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Other/maldoc_mshta_via_shellbrowserwind_rundll32.xml.log', []],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.xml.log', ['lin-script-schtasks: mshta.exe > schtasks.exe']],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Privilege Escalation/Sysmon_UACME_53.xml.log', [
    'lin-cpl-shell: control.exe > cmd.exe',
    'lin-uac-integrity-jump: uacme.exe > sdclt.exe > control.exe',
    'lin-uac-integrity-jump: uacme.exe > sdclt.exe > control.exe > cmd.exe',
  ]],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/Lateral Movement/LM_wmi_PoisonHandler_Mr-Un1k0d3r_sysmon_1_13.xml.log', [
    'lin-wmi-lolbin-shell: wmiprvse.exe > rundll32.exe > cmd.exe',
    'lin-wmi-lolbin-shell: wmiprvse.exe > rundll32.exe > cmd.exe',
  ]],
  ['sbousseaden-EVTX-ATTACK-SAMPLES/xml/AutomatedTestingTools/Malware/sideloading_uacbypass_rundll32_injection_c2.xml.log', ['lin-office-shell: winword.exe > cmd.exe']],
];

describe.runIf(requireDatasets('rules over real captures'))('real captures: the pack finds exactly the chains in them', () => {
  for (const [file, expected] of CAPTURES) {
    it(base(file), async () => {
      const store = await EmbeddedStore.open(':memory:');
      const source = new EmbeddedSource(store);
      try {
        const report = await ingestPaths([dataset(file)], { write: (b) => store.writeEvents(b) });
        expect(report.events).toBeGreaterThan(0);
        const result = await runRules(source, pack, { ctx: newContext() });
        expect(describeHits(result)).toEqual([...expected].sort());
      } finally {
        await source.close();
      }
    });
  }
});
