/**
 * Upload routes (embedded mode):
 *   GET  /api/upload/limits            → { maxBytes }
 *   POST /api/upload?name=FILE          body: the raw file (any format `lineage ingest` reads, .evtx included)
 *        → 413 `too_large` when over the limit (decided from Content-Length before reading, or while
 *          streaming a body without one); otherwise 200 with an NDJSON stream of UploadMessage lines:
 *          `received` (bytes on disk), `progress` (events stored so far, per batch), then `done` with
 *          the ingest report — or `error` if the store fails mid-way.
 * The body is streamed to a temp file (never buffered whole), read and parsed on a worker thread
 * (`ingestInWorker`: the same readers as `ingestPaths`) while this thread writes its batches into the
 * store, and the temp file is removed whatever happens. At most `maxConcurrent` uploads run at once
 * (503 `busy` + Retry-After beyond); a body that stalls for `idleMs` is dropped; a client that goes
 * away (Cancel) stops the upload: during the transfer nothing is stored, during the ingest no further
 * batch is stored (batches already merged stay: each is its own transaction in the store).
 * Temp dirs are named `lineage-upload-<pid>-…` so `cleanStaleUploads` can remove a crashed server's.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { UploadMessage, UploadReport } from '@lineage/shared';
import { audit } from '../app/logger.js';
import type { IngestSink } from '../ingest/pipeline.js';
import { ingestInWorker } from '../ingest/worker-ingest.js';
import type { SysmonEvent } from '../ingest/record.js';
import { AppError } from './errors.js';

/** The part of the embedded store an upload needs (EmbeddedStore satisfies it). */
export interface UploadStore {
  writeEvents(batch: readonly SysmonEvent[]): Promise<{ inserted: number; duplicates: number }>;
}

/** What the upload router needs. */
export interface UploadDeps {
  /** Where events go; null (Splunk mode) answers 409 `upload_unavailable`. */
  store: UploadStore | null;
  /** Largest accepted body in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Where temp files go (default the OS temp dir). */
  tmpDir?: string;
  /** Events per store write, i.e. per progress line (default 5,000). */
  batchSize?: number;
  /** Called after a successful ingest (e.g. to re-run lineage rules); failures are logged, not sent. */
  afterIngest?: (report: UploadReport) => Promise<void>;
  /** Uploads at once (default 2); more answer 503 `busy`. */
  maxConcurrent?: number;
  /** A body that sends nothing for this long is dropped (default 60 s). */
  idleMs?: number;
}

/** Temp dir name prefix; the pid lets a later start tell a crashed server's leftovers from a live one's. */
const TMP_PREFIX = 'lineage-upload-';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Remove upload temp dirs left by servers that are no longer running (a crash, kill -9). Returns their names. */
export async function cleanStaleUploads(dir: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = new RegExp(`^${TMP_PREFIX}(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 2 ** 30;
/** Rejections listed per file in the report (the total is always counted). */
const MAX_LISTED_REJECTIONS = 200;

const UploadQuery = z.object({ name: z.string().trim().min(1).max(255).optional() });

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(n % 2 ** 30 ? 1 : 0)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(n % 2 ** 20 ? 1 : 0)} MiB`;
  return `${n} bytes`;
}

function tooLarge(what: string, max: number): AppError {
  return new AppError(413, 'too_large', `${what} is larger than the upload limit of ${formatBytes(max)}; ingest it with \`lineage ingest\` on the server instead`);
}

/** Stream the request body to `path`, stopping at `max` bytes. Resolves with the byte count. */
function receive(req: Request, path: string, max: number, idleMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    let received = 0;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      out.destroy();
      req.resume(); // discard the rest so the error answer can still be read
      reject(err);
    };
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => fail(new AppError(408, 'upload_stalled', `no data for ${Math.round(idleMs / 1000)} s; upload dropped, nothing stored`)), idleMs);
    };
    arm();
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      arm();
      received += chunk.length;
      if (received > max) { fail(tooLarge('the file', max)); return; }
      if (!out.write(chunk)) { req.pause(); out.once('drain', () => req.resume()); }
    });
    req.on('end', () => {
      if (settled) return;
      clearTimeout(idle);
      out.end(() => { if (!settled) { settled = true; resolve(received); } });
    });
    req.on('close', () => { if (!req.complete) fail(new Error('upload interrupted by the client')); });
    req.on('error', fail);
    out.on('error', fail);
  });
}

async function handleUpload(deps: UploadDeps, maxBytes: number, req: Request, res: Response): Promise<void> {
  const store = deps.store;
  if (!store) throw new AppError(409, 'upload_unavailable', 'uploads need the embedded store; this server reads Splunk');
  const { name } = UploadQuery.parse(req.query);
  if (req.readableEnded || req.body !== undefined) {
    // A JSON body parser got there first: the raw stream is gone.
    throw new AppError(415, 'unsupported_media_type', 'send the file as the raw request body (Content-Type: application/octet-stream)');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.setHeader('Connection', 'close');
    throw tooLarge(`${name ?? 'the file'} (${formatBytes(declared)})`, maxBytes);
  }
  audit(res, { detail: { file: name ?? 'upload', declaredBytes: Number.isFinite(declared) ? declared : null } });
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  try {
    let bytes: number;
    try {
      bytes = await receive(req, join(dir, 'upload'), maxBytes, deps.idleMs ?? 60_000);
    } catch (err) {
      if (err instanceof AppError) res.setHeader('Connection', 'close');
      throw err;
    }
    if (bytes === 0) throw new AppError(400, 'empty_upload', `${name ?? 'the file'} is empty`);

    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const send = (m: UploadMessage): void => { if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(m)}\n`); };
    send({ type: 'received', bytes });

    let events = 0;
    let duplicates = 0;
    // Cancel: the client went away, so the parser stops and no further batch is stored.
    const gone = (): boolean => res.destroyed || req.socket.destroyed;
    const cancel = new AbortController();
    res.on('close', () => { if (!res.writableFinished) cancel.abort(new Error('upload cancelled by the client')); });
    const sink: IngestSink = {
      write: async (batch) => {
        if (gone()) throw new Error('upload cancelled by the client');
        const r = await store.writeEvents(batch);
        events += r.inserted;
        duplicates += r.duplicates;
        send({ type: 'progress', events, duplicates });
        return r;
      },
    };
    try {
      // Parsed on a worker thread: this thread only writes the batches and keeps serving requests.
      const report = await ingestInWorker([join(dir, 'upload')], sink, { batchSize: deps.batchSize ?? 5000, maxRejected: MAX_LISTED_REJECTIONS, signal: cancel.signal });
      const out: UploadReport = {
        file: name ?? 'upload', bytes, events: report.events, duplicates: report.duplicates, skipped: report.skipped,
        rejected: report.rejected.map((r) => ({ line: r.line, reason: r.reason })), rejectedTotal: report.rejectedTotal,
        warnings: report.warnings.map(({ file: _file, ...w }) => w), warningsTotal: report.warningsTotal,
      };
      send({ type: 'done', report: out });
      audit(res, { detail: { bytes, events: out.events, duplicates: out.duplicates, rejected: out.rejectedTotal } });
      if (deps.afterIngest) {
        await deps.afterIngest(out).catch((err: unknown) => logOf(req).error({ err }, 'upload after-ingest hook failed'));
      }
    } catch (err) {
      audit(res, { detail: { bytes, events, failed: (err as Error).message } });
      logOf(req).warn({ file: name ?? 'upload', events }, `upload ingest stopped: ${(err as Error).message}`);
      send({ type: 'error', message: `ingest failed after ${events} events stored: ${(err as Error).message}` });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Ended only now, so a client that sees the end never races the temp file's removal.
  res.end();
}

/** The app's logger, or console-shaped fallback when mounted outside createApp (tests). */
function logOf(req: Request): { warn(o: object, m: string): void; error(o: object, m: string): void } {
  const log = (req.app.locals as { log?: { warn(o: object, m: string): void; error(o: object, m: string): void } }).log;
  return log ?? { warn: (o, m) => console.warn(`[upload] ${m}`, o), error: (o, m) => console.error(`[upload] ${m}`, o) };
}

/** The upload router; mount under /api. */
export function uploadRouter(deps: UploadDeps): Router {
  const r = Router();
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  let running = 0;
  r.get('/upload/limits', (_req, res) => { res.json({ maxBytes }); });
  r.post('/upload', (req, res, next) => {
    if (running >= maxConcurrent) {
      res.setHeader('Connection', 'close');
      next(new AppError(503, 'busy', `${maxConcurrent} uploads are running already; retry when one has finished`, { 'Retry-After': '10' }));
      return;
    }
    running += 1;
    handleUpload(deps, maxBytes, req, res).catch(next).finally(() => { running -= 1; });
  });
  return r;
}
