/**
 * Ingest of the real captures in ../shared/datasets. Every expected number below was computed
 * independently (Python: xml.etree / json over the raw files), not from our own output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestPaths, type IngestSink } from '../../src/ingest/pipeline.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { dataset, requireDatasets } from '../datasets.js';
import { countByEventId, readNormalised, sorted, tempDir } from './helpers.js';

const run = requireDatasets('ingest of real captures');
const XWEL = 'splunk-attack_data/xmlwineventlog';
const ZERO = '{00000000-0000-0000-0000-000000000000}';

const byGuid = (events: SysmonEvent[], guid: string) => events.filter((e) => e.guid === guid);
const create = (events: SysmonEvent[], guid: string) => events.find((e) => e.eventId === 1 && e.guid === guid);

describe.runIf(run)('Splunk XmlWinEventLog (single-quoted, one event per line)', () => {
  it('T1202: counts, a pcalua spawned by cmd, a process access attached to pcalua', async () => {
    const r = await readNormalised(dataset(`${XWEL}/T1202_atomic_red_team__windows-sysmon.log`));
    expect(r.rejected).toEqual([]);
    expect(countByEventId(r.events)).toEqual({ 1: 8, 10: 16 });
    expect(new Set(r.events.map((e) => e.host))).toEqual(new Set(['win-dc-emcginnis-47905-664.attackrange.local']));
    // Upper-case GUIDs in the file, canonical lower-case out.
    expect(create(r.events, '{9d1ed712-fffd-623d-1d02-000000003b02}')?.fields).toMatchObject({
      ParentProcessGuid: '{9d1ed712-fffd-623d-1b02-000000003b02}', Image: 'C:\\Windows\\System32\\pcalua.exe',
    });
    const first = r.events[0]!; // line 1: pcalua opens calc (EID 10, SourceProcessGUID spelling)
    expect(first).toMatchObject({
      eventId: 10, category: 'process-access', guid: '{9d1ed712-fffd-623d-1f02-000000003b02}',
      targetGuid: '{9d1ed712-fffd-623d-2002-000000003b02}', time: '2022-03-25T17:46:37.638Z', recordId: 361824,
    });
  });

  it('gootloader: Sysmon among PowerShell/TaskScheduler events, svchost → wscript → cscript → powershell', async () => {
    const r = await readNormalised(dataset(`${XWEL}/malware_gootloader_partial_ttps__i_am_goot.log`));
    expect(r.rejected).toEqual([]);
    expect(countByEventId(r.events)).toEqual({ 1: 4, 3: 1, 11: 2, 13: 6 });
    expect(r.skipped).toBe(26);
    expect(create(r.events, '{95766689-a53c-6478-1a18-1c1800000000}')?.fields.ParentProcessGuid).toBe('{95766689-a52e-6478-d9cc-1b1800000000}');
    expect(create(r.events, '{95766689-a549-6478-9861-1c1800000000}')?.fields.ParentProcessGuid).toBe('{95766689-a53c-6478-1a18-1c1800000000}');
  });

  it('certify ESC1 (CRLF, lower-case GUIDs)', async () => {
    const r = await readNormalised(dataset(`${XWEL}/T1649_certify_abuse__certify_esc1_abuse_sysmon.log`));
    expect(r.rejected).toEqual([]);
    expect(countByEventId(r.events)).toEqual({ 1: 8, 3: 2, 11: 13 });
  });

  it('certutil .raw: a mixed container — 4688s and classic text blocks are skipped, never errors', async () => {
    const r = await readNormalised(dataset(`${XWEL}/T1552.004_certutil_exe_certificate_extraction__certutil_exe_certificate_extraction.raw`));
    expect(r.rejected).toEqual([]);
    expect(countByEventId(r.events)).toEqual({ 1: 20 });
    expect(r.skipped).toBe(20 + 19);
  });
});

describe.runIf(run)('JSON lines', () => {
  it('NXLog (attack_data T1027): 7,433 Sysmon of 7,959, the t1027.exe → calc edge, zero target GUIDs kept', async () => {
    const r = await readNormalised(dataset('splunk-attack_data/nxlog-json/T1027_atomic_red_team/attack_data.txt'));
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(7433);
    expect(r.skipped).toBe(526);
    expect(countByEventId(r.events)).toEqual({ 1: 324, 3: 21, 5: 1, 6: 4, 10: 6602, 11: 365, 12: 8, 13: 27, 22: 81 });
    const t1027 = '{a837db8d-032d-5f25-0000-0010a2490a00}';
    expect(create(r.events, '{a837db8d-032d-5f25-0000-0010f94b0a00}')?.fields).toMatchObject({ ParentProcessGuid: t1027, Image: 'C:\\Windows\\SysWOW64\\calc.exe' });
    expect(create(r.events, t1027)).toMatchObject({ recordId: 5307, time: '2020-08-01T05:52:45.440Z', host: 'win-dc-881393.attackrange.local' });
    expect(countByEventId(byGuid(r.events, t1027))).toEqual({ 1: 1, 5: 1, 10: 1 });
    expect(r.events.filter((e) => e.eventId === 10 && e.targetGuid === ZERO)).toHaveLength(6);
    // NXLog's own EventType ("INFO") is not Sysmon's registry EventType.
    expect(r.events.filter((e) => e.fields.EventType !== undefined)).toEqual([]);
  });

  it('OTRF control panel (Oct 2020): Sysmon EventType of registry events survives the flat JSON', async () => {
    const r = await readNormalised(dataset('OTRF-Security-Datasets/psh_control_panel_execution_2020-10-2201312134.json'));
    expect(countByEventId(r.events)).toEqual({ 1: 9, 2: 1, 3: 3, 5: 6, 7: 480, 9: 9, 10: 408, 11: 10, 12: 170, 13: 82, 22: 2, 23: 1 });
    const types: Record<string, number> = {};
    for (const e of r.events.filter((x) => x.eventId === 13)) types[e.fields.EventType ?? 'none'] = (types[e.fields.EventType ?? 'none'] ?? 0) + 1;
    expect(types).toEqual({ SetValue: 82 });
  });

  it('OTRF Empire launcher (NXLog→Logstash): hosts from Hostname, not the WEC collector in `host`', async () => {
    const r = await readNormalised(dataset('OTRF-Security-Datasets/empire_launcher_vbs_2020-09-04160940.json'));
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(877);
    expect(countByEventId(r.events)).toEqual({ 1: 5, 3: 10, 5: 2, 7: 324, 9: 9, 10: 324, 11: 22, 12: 420, 13: 63, 17: 2, 18: 5, 22: 2, 23: 2 });
    const hosts: Record<string, number> = {};
    for (const e of r.events) hosts[e.host] = (hosts[e.host] ?? 0) + 1;
    expect(hosts).toEqual({ 'workstation5.theshire.local': 969, 'workstation6.theshire.local': 195, 'mordordc.theshire.local': 26 });
    const ps = '{860ba2e3-9f13-5f52-2703-000000000400}';
    expect(create(r.events, ps)?.fields.ParentProcessGuid).toBe('{860ba2e3-9f13-5f52-2603-000000000400}'); // wscript
    expect(countByEventId(byGuid(r.events, ps))).toEqual({ 1: 1, 3: 1, 7: 110, 10: 1, 11: 4, 12: 328, 17: 2, 18: 1, 22: 1, 23: 2 });
    expect(byGuid(r.events, ps).find((e) => e.eventId === 3)).toMatchObject({
      recordId: 251809, time: '2020-09-04T20:09:59.621Z', fields: { DestinationIp: '10.10.10.5', DestinationPort: '80' },
    });
  });
});

describe.runIf(run)('evtxexport XML lines (double-quoted) and evtx', () => {
  const SB = 'sbousseaden-EVTX-ATTACK-SAMPLES/xml';
  it('PPID spoofing: the EID 10 from powershell into explorer, and the cmd claiming explorer as parent', async () => {
    const r = await readNormalised(dataset(`${SB}/Defense Evasion/sysmon_10_1_ppid_spoofing.xml.log`));
    expect(countByEventId(r.events)).toEqual({ 1: 3, 10: 2 });
    expect(r.events.find((e) => e.eventId === 10 && e.fields.GrantedAccess === '0x001f3fff')).toMatchObject({
      guid: '{747f3d96-26fd-5e76-0000-00100a320d01}', targetGuid: '{747f3d96-06aa-5e76-0000-001046e10400}',
    });
    expect(create(r.events, '{747f3d96-8ae0-5e76-0000-0010933b8003}')?.fields.ParentProcessGuid).toBe('{747f3d96-06aa-5e76-0000-001046e10400}');
  });

  it('maldoc: Security 4663s skipped; a zero parent GUID kept as written', async () => {
    const r = await readNormalised(dataset(`${SB}/Other/maldoc_mshta_via_shellbrowserwind_rundll32.xml.log`));
    expect(countByEventId(r.events)).toEqual({ 1: 5 });
    expect(r.skipped).toBe(6);
    expect(create(r.events, '{747f3d96-182d-610f-0000-00100344d300}')?.fields).toMatchObject({ ParentProcessGuid: ZERO, ParentImage: '?' });
  });

  it('capattack procdump: counts, procdump → procdump64, and the .evtx gives exactly the same events', async () => {
    const base = dataset('splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational');
    const r = await readNormalised(`${base}.xml.log`);
    expect(countByEventId(r.events)).toEqual({ 1: 26, 3: 2, 5: 31, 7: 2, 8: 2, 10: 245, 11: 15, 12: 18, 13: 50, 16: 1, 17: 14, 18: 14, 23: 9 });
    expect(create(r.events, '{c2494f38-b416-630f-756b-000000006a02}')?.fields.ParentProcessGuid).toBe('{c2494f38-b415-630f-746b-000000006a02}');
    const evtx = await readNormalised(`${base}.evtx`);
    expect(sorted(evtx.events)).toEqual(sorted(r.events));
  });
});

describe.runIf(run)('out-of-order input gives identical results', () => {
  /** Deterministic shuffle (the test must not be flaky). */
  function shuffle<T>(xs: T[], seed = 7): T[] {
    const a = [...xs];
    let s = seed;
    for (let i = a.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const j = s % (i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
  const sink = (): IngestSink & { got: SysmonEvent[] } => {
    const got: SysmonEvent[] = [];
    return { got, write: async (b) => { got.push(...b); return { inserted: b.length, duplicates: 0 }; } };
  };

  it.each([
    [`${XWEL}/T1202_atomic_red_team__windows-sysmon.log`, 'a.log'],
    ['OTRF-Security-Datasets/psh_control_panel_execution_2020-10-2201312134.json', 'b.json'],
  ])('%s, lines shuffled', async (rel, name) => {
    const lines = readFileSync(dataset(rel), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const path = join(tempDir(), name);
    writeFileSync(path, `${shuffle(lines).join('\n')}\n`);
    const a = sink();
    const b = sink();
    const ra = await ingestPaths([dataset(rel)], a, { batchSize: 100 });
    const rb = await ingestPaths([path], b, { batchSize: 100 });
    expect(a.got.length).toBeGreaterThan(20);
    expect(sorted(b.got)).toEqual(sorted(a.got));
    expect({ ...rb, rejected: [] }).toEqual({ ...ra, rejected: [] });
  });
});
