/**
 * The GUID time layout, checked on every real capture the readers take (../shared/datasets: XML,
 * XmlWinEventLog, NXLog/Mordor JSON lines) before the adapter relies on it: for every process
 * create, the time guidTime() reads from the ProcessGuid must agree with the event's own UtcTime
 * (the expected value comes from the data) to within 2 s (whole seconds vs milliseconds).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guidTime } from '../../src/sources/splunk/guid-time.js';
import { readWinEvents } from '../../../tools/splunkd-sim/winevent.js';
import { DATASETS, requireDatasets } from '../datasets.js';

function captures(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return captures(p);
    return /\.(log|json|txt|raw)$/.test(n) && !/metadata|process_list|test_data/.test(n) ? [p] : [];
  });
}

describe.runIf(requireDatasets('GUID time layout'))('time from the ProcessGuid', () => {
  it('agrees with UtcTime on every process create of every capture', async () => {
    const files = captures(DATASETS);
    let creates = 0;
    const disagree: string[] = [];
    for (const f of files) {
      for await (const it of readWinEvents(f)) {
        if (it.kind !== 'event' || it.event.system.eventId !== 1) continue;
        const { ProcessGuid: g, UtcTime: u } = it.event.data;
        if (!g || !u) continue;
        creates++;
        const want = Date.parse(`${u.replace(' ', 'T')}Z`);
        const got = guidTime(g);
        if (got === null || Math.abs(got - want) > 2_000) disagree.push(`${relative(DATASETS, f)}: ${g} ${u}`);
      }
    }
    expect(files.length).toBeGreaterThan(25);
    expect(creates).toBeGreaterThan(1_000);
    expect(disagree).toEqual([]);
  });

  it('gives null for GUIDs whose time is implausible (not Sysmon-made), so no bound is used', () => {
    expect(guidTime('{00000000-0000-0000-0000-000000000000}')).toBeNull();
    expect(guidTime('{9d1ed712-ffff-ffff-1b02-000000003b02}')).toBeNull();
    expect(guidTime('not a guid')).toBeNull();
  });
});
