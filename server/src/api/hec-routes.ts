/**
 * Rule hits to Splunk from the Rules page, through the admin's HTTP Event Collector token
 * (server/src/sinks/hec.ts; LINEAGE_HEC_* settings, docs/splunk.md):
 *   GET  /api/hec        → { configured, index, ack }   (never the URL's credentials or the token)
 *   POST /api/hec/hits   { hits: RuleHit[] } → { sent, batches, retries, acknowledged }
 * POST needs the data source of the request (in Splunk mode: a logged-in analyst), a JSON body and the
 * `X-Lineage-Request: 1` header; each event names the analyst who sent it (`submitted_by`).
 */
import { Router, type Request } from 'express';
import { HecHitsBodySchema, type HecSent, type HecStatus } from '@lineage/shared';
import { HecError, sendToHec, type HecConfig } from '../sinks/hec.js';
import { ruleHitEvent } from '../sinks/rule-hits.js';
import { AppError } from './errors.js';
import type { SourceFor } from './handle.js';
import { CSRF_HEADER } from './session.js';
import { publicOrigin } from './notable-writeback.js';

/** Most hits one request sends (shared/src/splunk-api.ts, where the body schema lives). */
export { MAX_HEC_HITS } from '@lineage/shared';
const Body = HecHitsBodySchema;

export function hecRouter(sourceFor: SourceFor, cfg: HecConfig | null, user: (req: Request) => string | null = () => null, publicUrl: string | null = null): Router {
  const r = Router();
  r.get('/hec', (_req, res) => {
    res.json({ configured: cfg !== null, index: cfg?.index ?? null, ack: cfg?.ack ?? false } satisfies HecStatus);
  });
  r.post('/hec/hits', (req, res, next) => {
    if (!req.is('application/json')) { next(new AppError(415, 'unsupported_media_type', 'POST /api/hec/hits takes application/json')); return; }
    if (req.get(CSRF_HEADER) !== '1') { next(new AppError(403, 'csrf', `POST /api/hec/hits needs the header ${CSRF_HEADER}: 1`)); return; }
    if (!sourceFor(req)) { next(new AppError(401, 'not_authenticated', 'log in first (POST /api/session)')); return; }
    if (!cfg) { next(new AppError(409, 'hec_not_configured', 'Sending to Splunk is not set up: the admin sets LINEAGE_HEC_URL and LINEAGE_HEC_TOKEN (docs/splunk.md)')); return; }
    const body = Body.safeParse(req.body);
    if (!body.success) { next(body.error); return; }
    let origin: string;
    try { origin = publicOrigin(publicUrl, req); } catch (e) { next(e); return; }
    const by = user(req);
    const events = body.data.hits.map((h) => {
      const e = ruleHitEvent(h, origin);
      return by ? { ...e, event: { ...(e.event as Record<string, unknown>), submitted_by: by } } : e;
    });
    sendToHec(cfg, events).then(
      (rep) => res.json({ sent: rep.events, batches: rep.batches, retries: rep.retries, acknowledged: rep.acknowledged } satisfies HecSent),
      (e: unknown) => next(e instanceof HecError ? new AppError(502, 'hec_failed', e.message) : e),
    );
  });
  return r;
}
