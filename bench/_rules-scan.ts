/**
 * `npm run bench -- rules --db FILE [--runs R] [--names a.exe,b.exe] [--full] [--writable]`: the embedded
 * store's rule scan (`scanProcesses`, the statement a rule run streams) over a stored fleet, with the
 * create's PE fields it returns (docs/sigma.md "Create fields of a rule scan"), beside the same scan
 * without them (`fields: []`: the statement before schema 4) and with OriginalFileName only (what a
 * renamed-binary rule reads), alternated, so one run gives the ratios on the same load. A schema-4 store reads the stored columns; a schema-3 store open read-only reads the fields from
 * each row's create event (the fallback). `--writable` opens the store writable first, which upgrades a
 * schema-3 store, and reports how long the upgrade took. `--full` adds the scan of every create.
 * CPU is this process's (DuckDB threads included). Prints JSON lines on stdout.
 */
import os from 'node:os';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext, type ProcessRecord } from '../server/src/sources/event-source.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => Number(os.loadavg()[0]!.toFixed(1));

async function timed(scan: () => AsyncIterable<ProcessRecord[]>): Promise<{ wallMs: number; cpuMs: number; rows: number; withFields: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  let withFields = 0;
  for await (const batch of scan()) for (const r of batch) { rows++; if (r.fields) withFields++; }
  const c = process.cpuUsage(c0);
  return { wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000), rows, withFields };
}

export async function embeddedScan(argv: string[]): Promise<void> {
  const opt = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const db = opt('db')!;
  const runs = Number(opt('runs') ?? 3);
  const names = (opt('names') ?? 'certutil.exe,whoami.exe').split(',').map((n) => n.toLowerCase());
  if (argv.includes('--writable')) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const w = await EmbeddedStore.open(db);
    const c = process.cpuUsage(c0);
    await w.close();
    console.log(JSON.stringify({ bench: 'rules-scan-open-writable', db, wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000), loadAvg1m: load() }));
  }
  const store = await EmbeddedStore.open(db, { readOnly: true });
  const source = new EmbeddedSource(store);
  try {
    const cases: [string, string[] | null][] = [[`names ${names.join('|')}`, names], ...(argv.includes('--full') ? [['all creates', null] as [string, null]] : [])];
    for (const [label, list] of cases) {
      const before: Awaited<ReturnType<typeof timed>>[] = [];
      const after: Awaited<ReturnType<typeof timed>>[] = [];
      const one: Awaited<ReturnType<typeof timed>>[] = [];
      const load0 = load();
      // Alternated, so both see the same load.
      for (let i = 0; i < runs; i++) {
        // No field asked: the process columns only, the statement before schema 4.
        before.push(await timed(() => source.scanProcesses({ ctx: newContext(), fields: [], ...(list ? { names: list } : {}) })));
        after.push(await timed(() => source.scanProcesses({ ctx: newContext(), ...(list ? { names: list } : {}) })));
        one.push(await timed(() => source.scanProcesses({ ctx: newContext(), fields: ['OriginalFileName'], ...(list ? { names: list } : {}) })));
      }
      const line = {
        bench: 'rules-scan', db, scan: label, runs, storedColumns: store.createExtras, rows: after[0]!.rows, withFields: after[0]!.withFields,
        withoutFieldsMedianMs: median(before.map((r) => r.wallMs)), withoutFieldsMedianCpuMs: median(before.map((r) => r.cpuMs)),
        withFieldsMedianMs: median(after.map((r) => r.wallMs)), withFieldsMedianCpuMs: median(after.map((r) => r.cpuMs)),
        cpuRatio: Number((median(after.map((r) => r.cpuMs)) / median(before.map((r) => r.cpuMs))).toFixed(2)),
        originalFileNameOnlyMedianCpuMs: median(one.map((r) => r.cpuMs)),
        loadAvg1m: [load0, load()],
      };
      console.log(JSON.stringify(line));
      console.error(`[rules] embedded scan, ${label}: ${line.rows} rows (${line.withFields} with PE fields; ${store.createExtras ? 'stored columns' : 'read from create events'}): `
        + `${line.withFieldsMedianCpuMs} ms CPU vs ${line.withoutFieldsMedianCpuMs} without the fields (×${line.cpuRatio}), ${line.originalFileNameOnlyMedianCpuMs} with OriginalFileName only `
        + `(median of ${runs}, load ${line.loadAvg1m.join(' → ')})`);
    }
  } finally {
    await source.close();
  }
}
