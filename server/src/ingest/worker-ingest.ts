/**
 * `ingestInWorker`: `ingestPaths` with the reading and parsing on a worker thread
 * (./parse-worker.ts). The calling thread only hands the worker's batches to the sink, one at a
 * time, so a server keeps answering requests while an upload is parsed (docs/security.md
 * "Uploads"). Same report as `ingestPaths`: the worker counts files, skipped, rejected and warnings
 * with the same code; this side counts what the sink stored.
 * Flow control: the worker posts a batch only when granted one; a grant is sent when a write
 * starts, so one batch is parsed while the previous one is written and at most one waits.
 * `signal` (e.g. the client went away) stops the worker at once and no further batch is written.
 * A worker that finished its job is kept for the next one (at most `MAX_IDLE`, not keeping the
 * process alive): a new worker's first file runs its parsers cold (interpreted), several times slower.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IngestReport, IngestSink } from './pipeline.js';
import type { SysmonEvent } from './record.js';

/** What the worker is asked to read. */
export interface WorkerJob { paths: string[]; batchSize: number; maxRejected: number; chunkBytes?: number }
/** Worker → caller. */
export type FromWorker =
  | { type: 'batch'; events: SysmonEvent[] }
  | { type: 'done'; report: IngestReport }
  | { type: 'failed'; message: string };
/** Caller → worker: a job to run, or one more batch may be posted. */
export type ToWorker = { type: 'job'; job: WorkerJob } | { type: 'next' };

/** Options for `ingestInWorker`. */
export interface WorkerIngestOptions {
  /** Events per sink write (default 5,000). */
  batchSize?: number;
  /** Rejections listed in the report (default 10,000). */
  maxRejected?: number;
  chunkBytes?: number;
  /** Called as each parsed batch reaches this thread (before it is written), with its size. */
  onParsed?: (events: number) => void;
  /**
   * Aborting stops the worker and rejects with the signal's reason once a write in progress has
   * ended (batches written stay written; the sink has seen each of them).
   */
  signal?: AbortSignal;
}

/**
 * The worker's file: compiled JavaScript beside this module in a build; in the sources (tests, the
 * bench, run through tsx) the TypeScript file, loaded with tsx's import hook.
 */
function workerEntry(): { entry: URL | string; eval?: true } {
  const js = new URL('./parse-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { entry: js };
  // Node 20 runs no `--import` hook in a worker: register tsx's ESM hook first, then load the entry.
  // tsx's ESM API path is read from its package's export map (the public way in).
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
  const ts = new URL('./parse-worker.ts', import.meta.url).href;
  return { entry: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, eval: true };
}

/** Idle workers kept for the next upload (uploads at once are limited by the upload route). */
const MAX_IDLE = 2;
const idle: Worker[] = [];

function takeWorker(): Worker {
  const kept = idle.pop();
  if (kept) { kept.ref(); return kept; }
  const entry = workerEntry();
  const worker = new Worker(entry.entry, { eval: entry.eval });
  // A kept worker that dies is dropped (one listener for the worker's life, not one per job).
  worker.once('exit', () => { const i = idle.indexOf(worker); if (i >= 0) idle.splice(i, 1); });
  return worker;
}

function giveBack(worker: Worker): void {
  if (idle.length >= MAX_IDLE) { void worker.terminate(); return; }
  worker.unref();
  idle.push(worker);
}

/** Ingest `paths` into `sink`, parsing on a worker thread; see the module comment. */
export function ingestInWorker(paths: string[], sink: IngestSink, opts: WorkerIngestOptions = {}): Promise<IngestReport> {
  const job: WorkerJob = { paths, batchSize: opts.batchSize ?? 5000, maxRejected: opts.maxRejected ?? 10_000, chunkBytes: opts.chunkBytes };
  return new Promise<IngestReport>((resolve, reject) => {
    const signal = opts.signal;
    if (signal?.aborted) { reject(signal.reason); return; }
    const worker = takeWorker();
    let events = 0; // stored by the sink
    let duplicates = 0;
    const queue: SysmonEvent[][] = [];
    let writing = false;
    let parsed: IngestReport | null = null;
    let settled = false;
    let unlisten = (): void => undefined;
    const finish = (err: unknown, report?: IngestReport): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      unlisten();
      // A worker that finished cleanly is kept; one stopped mid-job (cancel, failure) is not.
      if (report) { giveBack(worker); resolve(report); } else { void worker.terminate(); reject(err); }
    };
    // Cancel: the worker stops at once; a write already running ends (a store batch is all or
    // nothing) and is counted before the promise rejects, so the caller can say what was stored.
    let cancelled: { reason: unknown } | null = null;
    const onAbort = (): void => {
      cancelled = { reason: signal!.reason };
      void worker.terminate();
      if (!writing) finish(cancelled.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const pump = (): void => {
      if (settled || writing) return;
      if (cancelled) { finish(cancelled.reason); return; }
      const batch = queue.shift();
      if (!batch) {
        if (parsed) finish(null, { ...parsed, events, duplicates });
        return;
      }
      writing = true;
      worker.postMessage({ type: 'next' } satisfies ToWorker); // parse the next batch meanwhile
      sink.write(batch).then((r) => {
        events += r.inserted;
        duplicates += r.duplicates;
        writing = false;
        pump();
      }, (err: unknown) => finish(err));
    };
    const onMessage = (m: FromWorker): void => {
      if (m.type === 'batch') { queue.push(m.events); opts.onParsed?.(m.events.length); }
      else if (m.type === 'done') parsed = m.report;
      else finish(new Error(`upload parser failed: ${m.message}`));
      pump();
    };
    const onError = (err: Error): void => finish(new Error(`upload parser failed: ${err.message}`, { cause: err }));
    const onExit = (code: number): void => { if (!parsed && !cancelled) finish(new Error(`upload parser stopped (exit code ${code})`)); };
    unlisten = () => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'job', job } satisfies ToWorker);
  });
}
