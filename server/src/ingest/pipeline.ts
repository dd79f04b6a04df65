/**
 * File ingest: paths (files or directories, recursed) → parsed records → normalised Sysmon events →
 * batches into a sink (the embedded store). Produces the ingest report (README.md). Bad records are
 * reported with file and line and never stop the run; only a failing sink aborts it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { normalise } from '../sysmon/fields.js';
import { readEventBatches, type ReadOptions } from './read-file.js';
import type { SysmonEvent } from './record.js';

/** Where normalised events go. The store folds repeats of one event (docs/ingest.md "Event identity"). */
export interface IngestSink {
  write(batch: SysmonEvent[]): Promise<{ inserted: number; duplicates: number }>;
  /**
   * Optional streaming form, preferred when present: a batch that takes events one at a time
   * (the embedded store stages each into DuckDB at once), so no batch of event objects is held.
   */
  begin?(): Promise<SinkBatch>;
}

/** A batch being filled (see IngestSink.begin). */
export interface SinkBatch {
  add(e: SysmonEvent): void;
  readonly size: number;
  commit(): Promise<{ inserted: number; duplicates: number }>;
  abort(): void;
}

/** One record that could not be used: the file, the 1-based line it starts on (0 = whole file), why. */
export interface RejectedRecord { file: string; line: number; reason: string }

/**
 * A problem that lost nothing (every record was still read), e.g. an .evtx chunk whose checksum
 * fails or a log header marked dirty: the data may be a copy of a live or damaged log.
 */
export interface IngestWarning {
  file: string;
  reason: string;
  /** Byte offset in the file. */
  offset?: number;
  /** 0-based .evtx chunk index. */
  chunk?: number;
}

/** The ingest report (README.md "Ingest your own Sysmon files"), plus the skipped count. */
export interface IngestReport {
  /** Files read (format recognised and supported). */
  files: number;
  /** Events newly stored. */
  events: number;
  /** Events the store already had. */
  duplicates: number;
  /** Records that are not Sysmon (other channels, classic text blocks). */
  skipped: number;
  /** Rejected records, at most `maxRejected` of them (see `rejectedTotal`). */
  rejected: RejectedRecord[];
  /** All rejected records, including those beyond the listed ones. */
  rejectedTotal: number;
  /** Reader warnings (data still read), at most `maxRejected` of them (see `warningsTotal`). */
  warnings: IngestWarning[];
  /** All warnings, including those beyond the listed ones. */
  warningsTotal: number;
}

/** Options for `ingestPaths`. */
export interface IngestOptions extends Omit<ReadOptions, 'format'> {
  /** Events per sink write (default 122,880: one DuckDB row group). */
  batchSize?: number;
  /** Rejections listed in the report (default 10,000); the rest are only counted. */
  maxRejected?: number;
  /** Called after each file (counts: batches committed so far; the file's own may still be open). */
  onFile?: (file: string, report: IngestReport) => void;
}

/**
 * Expand paths: directories recurse (entries in name order, so runs are deterministic). Synchronous
 * calls: a stat is microseconds, while a trip through libuv's thread pool per file waits for a core on
 * a busy machine (docs/ingest.md "Many small files").
 */
export async function listFiles(paths: string[], missing: (path: string, reason: string) => void): Promise<string[]> {
  const out: string[] = [];
  const seenDirs = new Set<string>(); // symlinked directory loops must not recurse forever
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      missing(p, (e as Error).message);
      return;
    }
    if (st.isDirectory()) {
      const id = `${st.dev}:${st.ino}`;
      if (seenDirs.has(id)) return;
      seenDirs.add(id);
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        missing(p, (e as Error).message);
        return;
      }
      for (const n of names) walk(join(p, n));
    } else if (st.isFile()) {
      out.push(p);
    } else {
      missing(p, 'not a regular file or directory');
    }
  };
  for (const p of paths) walk(p);
  return out;
}

/** True when the run read something (events stored, duplicates or skipped records). */
export function readAnything(r: IngestReport): boolean {
  return r.events + r.duplicates + r.skipped > 0;
}

/** A report with nothing counted yet. */
export function emptyReport(): IngestReport {
  return { files: 0, events: 0, duplicates: 0, skipped: 0, rejected: [], rejectedTotal: 0, warnings: [], warningsTotal: 0 };
}

/** Count a rejected record in `report`, listing it while fewer than `maxRejected` are listed. */
export function rejectInto(report: IngestReport, maxRejected: number, file: string, line: number, reason: string): void {
  report.rejectedTotal++;
  if (report.rejected.length < maxRejected) report.rejected.push({ file, line, reason });
}

/**
 * Read one file: each normalised event goes to `add`; skipped and rejected records, reader warnings
 * and the file itself (when its format is readable) are counted in `report`. `add` returns a promise
 * only when it must be awaited (a batch opened or filled); an error it throws as a `SinkFailure`
 * ends the read, any other error of the read is a rejection of the rest of the file.
 * Shared by `ingestPaths` and the upload's parse worker (./parse-worker.ts), so both read alike.
 */
export async function readFileInto(
  file: string, report: IngestReport, opts: { chunkBytes?: number; maxRejected: number },
  add: (e: SysmonEvent) => Promise<void> | undefined,
): Promise<void> {
  const reject = (line: number, reason: string): void => rejectInto(report, opts.maxRejected, file, line, reason);
  let opened;
  try {
    opened = await readEventBatches(file, {
      chunkBytes: opts.chunkBytes,
      onWarning: (w) => {
        report.warningsTotal++;
        if (report.warnings.length < opts.maxRejected) report.warnings.push({ file, ...w });
      },
    });
  } catch (e) {
    reject(0, `cannot read: ${(e as Error).message}`);
    return;
  }
  try {
    for await (const items of opened.batches) {
      for (const item of items) {
        if (item.kind === 'event') {
          const n = normalise(item.event);
          if (n.kind === 'event') {
            const pending = add(n.event);
            if (pending) await pending;
          } else if (n.kind === 'skipped') {
            report.skipped++;
          } else {
            reject(item.line, n.reason);
          }
        } else if (item.kind === 'skipped') {
          report.skipped++;
        } else {
          reject(item.line, item.reason);
        }
      }
    }
  } catch (e) {
    if (e instanceof SinkFailure) throw e;
    // An I/O error mid-file: what was read is kept, the rest of the file is reported.
    reject(0, `read failed: ${(e as Error).message}`);
  }
  if (opened.supported) report.files++;
}

/** Ingest files/directories into `sink`; see the module comment. */
export async function ingestPaths(paths: string[], sink: IngestSink, opts: IngestOptions = {}): Promise<IngestReport> {
  // One DuckDB row group (122,880 rows) per write: a batch that fills whole row groups is written
  // compressed straight into the file instead of through the WAL (figures: bench/results/embedded-store.md).
  const batchSize = opts.batchSize ?? 122_880;
  const maxRejected = opts.maxRejected ?? 10_000;
  const report = emptyReport();
  const files = await listFiles(paths, (p, reason) => rejectInto(report, maxRejected, p, 0, reason));

  // One write in flight while the next batch is parsed: the store works in its own threads.
  let pending: Promise<void> | null = null;
  const settle = async (): Promise<void> => {
    const p = pending;
    pending = null;
    if (p) await p;
  };
  const track = (w: Promise<{ inserted: number; duplicates: number }>): void => {
    const p = w.then((r) => {
      report.events += r.inserted;
      report.duplicates += r.duplicates;
    }, (err: unknown) => { throw new SinkFailure(err); });
    p.catch(() => undefined); // observed at the next settle(); never an unhandled rejection meanwhile
    pending = p;
  };
  // Array batches, for sinks without `begin`.
  let batch: SysmonEvent[] = [];
  // Streaming batch (sink.begin): events go straight into the sink, nothing is held here.
  let open = null as SinkBatch | null;
  const flush = async (): Promise<void> => {
    // The previous write must end first (its counts, or its error), then this one runs while the
    // next batch is filled.
    await settle();
    if (open) {
      const b = open;
      open = null;
      track(b.commit());
      return;
    }
    if (batch.length === 0) return;
    const toWrite = batch;
    batch = [];
    track(sink.write(toWrite));
  };
  const add = async (e: SysmonEvent): Promise<void> => {
    if (sink.begin) {
      if (!open) {
        try {
          open = await sink.begin();
        } catch (err) {
          throw new SinkFailure(err);
        }
      }
      open.add(e);
      if (open.size >= batchSize) await flush();
      return;
    }
    batch.push(e);
    if (batch.length >= batchSize) await flush();
  };

  try {
    for (const file of files) {
      // Hot path: a synchronous add; the async one only when a batch opens or fills.
      await readFileInto(file, report, { chunkBytes: opts.chunkBytes, maxRejected }, (e) => {
        if (open !== null && open.size + 1 < batchSize) { open.add(e); return undefined; }
        return add(e);
      });
      // Progress only: no flush per file, so many small files share a batch (one transaction per
      // batch of files, not per file); the counts are those of the batches committed so far.
      if (opts.onFile) opts.onFile(file, report);
    }
    await flush();
    await settle();
  } catch (e) {
    open?.abort();
    // Only a failing sink aborts the run; its own error is what the caller sees.
    throw e instanceof SinkFailure ? e.cause : e;
  }
  return report;
}

/** Marks an error of the sink (store), as opposed to one of reading a file. */
export class SinkFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
