/**
 * `npm run bench -- json-document [--events N] [--runs R]`
 *
 * JSON documents (server/src/ingest/json-document.ts) against JSON lines on the same events:
 * generates N (default 300k) NXLog-style JSON lines (bench/_ingest-gen.ts) under .tmp/bench/, and the
 * same records as one pretty-printed array (`JSON.stringify(…, null, 2)` per element, as exports
 * write them). Each run is a fresh child process doing read + split + parse + normalise (no store:
 * the store side is the same for both); R runs per format, alternating, median reported. Reports
 * events per CPU-second (the honest figure on a shared machine), MB/s and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeEventFile } from './_ingest-gen.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

interface Result { format: string; events: number; rejected: number; cpuSeconds: number; seconds: number; bytes: number; maxRssMB: number }

async function child(file: string): Promise<void> {
  const { readEventBatches } = await import('../server/src/ingest/read-file.js');
  const { normalise } = await import('../server/src/sysmon/fields.js');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const opened = await readEventBatches(file);
  let events = 0;
  let rejected = 0;
  for await (const batch of opened.batches) {
    for (const it of batch) {
      if (it.kind === 'event' && normalise(it.event).kind === 'event') events++;
      else if (it.kind === 'rejected') rejected++;
    }
  }
  const c = process.cpuUsage(c0);
  const r: Result = {
    format: opened.format, events, rejected, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6,
    bytes: statSync(file).size, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** The JSON-lines file rewritten as one pretty-printed array, streamed (never whole in memory). */
async function writeArray(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  const write = (s: string): Promise<void> => new Promise((res) => { if (out.write(s)) res(); else out.once('drain', () => res()); });
  await write('[\n');
  let first = true;
  for await (const line of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const el = JSON.stringify(JSON.parse(line), null, 2).replace(/\n/g, '\n  ');
    await write(`${first ? '' : ',\n'}  ${el}`);
    first = false;
  }
  await write('\n]\n');
  await new Promise<void>((res) => out.end(() => res()));
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    events: { type: 'string', default: '300000' }, runs: { type: 'string', default: '3' }, child: { type: 'string' },
  } });
  if (values.child) { await child(values.child); return; }
  const n = Number(values.events);
  const dir = join(root, '.tmp', 'bench');
  mkdirSync(dir, { recursive: true });
  const lines = join(dir, `json-${n}.jsonl`);
  const array = join(dir, `json-${n}.array.json`);
  if (!existsSync(lines)) await writeEventFile(lines, n, 'json');
  if (!existsSync(array)) await writeArray(lines, array);
  const results: Record<string, Result[]> = { lines: [], array: [] };
  for (let i = 0; i < Number(values.runs); i++) {
    for (const [name, file] of [['lines', lines], ['array', array]] as const) {
      const r = spawnSync(process.execPath, [...process.execArgv, join(here, 'run.ts'), 'json-document', '--child', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`child failed: ${r.status}`);
      results[name]!.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result);
    }
  }
  const summary: Record<string, unknown> = {};
  for (const [name, rs] of Object.entries(results)) {
    const perCpu = median(rs.map((r) => r.events / r.cpuSeconds));
    const mbs = median(rs.map((r) => r.bytes / 2 ** 20 / r.seconds));
    const rss = Math.max(...rs.map((r) => r.maxRssMB));
    summary[name] = { format: rs[0]!.format, events: rs[0]!.events, rejected: rs[0]!.rejected, bytes: rs[0]!.bytes, eventsPerCpuSecond: Math.round(perCpu), mbPerSecondWall: +mbs.toFixed(1), peakRssMB: rss };
    console.error(`${name.padEnd(6)} ${rs[0]!.format.padEnd(14)} ${rs[0]!.events} events, ${(rs[0]!.bytes / 2 ** 20).toFixed(0)} MB: ${Math.round(perCpu)} events/CPU-s (median of ${rs.length}), ${mbs.toFixed(1)} MB/s wall, peak RSS ${rss} MB`);
  }
  const ratio = (summary.array as { eventsPerCpuSecond: number }).eventsPerCpuSecond / (summary.lines as { eventsPerCpuSecond: number }).eventsPerCpuSecond;
  console.error(`array / lines (events per CPU-s): ${ratio.toFixed(2)}`);
  process.stdout.write(`${JSON.stringify({ bench: 'json-document', ...summary, ratio: +ratio.toFixed(3) })}\n`);
}
