/**
 * `POST /api/notable-update` (Splunk mode): "Add to notable" from the investigation screen. Writes a
 * comment on ES notables — the investigation's URL and the client's markdown lineage summary — and
 * optionally a status / urgency / owner change, through ES's `/services/notable_update` as the logged-in
 * analyst (their own Splunk session; nothing is sent with a service account). docs/splunk-app.md.
 *
 * Body (JSON): `{ notables: [event_id…], view: "?src=…&guid=…", summary, status?, urgency?, owner? }`.
 * `view` is the investigation's query string; the link is built on the configured public URL (the address
 * analysts use) or, when unset, on this request's own origin. Same-origin only: JSON content type and
 * the `X-Lineage-Request: 1` header, neither of which a cross-site form can send without a preflight.
 * The answer holds ES's message and the link, never a Splunk credential.
 */
import { Router } from 'express';
import { NotableUpdateBodySchema, type NotableUpdateAnswer } from '@lineage/shared';
import { updateNotables } from '../sources/splunk/notable-update.js';
import type { SessionStore } from './sessions.js';
import { AppError } from './errors.js';
import { CSRF_HEADER, sessionIdOf } from './session.js';

/** Longest summary accepted (shared/src/splunk-api.ts, where the body schema lives). */
export { MAX_SUMMARY } from '@lineage/shared';
const Body = NotableUpdateBodySchema;

/** Lineage's public origin: the configured one, or the request's. Throws on a malformed setting. */
export function publicOrigin(configured: string | null, req: { protocol: string; get(name: string): string | undefined }): string {
  if (configured) {
    let u: URL;
    try { u = new URL(configured); } catch { throw new AppError(500, 'misconfigured', 'the public URL (LINEAGE_PUBLIC_URL) is not a URL'); }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError(500, 'misconfigured', 'the public URL (LINEAGE_PUBLIC_URL) must be http(s)');
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The comment written on the notable. Control characters other than line breaks are dropped. */
export function notableComment(url: string, summary: string): string {
  const clean = summary.replace(/\r\n?/g, '\n').replace(/[\x00-\x09\x0b-\x1f\x7f]/g, '').trim();
  return `Investigated in Lineage: ${url}${clean ? `\n\n${clean}` : ''}`;
}

/** `publicUrl`: Lineage's address as analysts reach it (serve: --public-url / LINEAGE_PUBLIC_URL via app/config.ts). */
export function notableWritebackRouter(sessions: SessionStore | null, publicUrl: string | null = null): Router {
  const r = Router();
  r.post('/notable-update', (req, res, next) => {
    if (!req.is('application/json')) { next(new AppError(415, 'unsupported_media_type', 'POST /api/notable-update takes application/json')); return; }
    if (req.get(CSRF_HEADER) !== '1') { next(new AppError(403, 'csrf', `POST /api/notable-update needs the header ${CSRF_HEADER}: 1`)); return; }
    if (!sessions) { next(new AppError(409, 'not_splunk', 'Add to notable needs Lineage in Splunk mode (lineage serve --splunk …)')); return; }
    const session = sessions.get(sessionIdOf(req));
    if (!session) { next(new AppError(401, 'not_authenticated', 'log in first (POST /api/session)')); return; }
    const body = Body.safeParse(req.body);
    if (!body.success) { next(body.error); return; }
    const b = body.data;
    let url: string;
    try { url = `${publicOrigin(publicUrl, req)}/${b.view}`; } catch (e) { next(e); return; }
    updateNotables(session.source.client, {
      ruleUIDs: b.notables, comment: notableComment(url, b.summary), status: b.status, urgency: b.urgency, newOwner: b.owner,
    }).then((message) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ notables: b.notables, url, message, user: session.user } satisfies NotableUpdateAnswer);
    }, next);
  });
  return r;
}
