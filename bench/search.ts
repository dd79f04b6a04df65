/**
 * `npm run bench -- search --db FILE [--terms a,b,c] [--runs 15] [--host H]`: the seed search by
 * command-line text on the embedded store, scanned (the search before the index) and through the
 * search index (server/src/sources/embedded/search-index.ts), same store, same process.
 * FILE must be writable (the index is built or caught up first, timed) — copy a shared store first.
 * Default terms (demo store): a rare token, a rare partial token, a medium one, one in no command line, a common one.
 * Reports per term the median CPU ms per query (process CPU, all threads: DuckDB's included) and
 * wall ms, the rows found, and the load average. Both sources answer the same rows (checked).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    db: { type: 'string' }, terms: { type: 'string', default: 'invoice,registerserv,netstat,nosuchthing,mojo-platform' },
    runs: { type: 'string', default: '15' }, host: { type: 'string' }, limit: { type: 'string', default: '50' },
  } });
  if (!values.db) throw new Error('--db FILE (a writable copy of a store) is required');
  const runs = Number(values.runs);
  const store = await EmbeddedStore.open(values.db);
  const loadBefore = os.loadavg().map((x) => x.toFixed(2));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const indexed = new EmbeddedSource(store, { searchIndex: true });
  await indexed.searchIndexIdle();
  const cu = process.cpuUsage(c0);
  console.error(`[search] index caught up in ${Math.round(performance.now() - t0)} ms wall, ${Math.round((cu.user + cu.system) / 1000)} ms CPU`);
  const scan = new EmbeddedSource(store, { searchIndex: false });
  const o = { limit: Number(values.limit), ...(values.host ? { host: values.host } : {}) };
  for (const term of values.terms!.split(',')) {
    const q = { text: term, ...(values.host ? { host: values.host } : {}) };
    const result: Record<string, { cpuMs: number; wallMs: number; rows: string[] }> = {};
    for (const [name, src] of [['scan', scan], ['index', indexed]] as const) {
      const cpu: number[] = [];
      const wall: number[] = [];
      let rows: string[] = [];
      for (let i = 0; i < runs; i++) {
        const w = performance.now();
        const c = process.cpuUsage();
        rows = (await src.findSeeds(q, { ctx: newContext(), ...o })).map((p) => `${p.host} ${p.guid}`);
        const d = process.cpuUsage(c);
        cpu.push((d.user + d.system) / 1000);
        wall.push(performance.now() - w);
      }
      result[name] = { cpuMs: Math.round(median(cpu) * 10) / 10, wallMs: Math.round(median(wall) * 10) / 10, rows };
    }
    const same = JSON.stringify(result.scan!.rows) === JSON.stringify(result.index!.rows);
    const line = { bench: 'search', term, host: values.host ?? null, rows: result.index!.rows.length, same,
      scanCpuMs: result.scan!.cpuMs, indexCpuMs: result.index!.cpuMs, scanWallMs: result.scan!.wallMs, indexWallMs: result.index!.wallMs,
      cpuRatio: Math.round((result.scan!.cpuMs / Math.max(0.1, result.index!.cpuMs)) * 10) / 10, runs, loadBefore, loadAfter: os.loadavg().map((x) => x.toFixed(2)) };
    console.log(JSON.stringify(line));
    console.error(`${term.padEnd(16)} rows ${String(line.rows).padStart(3)} same=${same}  CPU/query scan ${line.scanCpuMs} ms, index ${line.indexCpuMs} ms (×${line.cpuRatio}); wall ${line.scanWallMs} / ${line.indexWallMs} ms`);
    if (!same) process.exitCode = 1;
  }
  await indexed.close();
}
