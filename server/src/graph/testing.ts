/**
 * Builders for graph unit tests: terse process rows with readable GUIDs.
 * (Test support, not a fake of our code: the graph module is pure and gets real rows.)
 */
import { ZERO_GUID } from '@lineage/shared';
import type { EventRecord, ProcessRecord } from '../sources/event-source.js';

/** `g(7)` → `{00000000-0000-0000-0000-000000000007}`-style canonical GUIDs. */
export function g(n: number): string {
  return `{00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}}`;
}

const T0 = Date.parse('2024-05-01T10:00:00.000Z');

/** A process row: `proc(2, 1, 'cmd.exe', 5)` = guid g(2), parent g(1), started 5 s after T0. */
export function proc(id: number, parent: number | null, image: string, atSec: number, extra: Partial<ProcessRecord> = {}): ProcessRecord {
  const name = image.split('\\').pop()!.toLowerCase();
  return {
    guid: g(id), parentGuid: parent === null ? ZERO_GUID : g(parent), host: 'ws1', pid: 1000 + id,
    parentPid: parent === null ? null : 1000 + parent, image: `C:\\Windows\\System32\\${image}`, name,
    commandLine: image, parentImage: parent === null ? '' : 'C:\\parent.exe', parentCommandLine: '', parentUser: '',
    user: 'CORP\\alice', integrityLevel: 'Medium', hashes: '', currentDirectory: 'C:\\', logonGuid: '',
    startTime: new Date(T0 + atSec * 1000).toISOString(), endTime: null, ...extra,
  };
}

/** A cross event (8 or 10) from g(src) to g(dst). */
export function crossEvent(src: number, dst: number, eventId: 8 | 10, atSec: number, recordId: number): EventRecord {
  return {
    guid: g(src), host: 'ws1', eventId, category: eventId === 8 ? 'remote-thread' : 'process-access',
    time: new Date(T0 + atSec * 1000).toISOString(), recordId, targetGuid: g(dst),
    fields: { TargetImage: 'C:\\Windows\\System32\\lsass.exe', TargetProcessId: '700' },
  };
}

export const RANGE = { from: '2024-05-01T09:00:00.000Z', to: '2024-05-02T10:00:00.000Z' };
