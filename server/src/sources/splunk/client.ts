/**
 * A per-analyst connection to splunkd on `splunk-sdk`: log in (password → session key, or a token
 * sent as Bearer), run one search job to completion with deadlines, retries and cancellation, page
 * its results (≤ 50,000 rows per request), log out. Every job is counted in `ctx.stats.searches`.
 */
import type * as Sdk from 'splunk-sdk';
import type { QueryContext } from '../event-source.js';
import type { SplunkConfig } from './config.js';
import { SplunkError, messagesOf, networkCodeOf, statusOf, toSplunkError } from './errors.js';
import { createHttp, loadSdk } from './sdk.js';

/** Splunk's `[restapi] maxresultrows`: the most rows one results request returns. */
export const MAX_PAGE_ROWS = 50_000;

/** One results row as Splunk's `output_mode=json` gives it: strings, multivalue as arrays. */
export type SplunkRow = Record<string, string | string[] | undefined>;

/** A finished job: its id, the exact SPL, and how many results it holds. */
export interface JobHandle { sid: string; spl: string; resultCount: number; job: Sdk.Job }

/** Splunk's refusal once the role's search-artifact disk quota (srchDiskQuota) is used up. */
const DISK_QUOTA_RE = /disk usage quota/i;

/** WARN/ERROR messages of a finished job (partial results: a peer down, results truncated …). */
function jobWarnings(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  return messages.filter((m) => /^(WARN|ERROR)$/i.test(String((m as { type?: unknown }).type ?? '')))
    .map((m) => String((m as { text?: unknown }).text ?? '')).filter(Boolean);
}

/** Options of one search. */
export interface SearchOptions {
  ctx: QueryContext;
  earliest_time?: string;
  latest_time?: string;
}

/** Credentials an analyst posts to /api/session. */
export type Credentials = { username: string; password: string } | { token: string };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Race a promise against the request's abort signal (the in-flight HTTP call ends on its own deadline). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}

/** Errors worth another try: splunkd busy (503), quota messages, refused/reset connections. */
function retryable(e: unknown, idempotent: boolean): boolean {
  const status = statusOf(e);
  const text = messagesOf((e as { data?: unknown } | null)?.data);
  // A full disk quota stays full until artifacts are deleted: retrying cannot help.
  if (DISK_QUOTA_RE.test(text)) return false;
  if (status === 503) return true;
  if (status === 429) return true;
  if (typeof status === 'number' && status >= 400 && status < 500 && /quota|too many|concurren/i.test(text)) return true;
  if (status === 600) {
    const code = networkCodeOf(e);
    // A refused connection never reached splunkd; a reset one may have, so only retry it when repeating is harmless.
    if (code === 'ECONNREFUSED') return true;
    if (idempotent && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT')) return true;
  }
  return false;
}

/**
 * Splunk's per-user concurrent search quota (role `user`: 3). More jobs would only sit QUEUED,
 * so we queue them here, where an aborted request can leave the queue without creating a job.
 */
export const MAX_CONCURRENT_JOBS = 3;

class Slots {
  private free: number;
  private waiters: Array<() => void> = [];
  constructor(n: number) { this.free = n; }
  async take(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) { this.free--; return () => this.give(); }
    await new Promise<void>((resolve, reject) => {
      const w = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
      const onAbort = () => { this.waiters = this.waiters.filter((x) => x !== w); reject(signal!.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
    return () => this.give();
  }
  private give(): void {
    const next = this.waiters.shift();
    if (next) next(); else this.free++;
  }
}

/** A logged-in analyst's connection. Create with `SplunkClient.login`. */
export class SplunkClient {
  private readonly slots = new Slots(MAX_CONCURRENT_JOBS);
  /** Set once splunkd answered 401: the session key is dead and the analyst must log in again. */
  expired = false;

  private constructor(
    readonly config: SplunkConfig,
    private readonly service: Sdk.Service,
    /** The Splunk user name (from the login, or from the token's context). */
    readonly user: string,
    private readonly kind: 'session' | 'token',
  ) {}

  private static newService(config: SplunkConfig, params: Sdk.ServiceParams): Sdk.Service {
    const sdk = loadSdk();
    const http = createHttp({
      ca: config.ca, insecure: config.insecure, ...(config.serverName ? { serverName: config.serverName } : {}),
      connectTimeoutMs: config.connectTimeoutMs, responseTimeoutMs: config.requestTimeoutMs,
    });
    return new sdk.Service(http, {
      scheme: config.url.protocol === 'https:' ? 'https' : 'http',
      host: config.url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(config.url.port || 8089),
      version: config.version,
      timeout: config.connectTimeoutMs,
      ...params,
    });
  }

  /** Log in to Splunk as the analyst. The password is used once and not kept. */
  static async login(config: SplunkConfig, creds: Credentials): Promise<SplunkClient> {
    if ('token' in creds) {
      const svc = SplunkClient.newService(config, { sessionKey: creds.token, authorization: 'Bearer', autologin: false });
      let user = 'token';
      try {
        const res = await svc.get('/services/authentication/current-context', {}, config.requestTimeoutMs);
        const entry = (res.data as { entry?: Array<{ content?: { username?: string } }> } | null)?.entry?.[0];
        if (entry?.content?.username) user = entry.content.username;
      } catch (e) {
        const status = statusOf(e);
        // Older test servers lack current-context; server/info still proves the token works.
        if (status !== 404) throw SplunkClient.loginError(e);
        try { await svc.get('/services/server/info', {}, config.requestTimeoutMs); } catch (e2) { throw SplunkClient.loginError(e2); }
      }
      // As login() does for passwords: learn the server's version so v1/v2 endpoints match it.
      try { await svc.getInfo(config.requestTimeoutMs); } catch (e) { throw SplunkClient.loginError(e); }
      return new SplunkClient(config, svc, user, 'token');
    }
    const svc = SplunkClient.newService(config, { username: creds.username, password: creds.password, autologin: false });
    try {
      await svc.login(config.requestTimeoutMs);
    } catch (e) {
      throw SplunkClient.loginError(e);
    } finally {
      // Never keep the analyst's password: with it gone the SDK cannot silently re-login either.
      svc.password = null;
    }
    return new SplunkClient(config, svc, creds.username, 'session');
  }

  private static loginError(e: unknown): SplunkError {
    const status = statusOf(e);
    if (status === 401 || typeof e === 'string') return new SplunkError('not_authenticated', 'Splunk login failed: check the user name and password (or token)');
    const err = toSplunkError(e, 'Splunk login');
    return err instanceof SplunkError ? err : new SplunkError('protocol', err.message);
  }

  /** End the Splunk session (session keys only; a token stays valid for the analyst's other tools). */
  async logout(): Promise<void> {
    if (this.kind === 'session' && this.service.sessionKey) {
      const key = this.service.sessionKey;
      try {
        await this.service.del(`/services/authentication/httpauth-tokens/${encodeURIComponent(key)}`, {}, this.config.requestTimeoutMs);
      } catch { /* already gone or endpoint absent: the key is dropped below either way */ }
    }
    this.service.logout();
  }

  /** Run `fn` with retries for transient failures; non-retryable errors are normalised. */
  private async withRetry<T>(what: string, idempotent: boolean, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await abortable(fn(), signal);
      } catch (e) {
        if (isAbort(e)) throw e;
        if (attempt < this.config.retries && retryable(e, idempotent)) {
          await sleep(this.config.retryBaseMs * 2 ** attempt, signal);
          continue;
        }
        const err = toSplunkError(e, what);
        if (err instanceof SplunkError && err.code === 'not_authenticated') this.expired = true;
        const text = messagesOf((e as { data?: unknown } | null)?.data);
        if (DISK_QUOTA_RE.test(text)) throw new SplunkError('unavailable', `Splunk refused the search: ${text}`);
        throw err;
      }
    }
  }

  /** Delete a job whose results were read (its artifact counts against the role's disk quota). */
  async discard(h: JobHandle): Promise<void> {
    try { await h.job.remove(5_000); } catch { /* already gone, or splunkd unreachable: its TTL ends it */ }
  }

  /**
   * POST a form to a REST endpoint as this analyst (write-back). Retried only where splunkd did not act;
   * a 4xx other than 401/429 is returned (its body holds the endpoint's own reason), not thrown.
   */
  async post(path: string, params: Record<string, string | string[]>, what: string): Promise<{ status: number; data: unknown }> {
    return this.withRetry(what, false, undefined, async () => {
      try {
        const r = await this.service.post(path, params, this.config.requestTimeoutMs);
        return { status: typeof r.status === 'number' ? r.status : 200, data: r.data };
      } catch (e) {
        const s = statusOf(e);
        if (typeof s === 'number' && s >= 400 && s < 500 && s !== 401 && s !== 429) return { status: s, data: (e as { data?: unknown }).data };
        throw e;
      }
    });
  }

  /** Best-effort cancel: 404 means the job is already gone. */
  private async cancel(job: Sdk.Job): Promise<void> {
    try { await job.cancel(5_000); } catch { /* already finished/cancelled or splunkd gone: auto_cancel ends it */ }
  }

  /**
   * Dispatch `spl`, wait for DONE (FAILED → error, deadline → cancel + error, abort → cancel), and
   * return the finished job. Results stay on splunkd until read with `pages`.
   */
  async dispatch(spl: string, o: SearchOptions): Promise<JobHandle> {
    o.ctx.signal?.throwIfAborted();
    const release = await this.slots.take(o.ctx.signal);
    try {
      return await this.runJob(spl, o);
    } finally {
      release();
    }
  }

  private async runJob(spl: string, o: SearchOptions): Promise<JobHandle> {
    const { ctx } = o;
    const signal = ctx.signal;
    // A fresh params object per call: the SDK mutates what it is given (docs/splunk-protocol.md §9 pitfall 8).
    const params = (): Record<string, unknown> => ({
      ...(o.earliest_time ? { earliest_time: o.earliest_time } : {}),
      ...(o.latest_time ? { latest_time: o.latest_time } : {}),
      auto_cancel: this.config.autoCancelSec,
      max_count: 500_000,
      exec_mode: 'normal',
    });
    // Not raced against the signal inside withRetry: if the request is aborted while the create is in
    // flight, the job still appears on splunkd a moment later, and must be cancelled when it does.
    const creating = this.withRetry('dispatch search', false, undefined,
      () => this.service.jobs().create(spl, params(), this.config.requestTimeoutMs));
    let created: Sdk.Job;
    try {
      created = await abortable(creating, signal);
    } catch (e) {
      if (isAbort(e)) creating.then((job) => this.cancel(job), () => undefined);
      throw e;
    }
    if (!created || typeof created.sid !== 'string' || !created.sid) {
      throw new SplunkError('protocol', 'dispatch search: splunkd answered without a search id');
    }
    ctx.stats.searches += 1;
    const job = created;
    const deadline = Date.now() + this.config.searchTimeoutMs;
    let period = Math.min(50, this.config.pollMs);
    let state = 'QUEUED';
    let said = '';
    try {
      for (;;) {
        if (Date.now() > deadline) {
          // A job still QUEUED waited for the role's concurrent-search quota: say so, in Splunk's words.
          const why = state === 'QUEUED' ? ` (still QUEUED by Splunk${said ? `: ${said}` : ': the role\'s concurrent-search quota is in use'})` : '';
          throw new SplunkError('timeout', `search ${job.sid} did not finish within ${Math.round(this.config.searchTimeoutMs / 1000)} s and was cancelled${why}`, job.sid);
        }
        await this.withRetry('job status', true, signal, () => job.fetch({}, this.config.requestTimeoutMs));
        const p = job.properties() ?? {};
        state = String(p.dispatchState ?? state);
        said = messagesOf({ messages: Array.isArray(p.messages) ? p.messages : [] }) || said;
        if (p.isFailed || p.dispatchState === 'FAILED') {
          const text = messagesOf({ messages: Array.isArray(p.messages) ? p.messages : [] });
          throw new SplunkError('search_failed', `search ${job.sid} failed${text ? `: ${text}` : ''}`, job.sid);
        }
        if (p.isDone && p.dispatchState === 'DONE') {
          const warnings = jobWarnings(p.messages);
          if (warnings.length > 0) (ctx.stats.warnings ??= []).push(...warnings.filter((w) => !ctx.stats.warnings!.includes(w)));
          return { sid: job.sid, spl, resultCount: Number(p.resultCount ?? 0), job };
        }
        await sleep(Math.min(period, Math.max(0, deadline - Date.now())), signal);
        period = Math.min(this.config.pollMs, period * 2);
      }
    } catch (e) {
      // Aborted by the client, timed out, failed or unreachable: never leave the job running.
      if (!(e instanceof SplunkError && e.code === 'search_failed')) await this.cancel(job);
      throw e;
    }
  }

  /** Read a finished job's results in pages of at most `pageSize` rows (≤ 50,000), from `offset`. */
  async *pages(h: JobHandle, o: SearchOptions & { offset?: number; limit?: number; pageSize?: number }): AsyncGenerator<SplunkRow[]> {
    const pageSize = Math.min(MAX_PAGE_ROWS, Math.max(1, o.pageSize ?? MAX_PAGE_ROWS));
    try {
      yield* this.readPages(h, o, pageSize, o.offset ?? 0, o.limit ?? Infinity);
    } finally {
      // Read (or abandoned): the job is ours to delete, never left to its TTL.
      await this.discard(h);
    }
  }

  private async *readPages(h: JobHandle, o: SearchOptions, pageSize: number, offset: number, left: number): AsyncGenerator<SplunkRow[]> {
    while (left > 0 && offset < h.resultCount) {
      const count = Math.min(pageSize, left, h.resultCount - offset);
      const [data] = await this.withRetry('read results', true, o.ctx.signal,
        () => h.job.results({ count, offset, output_mode: 'json' }, this.config.requestTimeoutMs));
      const rows = readRows(data, h.sid);
      o.ctx.stats.rows += rows.length;
      if (rows.length === 0) return;
      yield rows;
      offset += rows.length;
      left -= rows.length;
    }
  }

  /** Dispatch and read every result row (up to `limit`). */
  async search(spl: string, o: SearchOptions & { limit?: number }): Promise<{ rows: SplunkRow[]; sid: string; spl: string; resultCount: number }> {
    const h = await this.dispatch(spl, o);
    const rows: SplunkRow[] = [];
    for await (const page of this.pages(h, o)) rows.push(...page);
    return { rows, sid: h.sid, spl, resultCount: h.resultCount };
  }
}

/** Validate a results payload (docs/splunk-protocol.md §9 pitfall 10: bodies may arrive as strings; `fields` may be missing). */
function readRows(data: unknown, sid: string): SplunkRow[] {
  let d = data;
  if (typeof d === 'string') {
    if (d === '' || d.startsWith('{"type":"Buffer"')) return [];
    try { d = JSON.parse(d); } catch { throw new SplunkError('protocol', `results of ${sid}: not JSON`, sid); }
  }
  const results = (d as { results?: unknown } | null)?.results;
  if (results === undefined) return [];
  if (!Array.isArray(results)) throw new SplunkError('protocol', `results of ${sid}: "results" is not a list`, sid);
  return results as SplunkRow[];
}
