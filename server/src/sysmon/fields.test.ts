/**
 * normalise(): the event time, GUID spellings and the acting/target GUIDs. Each case's expected
 * value is written out by hand from the input (Sysmon writes `UtcTime` as UTC with milliseconds,
 * GUIDs in braces and upper-case on older versions).
 */
import { describe, expect, it } from 'vitest';
import { fromFlat, normalise, systemTimeKey, utcTimeToIso } from './fields.js';
import type { ParsedEvent, SysmonEvent } from '../ingest/record.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function event(eventId: number, data: Record<string, string>, computer = 'WS01.corp.local'): ParsedEvent {
  return { system: { eventId, computer, recordId: 9, channel: SYSMON, provider: 'Microsoft-Windows-Sysmon', timeCreated: '2024-05-01T10:00:00.9999999Z' }, data };
}

function ok(p: ParsedEvent): SysmonEvent {
  const r = normalise(p);
  if (r.kind !== 'event') throw new Error(`${r.kind}: ${r.reason}`);
  return r.event;
}

describe('utcTimeToIso', () => {
  it('turns every UtcTime spelling into ISO 8601 UTC with milliseconds', () => {
    expect(utcTimeToIso('2024-05-01 08:00:00.008')).toBe('2024-05-01T08:00:00.008Z');
    expect(utcTimeToIso('2024-05-01T08:00:00.008')).toBe('2024-05-01T08:00:00.008Z');
    expect(utcTimeToIso('2024-05-01 08:00:00.0081234')).toBe('2024-05-01T08:00:00.008Z');
    expect(utcTimeToIso('2024-05-01 08:00:00.5')).toBe('2024-05-01T08:00:00.500Z');
    expect(utcTimeToIso('2024-05-01 08:00:00')).toBe('2024-05-01T08:00:00.000Z');
    expect(utcTimeToIso(' 2024-05-01 08:00:00.008 ')).toBe('2024-05-01T08:00:00.008Z');
    expect(utcTimeToIso('2024-05-01T08:00:00.008Z')).toBe('2024-05-01T08:00:00.008Z');
  });

  it('gives null for what is not a time, and never mistakes a near miss for one', () => {
    expect(utcTimeToIso('')).toBeNull();
    expect(utcTimeToIso(undefined)).toBeNull();
    expect(utcTimeToIso('not a time at all here!')).toBeNull();
    // 23 characters like a Sysmon time, but a letter where a digit belongs.
    expect(utcTimeToIso('2024-05-01 08:0x:00.008')).toBeNull();
  });
});

describe('normalise', () => {
  const upper = '{5D8A1C2B-0002-6630-99FD-0000000035EB}';
  const lower = '{5d8a1c2b-0002-6630-99fd-0000000035eb}';
  const target = '{5d8a1c2b-0002-6630-99fe-0000000035f2}';

  it('canonicalises every *Guid field and takes the acting process from ProcessGuid', () => {
    const e = ok(event(1, {
      UtcTime: '2024-05-01 08:00:00.018', ProcessGuid: upper, ParentProcessGuid: '5D8A1C2B-0000-6630-D575-00000000D633',
      LogonGuid: lower, Image: 'C:\\Windows\\System32\\cmd.exe',
    }));
    expect(e).toEqual({
      eventId: 1, category: 'process', host: 'ws01.corp.local', recordId: 9, time: '2024-05-01T08:00:00.018Z',
      guid: lower, targetGuid: null, systemKey: 'Microsoft-Windows-Sysmon/Operational\u001f2024-05-01T10:00:00.9999999Z',
      fields: {
        UtcTime: '2024-05-01 08:00:00.018', ProcessGuid: lower, ParentProcessGuid: '{5d8a1c2b-0000-6630-d575-00000000d633}',
        LogonGuid: lower, Image: 'C:\\Windows\\System32\\cmd.exe',
      },
    });
  });

  it('takes source and target from either GUID spelling on process access (10) and remote threads (8)', () => {
    const a = ok(event(10, { UtcTime: '2024-05-01 08:00:00.008', SourceProcessGUID: upper, TargetProcessGUID: target.toUpperCase() }));
    expect([a.guid, a.targetGuid, a.category]).toEqual([lower, target, 'process-access']);
    const b = ok(event(8, { UtcTime: '2024-05-01 08:00:00.008', SourceProcessGuid: lower, TargetProcessGuid: target }));
    expect([b.guid, b.targetGuid, b.category]).toEqual([lower, target, 'remote-thread']);
  });

  it('keeps a GUID field that is not a GUID as written, and the event has no acting GUID', () => {
    const bad = '{5D8A1C2B-0002-6630-99FD-0000000035EG}'; // G is not hex
    const e = ok(event(1, { UtcTime: '2024-05-01 08:00:00.018', ProcessGuid: bad }));
    expect(e.fields.ProcessGuid).toBe(bad);
    expect(e.guid).toBeNull();
  });

  it('uses System/TimeCreated only when UtcTime is absent, and rejects an unreadable UtcTime', () => {
    expect(ok(event(3, { ProcessGuid: lower })).time).toBe('2024-05-01T10:00:00.999Z');
    expect(normalise(event(3, { UtcTime: '2024-13-01 bogus', ProcessGuid: lower }))).toEqual({ kind: 'rejected', reason: 'unparseable UtcTime "2024-13-01 bogus"' });
  });

  it('skips events of other channels', () => {
    const p = event(4688, { UtcTime: '2024-05-01 08:00:00.018' });
    p.system.channel = 'Security';
    p.system.provider = 'Microsoft-Windows-Security-Auditing';
    expect(normalise(p)).toEqual({ kind: 'skipped', reason: 'not Sysmon (Security)' });
  });
});

describe('fromFlat', () => {
  it('maps records with different key orders and spellings the same way, one after another', () => {
    // Same event as NXLog (raw names), then as CIM names in another order, then raw again: cached
    // per-key decisions must not carry one record's mapping over to the next.
    const raw = fromFlat({ EventID: 1, Hostname: 'WS01', ProcessGuid: upper(), Image: 'C:\\a.exe', UtcTime: '2024-05-01 08:00:00.000' });
    const cim = fromFlat({ signature_id: 1, dest: 'WS01', process_path: 'C:\\a.exe', process_guid: upper(), utc_time: '2024-05-01 08:00:00.000' });
    const again = fromFlat({ EventID: 1, Hostname: 'WS01', ProcessGuid: upper(), Image: 'C:\\a.exe', UtcTime: '2024-05-01 08:00:00.000' });
    for (const p of [raw, cim, again]) {
      expect(p.system.eventId).toBe(1);
      expect(p.system.computer).toBe('WS01');
      expect(p.data).toEqual({ ProcessGuid: upper(), Image: 'C:\\a.exe', UtcTime: '2024-05-01 08:00:00.000' });
    }
  });
});

function upper(): string {
  return '{5D8A1C2B-0002-6630-99FD-0000000035EB}';
}

describe('systemTimeKey (identity spelling of System/TimeCreated)', () => {
  it.each([
    ['2023-06-09T14:48:51.1880244Z', '2023-06-09T14:48:51.1880244Z'],
    ['2021-08-07T23:32:57.348250400Z', '2021-08-07T23:32:57.3482504Z'],
    ['2020-10-22T02:57:58.116Z', '2020-10-22T02:57:58.1160000Z'],
    ['2020-10-22 02:57:58Z', '2020-10-22T02:57:58.0000000Z'],
    ['not a time', 'not a time'],
  ])('%s → %s', (given, want) => {
    expect(systemTimeKey(given)).toBe(want);
  });

  it('TimeCreated wins over a Logstash @timestamp, in either key order', () => {
    const a = fromFlat({ '@timestamp': '2020-10-22T02:58:00.000Z', TimeCreated: '2020-10-22T02:57:58.116Z', EventID: 1 });
    const b = fromFlat({ TimeCreated: '2020-10-22T02:57:58.116Z', '@timestamp': '2020-10-22T02:58:00.000Z', EventID: 1 });
    expect(a.system.timeCreated).toBe('2020-10-22T02:57:58.116Z');
    expect(b.system.timeCreated).toBe('2020-10-22T02:57:58.116Z');
    expect(fromFlat({ '@timestamp': '2020-10-22T02:58:00.000Z' }).system.timeCreated).toBe('2020-10-22T02:58:00.000Z');
  });
});
