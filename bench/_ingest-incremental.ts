/**
 * The incremental case of `npm run bench -- ingest --incremental --base-db STORE [--add M] [--runs R]`:
 * `lineage ingest` (load + closing re-sort of the added rows, as the command runs it; ./_ingest-memory.ts
 * child) of M generated JSON-lines events (seed 7) into
 *   - an empty store,
 *   - a store of M other events (seed 42, built once by `lineage ingest`),
 *   - a copy of STORE (e.g. a 10M-event demo store; copied, never written).
 * Cost must be what is added: time and peak RSS (VmHWM, load and re-sort apart) should not grow with
 * the store. Each run starts from a fresh copy.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeEventFile } from './_ingest-gen.js';
import type { MemoryResult } from './_ingest-memory.js';

function ingestChild(runTs: string, db: string, file: string): MemoryResult {
  const args = [...process.execArgv, runTs, 'ingest', '--memory-child', '--db', db, '--file', file];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`ingest child failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryResult;
}

function clear(db: string): void {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Parent side. */
export async function runIncremental(o: { dir: string; runTs: string; add: number; runs: number; baseDb: string | undefined }): Promise<void> {
  const addFile = join(o.dir, `sysmon-${o.add}-seed7.jsonl`);
  const otherFile = join(o.dir, `sysmon-${o.add}.jsonl`);
  if (!existsSync(addFile)) await writeEventFile(addFile, o.add, 'json', 7);
  if (!existsSync(otherFile)) await writeEventFile(otherFile, o.add, 'json');
  const sameSize = join(o.dir, `incr-base-${o.add}.duckdb`);
  if (!existsSync(sameSize)) {
    const b = ingestChild(o.runTs, sameSize, otherFile);
    console.error(`[bench] built the ${o.add.toLocaleString()}-event base store: ${b.seconds.toFixed(1)} s`);
  }
  const bases: [string, string | null][] = [];
  if (o.baseDb) {
    if (existsSync(o.baseDb)) bases.push([o.baseDb, o.baseDb]);
    else console.error(`[bench] ${o.baseDb} not found: that case is skipped`);
  }
  bases.push([`${o.add}`, sameSize], ['empty', null]);
  const work = join(o.dir, 'incr-work.duckdb');
  for (const [label, base] of bases) {
    const rs: (MemoryResult & { storeEvents: number | null })[] = [];
    for (let i = 0; i < o.runs; i++) {
      clear(work);
      if (base) copyFileSync(base, work);
      const r = ingestChild(o.runTs, work, addFile);
      rs.push({ ...r, storeEvents: null });
      console.error(`[bench] ${o.add.toLocaleString()} into ${label}: ${JSON.stringify(r)} (load ${loadavg()[0]!.toFixed(1)})`);
    }
    console.log(JSON.stringify({
      bench: 'ingest', mode: 'incremental', into: label, baseMiB: base ? Math.round(statSync(base).size / 2 ** 20) : 0, add: o.add,
      inserted: rs[0]!.events, runs: rs.length, medianSeconds: +median(rs.map((r) => r.seconds)).toFixed(1),
      medianCpuSeconds: +median(rs.map((r) => r.cpuSeconds)).toFixed(1), maxLoadPeakMiB: Math.max(...rs.map((r) => r.loadPeakMiB)),
      maxResortPeakMiB: Math.max(...rs.map((r) => r.resortPeakMiB)), loadavg: loadavg()[0]!.toFixed(1),
    }));
  }
  clear(work);
}
