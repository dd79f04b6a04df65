/**
 * Real captures (../shared/datasets) presented the way the Sysmon add-on does (§8.28–32), and ES
 * notables (§8.33), queried through splunk-sdk. Expected values were read off the files with grep.
 *
 * T1202 (XmlWinEventLog, GUIDs braced UPPER), one host:
 *   powershell {…FFFC-623D-1602…}
 *   ├── cmd {…1B02…}
 *   │   ├── pcalua {…1F02…} ── calc {…2002…}
 *   │   └── pcalua {…1D02…} ── calc {…1E02…}
 *   └── cmd {…2102…} ── forfiles {…2302…} ── calc {…2502…}
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from './datasets.js';
import { startSplunkd, type SplunkdHandle } from './index.js';
import { service, trackDone, type SdkService } from './sdk-client.js';

const guid = (a: string, b: string) => `{9D1ED712-${a}-623D-${b}-000000003B02}`;
const POWERSHELL = guid('FFFC', '1602');
const CMD_A = guid('FFFD', '1B02');
const CMD_B = guid('FFFD', '2102');

const run = requireDatasets('splunkd data presentation');

describe.runIf(run)('Sysmon data as the Splunk add-on presents it', () => {
  let h: SplunkdHandle;
  let svc: SdkService;
  beforeAll(async () => {
    h = await startSplunkd({
      data: {
        sysmonFiles: [
          dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log'),
          dataset('splunk-attack_data/xmlwineventlog/T1649_certify_abuse__certify_esc1_abuse_sysmon.log'),
        ],
        notables: [
          { _time: '2022-03-25T17:46:40Z', rule_name: 'Windows Indirect Command Execution Via pcalua', severity: 'high', dest: 'win-dc-emcginnis-47905-664.attackrange.local', user: 'ATTACKRANGE\\Administrator', process_guid: guid('FFFD', '1F02'), orig_sid: 'scheduler__admin__ES', orig_rid: '0' },
          { _time: 1690000000, rule_name: 'Certipy Auth', severity: 'medium', urgency: 'critical', dest: 'attack_pc.attack_range.local', status: '2', owner: 'alice' },
        ],
      },
    });
    svc = service(h);
    await svc.login();
  });
  afterAll(() => h?.stop());

  const oneshot = async (spl: string) => (await svc.oneshotSearch(spl, { output_mode: 'json', count: 0 })).results as Record<string, unknown>[];

  it('indexes every Sysmon event with the add-on source/sourcetype and EventCode/EventID', async () => {
    expect(h.loaded.map((l) => l.report.indexed)).toEqual([24, 23, 2]);
    const rows = await oneshot('search index=sysmon source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" sourcetype=XmlWinEventLog | stats count by EventCode, EventID');
    expect(rows).toEqual([
      // Numeric group keys sort numerically.
      { EventCode: '1', EventID: '1', count: '16' },
      { EventCode: '3', EventID: '3', count: '2' },
      { EventCode: '10', EventID: '10', count: '16' },
      { EventCode: '11', EventID: '11', count: '13' },
    ]);
  });

  it('exposes raw and CIM names, braced GUIDs as written, host and _time', async () => {
    const [row] = await oneshot(`search index=sysmon EventCode=1 ProcessGuid="${CMD_A}" | table _time host ProcessGuid process_guid ParentProcessGuid parent_process_guid Image process_path process_name parent_process_name dest`);
    expect(row).toEqual({
      // A Universal Forwarder sets host to the short name; Computer and dest stay the FQDN.
      _time: expect.stringMatching(/^2022-03-25T17:46:\d\d\.\d{3}\+00:00$/), host: 'win-dc-emcginnis-47905-664',
      ProcessGuid: CMD_A, process_guid: CMD_A, ParentProcessGuid: POWERSHELL, parent_process_guid: POWERSHELL,
      Image: 'C:\\Windows\\System32\\cmd.exe', process_path: 'C:\\Windows\\System32\\cmd.exe', process_name: 'cmd.exe',
      parent_process_name: 'powershell.exe', dest: 'win-dc-emcginnis-47905-664.attackrange.local',
    });
    // Lower-case GUIDs (newer Sysmon) stay lower-case; values still match case-insensitively.
    const [certipy] = await oneshot('search index=sysmon EventCode=1 process_guid="{78198D03-3BCE-6483-D834-C50C00000000}" | table ProcessGuid User');
    expect(certipy).toEqual({ ProcessGuid: '{78198d03-3bce-6483-d834-c50c00000000}', User: 'attack_range\\attack_user' });
  });

  it('answers the adapter\'s per-generation template and its tstats variant alike', async () => {
    const raw = await oneshot(`search index=sysmon source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 ParentProcessGuid IN ("${POWERSHELL}", "${CMD_A}") | fields _time host ProcessGuid ParentProcessGuid Image | stats values(ProcessGuid) as child_guids by ParentProcessGuid`);
    expect(raw).toEqual([
      { ParentProcessGuid: POWERSHELL, child_guids: [CMD_A, CMD_B] },
      { ParentProcessGuid: CMD_A, child_guids: [guid('FFFD', '1D02'), guid('FFFD', '1F02')] },
    ]);
    const job = await trackDone(await svc.jobs().create(`| tstats summariesonly=false values(Processes.process_guid) as child_guids values(Processes.process_name) as child_names from datamodel=Endpoint.Processes where Processes.parent_process_guid IN ("${POWERSHELL}", "${CMD_A}") by Processes.parent_process_guid Processes.dest | rename Processes.* as *`, {}));
    const [data] = await job.results({ output_mode: 'json', count: 0 });
    expect(data.results).toEqual([
      { parent_process_guid: POWERSHELL, dest: 'win-dc-emcginnis-47905-664.attackrange.local', child_guids: [CMD_A, CMD_B], child_names: 'cmd.exe' },
      { parent_process_guid: CMD_A, dest: 'win-dc-emcginnis-47905-664.attackrange.local', child_guids: [guid('FFFD', '1D02'), guid('FFFD', '1F02')], child_names: 'pcalua.exe' },
    ]);
  });

  it('serves ES notables from index=notable and the `notable` macro with ES default fields', async () => {
    const rows = await oneshot('search `notable` | sort 0 _time | table rule_name severity urgency status owner dest process_guid orig_sid event_id security_domain');
    expect(rows).toEqual([
      { rule_name: 'Windows Indirect Command Execution Via pcalua', severity: 'high', urgency: 'high', status: '1', owner: 'unassigned', dest: 'win-dc-emcginnis-47905-664.attackrange.local', process_guid: guid('FFFD', '1F02'), orig_sid: 'scheduler__admin__ES', event_id: expect.stringMatching(/@@notable@@/), security_domain: 'endpoint' },
      { rule_name: 'Certipy Auth', severity: 'medium', urgency: 'critical', status: '2', owner: 'alice', dest: 'attack_pc.attack_range.local', event_id: expect.stringMatching(/@@notable@@/), security_domain: 'endpoint' },
    ]);
    expect((await oneshot('search index=notable earliest=1689999999 latest=1690000001')).map((r) => r.rule_name)).toEqual(['Certipy Auth']);
  });
});

describe.runIf(run)('large NXLog capture', () => {
  it('indexes the 9-level NXLog tree (7,433 Sysmon events, 324 process creates)', async () => {
    const h = await startSplunkd({ data: { sysmonFiles: [dataset('splunk-attack_data/nxlog-json/T1027_atomic_red_team/attack_data.txt')] } });
    try {
      const svc = service(h);
      await svc.login();
      expect(h.loaded[0]!.report.indexed).toBe(7433);
      const data = await svc.oneshotSearch('search index=sysmon EventCode=1 | stats count dc(ProcessGuid) as procs', { output_mode: 'json' });
      expect(data.results).toEqual([{ count: '324', procs: '324' }]);
    } finally { await h.stop(); }
  });
});
