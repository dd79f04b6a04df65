/**
 * `startSplunkd(…)`: the programmatic entry to the Splunk-REST-compatible test server, for tests,
 * benchmarks and `npm run splunkd`. Returns the URL, the live job table, every SPL received, a
 * request log, fault hooks and `stop()`.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { Auth, type User } from './auth.js';
import { HecState, type HecToken } from './hec.js';
import { IncidentReview } from './notable-update.js';
import { JobManager, type Job, type JobSettings, type Latency } from './jobs.js';
import { createHandler, type FaultState, type ReceivedSearch, type RequestRecord, type ServerContext, type ServerSettings } from './server.js';
import { SplunkStore, type LoadReport } from './store.js';
import { selfSignedCert, type TlsMaterial } from './tls.js';
import { dropReviews } from './es.js';
import type { Deployment } from './sysmon-ta.js';
import type { WinEvent } from './winevent.js';

export { SplunkStore } from './store.js';
export type { Job } from './jobs.js';
export type { ReceivedSearch, RequestRecord } from './server.js';

/** What to index at start. */
export interface SplunkdData {
  /** Sysmon files (XmlWinEventLog/XML records or NXLog JSON lines) → `sysmonIndex`. */
  sysmonFiles?: string[];
  /** Parsed Sysmon events built in code. */
  sysmonEvents?: WinEvent[];
  /** How the forwarders set host/source/sourcetype (default: UF short host, modern sourcetype). */
  deployment?: Partial<Deployment>;
  /** ES notables: a JSON file (array or one object per line) or objects. */
  notables?: string | Record<string, unknown>[];
  /** Index for Sysmon data (default `sysmon`). */
  sysmonIndex?: string;
}

/** Options of startSplunkd. Everything has a Splunk-like default. */
export interface SplunkdOptions {
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** true = HTTPS with a fresh self-signed certificate; 'splunk-default' = one shaped like Splunk's (CN=SplunkServerDefaultCert, no SAN); or give cert/key. */
  tls?: boolean | 'splunk-default' | TlsMaterial;
  data?: SplunkdData;
  /** Use an existing store instead of `data` (benches share one big store across servers). */
  store?: SplunkStore;
  /** Default `{admin: {password: 'changeme', roles: ['admin']}}`. */
  users?: Record<string, User>;
  /** Pre-issued tokens: token → user. */
  tokens?: Record<string, string>;
  /** splunkd version in server/info (default 9.2.1 → the SDK uses v2 endpoints). */
  version?: string;
  instanceType?: string | null;
  latency?: Partial<Latency>;
  /** Search-artifact disk quota per user in bytes (default 100 MB, the `user` role's srchDiskQuota). */
  diskQuotaBytes?: number;
  /** Per-user disk quotas in bytes (users whose role has its own srchDiskQuota). */
  diskQuotaByUser?: Record<string, number>;
  /** Concurrent jobs per user (default 3, the `user` role's srchJobsQuota). */
  quota?: number;
  quotaMode?: JobSettings['quotaMode'];
  walkPolls?: number;
  first204?: boolean;
  /** Session inactivity timeout (default 1 h, server.conf sessionTimeout). */
  sessionTimeoutMs?: number;
  defaultTtlSec?: number;
  disableV1?: boolean;
  /** Indexes searched when a search names none (default `main`, as for Splunk's user role). */
  defaultIndexes?: string[];
  /** HTTP Event Collector tokens: token → settings (hec.ts). */
  hecTokens?: Record<string, HecToken>;
}

/** Fault-injection hooks (the fault hooks of docs/splunk-protocol.md). */
export interface SplunkdFaults {
  /** The next dispatched job ends FAILED with this FATAL message. */
  failNextJob(message?: string): void;
  /** The next dispatched job never finishes (until cancelled or finalized). */
  stallNextJob(): void;
  /** The next dispatched job ends DONE with this WARN message (partial results: a peer down, truncation). */
  warnNextJob(message?: string): void;
  /** Every session key stops working: the next call answers 401. */
  expireSessions(): void;
  /** Destroy the connection of the next request (whose path matches, when given). */
  resetNextRequest(path?: RegExp): void;
  /** The next export stream emits a FATAL `messages` line after `rows` result rows. */
  exportFatalAfter(rows: number): void;
}

/** A running test server. */
export interface SplunkdHandle {
  /** e.g. `https://127.0.0.1:41234` */
  url: string;
  port: number;
  scheme: 'http' | 'https';
  /** The certificate served (HTTPS only), to test CA verification. */
  cert: string | null;
  store: SplunkStore;
  jobs: JobManager;
  auth: Auth;
  /** Every SPL string received, in order (injection tests assert on these). */
  received: ReceivedSearch[];
  requests: RequestRecord[];
  settings: ServerSettings;
  jobSettings: JobSettings;
  faults: SplunkdFaults;
  /** Load reports per data input. */
  loaded: { input: string; report: LoadReport }[];
  /** Jobs not yet DONE/FAILED (e.g. to assert a closed tab left none running). */
  runningJobs(): Job[];
  /** Issue an authentication token for a user. */
  createToken(user: string): string;
  /** ES incident review written by notable_update; HEC tokens, batches and faults. */
  review: IncidentReview;
  hec: HecState;
  stop(): Promise<void>;
}

/** Read a notables file: a JSON array, or one JSON object per line. */
export async function readNotablesFile(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const arr: unknown = JSON.parse(trimmed);
    if (!Array.isArray(arr)) throw new Error(`${path}: expected a JSON array of notables`);
    return arr as Record<string, unknown>[];
  }
  return trimmed.split(/\r?\n/).filter((l) => l.trim() !== '').map((l, i) => {
    try { return JSON.parse(l) as Record<string, unknown>; } catch (e) { throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`, { cause: e }); }
  });
}

/** Start the emulated splunkd. */
export async function startSplunkd(opts: SplunkdOptions = {}): Promise<SplunkdHandle> {
  const store = opts.store ?? new SplunkStore();
  const loaded: SplunkdHandle['loaded'] = [];
  const data = opts.data ?? {};
  const index = data.sysmonIndex ?? 'sysmon';
  for (const file of data.sysmonFiles ?? []) loaded.push({ input: file, report: await store.loadSysmonFile(file, { index, deployment: data.deployment }) });
  if (data.sysmonEvents) loaded.push({ input: '(events)', report: store.addSysmon(data.sysmonEvents, { index, deployment: data.deployment }) });
  if (data.notables) {
    const list = typeof data.notables === 'string' ? await readNotablesFile(data.notables) : data.notables;
    store.addNotables(list);
    loaded.push({ input: typeof data.notables === 'string' ? data.notables : '(notables)', report: { indexed: list.length, skipped: 0, rejected: [] } });
  }

  const users = new Map(Object.entries(opts.users ?? { admin: { password: 'changeme', roles: ['admin'] } }));
  const auth = new Auth(users, new Map(Object.entries(opts.tokens ?? {})), opts.sessionTimeoutMs ?? 3_600_000);
  const jobSettings: JobSettings = {
    latency: { dispatchMs: opts.latency?.dispatchMs ?? 0, perEventMs: opts.latency?.perEventMs ?? 0 },
    quota: opts.quota ?? 3,
    quotaMode: opts.quotaMode ?? 'queue',
    walkPolls: opts.walkPolls ?? 0,
    first204: opts.first204 ?? false,
    defaultTtlSec: opts.defaultTtlSec ?? 600,
    failedTtlSec: 86_400,
    defaultIndexes: opts.defaultIndexes ?? ['main'],
    diskQuotaBytes: opts.diskQuotaBytes ?? 100 * 1_048_576,
    ...(opts.diskQuotaByUser ? { diskQuotaByUser: opts.diskQuotaByUser } : {}),
  };
  const jobs = new JobManager(store, jobSettings);
  const settings: ServerSettings = {
    version: opts.version ?? '9.2.1', build: 'd8ae995bf219', instanceType: opts.instanceType ?? null,
    serverName: 'lineage-splunkd', disableV1: opts.disableV1 ?? false,
  };
  const faultState: FaultState = { resets: [], exportFatalAfter: null };
  const tls = opts.tls === true ? selfSignedCert() : opts.tls === 'splunk-default' ? selfSignedCert('', true) : opts.tls || null;
  const scheme = tls ? 'https' : 'http';
  let port = 0;
  const hec = new HecState(store);
  for (const [t, conf] of Object.entries(opts.hecTokens ?? {})) hec.tokens.set(t, conf);
  const ctx: ServerContext = { auth, jobs, settings, faults: faultState, received: [], requests: [], scheme, port: () => port, review: new IncidentReview(), hec };
  const handler = createHandler(ctx);
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';

  return {
    url: `${scheme}://${host}:${port}`, port, scheme, cert: tls?.cert ?? null, store, jobs, auth,
    received: ctx.received, requests: ctx.requests, settings, jobSettings, loaded,
    faults: {
      failNextJob: (message = 'Search process did not exit cleanly, exit_code=255, description="exited with code 255". Please look in search.log for this peer in the Job Inspector for more info.') => jobs.injectFault({ kind: 'fail', message }),
      stallNextJob: () => jobs.injectFault({ kind: 'stall' }),
      warnNextJob: (message = 'Unable to distribute to peer named idx-02 at uri https://10.0.0.12:8089 because replication was unsuccessful. Search results might be incomplete!') => jobs.injectFault({ kind: 'warn', message }),
      expireSessions: () => auth.expireSessions(),
      resetNextRequest: (path?: RegExp) => { faultState.resets.push(path ?? null); },
      exportFatalAfter: (rows: number) => { faultState.exportFatalAfter = rows; },
    },
    runningJobs: () => jobs.all().filter((j) => j.state !== 'DONE' && j.state !== 'FAILED'),
    createToken: (user: string) => auth.createToken(user),
    review: ctx.review, hec,
    stop: () => new Promise<void>((resolve) => {
      jobs.close();
      if (!opts.store) dropReviews(store.guid);
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
