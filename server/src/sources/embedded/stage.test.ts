/**
 * The appender (stage.ts) stages every value exactly, whatever it holds (tabs, newlines, backslashes,
 * quotes, non-ASCII, NULL-marker look-alikes), and flags creates repeated within a batch.
 *
 *   svchost {…0001}  (EID 1)
 *   └── cmd {…0002}  (EID 1 whose command line holds a tab and a newline; EID 3 without record id)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { CREATE_STAGE } from './schema.js';
import { StageAppender } from './stage.js';

const P = '{bbbbbbbb-0000-0000-0000-000000000001}';
const C = '{bbbbbbbb-0000-0000-0000-000000000002}';
const CMD = 'cmd /c "a\tb"\r\nwhoami \\N';

function events(host: string): SysmonEvent[] {
  const base = { host, targetGuid: null };
  return [
    { ...base, eventId: 1, category: 'process', recordId: 1, time: '2024-05-01T10:00:00.000Z', guid: P,
      fields: { ProcessGuid: P, Image: 'C:\\Windows\\System32\\svchost.exe', CommandLine: 'svchost.exe -k "netsvcs"' } },
    { ...base, eventId: 1, category: 'process', recordId: 2, time: '2024-05-01T10:00:01.500Z', guid: C,
      fields: { ProcessGuid: C, ParentProcessGuid: P, Image: 'C:\\Temp\\ünï\\cmd.exe', CommandLine: CMD, User: '\\N' } },
    { ...base, eventId: 3, category: 'network', recordId: null, time: '2024-05-01T10:00:02.000Z', guid: C,
      fields: { ProcessGuid: C, DestinationIp: '10.0.0.9' } },
    { ...base, eventId: 1, category: 'process', recordId: 4, time: '2024-05-01T10:00:03.000Z', guid: P, fields: { ProcessGuid: P } },
  ];
}

/** Stage `batch` in a fresh in-memory database; the staged rows and the repeated-create flag. */
async function staged(batch: SysmonEvent[]): Promise<{ rows: unknown[][]; repeated: boolean }> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(CREATE_STAGE);
    const stager = await StageAppender.open(conn);
    for (const e of batch) stager.add(e);
    stager.close();
    const rows = (await conn.runAndReadAll('SELECT * FROM stage_raw ORDER BY ord')).getRowsJS();
    return { rows, repeated: stager.repeatedCreates };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('StageAppender', () => {
  it('when values hold tabs, newlines, quotes and \\N, then they are staged exactly, in arrival order', async () => {
    const { rows, repeated } = await staged(events('ws-7'));
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    const fields = JSON.parse(String(rows[1]![8])) as Record<string, string>;
    expect(fields.CommandLine).toBe(CMD);
    expect(fields.User).toBe('\\N');
    expect(fields.Image).toBe('C:\\Temp\\ünï\\cmd.exe');
    expect(rows[2]!.slice(1, 8)).toEqual([C, null, 3, 'network', '2024-05-01T10:00:02.000Z', 'ws-7', null]);
    // Two creates for {…0001} in one batch: the merge must then pick the earliest.
    expect(repeated).toBe(true);
  });

  it('when a host name holds a tab, then it is staged as given', async () => {
    const { rows } = await staged(events('ws\t7'));
    expect(rows.map((r) => r[6])).toEqual(['ws\t7', 'ws\t7', 'ws\t7', 'ws\t7']);
  });

  it('when no create repeats, then the flag says so', async () => {
    expect((await staged(events('ws-7').slice(0, 3))).repeated).toBe(false);
  });
});
