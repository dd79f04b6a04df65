/** Across machines and time (docs/api.md): expand across from one process; compare two trees. Each route parses and calls one function. */
import { Router } from 'express';
import { CompareQuery, GuidSchema, LateralQuery } from '@lineage/shared';
import { compareTrees } from '../services/compare.js';
import { expandAcross } from '../services/lateral.js';
import { jsonRoute, type SourceFor } from './handle.js';

export function lateralRouter(sourceFor: SourceFor): Router {
  const r = Router();
  r.get('/processes/:guid/lateral', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    const q = LateralQuery.parse(req.query);
    return expandAcross(source, { guid, host: q.host ?? null, start: q.start ?? null, end: q.end ?? null }, ctx);
  }));
  r.get('/compare', jsonRoute(sourceFor, async (req, { source, ctx }) => compareTrees(source, CompareQuery.parse(req.query), ctx)));
  return r;
}
