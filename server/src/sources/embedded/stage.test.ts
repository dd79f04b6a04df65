/**
 * Staging through the TSV file and through the appender must store the same rows, whatever the
 * values hold (tabs, newlines, backslashes, quotes, non-ASCII, NULL-marker look-alikes).
 *
 *   svchost {…0001}  (EID 1)
 *   └── cmd {…0002}  (EID 1 whose command line holds a tab and a newline; EID 3; EID 5)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { EmbeddedStore } from './store.js';

const P = '{bbbbbbbb-0000-0000-0000-000000000001}';
const C = '{bbbbbbbb-0000-0000-0000-000000000002}';

function events(host: string): SysmonEvent[] {
  const base = { host, targetGuid: null };
  return [
    { ...base, eventId: 1, category: 'process', recordId: 1, time: '2024-05-01T10:00:00.000Z', guid: P,
      fields: { ProcessGuid: P, Image: 'C:\\Windows\\System32\\svchost.exe', CommandLine: 'svchost.exe -k "netsvcs"' } },
    { ...base, eventId: 1, category: 'process', recordId: 2, time: '2024-05-01T10:00:01.500Z', guid: C,
      fields: { ProcessGuid: C, ParentProcessGuid: P, Image: 'C:\\Temp\\ünï\\cmd.exe', CommandLine: 'cmd /c "a\tb"\r\nwhoami \\N', User: '\\N' } },
    { ...base, eventId: 3, category: 'network', recordId: null, time: '2024-05-01T10:00:02.000Z', guid: C,
      fields: { ProcessGuid: C, DestinationIp: '10.0.0.9' } },
    { ...base, eventId: 5, category: 'process', recordId: 4, time: '2024-05-01T10:00:03.000Z', guid: C, fields: { ProcessGuid: C } },
  ];
}

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });

async function stored(host: string): Promise<unknown[][]> {
  dir ||= mkdtempSync(join(tmpdir(), 'lineage-stage-test-'));
  const store = await EmbeddedStore.open(join(dir, `${host.length}-${Math.random()}.duckdb`));
  try {
    expect(await store.writeEvents(events(host))).toEqual({ inserted: 4, duplicates: 0 });
    // Written again: every event is a duplicate, whichever staging path read it.
    expect(await store.writeEvents(events(host))).toEqual({ inserted: 0, duplicates: 4 });
    const conn = await store.acquire();
    try {
      const ev = (await conn.runAndReadAll(`SELECT seq, guid, target_guid, event_id, category, CAST(time AS VARCHAR), host, record_id, fields
        FROM events ORDER BY seq`)).getRowsJS();
      const pr = (await conn.runAndReadAll(`SELECT guid, parent_guid, host, image, name, command_line, "user", CAST(end_time AS VARCHAR)
        FROM processes ORDER BY guid`)).getRowsJS();
      return [...ev, ...pr];
    } finally {
      store.release(conn);
    }
  } finally {
    await store.close();
  }
}

describe('staging a batch', () => {
  it('when values hold tabs, newlines, quotes and \\N, then the TSV path stores them exactly', async () => {
    const rows = await stored('ws-7');
    const fields = JSON.parse(String(rows[1]![8])) as Record<string, string>;
    expect(fields.CommandLine).toBe('cmd /c "a\tb"\r\nwhoami \\N');
    expect(fields.User).toBe('\\N');
    expect(rows[2]![7]).toBeNull(); // the record id the network event lacked
    expect(rows[5]).toEqual([C, P, 'ws-7', 'C:\\Temp\\ünï\\cmd.exe', 'cmd.exe', 'cmd /c "a\tb"\r\nwhoami \\N', '\\N', '2024-05-01 10:00:03']);
  });

  it('when a host name holds a tab (no TSV can carry it), then the appender path stores the same rows', async () => {
    const viaTsv = await stored('ws-7');
    const viaAppender = await stored('ws\t7');
    const unTab = (rows: unknown[][]): unknown[][] => rows.map((r) => r.map((v) => (v === 'ws\t7' ? 'ws-7' : v)));
    expect(unTab(viaAppender)).toEqual(viaTsv);
  });
});
