/**
 * The scale cases of `npm run bench -- ingest --scale`, each measured in a fresh child
 * process (peak RSS per measurement):
 *   - incremental: ADD generated events (seed 7) into a store already holding BASE (seed 42, built
 *     once and copied per run), as `lineage ingest` does it — load, then the closing re-sort — with
 *     `optimize({ since })` (only the added rows) against the whole-store `optimize()` it replaced;
 *   - small files: every real capture under ../shared/datasets (evtx, XML, JSON lines) in one run of
 *     `lineage ingest` into a fresh store: files/s and ms per file;
 *   - small .evtx against evtxexport: every .evtx under ../shared/datasets and ../shared/sigmahq in one
 *     run of the built command (`node server/bin/lineage.js ingest`, i.e. server/dist: build first) into
 *     a fresh store, against `evtxexport -f xml` of each file (libevtx-utils; one process per file, as
 *     the tool works). CPU of every process either side (bash `times`), wall clock; the machine is
 *     shared, so CPU is the figure to compare. `LINEAGE_BENCH_TREE=DIR` runs another checkout's build
 *     (an A/B against an older commit).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
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
    // add-since as `lineage ingest` re-sorts (server/src/cli/ingest.ts: one thread, 256 MB); the
    // whole-store re-sort it replaced with the resources it had then (every core, 2 GB).
    const full = what === 'add-full' || what === 'build';
    await store.setResources({ threads: full ? availableParallelism() : 1, memoryLimit: full ? '2GB' : '256MB' });
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

/**
 * Run `script` (bash, with `args` as "$@") and return its wall clock and the CPU (user + system) of
 * every process it started, from bash's `times` (its children's line).
 */
function bashTimed(script: string, args: string[]): { seconds: number; cpuSeconds: number; status: number | null; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${script}\ntimes`, '_', ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = (performance.now() - t0) / 1000;
  // `times` prints the shell's own user/system line, then its children's: the last line.
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout);
  if (!m) throw new Error(`no times in: ${r.stdout.slice(-200)}`);
  const cpuSeconds = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
  return { seconds, cpuSeconds, status: r.status, stdout: r.stdout };
}

const evtxUnder = (dir: string): string[] => (existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.evtx')).map((f) => join(dir, f)) : []);

/** Many small .evtx in one `lineage ingest` against evtxexport on each (see the module comment). */
export function runSmallEvtx(o: { dir: string; root: string; runs: number; roots: string[] }): void {
  const files = o.roots.flatMap(evtxUnder).sort();
  const tree = process.env.LINEAGE_BENCH_TREE ?? o.root;
  const main = join(tree, 'server', 'dist', 'ingest', 'read-file.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run npm run build first`);
  if (statSync(main).mtimeMs < statSync(join(tree, 'server', 'src', 'ingest', 'read-file.ts')).mtimeMs) console.error('[bench] warning: server/dist is older than its sources (npm run build)');
  if (files.length === 0) { console.error('[bench] no .evtx under', o.roots.join(', '), ': small-evtx case skipped'); return; }
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const have = spawnSync('bash', ['-c', 'command -v evtxexport'], { encoding: 'utf8' }).stdout.trim();
  const ours: { seconds: number; cpuSeconds: number; events: number }[] = [];
  const theirs: { seconds: number; cpuSeconds: number; failed: number }[] = [];
  const out = join(tmpdir(), `lineage-small-evtx-${process.pid}.json`);
  for (let i = 0; i < o.runs; i++) {
    const db = join(o.dir, 'small-evtx.duckdb');
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    const r = bashTimed(`"$@" > ${JSON.stringify(out)}`, [process.execPath, join(tree, 'server', 'bin', 'lineage.js'), 'ingest', '--quiet', '--db', db, ...files]);
    if (r.status !== 0) throw new Error(`lineage ingest failed (${r.status})`);
    const c = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!) as { events: number; duplicates: number; files: number };
    if (c.files !== files.length) throw new Error(`read ${c.files} of ${files.length} files`);
    ours.push({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, events: c.events + c.duplicates });
    rmSync(db, { force: true });
    if (have) {
      const e = bashTimed('failed=0; for f in "$@"; do evtxexport -f xml "$f" > /dev/null 2>&1 || failed=$((failed+1)); done; echo "FAILED $failed"', files);
      theirs.push({ seconds: e.seconds, cpuSeconds: e.cpuSeconds, failed: Number(/FAILED (\d+)/.exec(e.stdout)?.[1] ?? -1) });
    }
  }
  rmSync(out, { force: true });
  const oursCpu = median(ours.map((r) => r.cpuSeconds));
  const theirCpu = theirs.length ? median(theirs.map((r) => r.cpuSeconds)) : null;
  console.log(JSON.stringify({
    bench: 'ingest', mode: 'small-evtx', tree, files: files.length, MiB: +(bytes / 2 ** 20).toFixed(1), events: ours[0]!.events, runs: o.runs,
    lineage: { medianSeconds: +median(ours.map((r) => r.seconds)).toFixed(2), medianCpuSeconds: +oursCpu.toFixed(2), cpuMsPerFile: +(oursCpu * 1000 / files.length).toFixed(2) },
    evtxexport: theirCpu === null ? 'not installed (command -v evtxexport found nothing)' : {
      medianSeconds: +median(theirs.map((r) => r.seconds)).toFixed(2), medianCpuSeconds: +theirCpu.toFixed(2), failedFiles: theirs[0]!.failed,
      cpuMsPerFile: +(theirCpu * 1000 / files.length).toFixed(2),
    },
    cpuRatioLineageToEvtxexport: theirCpu === null ? null : +(oursCpu / theirCpu).toFixed(2),
    loadavg: loadavg()[0]!.toFixed(1),
  }));
}

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
