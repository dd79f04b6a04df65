/**
 * The Splunk source's job layer: what every role file (tree.ts, events.ts, pages.ts) shares — run one
 * search job and read its rows with their provenance (`read`: dispatch, check the budget, read pages),
 * process records by GUID, and the GUID → host cache. See docs/architecture.md "Splunk source".
 */
import type { TimeRange } from '@lineage/shared';
import type { BaseOptions, ProcessRecord, QueryContext } from '../event-source.js';
import type { SplunkClient, SplunkRow } from './client.js';
import type { SplunkConfig } from './config.js';
import { guidTime } from './guid-time.js';
import { byStart, processRecords, type Provenance } from './rows.js';
import { SplBuilder, batches, canonicalGuids, timeParams } from './spl.js';

/** Host cache entries kept (GUID → host) so calls without `host` can use the whole-host strategies. */
const HOST_CACHE_MAX = 100_000;

/**
 * "Open in Splunk": Splunk Web's search page re-running the exact SPL over the same window. A search
 * without a window (an all-time GUID lookup) links with `earliest=0` ("All time"): without it Splunk
 * Web would apply its default time picker (typically the last 24 hours) and find nothing old.
 */
export function splunkWebUrl(web: string | null, spl: string, params: { earliest_time?: string; latest_time?: string }): string | null {
  if (!web) return null;
  const q = new URLSearchParams({ q: spl });
  q.set('earliest', params.earliest_time || '0');
  q.set('latest', params.latest_time || '');
  return `${web}/app/search/search?${q.toString()}`;
}

/** From `fromMs` to now: a lookup bounded below by a GUID's start, open above (its termination may come later). */
export function sinceRange(fromMs: number): TimeRange {
  return { from: new Date(fromMs).toISOString(), to: new Date(Math.max(Date.now(), fromMs)).toISOString() };
}

/** One search job's rows, its provenance and its full result count. */
export interface JobRows { rows: SplunkRow[]; prov: Provenance; total: number }

/** How one job is read: its window, a page of it (`offset`/`limit`), or nothing when it holds more than `budget` rows. */
export interface ReadOptions { ctx: QueryContext; range?: TimeRange; offset?: number; limit?: number; budget?: number }

/** One analyst's Splunk jobs: the client, the SPL builder and the GUID → host cache. */
export class SplunkJobs {
  readonly spl: SplBuilder;
  readonly hosts = new Map<string, string>();

  constructor(readonly client: SplunkClient, readonly config: SplunkConfig) {
    this.spl = new SplBuilder(config);
  }

  /** Each process yields up to two rows (create + terminate): a whole-window read stops above this. */
  get windowBudget(): number {
    return this.config.treeBudget * 2;
  }

  /** Told of every process record a search read (the source's prevalence keeps them: no second lookup). */
  onRecords: ((recs: readonly ProcessRecord[]) => void) | null = null;

  remember(recs: readonly ProcessRecord[]): void {
    for (const r of recs) {
      if (this.hosts.size >= HOST_CACHE_MAX) this.hosts.delete(this.hosts.keys().next().value as string);
      this.hosts.set(r.guid, r.host);
    }
    this.onRecords?.(recs);
  }

  /** Run one search and read all rows (up to `limit`), with the provenance of the job. */
  async run(spl: string, o: { ctx: QueryContext; range?: TimeRange; limit?: number }): Promise<JobRows> {
    const params = timeParams(o.range);
    const r = await this.client.search(spl, { ctx: o.ctx, ...params, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    return { rows: r.rows, total: r.resultCount, prov: { query: spl, jobId: r.sid, url: splunkWebUrl(this.config.web, spl, params) } };
  }

  /**
   * Dispatch one job, check its result count against `budget` (over it: the job is discarded and null
   * returned), read its pages (from `offset`, at most `limit` rows) — the one place a job is read in part.
   */
  async read(spl: string, o: ReadOptions): Promise<JobRows | null> {
    const params = timeParams(o.range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    if (o.budget !== undefined && h.resultCount > o.budget) { await this.client.discard(h); return null; }
    const rows: SplunkRow[] = [];
    const page = { ...(o.offset !== undefined ? { offset: o.offset } : {}), ...(o.limit !== undefined ? { limit: o.limit } : {}) };
    for await (const p of this.client.pages(h, { ctx: o.ctx, ...page })) rows.push(...p);
    return { rows, total: h.resultCount, prov: { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) } };
  }

  /** A whole-window process search: its records, or null when the window holds more than the tree budget. */
  async window(spl: string, range: TimeRange | undefined, ctx: QueryContext): Promise<ProcessRecord[] | null> {
    const r = await this.read(spl, { ctx, ...(range ? { range } : {}), budget: this.windowBudget });
    return r ? processRecords(r.rows, r.prov) : null;
  }

  /** The process records of one search, by start, remembered in the host cache. */
  async processesOf(spl: string, o: { ctx: QueryContext; range?: TimeRange; limit?: number }): Promise<ProcessRecord[]> {
    const { rows, prov } = await this.run(spl, o);
    const recs = processRecords(rows, prov).sort(byStart);
    this.remember(recs);
    return recs;
  }

  async getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    const list = canonicalGuids(guids);
    if (list.length === 0) return [];
    // Without a window, bounded below by the oldest GUID time (a create is at its GUID's second):
    // parent and origin lookups never run over all time when the GUIDs carry plausible times.
    const times = list.map((g) => guidTime(g));
    const range = o.range ?? (times.every((t) => t !== null) ? sinceRange(Math.min(...(times as number[])) - 2000) : undefined);
    const parts = await Promise.all(batches(list).map((b) =>
      this.processesOf(this.spl.processesByGuid(b, o.host), { ctx: o.ctx, range })));
    return parts.flat().sort(byStart);
  }

  /** Fill endTime from EventID 5 for records found by searches that only read creates (one more search). */
  async withEndTimes(recs: ProcessRecord[], o: BaseOptions): Promise<ProcessRecord[]> {
    if (recs.length === 0) return recs;
    const ends = await this.getProcesses(recs.map((r) => r.guid), o);
    const end = new Map(ends.map((r) => [`${r.host}|${r.guid}`, r.endTime]));
    for (const r of recs) r.endTime = end.get(`${r.host}|${r.guid}`) ?? r.endTime;
    return recs;
  }

  /** Host of a GUID: the caller's, the cache's, or one small search. */
  async hostFor(guid: string, o: BaseOptions): Promise<string | null> {
    if (o.host) return o.host.toLowerCase();
    const known = this.hosts.get(guid);
    if (known) return known;
    const { rows } = await this.run(this.spl.hostOf(guid), { ctx: o.ctx, range: o.range });
    const hosts = rows.map((r) => String(Array.isArray(r.host) ? r.host[0] : r.host ?? '')).filter(Boolean).sort();
    return hosts[0] ?? null;
  }
}
