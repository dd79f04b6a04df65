/** Seed search (GUID, or host + image / command-line text) and notables. */
import { Router } from 'express';
import { seedSearch } from '../services/seed-search.js';
import { jsonRoute, type SourceFor } from './handle.js';
import { NotablesQuery, SearchQuery } from '@lineage/shared';
import { toRange } from './params.js';
import type { RuleNotables } from '../services/rule-notables.js';

/**
 * Mount under /api: search and notables. With `ruleNotables` (embedded mode) the notables are the
 * stored ones plus the rule pack's hits; Splunk answers with ES notables.
 */
export function searchRouter(sourceFor: SourceFor, ruleNotables: RuleNotables | null = null): Router {
  const r = Router();

  r.get('/search', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = SearchQuery.parse(req.query);
    return seedSearch(source, q, toRange(q, null), ctx);
  }));

  r.get('/notables', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = NotablesQuery.parse(req.query);
    const o = { ctx, range: toRange(q, null), limit: q.limit, ...(q.host ? { host: q.host } : {}) };
    const items = ruleNotables && source.kind === 'embedded'
      ? await ruleNotables.list(source, o)
      : await source.notables({ ...o, status: q.status, range: o.range ?? undefined });
    return { items, nextCursor: null };
  }));

  return r;
}
