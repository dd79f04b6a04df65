/**
 * The Splunk source's event searches: counts by GUID and category, a process's events page by page,
 * cross-process edges (EventID 8/10) and image-name pair counts. A tree search dispatches its
 * host-window's counts search at the same moment (`prefetch`); countEvents and getCrossEvents in the
 * same request answer from it without another search (docs/architecture.md "Splunk source").
 */
import type { Category, TimeRange } from '@lineage/shared';
import type { BaseOptions, EventRecord, NamePairCount, PageOptions, QueryContext, RowPage } from '../event-source.js';
import { SplunkError } from './errors.js';
import type { SplunkJobs } from './jobs.js';
import { WindowCounts, type Counts, type HostCounts } from './lifetime.js';
import { byTime, countRows, crossRows, eventRecords, namePairRows } from './rows.js';
import { batches, canonicalGuids } from './spl.js';

/** Below this many GUIDs counts are asked for by GUID list; above it (host known) for the whole host. */
const COUNT_BY_GUID_MAX = 200;

/** A page cursor this source issued: a row offset. */
export function offsetCursor(cursor: string | null | undefined): number {
  if (cursor == null || cursor === '') return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw new SplunkError('invalid_request', 'cursor: not a cursor this source issued');
  return Number(cursor);
}

/** A page's size as asked, within 1 … 50 000 rows. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.min(limit, 50_000));
}

export class SplunkEvents {
  /** Counts (and cross edges) dispatched alongside a tree search, per request context and host-window. */
  private readonly prefetched = new WeakMap<QueryContext, WindowCounts>();

  constructor(private readonly jobs: SplunkJobs) {}

  /** Dispatch the host-window's counts search now (once per request and host-window); its answer waits for countEvents. */
  prefetch(host: string, range: TimeRange | undefined, ctx: QueryContext): void {
    let perCtx = this.prefetched.get(ctx);
    if (!perCtx) { perCtx = new WindowCounts(); this.prefetched.set(ctx, perCtx); }
    if (perCtx.has(host, range)) return;
    const p = this.hostCounts(host, ctx, range, null);
    p.catch(() => { /* surfaced when countEvents awaits it */ });
    perCtx.set(host, range, p);
  }

  /** One counts search of `host` (its 8/10 events split by target), of `guids` only unless null. */
  private hostCounts(host: string, ctx: QueryContext, range: TimeRange | undefined, guids: readonly string[] | null): Promise<HostCounts> {
    return this.jobs.run(this.jobs.spl.countsByHost(host, guids ?? undefined), { ctx, range })
      .then((r): HostCounts => ({ counts: countRows(r.rows), cross: crossRows(r.rows) }));
  }

  /** This request's host-window counts over `o.range`, extended over a lifetime past the window (lifetime.ts). */
  private prefetchedFor(guids: string[], o: BaseOptions): Promise<HostCounts> | undefined {
    const host = o.host?.toLowerCase();
    return host ? this.prefetched.get(o.ctx)?.find(host, o.range, guids, (range, only) => this.hostCounts(host, o.ctx, range, only)) : undefined;
  }

  async countEvents(guids: string[], o: BaseOptions): Promise<Counts> {
    const list = canonicalGuids(guids);
    const out: Counts = new Map();
    if (list.length === 0) return out;
    // Host-wide counting only when the caller restricted to a host: without one, a GUID seen on two
    // hosts must be counted on both.
    const host = o.host?.toLowerCase();
    let all: Counts | null = null;
    const pre = this.prefetchedFor(list, o);
    if (pre) all = (await pre).counts;
    else if (host && list.length > COUNT_BY_GUID_MAX) all = countRows((await this.jobs.run(this.jobs.spl.countsByHost(host), { ctx: o.ctx, range: o.range })).rows);
    if (all) {
      for (const g of list) { const c = all.get(g); if (c) out.set(g, c); }
      return out;
    }
    const parts = await Promise.all(batches(list).map((b) => this.jobs.run(this.jobs.spl.countsByGuid(b, o.host), { ctx: o.ctx, range: o.range })));
    for (const p of parts) countRows(p.rows, out);
    return out;
  }

  async getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
    const list = canonicalGuids(guids);
    if (list.length === 0) return { items: [], nextCursor: null, total: 0 };
    if (list.length > 1_000) throw new SplunkError('invalid_request', 'events: at most 1000 processes per request');
    const offset = offsetCursor(o.cursor);
    const spl = this.jobs.spl.events(list, { ...(o.host ? { host: o.host } : {}), ...(o.category ? { category: o.category } : {}) });
    const { rows, total } = (await this.jobs.read(spl, { ctx: o.ctx, range: o.range, offset, limit: pageLimit(o.limit) }))!;
    const items = eventRecords(rows, this.jobs.config.fieldStyle).sort(byTime);
    const next = offset + rows.length;
    return { items, nextCursor: next < total ? String(next) : null, total };
  }

  async getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]> {
    const list = canonicalGuids(guids);
    if (list.length === 0) return [];
    // Within a graph request the host-window counts search already brought the cross edges (aggregated
    // per source, target and EventID, each with its count): answer from it without another search.
    const pre = this.prefetchedFor(list, o);
    if (pre) {
      const wanted = new Set(list);
      return (await pre).cross.filter((e) => wanted.has(e.guid)).sort(byTime);
    }
    const parts = await Promise.all(batches(list).map((b) => this.jobs.run(this.jobs.spl.crossEvents(b, o.host), { ctx: o.ctx, range: o.range })));
    return parts.flatMap((p) => eventRecords(p.rows, this.jobs.config.fieldStyle)).filter((e) => e.eventId === 8 || e.eventId === 10).sort(byTime);
  }

  async countNamePairs(names: string[], o: BaseOptions): Promise<NamePairCount[]> {
    if (names.length === 0) return [];
    const { rows } = await this.jobs.run(this.jobs.spl.namePairCounts(names, o.host), { ctx: o.ctx, range: o.range });
    return namePairRows(rows);
  }
}
