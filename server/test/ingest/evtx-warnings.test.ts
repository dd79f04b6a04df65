/**
 * .evtx reader warnings reach the ingest report (and `lineage ingest`'s output) as warnings, apart
 * from rejections, with the chunk and byte offset — on a real capture whose chunk checksum we break.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run as ingestCli } from '../../src/cli/ingest.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { dataset, requireDatasets } from '../datasets.js';
import { tempDir } from './helpers.js';

const CAPATTACK = 'splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx';
const chunkAt = (i: number): number => 4096 + i * 65536;
const enabled = requireDatasets('evtx warnings in the ingest report');

/** A temp copy of the capture whose chunk-5 records checksum is wrong (and only that: the header CRC is fixed up). */
function damagedCopy(): string {
  const b = Buffer.from(readFileSync(dataset(CAPATTACK)));
  const c = chunkAt(5);
  b[c + 52] = b[c + 52]! ^ 0x5a; // records checksum
  b.writeUInt32LE(crc32(b.subarray(c + 128, c + 512), crc32(b.subarray(c, c + 120))), c + 124);
  const file = join(tempDir(), 'damaged.evtx');
  writeFileSync(file, b);
  return file;
}

describe.runIf(enabled)('evtx warnings in the ingest report', () => {
  const sink = () => ({ write: async (b: unknown[]) => ({ inserted: b.length, duplicates: 0 }) });

  it('a records-checksum mismatch is a warning with chunk and offset; all 429 records are still ingested', async () => {
    const clean = await ingestPaths([dataset(CAPATTACK)], sink());
    const file = damagedCopy();
    const report = await ingestPaths([file], sink());
    expect(report).toMatchObject({ files: 1, events: 429, rejectedTotal: 0, rejected: [] });
    expect(report.events).toBe(clean.events);
    const added = report.warnings.filter((w) => !clean.warnings.some((c) => c.reason === w.reason));
    expect(added).toEqual([{ file, chunk: 5, offset: chunkAt(5), reason: 'chunk 5 at 0x51000: records checksum mismatch; records validated one by one' }]);
    expect(report.warningsTotal).toBe(clean.warningsTotal + 1);
  });

  it('lineage ingest prints the warnings in the JSON report and on stderr, and stores every record', async () => {
    const file = damagedCopy();
    let out = '';
    let err = '';
    const code = await ingestCli(['--db', join(tempDir(), 'w.duckdb'), file], { out: (t) => { out += t; }, err: (t) => { err += t; } });
    expect(code).toBe(0);
    const report = JSON.parse(out) as { events: number; rejectedTotal: number; warnings: { chunk?: number }[]; warningsTotal: number };
    expect(report).toMatchObject({ events: 429, rejectedTotal: 0, warningsTotal: 3 });
    expect(report.warnings.filter((w) => w.chunk === 5)).toHaveLength(1);
    expect(err).toContain(`warning ${file} @0x51000: chunk 5 at 0x51000: records checksum mismatch`);
    expect(err).toMatch(/0 rejected, 3 warning\(s\)/);
  });
});
