/** Cross-host routes (docs/api.md): expand across from one process. Each route parses and calls one function. */
import { Router } from 'express';
import { GuidSchema, LateralQuery } from '@lineage/shared';
import { expandAcross } from '../services/lateral.js';
import { jsonRoute, type SourceFor } from './handle.js';

export function lateralRouter(sourceFor: SourceFor): Router {
  const r = Router();
  r.get('/processes/:guid/lateral', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    const q = LateralQuery.parse(req.query);
    return expandAcross(source, { guid, host: q.host ?? null, start: q.start ?? null, end: q.end ?? null }, ctx);
  }));
  return r;
}
