/**
 * The composition root of `lineage serve`: config in, a listening server out. It alone decides which
 * source serves (embedded `--db` or `--splunk`), builds the Express app with its guards, binds the
 * address (127.0.0.1 unless `--host`), picks HTTP or HTTPS, sizes the server timeouts to the upload
 * limit, cleans what a crashed run left behind, and closes everything on `close()` (docs/security.md).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname, networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createApp } from '../api/app.js';
import { LOOPBACK_NAMES } from '../api/guard.js';
import { cleanStaleUploads } from '../api/upload.js';
import type { SysmonEvent } from '../ingest/record.js';
import { catchUpPrevalence } from '../sources/embedded/prevalence-index.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { splunkFactory } from '../sources/splunk/serve-factory.js';
import type { ServeConfig } from './config.js';
import type { Logger } from './logger.js';
import type { ServeSource } from './serve-source.js';
import { sigmaSide } from './sigma-side.js';
import { checkpointedWrites } from './upload-checkpoint.js';
import { pacedWrites } from './upload-pace.js';

/** The server package version (health endpoint). */
export function serverVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** client/dist relative to this file (same depth from server/src/app and server/dist/app). */
export const CLIENT_DIR = fileURLToPath(new URL('../../../client/dist', import.meta.url));

/** Slowest upload rate the server waits for: the request timeout is the upload limit at this rate. */
const MIN_UPLOAD_BYTES_PER_SEC = 256 * 1024;

/** The lock DuckDB reports when another process has the file open for writing. */
function isLockError(err: unknown): boolean {
  return /lock/i.test((err as Error).message ?? '');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Open the store writable. If another process (a `lineage ingest`) holds DuckDB's write lock, say so
 * ONCE and wait for it: DuckDB lets no other process open the file while a writer has it — not even
 * read-only — so there is no read-only fallback. `signal` stops the wait.
 */
async function openStore(db: string, config: ServeConfig, log: Logger, signal: AbortSignal): Promise<EmbeddedStore | null> {
  const opts = { threads: config.duckdb.threads, memoryLimit: config.duckdb.memoryLimit };
  let told = false;
  for (;;) {
    try {
      return await EmbeddedStore.open(db, opts);
    } catch (err) {
      if (!isLockError(err)) throw err;
      if (!told) {
        told = true;
        log.warn({ db }, `${db} is locked by another process (usually \`lineage ingest\`). DuckDB allows no other process to open a file `
          + 'while one writes it, not even read-only, so serve waits until the lock is released (Ctrl-C to stop). '
          + `DuckDB said: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    await sleep(1000);
    if (signal.aborted) return null;
  }
}

/**
 * While analysts read, an upload's batches take about this share of the time (upload-pace.ts): a
 * batch waits 3× what the last one took (at most 5 s), or until readers are silent for 100 ms.
 */
const UPLOAD_PACE = { share: 0.25, maxWaitMs: 5000, firstWaitMs: 250, idleMs: 100 };
/** Uploaded rows are checkpointed into the file every 100,000 events and 2 s after the last batch (upload-checkpoint.ts). */
const UPLOAD_CHECKPOINT = { everyEvents: 100_000, idleMs: 2000 };

async function embeddedSide(db: string, config: ServeConfig, log: Logger, signal: AbortSignal): Promise<ServeSource | null> {
  const store = await openStore(db, config, log, signal);
  if (!store) return null;
  // We hold the write lock, so DuckDB's spill directory is ours: anything in it is a crashed run's.
  await rm(`${db}.tmp`, { recursive: true, force: true });
  // A server answers many graphs: keep the lineage index (built in the background, SQL until then).
  // Reads: a bounded pool of connections running in parallel off the event loop; the search index kept caught up.
  const source = new EmbeddedSource(store, { lineageIndex: true, searchIndex: true, readConnections: config.readConnections });
  // An older store gets its fleet-prevalence tables in place, in the background (a request waits for it).
  catchUpPrevalence(store).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'prevalence tables not brought up to date'));
  // An upload gives way to analysts' reads (UPLOAD_PACE), and its rows do not pile up in memory (UPLOAD_CHECKPOINT).
  const paced = pacedWrites((batch: readonly SysmonEvent[]) => store.writeEvents(batch), {
    ...UPLOAD_PACE, readersBusy: () => !!source.readPool && source.readPool.active + source.readPool.queued > 0,
  });
  const uploads = checkpointedWrites(paced, {
    ...UPLOAD_CHECKPOINT,
    checkpoint: async () => {
      const conn = await store.acquire();
      try { await conn.run('CHECKPOINT'); } finally { store.release(conn); }
    },
    onError: (err) => log.warn({ err: (err as Error).message }, 'checkpoint after upload failed; tried again after the next batch'),
  });
  return {
    mode: 'embedded', sourceFor: () => source, describe: `embedded ${db}`,
    store: { writeEvents: uploads.write },
    eventStore: store, close: async () => { await uploads.close(); await source.close(); },
  };
}

/** Host names a request may carry for a server bound to `host` (DNS-rebinding guard). */
export function allowedHostNames(host: string, extra: readonly string[]): string[] {
  const names = new Set<string>([...LOOPBACK_NAMES, ...extra]);
  if (host === '0.0.0.0' || host === '::') {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
    }
  } else {
    names.add(host.includes(':') && !host.startsWith('[') ? `[${host.toLowerCase()}]` : host.toLowerCase());
  }
  return [...names];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** A running server. */
export interface Composed { server: Server; url: string; close(): Promise<void> }

/** Build and start everything from `config`; null when stopped (signal) before it could start. */
export async function compose(config: ServeConfig, log: Logger, signal: AbortSignal = new AbortController().signal): Promise<Composed | null> {
  const stale = await cleanStaleUploads();
  if (stale.length) log.info({ removed: stale }, `removed ${stale.length} upload temp dir(s) left by a stopped server`);

  const side = config.db ? await embeddedSide(config.db, config, log, signal) : splunkFactory(config.splunk);
  if (!side) {
    if (signal.aborted) return null;
    throw new Error('give a source (--db FILE or --splunk URL)');
  }
  let sigma;
  try { sigma = sigmaSide(config.sigma, side.eventStore, log); } catch (err) { await side.close(); throw err; }
  const app = createApp({
    mode: side.mode, version: serverVersion(), sourceFor: side.sourceFor, clientDir: CLIENT_DIR, sessions: side.sessions ?? null,
    store: side.store ?? null, ruleBudgetMs: config.ruleBudgetMs, log, allowedHosts: allowedHostNames(config.host, config.allowHosts), tls: !!config.tls,
    trustProxy: config.trustProxy, maxConcurrent: config.maxConcurrent, requestTimeoutMs: config.requestTimeoutMs,
    maxUploadBytes: config.maxUploadBytes, maxUploads: config.maxUploads, sigma, hec: config.hec, publicUrl: config.publicUrl,
  });
  let server: Server;
  try {
    server = config.tls
      ? createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, app)
      : createHttpServer(app);
  } catch (err) {
    await side.close();
    throw new Error(`cannot read --tls-cert/--tls-key: ${(err as Error).message}`, { cause: err });
  }
  // Node's default 5-minute request timeout would cut a large upload: allow the upload limit at the
  // slowest rate we accept; a stalled body is dropped by the upload route's idle timer instead.
  server.requestTimeout = Math.max(300_000, Math.ceil(config.maxUploadBytes / MIN_UPLOAD_BYTES_PER_SEC) * 1000);
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => { server.off('error', reject); resolve(); });
  }).catch(async (err: unknown) => { await side.close(); throw err; });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${shown}:${port}/`;
  log.info({ source: side.describe, url }, `lineage serve: ${side.describe} on ${url}`);
  if (!isLoopback(config.host)) {
    const what = side.mode === 'embedded'
      ? `the evidence in ${config.db} (every event, graph and search) and uploads into it — embedded mode has NO login`
      : `the login page and, for anyone who logs in, their Splunk searches`;
    log.warn({ host: config.host }, `--host ${config.host}: this server is reachable from other machines: ${what}.`
      + (config.tls || config.trustProxy ? '' : ' Traffic is not encrypted; use --tls-cert/--tls-key or a TLS proxy with --trust-proxy.'));
  }
  return {
    server, url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => { void side.close().finally(resolve); });
      server.closeAllConnections();
    }),
  };
}
