/**
 * The EventSource on Splunk: every method is one or a few search jobs built by SplBuilder, run as
 * the logged-in analyst (SplunkClient), mapped through the shared field mapping (rows.ts).
 *
 * getTree — the whole-tree strategy: ONE search returns every process-create (and terminate) of the
 * origin's host in the window as compact `stats … by ProcessGuid` rows and the tree is assembled in
 * memory; the host's event counts by GUID and category are dispatched at the same moment (a second
 * search, in parallel) and answer the countEvents call that follows — and getCrossEvents too: that
 * search splits 8/10 events by target GUID, so cross edges need no search of their own. Root,
 * ancestors, full subtree, counts and cross edges therefore cost 2 searches at any depth. When the host-window holds more processes than
 * `treeBudget`, getTree walks one generation per search with batched GUID frontiers instead.
 */
import { canonicalGuid, type Category, type Notable, type TimeRange } from '@lineage/shared';
import type {
  BaseOptions, EventRecord, EventSource, NamePairCount, NotableStatusFilter, PageOptions, ProcessRecord, QueryContext, RowPage, SeedQuery,
  TreeOptions, TreeRows,
} from '../event-source.js';
import type { SplunkClient, SplunkRow } from './client.js';
import type { SplunkConfig } from './config.js';
import { SplunkError } from './errors.js';
import { batchedAncestors } from './ancestors.js';
import { guidTime } from './guid-time.js';
import { notablesFromRows, resolveNotableProcesses } from './notables.js';
import { byStart, byTime, countRows, crossRows, eventRecords, namePairRows, processRecords, type Provenance } from './rows.js';
import { SplBuilder, batches, canonicalGuids, timeParams } from './spl.js';

type Counts = Map<string, Partial<Record<Category, number>>>;
/** A host-window's counts search: counts by GUID and category, and its 8/10 events aggregated per target. */
interface HostCounts { counts: Counts; cross: EventRecord[] }

/** Below this many GUIDs counts are asked for by GUID list; above it (host known) for the whole host. */
const COUNT_BY_GUID_MAX = 200;
/** Host cache entries kept (GUID → host) so calls without `host` can use the whole-host strategies. */
const HOST_CACHE_MAX = 100_000;
/** Rule ancestry: how far below the candidates' parents one search looks for older generations. */
export const AROUND_SPAN_MS = 6 * 3_600_000;
/** Machine parts OR-ed in one `processesAround` search at most (beyond: one generation per search). */
const GUIDS_PER_AROUND = 200;
/** Notables are read over this many days back when the caller gives no window. */
export const NOTABLE_DEFAULT_DAYS = 7;

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

/**
 * A host-window's key, to whole seconds: a window bounded from the GUID's start second and the same
 * window from the create's UtcTime (milliseconds later) share one counts search (docs/splunk.md).
 */
function rangeKey(host: string, range: TimeRange | undefined): string {
  const sec = (t: string | undefined) => (t ? String(Math.floor(Date.parse(t) / 1000)) : '');
  return `${host}|${sec(range?.from)}|${sec(range?.to)}`;
}

/** From `fromMs` to now: a lookup bounded below by a GUID's start, open above (its termination may come later). */
function sinceRange(fromMs: number): TimeRange {
  return { from: new Date(fromMs).toISOString(), to: new Date(Math.max(Date.now(), fromMs)).toISOString() };
}

function offsetCursor(cursor: string | null | undefined): number {
  if (cursor == null || cursor === '') return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw new SplunkError('invalid_request', 'cursor: not a cursor this source issued');
  return Number(cursor);
}

/** The Splunk EventSource for one analyst's session. */
export class SplunkSource implements EventSource {
  readonly kind = 'splunk' as const;
  readonly spl: SplBuilder;
  private readonly hosts = new Map<string, string>();
  /** Counts (and cross edges) dispatched alongside a tree search, per request context and host-window. */
  private readonly prefetched = new WeakMap<QueryContext, Map<string, Promise<HostCounts>>>();

  constructor(readonly client: SplunkClient, readonly config: SplunkConfig) {
    this.spl = new SplBuilder(config);
  }

  private remember(recs: readonly ProcessRecord[]): void {
    for (const r of recs) {
      if (this.hosts.size >= HOST_CACHE_MAX) this.hosts.delete(this.hosts.keys().next().value as string);
      this.hosts.set(r.guid, r.host);
    }
  }

  /** Run one search and read all rows, with the provenance of the job. */
  private async run(spl: string, o: { ctx: QueryContext; range?: TimeRange; limit?: number }): Promise<{ rows: SplunkRow[]; prov: Provenance; total: number }> {
    const params = timeParams(o.range);
    const r = await this.client.search(spl, { ctx: o.ctx, ...params, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    return { rows: r.rows, total: r.resultCount, prov: { query: spl, jobId: r.sid, url: splunkWebUrl(this.config.web, spl, params) } };
  }

  private async processesOf(spl: string, o: { ctx: QueryContext; range?: TimeRange; limit?: number }): Promise<ProcessRecord[]> {
    const { rows, prov } = await this.run(spl, o);
    const recs = processRecords(rows, prov).sort(byStart);
    this.remember(recs);
    return recs;
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
    const recs = await this.processesOf(spl, { ctx: o.ctx, range: o.range, limit: o.limit });
    return this.withEndTimes(recs.slice(0, o.limit), o);
  }

  /** Fill endTime from EventID 5 for records found by searches that only read creates (one more search). */
  private async withEndTimes(recs: ProcessRecord[], o: BaseOptions): Promise<ProcessRecord[]> {
    if (recs.length === 0) return recs;
    const ends = await this.getProcesses(recs.map((r) => r.guid), o);
    const end = new Map(ends.map((r) => [`${r.host}|${r.guid}`, r.endTime]));
    for (const r of recs) r.endTime = end.get(`${r.host}|${r.guid}`) ?? r.endTime;
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

  async getChildren(parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
    const parents = canonicalGuids(parentGuids, 'parent guid');
    if (parents.length === 0) return { items: [], nextCursor: null, total: 0 };
    const offset = offsetCursor(o.cursor);
    const limit = Math.max(1, Math.min(o.limit, 50_000));
    const spl = this.spl.childrenOf(parents, o.host);
    const params = timeParams(o.range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    const rows: SplunkRow[] = [];
    for await (const page of this.client.pages(h, { ctx: o.ctx, offset, limit })) rows.push(...page);
    const prov = { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) };
    const items = processRecords(rows, prov).sort(byStart);
    this.remember(items);
    await this.withEndTimes(items, o);
    const next = offset + rows.length;
    return { items, nextCursor: next < h.resultCount ? String(next) : null, total: h.resultCount };
  }

  /** Children per parent (EventSource.countChildren): one `stats dc() by parent` search per batch of parents. */
  async countChildren(parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const parts = await Promise.all(batches(canonicalGuids(parentGuids, 'parent guid')).map((b) =>
      this.run(this.spl.childCountsOf(b, o.host), { ctx: o.ctx, range: o.range })));
    for (const { rows } of parts) for (const r of rows) {
      const g = canonicalGuid(String(r.lineage_parent ?? ''));
      if (g) out.set(g, (out.get(g) ?? 0) + Number(r.count ?? 0));
    }
    return out;
  }

  /**
   * Ancestors in a bounded number of searches (ancestors.ts): host-windows below each missing
   * ancestor's GUID time, widening 16× per search, then one search for the chain's terminations.
   */
  async getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    const [g] = canonicalGuids([guid]);
    const own = await this.getProcesses([g!], o);
    const start = own.find((r) => !o.host || r.host === o.host.toLowerCase()) ?? own[0];
    return start ? this.ancestorsOf(start, o.maxDepth, o.ctx) : [];
  }

  /** The ancestors of a record already read (nearest first), in a bounded number of searches. */
  ancestorsOf(start: ProcessRecord, maxDepth: number, ctx: QueryContext): Promise<ProcessRecord[]> {
    return batchedAncestors({
      hostWindow: async (host, fromMs, toMs, c) => {
        const range = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
        const spl = this.spl.hostProcesses(host);
        const params = timeParams(range);
        const h = await this.client.dispatch(spl, { ctx: c, ...params });
        if (h.resultCount > this.config.treeBudget * 2) { await this.client.discard(h); return null; }
        const rows: SplunkRow[] = [];
        for await (const page of this.client.pages(h, { ctx: c })) rows.push(...page);
        const recs = processRecords(rows, { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) });
        this.remember(recs);
        return recs;
      },
      byGuid: (guids, host, fromMs, c) => this.getProcesses(guids, { ctx: c, host, ...(fromMs === null ? {} : { range: sinceRange(fromMs) }) }),
    }, start, maxDepth, ctx);
  }

  /**
   * Rule ancestry in few rounds: one search of the GUIDs' machines (machine part as an indexed term)
   * over [oldest GUID time − AROUND_SPAN_MS, newest + 2 s] returns the GUIDs' creates and every older
   * process started in that span — their ancestors, several generations at once. Falls back to the
   * GUID lookup (one generation) when a GUID carries no time or the window holds more than the tree budget.
   */
  async processesAround(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    const list = canonicalGuids(guids);
    const times = list.map((g) => guidTime(g));
    if (list.length === 0 || times.some((t) => t === null)) return this.getProcesses(list, o);
    const from = Math.min(...(times as number[])) - AROUND_SPAN_MS;
    const to = Math.max(...(times as number[])) + 2000;
    const range = { from: new Date(Math.max(from, o.range ? Date.parse(o.range.from) : from)).toISOString(), to: new Date(to).toISOString() };
    const parts = [...new Set(list.map((g) => g.slice(1, 9)))];
    if (parts.length > GUIDS_PER_AROUND) return this.getProcesses(list, o);
    const spl = this.spl.machinesProcesses(parts);
    const params = timeParams(range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    if (h.resultCount > this.config.treeBudget * 2) { await this.client.discard(h); return this.getProcesses(list, o); }
    const rows: SplunkRow[] = [];
    for await (const page of this.client.pages(h, { ctx: o.ctx })) rows.push(...page);
    const recs = processRecords(rows, { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) });
    const host = o.host?.toLowerCase();
    const mine = host ? recs.filter((r) => r.host === host) : recs;
    this.remember(mine);
    // An asked GUID absent from the window holding its GUID's second was never logged (guid-time.test.ts).
    return mine.sort(byStart);
  }

  /** Host of a GUID: the caller's, the cache's, or one small search. */
  private async hostFor(guid: string, o: BaseOptions): Promise<string | null> {
    if (o.host) return o.host.toLowerCase();
    const known = this.hosts.get(guid);
    if (known) return known;
    const { rows } = await this.run(this.spl.hostOf(guid), { ctx: o.ctx, range: o.range });
    const hosts = rows.map((r) => String(Array.isArray(r.host) ? r.host[0] : r.host ?? '')).filter(Boolean).sort();
    return hosts[0] ?? null;
  }

  /**
   * Where a GUID's process is, without a search, when the caller names the host: its start time is
   * embedded in the GUID (guid-time.ts), so the graph's window is bounded from the start instead of
   * looked up over all time. Null (a lookup follows) when the host is unknown or the time implausible;
   * a wrong time only means the tree misses the origin and the lookup runs after all.
   */
  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    const t = guidTime(guid);
    if (t === null || this.config.tstats) return null;
    // No host: '' lets getTree read the tree by the GUID's machine part (treeByMachine).
    return [{ host: host?.toLowerCase() ?? '', startTime: new Date(t).toISOString() }];
  }

  async getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    const [origin] = canonicalGuids([guid]);
    // Host unknown (a GUID-only pivot): one search by the GUID's machine part instead of a host lookup first.
    if (!o.host && !this.hosts.has(origin!) && !this.config.tstats) return this.treeByMachine(origin!, o);
    const host = await this.hostFor(origin!, o);
    if (!host) return { processes: [], complete: true };
    // Counts for the whole host-window go out at the same time as the tree search (2 jobs in parallel).
    const countsKey = rangeKey(host, o.range);
    let perCtx = this.prefetched.get(o.ctx);
    if (!perCtx) { perCtx = new Map(); this.prefetched.set(o.ctx, perCtx); }
    if (!perCtx.has(countsKey)) {
      const p = this.run(this.spl.countsByHost(host), { ctx: o.ctx, range: o.range })
        .then((r): HostCounts => ({ counts: countRows(r.rows), cross: crossRows(r.rows) }));
      p.catch(() => { /* surfaced when countEvents awaits it */ });
      perCtx.set(countsKey, p);
    }
    const spl = this.spl.hostProcesses(host);
    const params = timeParams(o.range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    // Each process yields up to two rows (create + terminate).
    if (h.resultCount > this.config.treeBudget * 2) {
      await this.client.discard(h);
      return this.treeByGeneration(origin!, host, o);
    }
    const rows: SplunkRow[] = [];
    for await (const page of this.client.pages(h, { ctx: o.ctx })) rows.push(...page);
    const all = processRecords(rows, { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) });
    this.remember(all);
    return selectTree(all, origin!, o);
  }

  /** The tree of a GUID whose host is unknown: every process of its machine part, in one search. */
  private async treeByMachine(origin: string, o: TreeOptions): Promise<TreeRows> {
    const spl = this.spl.machineProcesses(origin.slice(1, 9));
    const params = timeParams(o.range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    if (h.resultCount > this.config.treeBudget * 2) {
      await this.client.discard(h);
      const host = await this.hostFor(origin, o);
      return host ? this.treeByGeneration(origin, host, o) : { processes: [], complete: true };
    }
    const rows: SplunkRow[] = [];
    for await (const page of this.client.pages(h, { ctx: o.ctx })) rows.push(...page);
    const all = processRecords(rows, { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) });
    const host = all.find((r) => r.guid === origin)?.host;
    if (!host) return { processes: [], complete: true };
    const mine = all.filter((r) => r.host === host);
    this.remember(mine);
    return selectTree(mine, origin, o);
  }

  /** Fallback for busy hosts: one search per generation, GUID frontiers batched in IN lists. */
  private async treeByGeneration(origin: string, host: string, o: TreeOptions): Promise<TreeRows> {
    const base = { ctx: o.ctx, range: o.range, host };
    const found = new Map<string, ProcessRecord>();
    const [root] = await this.getProcesses([origin], base);
    if (!root) return { processes: [], complete: true };
    found.set(root.guid, root);
    if (o.up) {
      let cur: ProcessRecord | undefined = root;
      while (cur?.parentGuid && !found.has(cur.parentGuid) && !/^\{0{8}-/.test(cur.parentGuid)) {
        const [p] = await this.getProcesses([cur.parentGuid], base);
        if (!p) break;
        found.set(p.guid, p);
        cur = p;
      }
    }
    let frontier = [root.guid];
    let complete = true;
    let descendants = 0;
    for (let level = 1; level <= o.down && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const batch of batches(frontier)) {
        const spl = this.spl.childrenOf(batch, host);
        const kids = await this.processesOf(spl, { ctx: o.ctx, range: o.range });
        for (const k of kids) {
          if (found.has(k.guid)) continue;
          if (descendants >= o.nodeBudget) { complete = false; break; }
          found.set(k.guid, k);
          next.push(k.guid);
          descendants++;
        }
      }
      frontier = next;
      if (!complete) break;
    }
    const procs = [...found.values()];
    const ends = await this.getProcesses(procs.map((p) => p.guid), base);
    const end = new Map(ends.map((r) => [r.guid, r.endTime]));
    for (const p of procs) p.endTime = end.get(p.guid) ?? p.endTime;
    return { processes: procs, complete };
  }

  async countEvents(guids: string[], o: BaseOptions): Promise<Counts> {
    const list = canonicalGuids(guids);
    const out: Counts = new Map();
    if (list.length === 0) return out;
    // Host-wide counting only when the caller restricted to a host: without one, a GUID seen on two
    // hosts must be counted on both.
    const host = o.host?.toLowerCase();
    let all: Counts | null = null;
    const pre = host ? this.prefetched.get(o.ctx)?.get(rangeKey(host, o.range)) : undefined;
    if (pre) all = (await pre).counts;
    else if (host && list.length > COUNT_BY_GUID_MAX) all = countRows((await this.run(this.spl.countsByHost(host), { ctx: o.ctx, range: o.range })).rows);
    if (all) {
      for (const g of list) { const c = all.get(g); if (c) out.set(g, c); }
      return out;
    }
    const parts = await Promise.all(batches(list).map((b) => this.run(this.spl.countsByGuid(b, o.host), { ctx: o.ctx, range: o.range })));
    for (const p of parts) countRows(p.rows, out);
    return out;
  }

  async getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
    const list = canonicalGuids(guids);
    if (list.length === 0) return { items: [], nextCursor: null, total: 0 };
    if (list.length > 1_000) throw new SplunkError('invalid_request', 'events: at most 1000 processes per request');
    const offset = offsetCursor(o.cursor);
    const limit = Math.max(1, Math.min(o.limit, 50_000));
    const spl = this.spl.events(list, { ...(o.host ? { host: o.host } : {}), ...(o.category ? { category: o.category } : {}) });
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...timeParams(o.range) });
    const rows: SplunkRow[] = [];
    for await (const page of this.client.pages(h, { ctx: o.ctx, offset, limit })) rows.push(...page);
    const items = eventRecords(rows, this.config.fieldStyle).sort(byTime);
    const next = offset + rows.length;
    return { items, nextCursor: next < h.resultCount ? String(next) : null, total: h.resultCount };
  }

  async getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]> {
    const list = canonicalGuids(guids);
    if (list.length === 0) return [];
    // Within a graph request the host-window counts search already brought the cross edges (aggregated
    // per source, target and EventID, each with its count): answer from it without another search.
    const host = o.host?.toLowerCase();
    const pre = host ? this.prefetched.get(o.ctx)?.get(rangeKey(host, o.range)) : undefined;
    if (pre) {
      const wanted = new Set(list);
      return (await pre).cross.filter((e) => wanted.has(e.guid)).sort(byTime);
    }
    const parts = await Promise.all(batches(list).map((b) => this.run(this.spl.crossEvents(b, o.host), { ctx: o.ctx, range: o.range })));
    return parts.flatMap((p) => eventRecords(p.rows, this.config.fieldStyle)).filter((e) => e.eventId === 8 || e.eventId === 10).sort(byTime);
  }

  async *scanProcesses(o: BaseOptions & { names?: string[]; parentNames?: string[]; batchSize?: number }): AsyncIterable<ProcessRecord[]> {
    if ((o.names && o.names.length === 0) || (o.parentNames && o.parentNames.length === 0)) return;
    const spl = this.spl.scan({
      ...(o.host ? { host: o.host } : {}), ...(o.names ? { names: o.names } : {}), ...(o.parentNames ? { parentNames: o.parentNames } : {}),
    });
    const params = timeParams(o.range);
    const h = await this.client.dispatch(spl, { ctx: o.ctx, ...params });
    const prov = { query: spl, jobId: h.sid, url: splunkWebUrl(this.config.web, spl, params) };
    for await (const page of this.client.pages(h, { ctx: o.ctx, pageSize: o.batchSize ?? 5_000 })) {
      const recs = processRecords(page, prov).sort(byStart);
      if (recs.length > 0) yield recs;
    }
  }

  async countNamePairs(names: string[], o: BaseOptions): Promise<NamePairCount[]> {
    if (names.length === 0) return [];
    const { rows } = await this.run(this.spl.namePairCounts(names, o.host), { ctx: o.ctx, range: o.range });
    return namePairRows(rows);
  }

  async notables(o: BaseOptions & { limit: number; status?: NotableStatusFilter }): Promise<Notable[]> {
    const limit = Math.max(1, Math.min(o.limit, 10_000));
    // Default window: the last 7 days (docs/splunk.md "Notables"), never all time.
    const range = o.range ?? { from: new Date(Date.now() - NOTABLE_DEFAULT_DAYS * 86_400_000).toISOString(), to: new Date().toISOString() };
    const spl = this.spl.notables(limit, { ...(o.host ? { host: o.host } : {}), open: (o.status ?? 'open') === 'open' });
    const { rows } = await this.run(spl, { ctx: o.ctx, range });
    const notables = notablesFromRows(rows);
    return resolveNotableProcesses(notables, (pairs, range) =>
      this.processesOf(this.spl.processesByHostAndName(pairs), { ctx: o.ctx, range }));
  }

  async close(): Promise<void> {
    await this.client.logout();
  }
}

/** Origin, ancestors (when `up`) and descendants to `down` levels, capped at `nodeBudget` descendants. */
export function selectTree(all: readonly ProcessRecord[], origin: string, o: Pick<TreeOptions, 'up' | 'down' | 'nodeBudget'>): TreeRows {
  const byGuid = new Map(all.map((r) => [r.guid, r]));
  const kids = new Map<string, ProcessRecord[]>();
  for (const r of all) {
    if (!r.parentGuid) continue;
    const l = kids.get(r.parentGuid);
    if (l) l.push(r); else kids.set(r.parentGuid, [r]);
  }
  const root = byGuid.get(origin);
  if (!root) return { processes: [], complete: true };
  const out = new Map<string, ProcessRecord>([[root.guid, root]]);
  if (o.up) {
    let cur = root;
    for (;;) {
      const p = cur.parentGuid ? byGuid.get(cur.parentGuid) : undefined;
      if (!p || out.has(p.guid)) break;
      out.set(p.guid, p);
      cur = p;
    }
  }
  let frontier = [root];
  let complete = true;
  let descendants = 0;
  for (let level = 1; level <= o.down && frontier.length > 0 && complete; level++) {
    const next: ProcessRecord[] = [];
    for (const parent of frontier) {
      for (const k of (kids.get(parent.guid) ?? []).sort(byStart)) {
        if (out.has(k.guid)) continue;
        if (descendants >= o.nodeBudget) { complete = false; break; }
        out.set(k.guid, k);
        next.push(k);
        descendants++;
      }
      if (!complete) break;
    }
    frontier = next;
  }
  return { processes: [...out.values()], complete };
}
