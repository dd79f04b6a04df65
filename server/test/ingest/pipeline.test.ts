/**
 * `ingestPaths` and `lineage ingest`: directories, batching, the report, and — through the real
 * embedded store — that re-ingesting adds nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/ingest.js';
import { ingestPaths, readAnything, type IngestSink } from '../../src/ingest/pipeline.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { FIXTURES, fixture, readNormalised, tempDir } from './helpers.js';

/** A sink that keeps what it is given and, like the store, counts a (host, record id) seen before as a duplicate. */
function memorySink(): IngestSink & { batches: SysmonEvent[][]; seen: Set<string> } {
  const seen = new Set<string>();
  const batches: SysmonEvent[][] = [];
  return {
    batches, seen,
    async write(batch) {
      batches.push(batch);
      let inserted = 0;
      for (const e of batch) {
        const key = e.recordId == null ? JSON.stringify(e) : `${e.host}|${e.recordId}`;
        if (!seen.has(key)) { seen.add(key); inserted++; }
      }
      return { inserted, duplicates: batch.length - inserted };
    },
  };
}

// Per fixture: Sysmon events kept, records rejected, non-Sysmon skipped (see formats.test.ts).
// JSON documents: array.json, pretty-objects.json, splunk-export.json, splunk-results.json and
// elastic-hits.json hold the five events; malformed-array.json four, one malformed element, one scalar.
const FIXTURE_EVENTS = 12 * 5 + 4 + 3 + 3 + 3 + 4;
const FIXTURE_REJECTED = 6 + 4 + 1 + 2;
const FIXTURE_SKIPPED = 1 + 1 + 4 + 1 + 1;
// Distinct (host, record id): 101–105 everywhere, 200/202/205/299 in malformed.log; malformed.csv has
// no record ids (3 distinct contents); malformed.jsonl and mixed.raw repeat 101–103.
const FIXTURE_UNIQUE = 5 + 4 + 3;

describe('ingestPaths', () => {
  it('recurses into directories and reports every rejected record with file and line', async () => {
    const sink = memorySink();
    const report = await ingestPaths([FIXTURES], sink, { batchSize: 4 });
    expect(report.files).toBe(readdirSync(FIXTURES).length);
    expect(report.events + report.duplicates).toBe(FIXTURE_EVENTS);
    expect(report.events).toBe(FIXTURE_UNIQUE);
    expect(report.skipped).toBe(FIXTURE_SKIPPED);
    expect(report.rejectedTotal).toBe(FIXTURE_REJECTED);
    expect(report.rejected.filter((r) => r.file === fixture('malformed.log')).map((r) => r.line)).toEqual([2, 4, 5, 8, 9, 11]);
    expect(report.rejected.filter((r) => r.file === fixture('malformed.csv'))).toEqual([
      { file: fixture('malformed.csv'), line: 3, reason: 'CSV row has 7 cells, header has 6' },
    ]);
    expect(sink.batches.every((b) => b.length <= 4)).toBe(true);
    expect(sink.batches.flat()).toHaveLength(FIXTURE_EVENTS);
    expect(readAnything(report)).toBe(true);
  });

  it('reports a missing path and an unsupported file, and reads nothing from them', async () => {
    const dir = tempDir();
    const report = await ingestPaths([join(dir, 'nope.log')], memorySink());
    expect(report).toMatchObject({ files: 0, events: 0, duplicates: 0, skipped: 0, rejectedTotal: 1 });
    expect(report.rejected[0]).toMatchObject({ file: join(dir, 'nope.log'), line: 0, reason: expect.stringMatching(/ENOENT/) });
    expect(readAnything(report)).toBe(false);
  });

  it('caps the listed rejections but counts them all', async () => {
    const report = await ingestPaths([fixture('malformed.log')], memorySink(), { maxRejected: 2 });
    expect(report.rejected).toHaveLength(2);
    expect(report.rejectedTotal).toBe(6);
  });
});

describe('lineage ingest (CLI, real embedded store)', () => {
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await run(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  };

  it('prints the report; ingesting the same files again adds nothing', async () => {
    // The store keeps one row per distinct event (docs/ingest.md "Event identity"): the fixtures
    // render events 101–105 with different System parts (CSV without TimeCreated, other clocks),
    // so those renderings are distinct events. Counted here independently of the store's SQL.
    const distinct = new Set<string>();
    for (const f of readdirSync(FIXTURES).sort()) {
      for (const e of (await readNormalised(fixture(f))).events) {
        const data = Object.keys(e.fields).sort().map((k) => [k, e.fields[k]]);
        distinct.add(JSON.stringify([e.host, e.recordId, e.eventId, e.systemKey ?? '', data]));
      }
    }
    const db = join(tempDir(), 'lineage.duckdb');
    const first = await cli('--db', db, FIXTURES, '--json');
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.out);
    expect(r1).toMatchObject({ files: readdirSync(FIXTURES).length, events: distinct.size, duplicates: FIXTURE_EVENTS - distinct.size, skipped: FIXTURE_SKIPPED });
    expect(r1.rejected).toHaveLength(FIXTURE_REJECTED);
    expect(r1.rejected[0]).toEqual({ file: expect.any(String), line: expect.any(Number), reason: expect.any(String) });

    const again = JSON.parse((await cli('--db', db, FIXTURES, '--quiet')).out);
    expect(again).toMatchObject({ events: 0, duplicates: FIXTURE_EVENTS });
  });

  it('exits 1 when nothing could be read and 2 on usage errors', async () => {
    const dir = tempDir();
    expect((await cli('--db', join(dir, 'x.duckdb'), join(dir, 'missing'))).code).toBe(1);
    expect((await cli(fixture('flat.jsonl'))).code).toBe(2);
    expect((await cli('--db', join(dir, 'x.duckdb'))).code).toBe(2);
    expect((await cli('--db', join(dir, 'x.duckdb'), '--bogus', fixture('flat.jsonl'))).code).toBe(2);
  });
});
