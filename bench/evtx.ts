/**
 * `npm run bench -- evtx [--mb 200] [--runs 3] [--python-seconds 60] [--no-tools]`
 *
 * Builds (once, under .tmp/bench/) an .evtx of ≥ --mb MB from the real dataset chunks (see
 * ./_evtx-build.ts), then on that same file, in the same run:
 *   - our reader (`readEvtxFile`, every record to a ParsedEvent), in a fresh child process per run
 *     (median of --runs; peak RSS shows memory stays flat);
 *   - libevtx's `evtxexport -f xml` (Debian libevtx-utils), whole file, output counted then discarded;
 *   - python-evtx's `evtx_dump.py` (Debian python3-evtx): so slow that it runs for at most
 *     --python-seconds on the file and its rate is records emitted / time taken.
 * Reports records/s, MB/s and the ratios. Targets: ≥ 10× python-evtx, ≥ 1× evtxexport.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { buildEvtx } from './_evtx-build.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

interface Measure { tool: string; records: number; seconds: number; bytes: number; complete: boolean; maxRssMB?: number }

async function child(file: string): Promise<void> {
  const { readEvtxFile } = await import('../server/src/ingest/evtx/index.js');
  const t0 = performance.now();
  let records = 0;
  let rejected = 0;
  for await (const item of readEvtxFile(file)) {
    if (item.kind === 'event') records++; else rejected++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const m: Measure & { rejected: number } = {
    tool: 'lineage', records, seconds, bytes: statSync(file).size, complete: true,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), rejected,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function ours(file: string): Measure {
  const r = spawnSync(process.execPath, [...process.execArgv, join(here, 'run.ts'), 'evtx', '--child', file], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`reader child failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measure;
}

/** Run an external dumper, counting `<Event xmlns` in its output; stop it after `limitS` seconds. */
function external(tool: string, cmd: string, args: string[], file: string, limitS: number): Promise<Measure> {
  return new Promise((res, rej) => {
    const marker = Buffer.from('<Event xmlns');
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let records = 0;
    let tail: Buffer = Buffer.alloc(0);
    let stopped = false;
    const timer = setTimeout(() => { stopped = true; p.kill('SIGTERM'); }, limitS * 1000);
    p.stdout.on('data', (d: Buffer) => {
      const b = tail.length ? Buffer.concat([tail, d]) : d;
      for (let i = b.indexOf(marker); i >= 0; i = b.indexOf(marker, i + marker.length)) records++;
      tail = b.subarray(Math.max(0, b.length - marker.length + 1));
    });
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (!stopped && code !== 0) { rej(new Error(`${cmd} exited ${code}`)); return; }
      res({ tool, records, seconds, bytes: statSync(file).size, complete: !stopped });
    });
  });
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mb: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' },
      'python-seconds': { type: 'string', default: '60' }, 'no-tools': { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  if (values.child) return child(values.child);

  const mb = Number(values.mb);
  const dir = join(root, '.tmp', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `evtx-${mb}MB.evtx`);
  const metaFile = `${file}.json`;
  if (!existsSync(file) || !existsSync(metaFile)) {
    const datasets = process.env.LINEAGE_DATASETS ?? resolve(root, '..', 'shared', 'datasets');
    const t = performance.now();
    const meta = await buildEvtx(file, datasets, mb * 2 ** 20);
    writeFileSync(metaFile, JSON.stringify(meta));
    console.error(`[bench] built ${file}: ${meta.chunks} real chunks, ${meta.records} records, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { chunks: number; records: number };
  const MB = statSync(file).size / 2 ** 20;

  // The machine is shared: the load average says how much the figures are worth.
  const loadStart = os.loadavg()[0]!;
  const runs: Measure[] = [];
  for (let i = 0; i < Number(values.runs); i++) runs.push(ours(file));
  const rate = (m: Measure): number => m.records / m.seconds;
  const oursRate = median(runs.map(rate));
  if (runs.some((r) => r.records !== meta.records)) throw new Error(`reader read ${runs[0]!.records} records, file has ${meta.records}`);
  const summary: Record<string, unknown> = {
    bench: 'evtx', loadAvg1mAtStart: +loadStart.toFixed(1), fileMB: +MB.toFixed(1), records: meta.records, chunks: meta.chunks, runs: runs.length,
    lineage: { recordsPerSec: Math.round(oursRate), MBPerSec: +(oursRate * MB / meta.records).toFixed(1), maxRssMB: Math.max(...runs.map((r) => r.maxRssMB ?? 0)) },
  };
  console.error(`[bench] lineage readEvtxFile: ${Math.round(oursRate).toLocaleString()} records/s, ${(oursRate * MB / meta.records).toFixed(1)} MB/s, peak RSS ${Math.max(...runs.map((r) => r.maxRssMB ?? 0))} MB (median of ${runs.length})`);

  if (!values['no-tools']) {
    const tools: [string, string, string[], number][] = [
      ['evtxexport', 'evtxexport', ['-f', 'xml', file], 3600],
      ['python-evtx', 'evtx_dump.py', [file], Number(values['python-seconds'])],
    ];
    for (const [name, cmd, args, limit] of tools) {
      if (!has(cmd)) { console.error(`[bench] ${cmd} not installed (apt-get install -y libevtx-utils python3-evtx); skipped`); continue; }
      const m = await external(name, cmd, args, file, limit);
      const r = rate(m);
      summary[name] = {
        recordsPerSec: Math.round(r), MBPerSec: m.complete ? +(MB / m.seconds).toFixed(2) : +(r * MB / meta.records).toFixed(2),
        records: m.records, seconds: +m.seconds.toFixed(1), wholeFile: m.complete, lineageSpeedup: +(oursRate / r).toFixed(1),
      };
      console.error(`[bench] ${name}: ${Math.round(r).toLocaleString()} records/s (${m.records.toLocaleString()} records in ${m.seconds.toFixed(1)} s${m.complete ? '' : `, stopped after ${limit} s`}) → lineage is ${(oursRate / r).toFixed(1)}×`);
    }
  }
  summary.loadAvg1mAtEnd = +os.loadavg()[0]!.toFixed(1);
  console.error(`[bench] load average (1 min) ${loadStart.toFixed(1)} at start, ${os.loadavg()[0]!.toFixed(1)} at end, on ${os.cpus().length} CPUs`);
  console.log(JSON.stringify(summary));
}
