/**
 * Test fixture: one host whose rule-hit chain spans hours, so the graph's default window around the leaf
 * (start −1 h … +24 h) cannot hold it. Times chosen by hand (UTC):
 *
 *   explorer.exe  …c01  06:30  (parent: zero GUID — the top of the host's tree)
 *   └─ cmd.exe    …c02  07:00
 *      └─ powershell.exe …c03  09:30
 *         └─ winword.exe  …c04  09:31   ← leaf of LONG_CHAIN_RULE
 *
 * Default window for the leaf: 08:31 … next day 09:31 — cmd and explorer fall outside it.
 * The hit's window: cmd's 07:00 − 1 h = 06:00 … leaf + 24 h — holds all four, and explorer's parent is
 * the zero GUID, so the graph needs no lookup above the window.
 */
import type { ParsedEvent } from '../src/ingest/record.js';

export const LONG_HOST = 'late-host.corp.example';
export const LONG_DAY = '2026-03-04';
const guid = (n: number) => `{5c0ffee0-1111-2222-3333-44440000c0${n.toString().padStart(2, '0')}}`;
/** The chain's GUIDs, oldest first. */
export const LONG = { explorer: guid(1), cmd: guid(2), powershell: guid(3), winword: guid(4) } as const;
/** Start times (ISO) of the nodes above. */
export const LONG_TIMES = {
  explorer: `${LONG_DAY}T06:30:00.000Z`, cmd: `${LONG_DAY}T07:00:00.000Z`, powershell: `${LONG_DAY}T09:30:00.000Z`, winword: `${LONG_DAY}T09:31:00.000Z`,
} as const;
/** Matches cmd → powershell → winword above (no `within`: the chain is hours long on purpose). */
export const LONG_CHAIN_RULE = 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe';
const ZERO = '{00000000-0000-0000-0000-000000000000}';

/** The four process-creates as parsed Sysmon events (fresh objects on each call: normalise takes `data`). */
export function longChainEvents(): ParsedEvent[] {
  const procs: [keyof typeof LONG, string, keyof typeof LONG | null, number][] = [
    ['explorer', 'C:\\Windows\\explorer.exe', null, 1],
    ['cmd', 'C:\\Windows\\System32\\cmd.exe', 'explorer', 2],
    ['powershell', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'cmd', 3],
    ['winword', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', 'powershell', 4],
  ];
  const images = Object.fromEntries(procs.map(([k, img]) => [k, img])) as Record<keyof typeof LONG, string>;
  return procs.map(([k, image, parent, n]) => ({
    system: {
      eventId: 1, computer: LONG_HOST, recordId: 9000 + n, channel: 'Microsoft-Windows-Sysmon/Operational',
      provider: 'Microsoft-Windows-Sysmon', timeCreated: LONG_TIMES[k],
    },
    data: {
      UtcTime: LONG_TIMES[k].replace('T', ' ').replace('Z', ''), ProcessGuid: LONG[k], ProcessId: String(5000 + n), Image: image,
      CommandLine: image.split('\\').pop()!, User: 'CORP\\mallory', IntegrityLevel: 'Medium',
      ParentProcessGuid: parent ? LONG[parent] : ZERO, ParentProcessId: parent ? String(5000 + n - 1) : '4',
      ParentImage: parent ? images[parent] : 'System', ParentCommandLine: parent ? images[parent].split('\\').pop()! : '',
    },
  }));
}
