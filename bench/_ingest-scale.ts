/**
 * The scale cases of `npm run bench -- ingest --scale`, each measured in a fresh child
 * process (peak RSS per measurement):
 *   - incremental: ADD generated events (seed 7) into a store already holding BASE (seed 42, built
 *     once and copied per run), as `lineage ingest` does it — load, then the closing re-sort — with
 *     `optimize({ since })` (only the added rows) against the whole-store `optimize()` it replaced;
 *   - small files: every real capture under ../shared/datasets (evtx, XML, JSON lines) in one run of
 *     `lineage ingest` into a fresh store: files/s and ms per file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeEventFile } from './_ingest-gen.js';

interface ScaleResult { case: string; seconds: number; cpuSeconds: number; maxRssMB: number; extra: Record<string, unknown> }

/** Child side: `what` is build | add-since | add-full | small-files. */
export async function scaleChild(what: string, a: { db: string; file?: string; files?: string[] }): Promise<void> {
  const { EmbeddedStore } = await import('../server/src/sources/embedded/store.js');
  const { ingestPaths } = await import('../server/src/ingest/pipeline.js');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const store = await EmbeddedStore.open(a.db, { threads: 1, memoryLimit: '256MB' });
  const since = store.nextEventSeq;
  const sink = { write: (b: Parameters<typeof store.writeEvents>[0]) => store.writeEvents(b), begin: () => store.beginBatch() };
  const report = await ingestPaths(a.files ?? [a.file!], sink, what === 'small-files' ? { onFile: () => undefined } : {});
  const loadSeconds = (performance.now() - t0) / 1000;
  if (what !== 'small-files') {
    // As lib/cli ingest: every core for the re-sort; the pool it used before (2 GB) for the full one.
    await store.setResources({ threads: availableParallelism(), memoryLimit: what === 'add-full' || what === 'build' ? '2GB' : '512MB' });
    await (what === 'add-since' ? store.optimize({ since }) : store.optimize());
  }
  await store.close();
  const cpu = process.cpuUsage(c0);
  const r: ScaleResult = {
    case: what, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    extra: { events: report.events, duplicates: report.duplicates, files: report.files, rejected: report.rejectedTotal, loadSeconds: +loadSeconds.toFixed(2), dbMB: Math.round(statSync(a.db).size / 2 ** 20) },
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function child(runTs: string, what: string, db: string, files: string[]): ScaleResult {
  const args = [...process.execArgv, runTs, 'ingest', '--scale-child', what, '--db', db, ...files.flatMap((f) => ['--file', f])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} child failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ScaleResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Parent side. */
export async function runScale(o: { dir: string; runTs: string; base: number; add: number; runs: number; datasets: string }): Promise<void> {
  const baseFile = join(o.dir, `sysmon-${o.base}.jsonl`);
  const addFile = join(o.dir, `sysmon-${o.add}-seed7.jsonl`);
  if (!existsSync(baseFile)) await writeEventFile(baseFile, o.base, 'json');
  if (!existsSync(addFile)) await writeEventFile(addFile, o.add, 'json', 7);
  const baseDb = join(o.dir, `scale-base-${o.base}.duckdb`);
  if (!existsSync(baseDb)) {
    const b = child(o.runTs, 'build', baseDb, [baseFile]);
    console.error(`[bench] built the ${o.base.toLocaleString()}-event store in ${b.seconds.toFixed(1)} s (${String(b.extra.dbMB)} MB)`);
  }
  const work = join(o.dir, 'scale-work.duckdb');
  const results: Record<string, ScaleResult[]> = { 'add-since': [], 'add-full': [] };
  for (let i = 0; i < o.runs; i++) {
    for (const what of ['add-since', 'add-full']) {
      rmSync(`${work}.wal`, { force: true });
      copyFileSync(baseDb, work);
      results[what]!.push(child(o.runTs, what, work, [addFile]));
    }
  }
  rmSync(work, { force: true });
  for (const [what, rs] of Object.entries(results)) {
    const out = {
      bench: 'ingest', mode: `incremental:${what}`, base: o.base, add: o.add, runs: rs.length,
      medianSeconds: +median(rs.map((r) => r.seconds)).toFixed(1), medianCpuSeconds: +median(rs.map((r) => r.cpuSeconds)).toFixed(1),
      medianLoadSeconds: +median(rs.map((r) => Number(r.extra.loadSeconds))).toFixed(1), maxRssMB: Math.max(...rs.map((r) => r.maxRssMB)),
      inserted: rs[0]!.extra.events, dbMB: rs[0]!.extra.dbMB, loadavg: loadavg()[0]!.toFixed(1),
    };
    console.log(JSON.stringify(out));
  }
  // Many small files: the real captures.
  const files = existsSync(o.datasets)
    ? (readdirSync(o.datasets, { recursive: true }) as string[]).filter((f) => /\.(evtx|xml\.log|log|raw|json|txt)$/.test(f) && !f.includes('eql-tests') && !f.includes('metadata') && !f.endsWith('process_list.json')).map((f) => join(o.datasets, f)).sort()
    : [];
  if (files.length === 0) { console.error('[bench] no datasets: small-files case skipped'); return; }
  const sf: ScaleResult[] = [];
  for (let i = 0; i < o.runs; i++) {
    const db = join(o.dir, 'scale-small.duckdb');
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    sf.push(child(o.runTs, 'small-files', db, files));
    rmSync(db, { force: true });
  }
  const s = median(sf.map((r) => r.seconds));
  console.log(JSON.stringify({
    bench: 'ingest', mode: 'small-files', files: sf[0]!.extra.files, events: sf[0]!.extra.events, runs: sf.length,
    medianSeconds: +s.toFixed(2), filesPerSec: +(Number(sf[0]!.extra.files) / s).toFixed(1), msPerFile: +(s * 1000 / Number(sf[0]!.extra.files)).toFixed(1),
    eventsPerSec: Math.round(Number(sf[0]!.extra.events) / s), maxRssMB: Math.max(...sf.map((r) => r.maxRssMB)), loadavg: loadavg()[0]!.toFixed(1),
    evtxexport: spawnSync('evtxexport', ['-h']).error ? 'not installed' : 'installed (not compared here)',
  }));
}
