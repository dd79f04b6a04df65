/**
 * `lineage ingest --db FILE PATH… [--json] [--optimize | --no-optimize] [--quiet]`
 *
 * Loads Sysmon files (directories recurse; the format is detected from content) into the embedded
 * store and prints the report (README.md "Ingest your own Sysmon files") as JSON on stdout:
 * `{"files","events","duplicates","skipped","rejected":[{"file","line","reason"}],"rejectedTotal",
 * "warnings":[{"file","reason","offset"?,"chunk"?}],"warningsTotal"}` — warnings lost nothing (e.g. an
 * .evtx chunk checksum mismatch), rejections did.
 * Progress and a human summary go to stderr. Exit 0 even with rejected records; 1 when nothing could
 * be read (or the store failed); 2 on usage errors.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ingestPaths, readAnything, type IngestReport } from '../ingest/pipeline.js';
import { readToolEnv, type ToolEnv } from '../app/config.js';
import { catchUpPrevalence } from '../sources/embedded/prevalence-index.js';
import { EmbeddedStore } from '../sources/embedded/store.js';

const USAGE = 'usage: lineage ingest --db FILE PATH… [--json] [--optimize|--no-optimize] [--quiet]';

/** DuckDB threads while loading (LINEAGE_DUCKDB_THREADS overrides, read by app/config.ts). */
const INGEST_THREADS = 1;
/** DuckDB buffer pool while loading: bounds the store's share of peak RSS, whatever the input size. */
const INGEST_MEMORY = '256MB';

/** Buffer pool of the closing re-sort (docs/ingest.md "Incremental ingest"). */
const OPTIMIZE_MEMORY = '512MB';

/** Re-sorting the tables pays off after big loads; below this many new events it is skipped. */
const OPTIMIZE_AFTER = 100_000;

/** Where the command writes (injectable for tests). */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIO: CliIO = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
};

export async function run(argv: string[], io: CliIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        json: { type: 'boolean', default: false },
        optimize: { type: 'boolean' },
        'no-optimize': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { io.err(`${USAGE}\n`); return 0; }
  if (!values.db || positionals.length === 0) {
    io.err(`${!values.db ? 'missing --db FILE' : 'no PATH given'}\n${USAGE}\n`);
    return 2;
  }

  let store: EmbeddedStore;
  let env: ToolEnv;
  try {
    env = readToolEnv();
    // Ingest: one DuckDB thread and a small buffer pool (memory flat in the input size; see the
    // store README "Write path"); optimize() below gets every core and a larger pool back.
    store = await EmbeddedStore.open(values.db, { threads: env.duckdb.threads ?? INGEST_THREADS, memoryLimit: env.duckdb.memoryLimit ?? INGEST_MEMORY });
  } catch (err) {
    io.err(`ingest: ${(err as Error).message}\n`);
    return 1;
  }
  const started = performance.now();
  const firstSeq = store.nextEventSeq;
  let report: IngestReport;
  try {
    report = await ingestPaths(positionals, { write: (batch) => store.writeEvents(batch), begin: () => store.beginBatch() }, {
      onFile: values.quiet ? undefined : (file, r) => {
        io.err(`ingest: ${file} — ${r.events} new events so far, ${r.duplicates} duplicates, ${r.rejectedTotal} rejected\n`);
      },
    });
    const optimize = values.optimize ?? (!values['no-optimize'] && report.events >= OPTIMIZE_AFTER);
    if (optimize && report.events > 0) {
      if (!values.quiet) io.err('ingest: optimizing the database for GUID lookups…\n');
      // Only what this run added is re-sorted (a fresh store: everything), in a bounded pool —
      // sorts spill to disk beyond it — so memory stays flat whatever the store's size.
      await store.setResources({ threads: availableParallelism(), memoryLimit: env.duckdb.memoryLimit ?? OPTIMIZE_MEMORY });
      await store.optimize({ since: firstSeq });
    }
    await catchUpPrevalence(store); // the fleet-prevalence tables take in what this run added
  } catch (err) {
    io.err(`ingest failed: ${(err as Error).message}\n`);
    await store.close().catch(() => undefined);
    return 1;
  }
  await store.close();

  io.out(`${JSON.stringify(report)}\n`);
  if (!values.quiet) {
    const s = ((performance.now() - started) / 1000).toFixed(1);
    io.err(`ingest: ${report.files} file(s), ${report.events} new events, ${report.duplicates} duplicates, `
      + `${report.skipped} skipped (not Sysmon), ${report.rejectedTotal} rejected, ${report.warningsTotal} warning(s), ${s} s\n`);
    for (const w of report.warnings.slice(0, 20)) io.err(`  warning ${w.file}${w.offset !== undefined ? ` @0x${w.offset.toString(16)}` : ''}: ${w.reason}\n`);
    if (report.warningsTotal > 20) io.err(`  … ${report.warningsTotal - 20} more warnings in the JSON report\n`);
    for (const r of report.rejected.slice(0, 20)) io.err(`  rejected ${r.file}:${r.line}: ${r.reason}\n`);
    if (report.rejectedTotal > 20) io.err(`  … ${report.rejectedTotal - 20} more in the JSON report\n`);
  }
  return readAnything(report) ? 0 : 1;
}
