/**
 * Staging through the TSV file and through the appender (stage.ts) must stage the same rows,
 * whatever the values hold (tabs, newlines, backslashes, quotes, non-ASCII, NULL-marker look-alikes).
 *
 *   svchost {…0001}  (EID 1)
 *   └── cmd {…0002}  (EID 1 whose command line holds a tab and a newline; EID 3 without record id)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { CREATE_STAGE } from './schema.js';
import { stageBatch } from './stage.js';

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

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });

/** Stage `batch` in a fresh in-memory database; the staged rows and the repeated-create flag. */
async function staged(batch: SysmonEvent[], tsv: boolean): Promise<{ rows: unknown[][]; repeated: boolean; file: string }> {
  dir ||= mkdtempSync(join(tmpdir(), 'lineage-stage-test-'));
  const file = join(dir, 'batch.tsv');
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(CREATE_STAGE);
    const repeated = await stageBatch(conn, batch, tsv ? file : null);
    const rows = (await conn.runAndReadAll('SELECT * FROM stage_raw ORDER BY ord')).getRowsJS();
    return { rows, repeated, file };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('stageBatch', () => {
  it('when values hold tabs, newlines, quotes and \\N, then the TSV path stages exactly what the appender does', async () => {
    const viaTsv = await staged(events('ws-7'), true);
    const viaAppender = await staged(events('ws-7'), false);
    expect(viaTsv.rows).toEqual(viaAppender.rows);
    expect(viaTsv.rows).toHaveLength(4);
    const fields = JSON.parse(String(viaTsv.rows[1]![8])) as Record<string, string>;
    expect(fields.CommandLine).toBe(CMD);
    expect(fields.User).toBe('\\N');
    expect(viaTsv.rows[2]!.slice(1, 8)).toEqual([C, null, 3, 'network', '2024-05-01T10:00:02.000Z', 'ws-7', null]);
    // Two creates for {…0001} in one batch: the merge must then pick the earliest.
    expect(viaTsv.repeated).toBe(true);
    expect(existsSync(viaTsv.file)).toBe(false); // the staged file is removed after reading
  });

  it('when a host name holds a tab (no TSV can carry it), then the batch falls back to the appender whole', async () => {
    const viaTsv = await staged(events('ws\t7'), true);
    expect(viaTsv.rows.map((r) => r[6])).toEqual(['ws\t7', 'ws\t7', 'ws\t7', 'ws\t7']);
    expect(viaTsv.rows).toEqual((await staged(events('ws\t7'), false)).rows);
  });

  it('when no create repeats, then the flag says so', async () => {
    expect((await staged(events('ws-7').slice(0, 3), false)).repeated).toBe(false);
  });
});
