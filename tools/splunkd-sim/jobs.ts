/**
 * Search jobs: dispatch, the QUEUED → PARSING → RUNNING → DONE walk, FAILED jobs, per-user
 * concurrency quota, pause/finalize/cancel, TTL and auto_cancel (splunk-protocol.md §2.3–2.7,
 * §8.12–20). State advances lazily from the clock (and status polls when `walkPolls` is set), so
 * the emulator needs no timers and behaves the same under a slow CI machine.
 */
import { SplError, type SplunkMessage } from './spl/errors.js';
import { runSearch, type CompiledSearch, type EventStore, type RunOptions, type SearchOutput } from './spl/execute.js';

/** Splunk's dispatch states (§2.4). */
export type DispatchState = 'QUEUED' | 'PARSING' | 'RUNNING' | 'PAUSED' | 'FINALIZING' | 'FAILED' | 'DONE';

/** The latency model: fixed dispatch cost plus a cost per event scanned. */
export interface Latency { dispatchMs: number; perEventMs: number }

/** Job-engine settings (mutable at run time through the handle). */
export interface JobSettings {
  latency: Latency;
  /** Concurrent jobs per user before extra jobs queue (or are refused). Splunk's `user` role: 3. */
  quota: number;
  /** `queue` = Splunk's default_allow_queue=1; `reject` answers 503 like a server without queueing. */
  quotaMode: 'queue' | 'reject';
  /** Status polls shown in each of QUEUED, PARSING and RUNNING before DONE (0 = clock only). */
  walkPolls: number;
  /** Answer the first status poll of each job with 204 No Content (§2.4). */
  first204: boolean;
  /** Seconds a finished job lives without being touched (Splunk default 600). */
  defaultTtlSec: number;
  /** Seconds a failed job lives (Splunk default 86,400). */
  failedTtlSec: number;
  defaultIndexes: string[];
  /**
   * Search-artifact disk quota per user, in bytes (authorize.conf srchDiskQuota: 100 MB for `user`).
   * Every job kept on the server (running or finished, until deleted or expired) counts its artifact.
   */
  diskQuotaBytes: number;
  /** Per-user overrides of the disk quota (a user whose role has a smaller srchDiskQuota), in bytes. */
  diskQuotaByUser?: Record<string, number>;
}

/** What a job waiting for a concurrency slot shows. */
function queuedText(owner: string, quota: number): string {
  return `The maximum number of concurrent historical searches for this user based on their role quota has been reached. usage=${quota} quota=${quota} user=${owner}. The search is queued.`;
}

/** An artifact's size: the dispatch directory's fixed files plus the results and events it keeps. */
export function artifactBytes(job: Job): number {
  const out = job.output;
  if (!out) return 4_096;
  return 4_096 + JSON.stringify(out.results).length + JSON.stringify(out.events).length;
}

/** One job. Read-only to callers outside this module. */
export interface Job {
  sid: string;
  owner: string;
  compiled: CompiledSearch;
  /** Every request parameter as sent (echoed in `content.request`). */
  request: Record<string, string>;
  createdAt: number;
  startedAt: number | null;
  /** Run time the latency model charges (ms); Infinity for a stalled job. */
  runMs: number;
  /** Time spent paused so far, and when the current pause began. */
  pausedMs: number;
  pausedAt: number | null;
  polls: number;
  state: DispatchState;
  isFinalized: boolean;
  isCancelled: boolean;
  doneAt: number | null;
  lastTouched: number;
  ttlSec: number;
  autoCancelSec: number;
  priority: number;
  previewEnabled: boolean;
  messages: SplunkMessage[];
  /** Full output (computed at start); `partial` is what a finalized job kept. */
  output: SearchOutput | null;
  failure: string | null;
  runOptions: RunOptions;
}

/** Injected behaviour for the next dispatched job. */
export type JobFault = { kind: 'fail'; message: string } | { kind: 'stall' } | { kind: 'warn'; message: string };

/** The job table. */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  private readonly nextFaults: JobFault[] = [];
  private closed = false;

  constructor(private readonly store: EventStore, readonly settings: JobSettings, private readonly now: () => number = Date.now) {}

  /** Queue a fault for the next dispatched job. */
  injectFault(f: JobFault): void { this.nextFaults.push(f); }

  /** Bytes of search artifacts `user` holds on the server. */
  diskUsage(user: string): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.owner === user) n += artifactBytes(j);
    return n;
  }

  /** Count of jobs that hold a concurrency slot for `user`. */
  running(user: string): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.owner === user && j.startedAt !== null && !isTerminal(j.state)) n++;
    return n;
  }

  /**
   * Dispatch a job. Throws a 503 SplError when the quota is full and queueing is off; with
   * queueing the job waits in QUEUED until a slot frees (§8.17).
   */
  create(compiled: CompiledSearch, owner: string, request: Record<string, string>): Job {
    this.advance();
    const t = this.now();
    if (this.settings.quotaMode === 'reject' && this.running(owner) >= this.settings.quota) {
      throw new SplError(`Search not executed: The maximum number of concurrent historical searches for this user based on their role quota has been reached. usage=${this.running(owner)} quota=${this.settings.quota} user=${owner}.`, 503);
    }
    const usage = this.diskUsage(owner);
    const quotaBytes = this.settings.diskQuotaByUser?.[owner] ?? this.settings.diskQuotaBytes;
    if (usage >= quotaBytes) {
      const mb = (b: number) => `${Math.round(b / 1_048_576)}MB`;
      throw new SplError(`This search could not be dispatched because the role-based disk usage quota of search artifacts for user "${owner}" has been reached (usage=${mb(usage)}, quota=${mb(quotaBytes)}). Use the Job Manager to delete some of your search artifacts, or ask your Splunk administrator to increase the disk quota of search artifacts for your role in authorize.conf.`, 503);
    }
    let sid = request.id;
    if (sid !== undefined) {
      if (sid.length === 0 || sid.length > 150 || !/^[\w.@:-]+$/.test(sid)) throw new SplError(`Invalid search id '${sid}': at most 150 characters of letters, digits, '_', '.', '@', ':' and '-'.`);
      if (this.jobs.has(sid)) throw new SplError(`Search id '${sid}' is already in use.`, 409);
    } else {
      sid = `${Math.floor(t / 1000)}.${++this.seq}`;
    }
    const fault = this.nextFaults.shift();
    const num = (k: string, d: number) => { const v = Number(request[k]); return request[k] !== undefined && Number.isFinite(v) ? v : d; };
    const job: Job = {
      sid, owner, compiled, request, createdAt: t, startedAt: null, runMs: 0, pausedMs: 0, pausedAt: null, polls: 0,
      state: 'QUEUED', isFinalized: false, isCancelled: false, doneAt: null, lastTouched: t,
      ttlSec: num('timeout', this.settings.defaultTtlSec), autoCancelSec: num('auto_cancel', 0), priority: 5,
      previewEnabled: request.preview !== 'false' && request.preview !== '0',
      messages: [], output: null, failure: fault?.kind === 'fail' ? fault.message : null,
      runOptions: {
        nowSec: t / 1000, defaultIndexes: this.settings.defaultIndexes,
        earliestTime: request.earliest_time ?? null, latestTime: request.latest_time ?? null,
      },
    };
    if (fault?.kind === 'stall') job.runMs = Infinity;
    if (fault?.kind === 'warn') job.messages.push({ type: 'WARN', text: fault.message });
    this.jobs.set(sid, job);
    this.advance();
    return job;
  }

  private start(job: Job, t: number): void {
    job.startedAt = t;
    job.state = 'PARSING';
    try {
      job.output = runSearch(job.compiled, this.store, job.runOptions);
    } catch (e) {
      // A runtime error (e.g. a bad time modifier in earliest_time) fails the job like splunkd does.
      job.failure ??= e instanceof Error ? e.message : String(e);
    }
    if (job.runMs !== Infinity) {
      job.runMs = this.settings.latency.dispatchMs + this.settings.latency.perEventMs * (job.output?.scanCount ?? 0);
    }
  }

  /** Elapsed run time excluding pauses. */
  private elapsed(job: Job, t: number): number {
    if (job.startedAt === null) return 0;
    const pausedNow = job.pausedAt !== null ? t - job.pausedAt : 0;
    return t - job.startedAt - job.pausedMs - pausedNow;
  }

  private finish(job: Job, t: number): void {
    job.doneAt = t;
    job.lastTouched = t;
    if (job.failure !== null) {
      job.state = 'FAILED';
      job.messages = [{ type: 'FATAL', text: job.failure }];
      job.ttlSec = Math.max(job.ttlSec, this.settings.failedTtlSec);
    } else {
      job.state = 'DONE';
    }
  }

  /** Bring every job up to date with the clock: finish, expire, auto-cancel, start queued ones. */
  advance(): void {
    const t = this.now();
    for (const job of [...this.jobs.values()]) {
      if (isTerminal(job.state)) {
        if (t - job.lastTouched > job.ttlSec * 1000) this.jobs.delete(job.sid);
        continue;
      }
      if (job.autoCancelSec > 0 && t - job.lastTouched > job.autoCancelSec * 1000) { this.jobs.delete(job.sid); continue; }
      if (job.startedAt === null || job.pausedAt !== null) continue;
      const walked = this.settings.walkPolls <= 0 || job.polls > 3 * this.settings.walkPolls + (this.settings.first204 ? 1 : 0);
      if (this.elapsed(job, t) >= job.runMs && walked) this.finish(job, t);
      else if (this.elapsed(job, t) >= Math.min(job.runMs / 5, 200)) job.state = 'RUNNING';
    }
    // Start queued jobs FIFO per user as slots free; those left waiting say why, as Splunk does.
    for (const job of [...this.jobs.values()].sort((a, b) => a.createdAt - b.createdAt)) {
      if (job.startedAt === null && this.running(job.owner) < this.settings.quota) {
        job.messages = job.messages.filter((m) => m.text !== queuedText(job.owner, this.settings.quota));
        this.start(job, t);
        if (job.runMs <= 0 && this.settings.walkPolls <= 0) this.finish(job, t);
      } else if (job.startedAt === null && !job.messages.some((m) => m.type === 'INFO')) {
        job.messages.push({ type: 'INFO', text: queuedText(job.owner, this.settings.quota) });
      }
    }
  }

  /** A job visible to `user` (admins see all), refreshing its TTL; null when unknown/expired/not theirs. */
  get(sid: string, user: string, isAdmin: boolean, touch = true): Job | null {
    this.advance();
    const job = this.jobs.get(sid);
    if (!job || (job.owner !== user && !isAdmin)) return null;
    if (touch) job.lastTouched = this.now();
    return job;
  }

  /** Record a status poll (drives `walkPolls`); returns true when this poll should answer 204. */
  poll(job: Job): boolean {
    job.polls++;
    const first = job.polls === 1 && this.settings.first204;
    this.advance();
    return first;
  }

  /** The state a status poll shows (the poll-driven walk overrides the clock until it has run). */
  displayState(job: Job): DispatchState {
    const n = this.settings.walkPolls;
    if (n > 0 && !isTerminal(job.state) && job.pausedAt === null) {
      // A 204 first poll does not count as one of the walk's steps.
      const i = Math.floor(Math.max(0, job.polls - 1 - (this.settings.first204 ? 1 : 0)) / n);
      if (i === 0) return 'QUEUED';
      if (i === 1) return 'PARSING';
      return 'RUNNING';
    }
    return job.state;
  }

  /** Progress 0..1 for doneProgress and previews. */
  progress(job: Job): number {
    if (isTerminal(job.state)) return 1;
    if (job.startedAt === null || !Number.isFinite(job.runMs) || job.runMs <= 0) return 0;
    return Math.min(0.99, this.elapsed(job, this.now()) / job.runMs);
  }

  /** Partial output for results_preview of an unfinished job (events scanned so far). */
  partial(job: Job): SearchOutput | null {
    if (!job.output) return null;
    if (isTerminal(job.state)) return job.output;
    const k = Math.floor(job.output.scanCount * this.progress(job));
    return runSearch(job.compiled, this.store, { ...job.runOptions, scanLimit: k });
  }

  /** Apply a control action; returns the INFO text Splunk answers with. */
  control(job: Job, action: string, params: Record<string, string>): string {
    const t = this.now();
    switch (action) {
      case 'cancel':
        job.isCancelled = true;
        this.jobs.delete(job.sid);
        return 'Search job cancelled.';
      case 'pause':
        if (!isTerminal(job.state) && job.pausedAt === null) { job.pausedAt = t; job.state = 'PAUSED'; }
        return 'Search job paused.';
      case 'unpause':
        if (job.pausedAt !== null) { job.pausedMs += t - job.pausedAt; job.pausedAt = null; job.state = job.startedAt === null ? 'QUEUED' : 'RUNNING'; }
        this.advance();
        return 'Search job unpaused.';
      case 'finalize':
        if (!isTerminal(job.state)) {
          if (job.startedAt === null) this.start(job, t);
          if (job.output && job.failure === null) {
            const k = Math.floor(job.output.scanCount * this.progress(job));
            job.output = runSearch(job.compiled, this.store, { ...job.runOptions, scanLimit: k });
          }
          if (job.pausedAt !== null) { job.pausedMs += t - job.pausedAt; job.pausedAt = null; }
          job.isFinalized = true;
          this.finish(job, t);
        }
        return 'Search job finalized.';
      case 'touch':
        job.lastTouched = t;
        return 'Search job touched.';
      case 'setttl': {
        const ttl = Number(params.ttl);
        if (!Number.isFinite(ttl) || ttl < 0) throw new SplError(`Invalid ttl '${params.ttl ?? ''}'.`);
        job.ttlSec = ttl;
        job.lastTouched = t;
        return 'Search job ttl set.';
      }
      case 'setpriority': {
        const p = Number(params.priority);
        if (!Number.isInteger(p) || p < 0 || p > 10) throw new SplError(`Invalid priority '${params.priority ?? ''}': must be 0..10.`);
        job.priority = p;
        return 'Search job priority set.';
      }
      case 'enablepreview': job.previewEnabled = true; return 'Search job preview enabled.';
      case 'disablepreview': job.previewEnabled = false; return 'Search job preview disabled.';
      case 'save': job.ttlSec = 604_800; return 'Search job saved.';
      case 'unsave': job.ttlSec = this.settings.defaultTtlSec; return 'Search job unsaved.';
      default: throw new SplError(`Unknown action '${action}'.`);
    }
  }

  /** DELETE: remove the job (404 afterwards). */
  remove(job: Job): void { job.isCancelled = true; this.jobs.delete(job.sid); }

  /** Jobs visible to a user, newest first. */
  list(user: string, isAdmin: boolean): Job[] {
    this.advance();
    return [...this.jobs.values()].filter((j) => isAdmin || j.owner === user).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Every job (for tests/benches: e.g. asserting no job is left running). */
  all(): Job[] { this.advance(); return [...this.jobs.values()]; }

  /** Server shutdown: pending waits end (a stalled job must not keep the process alive). */
  close(): void { this.closed = true; }

  /** Wait until a job is DONE/FAILED or gone (blocking mode / oneshot / export). */
  async waitDone(job: Job, signal?: AbortSignal): Promise<void> {
    while (!isTerminal(job.state) && this.jobs.has(job.sid)) {
      if (signal?.aborted || this.closed) return;
      const left = job.startedAt === null ? 20 : Math.max(1, Math.min(200, job.runMs - this.elapsed(job, this.now())));
      await new Promise((r) => setTimeout(r, Number.isFinite(left) ? left : 200));
      // Blocking waits do not poll, so the poll-driven walk must not hold them back.
      if (this.settings.walkPolls > 0) job.polls = Math.max(job.polls, 3 * this.settings.walkPolls + 2);
      job.lastTouched = this.now();
      this.advance();
    }
  }
}

/** DONE and FAILED are final. */
export function isTerminal(s: DispatchState): boolean { return s === 'DONE' || s === 'FAILED'; }
