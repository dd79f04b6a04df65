/**
 * The staging writer (stage.ts) stages every value exactly, whatever it holds (tabs, newlines,
 * backslashes, quotes, non-ASCII, NULL-marker look-alikes, odd timestamps, unknown categories),
 * across chunk boundaries, and flags creates repeated within a batch.
 *
 *   svchost {…0001}  (EID 1)
 *   └── cmd {…0002}  (EID 1 whose command line holds a tab and a newline; EID 3 without record id)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { SysmonEvent } from '../../ingest/record.js';
import { CREATE_STAGE, isoMillis, StageAppender } from './stage.js';

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

/**
 * What a staged row means, read back the way the merge SQL reads it (merge-sql.ts): category and
 * time from their typed column or, failing that, the text column; the time printed as ISO text.
 */
const LOGICAL = `SELECT ord, guid, target_guid, event_id, coalesce(category_text, CAST(category AS VARCHAR)),
  coalesce(time_text, strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ')), host, record_id, fields, time_text IS NULL
  FROM stage_raw ORDER BY ord`;

/** Stage `batch` in a fresh in-memory database; the staged rows (LOGICAL) and the repeated-create flag. */
async function staged(batch: SysmonEvent[]): Promise<{ rows: unknown[][]; repeated: boolean }> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(CREATE_STAGE);
    const stager = await StageAppender.open(conn);
    for (const e of batch) stager.add(e);
    stager.close();
    const rows = (await conn.runAndReadAll(LOGICAL)).getRowsJS();
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

  it('when a batch spans several chunks with NULLs scattered, then every row comes back as given', async () => {
    // 5,000 rows = two full 2,048-row chunks and a partial one; NULLs on rows that straddle chunk
    // and 64-row validity-word boundaries, so a bitmap left over from one chunk would show.
    const n = 5000;
    const batch: SysmonEvent[] = [];
    for (let i = 0; i < n; i++) {
      const g = `{cccccccc-0000-0000-0000-${String(i).padStart(12, '0')}}`;
      const cross = i % 7 === 3;
      batch.push({
        eventId: cross ? 10 : i % 5 === 0 ? 1 : 11, category: cross ? 'process-access' : i % 5 === 0 ? 'process' : 'file',
        host: `host-${i % 3}`, recordId: i % 64 === 63 || i === 2048 ? null : 1_000_000 + i,
        time: new Date(Date.UTC(2024, 1, 28, 23, 59, 0) + i * 37).toISOString(),
        guid: i % 11 === 0 ? null : g, targetGuid: cross ? P : null,
        // Names outside every Sysmon schema, in sorted order: canonical already (field-order.ts), stored as given.
        fields: { Guid: g, N: String(i) },
      });
    }
    const { rows } = await staged(batch);
    expect(rows).toHaveLength(n);
    const want = batch.map((e, i) => [i, e.guid, e.targetGuid, e.eventId, e.category, e.time, e.host, e.recordId, JSON.stringify(e.fields), true]);
    expect(rows).toEqual(want);
  });

  it('when a time or category has no typed form, then it is kept as text for DuckDB to judge', async () => {
    const odd = ['2024-02-30T10:00:00.000Z', '0999-05-01T10:00:00.000Z', '2024-05-01T10:00:60.000Z', '2024-05-01 10:00:00.000Z', '2024-05-01T10:00:00Z'];
    const base = events('ws-7')[2]!;
    const { rows } = await staged([...odd.map((time) => ({ ...base, time })), { ...base, category: 'custom' }]);
    expect(rows.map((r) => r[5])).toEqual([...odd, base.time]);
    expect(rows.map((r) => r[9])).toEqual([false, false, false, false, false, true]);
    expect(rows.map((r) => r[4])).toEqual([...odd.map(() => 'network'), 'custom']);
  });
});

describe('isoMillis', () => {
  it('when the time is the normalised ISO form, then it equals Date.parse — leap days and year ends included', () => {
    for (const t of ['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '1999-12-31T23:59:59.001Z', '1601-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z']) {
      expect(isoMillis(t)).toBe(Date.parse(t));
    }
  });

  it('when the date does not exist or the shape differs, then it is NaN', () => {
    for (const t of ['2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-13-01T00:00:00.000Z',
      '2024-05-01T24:00:00.000Z', '2024-05-01T10:00:00.000', '2024-05-01T10:00:00.00aZ', '0999-01-01T00:00:00.000Z']) {
      expect(isoMillis(t)).toBeNaN();
    }
  });
});
