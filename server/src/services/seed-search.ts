/**
 * `GET /api/search`: seed processes by GUID, or host + image / command-line text, as graph nodes with
 * what the search cost. At least one criterion is required (400 otherwise).
 */
import type { GraphStats, Page, ProcessNode, TimeRange } from '@lineage/shared';
import { processNode } from '../graph/nodes.js';
import type { EventSource, QueryContext } from '../sources/event-source.js';

/** The seed criteria a search request carries. */
export interface SeedSearch { guid?: string | undefined; host?: string | undefined; image?: string | undefined; q?: string | undefined; limit: number }

/** Thrown when a search names no criterion at all. */
export class EmptySearchError extends Error {
  override readonly name = 'EmptySearchError';
}

export async function seedSearch(source: EventSource, s: SeedSearch, range: TimeRange | null, ctx: QueryContext): Promise<Page<ProcessNode> & { stats: GraphStats }> {
  const started = performance.now();
  if (!s.guid && !s.host && !s.image && !s.q) throw new EmptySearchError('give at least one of guid, host, image, q');
  const rows = await source.findSeeds(
    { ...(s.guid ? { guid: s.guid } : {}), ...(s.host ? { host: s.host } : {}), ...(s.image ? { image: s.image } : {}), ...(s.q ? { text: s.q } : {}) },
    { ctx, limit: s.limit, ...(range ? { range } : {}), ...(s.host ? { host: s.host } : {}) },
  );
  const stats = { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - started) };
  return { items: rows.map((r) => processNode(r, 0, undefined)), nextCursor: null, stats };
}
