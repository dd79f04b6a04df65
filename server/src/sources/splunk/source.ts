/**
 * The EventSource on Splunk: every method is one or a few search jobs built by SplBuilder, run as
 * the logged-in analyst (SplunkClient), mapped through the shared field mapping (rows.ts). This file
 * is the seam's face; the work is split by role (docs/architecture.md "Splunk source"):
 * jobs.ts (run/read one job, GUID lookups, host cache), tree.ts (tree and ancestor walks),
 * events.ts (counts, events, cross edges), pages.ts (children pages, rule scan).
 *
 * A graph request costs 2 searches at any depth: the host-window's process rows (tree.ts) and, in
 * parallel, its counts by GUID and category, which also carry the 8/10 cross edges (events.ts).
 */
import type { Category, Notable, TimeRange } from '@lineage/shared';
import type {
  BaseOptions, EventRecord, EventSource, NamePairCount, NotableStatusFilter, PageOptions, PrevalenceResult, ProcessRecord, QueryContext, RowPage, SeedQuery,
  TreeOptions, TreeRows, LateralFacts,
} from '../event-source.js';
import type { SearchOptions, SplunkClient } from './client.js';
import { PrevalenceCache, splunkPrevalence } from './prevalence.js';
import type { SplunkConfig } from './config.js';
import { SplunkError } from './errors.js';
import { SplunkEvents } from './events.js';
import type { Counts } from './lifetime.js';
import { SplunkJobs } from './jobs.js';
import { lateralFactsFromRows, lateralSpl } from './lateral.js';
import { notablesFromRows, resolveNotableProcesses } from './notables.js';
import { childCounts, childrenPage, scanPages, type ScanOptions } from './pages.js';
import type { SplBuilder } from './spl.js';
import { SCAN_EXTRA_FIELDS } from './spl-fields.js';
import { SplunkTree } from './tree.js';

export { splunkWebUrl } from './jobs.js';
export { AROUND_SPAN_MS, selectTree } from './tree.js';

/** Notables are read over this many days back when the caller gives no window. */
export const NOTABLE_DEFAULT_DAYS = 7;

/** The Splunk EventSource for one analyst's session. */
export class SplunkSource implements EventSource {
  readonly kind = 'splunk' as const;
  readonly timeBoundedSearches = true;
  /** The rule scan's search returns the PE fields (spl.ts `scan`) and carries the Sigma filter. */
  readonly scanFields = SCAN_EXTRA_FIELDS;
  readonly scanAppliesFilter = true;
  readonly spl: SplBuilder;
  private readonly jobs: SplunkJobs;
  private readonly events: SplunkEvents;
  private readonly tree: SplunkTree;

  /** Prevalence answers per baseline (prevalence.ts). */
  private readonly prevalenceCache = new PrevalenceCache();

  constructor(readonly client: SplunkClient, readonly config: SplunkConfig) {
    this.jobs = new SplunkJobs(client, config);
    // Every search reads the same process fields (spl.ts PROCESS_FIELDS): a drawn graph's records serve
    // its prevalence request, which then needs only its stats search.
    this.jobs.onRecords = (recs) => this.prevalenceCache.remember(recs);
    this.spl = this.jobs.spl;
    this.events = new SplunkEvents(this.jobs);
    this.tree = new SplunkTree(this.jobs, this.events);
  }

  async findSeeds(q: SeedQuery, o: BaseOptions & { limit: number }): Promise<ProcessRecord[]> {
    if (q.guid !== undefined) {
      const recs = await this.getProcesses([q.guid], { ...o, host: q.host ?? o.host });
      return recs.slice(0, o.limit);
    }
    const host = q.host ?? o.host;
    if (host === undefined && q.image === undefined && q.text === undefined) {
      throw new SplunkError('invalid_request', 'search: give a GUID, a host, an image or a command-line text');
    }
    const spl = this.spl.seeds({ ...(host !== undefined ? { host } : {}), ...(q.image ? { image: q.image } : {}), ...(q.text ? { text: q.text } : {}) });
    const recs = await this.jobs.processesOf(spl, { ctx: o.ctx, range: o.range, limit: o.limit });
    return this.jobs.withEndTimes(recs.slice(0, o.limit), o);
  }

  getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    return this.jobs.getProcesses(guids, o);
  }

  getChildren(parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
    return childrenPage(this.jobs, parentGuids, o);
  }

  getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    return this.tree.getAncestors(guid, o);
  }

  /** Children per parent (EventSource.countChildren): one `stats dc() by parent` search per batch of parents (pages.ts). */
  countChildren(parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
    return childCounts(this.jobs, parentGuids, o);
  }

  ancestorsOf(start: ProcessRecord, maxDepth: number, ctx: QueryContext): Promise<ProcessRecord[]> {
    return this.tree.ancestorsOf(start, maxDepth, ctx);
  }

  processesAround(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    return this.tree.processesAround(guids, o);
  }

  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    return this.tree.locateOrigin(guid, host);
  }

  getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    return this.tree.getTree(guid, o);
  }

  countEvents(guids: string[], o: BaseOptions): Promise<Counts> {
    return this.events.countEvents(guids, o);
  }

  getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
    return this.events.getEvents(guids, o);
  }

  getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]> {
    return this.events.getCrossEvents(guids, o);
  }

  scanProcesses(o: ScanOptions): AsyncIterable<ProcessRecord[]> {
    return scanPages(this.jobs, o);
  }

  countNamePairs(names: string[], o: BaseOptions): Promise<NamePairCount[]> {
    return this.events.countNamePairs(names, o);
  }

  /** Cross-host stitching facts of a window: one search (lateral.ts). */
  async lateralFacts(range: TimeRange, ctx: QueryContext): Promise<LateralFacts> {
    const { rows, prov } = await this.jobs.run(lateralSpl(this.spl, this.config.fieldStyle), { ctx, range });
    return lateralFactsFromRows(rows, prov, this.config.fieldStyle);
  }

  prevalence(guids: string[], o: { baseline: TimeRange; ctx: QueryContext }): Promise<PrevalenceResult> {
    const host = { spl: this.spl, getProcesses: (g: string[], p: { ctx: QueryContext }) => this.getProcesses(g, p), search: async (spl: string, p: SearchOptions) => (await this.client.search(spl, p)).rows };
    return splunkPrevalence(host, this.prevalenceCache, guids, o.baseline, o.ctx);
  }

  async notables(o: BaseOptions & { limit: number; status?: NotableStatusFilter }): Promise<Notable[]> {
    const limit = Math.max(1, Math.min(o.limit, 10_000));
    // Default window: the last 7 days (docs/splunk.md "Notables"), never all time.
    const range = o.range ?? { from: new Date(Date.now() - NOTABLE_DEFAULT_DAYS * 86_400_000).toISOString(), to: new Date().toISOString() };
    const spl = this.spl.notables(limit, { ...(o.host ? { host: o.host } : {}), open: (o.status ?? 'open') === 'open' });
    const { rows } = await this.jobs.run(spl, { ctx: o.ctx, range });
    const notables = notablesFromRows(rows);
    return resolveNotableProcesses(notables, (pairs, range) =>
      this.jobs.processesOf(this.spl.processesByHostAndName(pairs), { ctx: o.ctx, range }));
  }

  async close(): Promise<void> {
    await this.client.logout();
  }
}
