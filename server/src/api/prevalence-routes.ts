/** `POST /api/prevalence` (docs/api.md): body checked by the shared PrevalenceBody, work in services/prevalence.ts. */
import { Router } from 'express';
import { PrevalenceBody } from '@lineage/shared';
import { prevalence } from '../services/prevalence.js';
import { jsonRoute, type SourceFor } from './handle.js';

export function prevalenceRouter(sourceFor: SourceFor): Router {
  const r = Router();
  r.post('/prevalence', jsonRoute(sourceFor, async (req, { source, ctx }) => prevalence(source, PrevalenceBody.parse(req.body), ctx)));
  return r;
}
