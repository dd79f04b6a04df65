/**
 * What the emulated splunkd's request handlers share: settings, fault state, logs, and the small
 * response helpers (Splunk's headers, `messages` bodies).
 */
import type { Auth, Principal } from './auth.js';
import type { Generator } from './format.js';
import type { Job, JobManager } from './jobs.js';
import type { HecState } from './hec.js';
import type { IncidentReview } from './notable-update.js';
import type { Params } from './params.js';
export { JSON_TYPE, send, sendMessages } from './respond.js';
import { SplError } from './spl/errors.js';
import { compileSearch } from './spl/execute.js';
import { parseTimeModifier } from './spl/time.js';

/** One search string the server received (for injection tests asserting on the exact SPL). */
export interface ReceivedSearch { spl: string; endpoint: string; user: string; params: Record<string, string>; at: number; sid: string | null; error: string | null }

/** One request as seen by the server. */
export interface RequestRecord { method: string; path: string; status: number | 'reset'; auth: Principal['scheme'] | null; user: string | null; at: number }

/** Server settings that tests may change at run time. */
export interface ServerSettings {
  version: string;
  build: string;
  instanceType: string | null;
  serverName: string;
  /** Mimic Splunk 10.x: v1 results/events/results_preview answer 404 (§8.10). */
  disableV1: boolean;
}

/** Faults armed for upcoming requests. */
export interface FaultState {
  /** Destroy the socket of the next request whose path matches (null = any). */
  resets: (RegExp | null)[];
  /** Next export stream emits a FATAL message after this many result rows. */
  exportFatalAfter: number | null;
}

/** Everything the handler works with. */
export interface ServerContext {
  auth: Auth;
  jobs: JobManager;
  settings: ServerSettings;
  faults: FaultState;
  received: ReceivedSearch[];
  requests: RequestRecord[];
  scheme: 'http' | 'https';
  port: () => number;
  /** ES incident review (notable_update) and HTTP Event Collector state. */
  review: IncidentReview;
  hec: HecState;
}

/** Route match of a jobs path: family (v1/v2), sid and sub-resource. */
export interface JobsRoute { v2: boolean; prefix: string; sid: string | null; sub: string | null }

/** Content-Type of every JSON body (the SDK ignores JSON under any other type, §8.6). */
/** `[restapi] maxresultrows` (§3). */
export const MAX_RESULT_ROWS = 50_000;

/** True for the json, json_rows and json_cols output modes. */
export function wantsJson(mode: string | undefined): boolean { return mode !== undefined && mode.startsWith('json'); }



/** Promise-based delay. */
export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** The `generator` block of JSON feeds. */
export function generator(ctx: ServerContext): Generator { return { build: ctx.settings.build, version: ctx.settings.version }; }

/** Record a received SPL string. */
export function logSearch(ctx: ServerContext, spl: string, endpoint: string, principal: Principal, params: Params): ReceivedSearch {
  const entry: ReceivedSearch = { spl, endpoint, user: principal.user, params: params.record(), at: Date.now(), sid: null, error: null };
  ctx.received.push(entry);
  return entry;
}

/**
 * Dispatch a search both endpoints accept (jobs and export): compile it, check its times, create the
 * job with the request's parameters (output_mode aside) and note the sid on the search's log entry.
 */
export function dispatchJob(ctx: ServerContext, spl: string, params: Params, principal: Principal, log: ReceivedSearch): Job {
  const compiled = compileSearch(spl);
  validateTimes(params);
  const request = params.record();
  delete request.output_mode;
  const job = ctx.jobs.create(compiled, principal.user, request);
  log.sid = job.sid;
  return job;
}

/** earliest_time / latest_time are checked at dispatch: a bad one is a 400, not a FAILED job. */
export function validateTimes(params: Params): void {
  for (const name of ['earliest_time', 'latest_time']) {
    const v = params.get(name);
    if (v === undefined || v === '') continue;
    try { parseTimeModifier(v, Date.now() / 1000, true); } catch {
      throw new SplError(`Invalid ${name}: '${v}'.`);
    }
  }
}

