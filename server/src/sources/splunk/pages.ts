/**
 * The Splunk source's paged process reads: a parent's children one page at a time (the cursor is a
 * row offset into one search job), and the rule scan streaming a job's pages as they are read.
 */
import { canonicalGuid } from '@lineage/shared';
import type { BaseOptions, PageOptions, ProcessRecord, RowPage, ScanRequest } from '../event-source.js';
import { offsetCursor, pageLimit } from './events.js';
import type { SplunkJobs } from './jobs.js';
import { splunkWebUrl } from './jobs.js';
import { byStart, processRecords } from './rows.js';
import { batches, canonicalGuids, timeParams } from './spl.js';

/** The Splunk scan returns every SCAN_EXTRA_FIELDS whatever `fields` asks (the search text stays one per shape). */
export type ScanOptions = BaseOptions & ScanRequest;

export async function childrenPage(jobs: SplunkJobs, parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
  const parents = canonicalGuids(parentGuids, 'parent guid');
  if (parents.length === 0) return { items: [], nextCursor: null, total: 0 };
  const offset = offsetCursor(o.cursor);
  const { rows, prov, total } = (await jobs.read(jobs.spl.childrenOf(parents, o.host), { ctx: o.ctx, range: o.range, offset, limit: pageLimit(o.limit) }))!;
  const items = processRecords(rows, prov).sort(byStart);
  jobs.remember(items);
  await jobs.withEndTimes(items, o);
  const next = offset + rows.length;
  return { items, nextCursor: next < total ? String(next) : null, total };
}

/** Children per parent (distinct child GUIDs): one `stats dc() by parent` search per batch of parents. */
export async function childCounts(jobs: SplunkJobs, parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const parts = await Promise.all(batches(canonicalGuids(parentGuids, 'parent guid')).map((b) =>
    jobs.run(jobs.spl.childCountsOf(b, o.host), { ctx: o.ctx, range: o.range })));
  for (const { rows } of parts) for (const r of rows) {
    const g = canonicalGuid(String(r.lineage_parent ?? ''));
    if (g) out.set(g, (out.get(g) ?? 0) + Number(r.count ?? 0));
  }
  return out;
}

/** Every process matching the scan's names, one batch of records per page of the job. */
export async function* scanPages(jobs: SplunkJobs, o: ScanOptions): AsyncIterable<ProcessRecord[]> {
  if ((o.names && o.names.length === 0) || (o.parentNames && o.parentNames.length === 0)) return;
  const spl = jobs.spl.scan({
    ...(o.host ? { host: o.host } : {}), ...(o.names ? { names: o.names } : {}), ...(o.parentNames ? { parentNames: o.parentNames } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
  });
  const params = timeParams(o.range);
  const h = await jobs.client.dispatch(spl, { ctx: o.ctx, ...params });
  const prov = { query: spl, jobId: h.sid, url: splunkWebUrl(jobs.config.web, spl, params) };
  for await (const page of jobs.client.pages(h, { ctx: o.ctx, pageSize: o.batchSize ?? 5_000 })) {
    const recs = processRecords(page, prov).sort(byStart);
    if (recs.length > 0) yield recs;
  }
}
