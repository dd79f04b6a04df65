/**
 * The memory case of `npm run bench -- ingest --memory [--events N] [--runs R]`: `lineage ingest`
 * itself (server/src/cli/ingest.ts `run`, as the command line runs it) of N generated JSON-lines
 * events (2M ≈ 2.26 GB) into a fresh store, each run in a fresh child process. Reports the peak
 * resident set (the kernel's VmHWM) of the load phase and of the closing re-sort separately: when
 * the command announces the re-sort, the child reads VmHWM and resets it (`/proc/self/clear_refs`
 * 5), so the second figure is the re-sort's own peak. Linux only (reads /proc).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeEventFile } from './_ingest-gen.js';

export interface MemoryResult {
  /** Whole run, and the load alone (up to the closing re-sort). */
  seconds: number; loadSeconds: number; cpuSeconds: number; loadPeakMiB: number; resortPeakMiB: number; peakMiB: number; events: number; dbMiB: number;
  /** V8 heap (total) and buffers outside it when the load ended: the JS share of the load peak. */
  jsHeapMiB: number; jsExternalMiB: number;
}

/** VmHWM of this process in MiB. */
function hwmMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('no VmHWM in /proc/self/status');
  return Math.round(Number(m[1]) / 1024);
}

/** Child side: one `lineage ingest --db DB FILE`. */
export async function memoryChild(a: { db: string; file: string }): Promise<void> {
  const { run } = await import('../server/src/cli/ingest.js');
  let loadPeak = 0;
  let loadSeconds = 0;
  let js = { heapTotal: 0, external: 0 };
  let out = '';
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const code = await run(['--db', a.db, a.file], {
    out: (t) => { out += t; },
    err: (t) => {
      if (!t.startsWith('ingest: optimizing')) { if (!/ new events so far, /.test(t)) process.stderr.write(t); return; }
      loadPeak = hwmMiB();
      loadSeconds = (performance.now() - t0) / 1000;
      js = process.memoryUsage();
      writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    },
  });
  if (code !== 0) throw new Error(`lineage ingest exited ${code}`);
  const cpu = process.cpuUsage(c0);
  const resortPeak = hwmMiB();
  const r: MemoryResult = {
    seconds: (performance.now() - t0) / 1000, loadSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
    loadPeakMiB: loadPeak, resortPeakMiB: resortPeak, peakMiB: Math.max(loadPeak, resortPeak),
    events: (JSON.parse(out) as { events: number }).events, dbMiB: Math.round(statSync(a.db).size / 2 ** 20),
    jsHeapMiB: Math.round(js.heapTotal / 2 ** 20), jsExternalMiB: Math.round(js.external / 2 ** 20),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Parent side. */
export async function runMemory(o: { dir: string; runTs: string; events: number; runs: number }): Promise<void> {
  const file = join(o.dir, `sysmon-${o.events}.jsonl`);
  if (!existsSync(file)) await writeEventFile(file, o.events, 'json');
  const db = join(o.dir, 'memory.duckdb');
  const rs: MemoryResult[] = [];
  for (let i = 0; i < o.runs; i++) {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    const args = [...process.execArgv, o.runTs, 'ingest', '--memory-child', '--db', db, '--file', file];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`memory child failed (${r.status})`);
    rs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryResult);
    console.error(`[bench] memory run ${i + 1}: ${JSON.stringify(rs.at(-1))} (load ${loadavg()[0]!.toFixed(1)})`);
  }
  rmSync(db, { force: true });
  console.log(JSON.stringify({
    bench: 'ingest', mode: 'memory', events: rs[0]!.events, fileMiB: Math.round(statSync(file).size / 2 ** 20), runs: rs.length,
    medianSeconds: +median(rs.map((r) => r.seconds)).toFixed(1), medianCpuSeconds: +median(rs.map((r) => r.cpuSeconds)).toFixed(1),
    maxLoadPeakMiB: Math.max(...rs.map((r) => r.loadPeakMiB)), maxResortPeakMiB: Math.max(...rs.map((r) => r.resortPeakMiB)),
    maxPeakMiB: Math.max(...rs.map((r) => r.peakMiB)), dbMiB: rs[0]!.dbMiB,
    env: { LINEAGE_DUCKDB_MEMORY: process.env.LINEAGE_DUCKDB_MEMORY ?? null, LINEAGE_DUCKDB_THREADS: process.env.LINEAGE_DUCKDB_THREADS ?? null },
    loadavg: loadavg()[0]!.toFixed(1),
  }));
}
