/**
 * `lineage demo [--db FILE] [--hosts N] [--days N] [--seed S] [--force]` — write the deterministic
 * demo fleet into a new database file and print a JSON summary on stdout.
 */
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDemoOptions, writeDemo } from '../demo/generate.js';
import { EmbeddedStore } from '../sources/embedded/store.js';

const USAGE = 'usage: lineage demo [--db FILE] [--hosts N] [--days N] [--seed S] [--processes-per-host N] [--force]';

function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer (got "${v}")`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string', default: 'data/demo.duckdb' },
        hosts: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        'processes-per-host': { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: true },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stderr.write(`${USAGE}\n`); return 0; }
  const db = values.db;
  let opts;
  try {
    opts = {
      hosts: intOption(values.hosts, 'hosts'), days: intOption(values.days, 'days'), seed: intOption(values.seed, 'seed'),
      processesPerHostDay: intOption(values['processes-per-host'], 'processes-per-host'),
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    resolveDemoOptions(opts);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (existsSync(db)) {
    if (!values.force) {
      process.stderr.write(`${db} already exists; pass --force to replace it\n`);
      return 1;
    }
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
  let store: EmbeddedStore | null = null;
  try {
    store = await EmbeddedStore.open(db);
    let last = 0;
    const summary = await writeDemo(store, opts, (n) => {
      if (n - last >= 1_000_000) { last = n; process.stderr.write(`demo: ${n} events generated\n`); }
    });
    process.stdout.write(`${JSON.stringify({ db, ...summary })}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
