/**
 * Field extraction against the Splunk add-on's own per-EventID field lists
 * (../shared/splunk/sysmon-ta-fields.json, from splunk/security_content): each list's example event
 * goes through the simulator's reader and extraction, and the fields it returns must be ones the
 * list names; the identity fields (dest, dvc, the process GUIDs and names) must be present exactly
 * when the list has them. Values come from the example event itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireDatasets, splunkShared } from './datasets.js';
import { DEFAULT_DEPLOYMENT, extractSysmon } from './sysmon-ta.js';
import { parseEventXml } from './winevent.js';

const FILE = splunkShared('sysmon-ta-fields.json');
const run = requireDatasets('add-on field lists') && existsSync(FILE);

interface Entry { fields: string[]; example_log: string }
const IDENTITY = ['dest', 'dvc', 'dvc_nt_host', 'process_guid', 'parent_process_guid', 'process_name', 'parent_process_name', 'process_path', 'process_id', 'user'];

describe.runIf(run)('Sysmon field extraction follows the add-on field lists', () => {
  const lists = run ? (JSON.parse(readFileSync(FILE, 'utf8')) as { by_event_id: Record<string, Entry> }).by_event_id : {};
  for (const [eid, entry] of Object.entries(lists)) {
    it(`EventID ${eid}`, () => {
      const ev = parseEventXml(entry.example_log);
      expect(ev.system.eventId).toBe(Number(eid));
      const row = extractSysmon(ev, DEFAULT_DEPLOYMENT);
      const listed = new Set(entry.fields);
      expect(Object.keys(row).filter((k) => !listed.has(k))).toEqual([]);
      for (const f of IDENTITY) expect(`${f}: ${f in row}`).toBe(`${f}: ${listed.has(f)}`);
      // The PE version fields Sigma rules read (renamed binaries): the CIM name exactly where the list has
      // one, the raw names wherever the event carries them.
      expect(`original_file_name: ${'original_file_name' in row}`).toBe(`original_file_name: ${listed.has('original_file_name')}`);
      if (listed.has('original_file_name')) expect(row.original_file_name).toBe(ev.data.OriginalFileName);
      for (const f of ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion']) if (f in ev.data) expect(listed.has(f), f).toBe(true);
      // Every EventData field of the example comes back under its own name, value as written.
      for (const [k, v] of Object.entries(ev.data)) expect(row[k]).toBe(v);
      const computer = /<Computer>([^<]*)<\/Computer>/.exec(entry.example_log)![1]!;
      expect(row.Computer).toBe(computer);
      expect(row.host).toBe(computer.split('.')[0]);
    });
  }

  it('EventID 3: dest is the connection destination, the machine is dvc', () => {
    const ev = parseEventXml(lists['3']!.example_log);
    const row = extractSysmon(ev, DEFAULT_DEPLOYMENT);
    expect(row.dvc).toBe(row.Computer);
    expect(row.dest).not.toBe(row.Computer);
    expect([ev.data.DestinationHostname, ev.data.DestinationIp]).toContain(row.dest);
  });

  it('EventID 10: Sysmon spells SourceProcessGUID; the source is parent_process_*, the target process_*', () => {
    const ev = parseEventXml(lists['10']!.example_log);
    const row = extractSysmon(ev, DEFAULT_DEPLOYMENT);
    expect(row.SourceProcessGUID).toBe(ev.data.SourceProcessGUID);
    expect(row.parent_process_guid).toBe(ev.data.SourceProcessGUID);
    expect(row.process_guid).toBe(ev.data.TargetProcessGUID);
  });

  it('deployment shapes: FQDN host, WEF collector, legacy sourcetype', () => {
    const ev = parseEventXml(lists['1']!.example_log);
    const computer = ev.system.computer!;
    expect(extractSysmon(ev, { ...DEFAULT_DEPLOYMENT, host: 'fqdn' }).host).toBe(computer);
    const wef = extractSysmon(ev, { ...DEFAULT_DEPLOYMENT, host: 'wef', collector: 'wec7' });
    expect([wef.host, wef.source, wef.Computer]).toEqual(['wec7', 'XmlWinEventLog:ForwardedEvents', computer]);
    const legacy = extractSysmon(ev, { ...DEFAULT_DEPLOYMENT, sourcetype: 'legacy' });
    expect([legacy.source, legacy.sourcetype]).toEqual(['XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational']);
  });
});
