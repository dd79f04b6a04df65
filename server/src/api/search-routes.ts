/** Seed search (GUID, or host + image / command-line text) and notables. */
import { Router } from 'express';
import { processNode } from '../graph/nodes.js';
import { AppError } from './errors.js';
import { jsonRoute, type SourceFor } from './handle.js';
import { NotablesQuery, SearchQuery, toRange } from './params.js';
import type { RuleNotables } from './rule-notables.js';

/**
 * Mount under /api: search and notables. With `ruleNotables` (embedded mode) the notables are the
 * stored ones plus the rule pack's hits; Splunk answers with ES notables.
 */
export function searchRouter(sourceFor: SourceFor, ruleNotables: RuleNotables | null = null): Router {
  const r = Router();

  r.get('/search', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const started = performance.now();
    const q = SearchQuery.parse(req.query);
    if (!q.guid && !q.host && !q.image && !q.q) {
      throw new AppError(400, 'invalid_request', 'give at least one of guid, host, image, q');
    }
    const range = toRange(q, null);
    const rows = await source.findSeeds(
      { ...(q.guid ? { guid: q.guid } : {}), ...(q.host ? { host: q.host } : {}), ...(q.image ? { image: q.image } : {}), ...(q.q ? { text: q.q } : {}) },
      { ctx, limit: q.limit, ...(range ? { range } : {}), ...(q.host ? { host: q.host } : {}) },
    );
    return { items: rows.map((r0) => processNode(r0, 0, undefined)), nextCursor: null, stats: { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - started) } };
  }));

  r.get('/notables', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = NotablesQuery.parse(req.query);
    const range = toRange(q, null);
    if (ruleNotables && source.kind === 'embedded') {
      return { items: await ruleNotables.list(source, { ctx, range, limit: q.limit, ...(q.host ? { host: q.host } : {}) }), nextCursor: null };
    }
    const items = await source.notables({ ctx, limit: q.limit, status: q.status, ...(range ? { range } : {}), ...(q.host ? { host: q.host } : {}) });
    return { items, nextCursor: null };
  }));

  return r;
}
