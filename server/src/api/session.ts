/**
 * Analyst login in Splunk mode: `POST /api/session` `{username, password}` or `{token}` logs in to
 * Splunk as that analyst and sets `lineage_session` — an httpOnly, SameSite=Strict cookie holding only
 * our random session id; `GET /api/session` says who is logged in; `DELETE /api/session` ends the
 * Splunk session. The browser never receives a Splunk password, session key or token.
 *
 * CSRF: POST must be `application/json` and DELETE must carry `X-Lineage-Request: 1` — neither can be
 * sent cross-site without a CORS preflight, which we never grant — on top of SameSite=Strict.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { EventSource } from '../sources/event-source.js';
import { SplunkError } from '../sources/splunk/errors.js';
import type { SessionStore } from '../sources/splunk/sessions.js';
import { AppError } from './errors.js';

/** Name of our session cookie (value: 256 random bits; never a Splunk key). */
export const SESSION_COOKIE = 'lineage_session';
/** Header every state-changing session request without a JSON body must carry. */
export const CSRF_HEADER = 'x-lineage-request';

const LoginBody = z.union([
  z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }).strict(),
  z.object({ token: z.string().min(8).max(16_384) }).strict(),
]);

/** Our session id from the Cookie header (no cookie-parser dependency for one cookie). */
export function sessionIdOf(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

function cookie(req: Request, value: string, maxAgeSec: number | null): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (req.secure) parts.push('Secure');
  if (maxAgeSec !== null) parts.push(`Max-Age=${maxAgeSec}`);
  return parts.join('; ');
}

/** AppDeps.sourceFor for Splunk mode: the analyst's own source, or null when not logged in. */
export function splunkSourceFor(store: SessionStore): (req: Request) => EventSource | null {
  return (req) => store.get(sessionIdOf(req))?.source ?? null;
}

function asAppError(e: unknown): unknown {
  if (e instanceof SplunkError) return new AppError(e.status, e.code, e.message);
  return e;
}

/** Session routes. `store` null = embedded mode: nothing to log in to. */
export function sessionRouter(store: SessionStore | null): Router {
  const r = Router();

  r.get('/session', (req: Request, res: Response) => {
    if (!store) { res.json({ mode: 'embedded', authenticated: true, user: null }); return; }
    const s = store.get(sessionIdOf(req));
    res.json({ mode: 'splunk', authenticated: !!s, user: s?.user ?? null });
  });

  r.post('/session', (req, res, next) => {
    if (!req.is('application/json')) { next(new AppError(415, 'unsupported_media_type', 'POST /api/session takes application/json')); return; }
    if (!store) { res.json({ mode: 'embedded', authenticated: true, user: null }); return; }
    const parsed = LoginBody.safeParse(req.body);
    if (!parsed.success) { next(new AppError(400, 'invalid_request', 'give {"username","password"} or {"token"}')); return; }
    const old = sessionIdOf(req);
    store.login(parsed.data).then(async (s) => {
      // A new login replaces whatever session this browser had.
      if (old) await store.logout(old).catch(() => undefined);
      res.setHeader('Set-Cookie', cookie(req, s.id, null));
      res.setHeader('Cache-Control', 'no-store');
      res.json({ mode: 'splunk', authenticated: true, user: s.user });
    }, (e: unknown) => next(asAppError(e)));
  });

  r.delete('/session', (req, res, next) => {
    if (req.get(CSRF_HEADER) !== '1') { next(new AppError(403, 'csrf', `DELETE /api/session needs the header ${CSRF_HEADER}: 1`)); return; }
    const id = sessionIdOf(req);
    const done = () => { res.setHeader('Set-Cookie', cookie(req, '', 0)); res.status(204).end(); };
    if (!store) { done(); return; }
    store.logout(id).then(done, (e: unknown) => next(asAppError(e)));
  });

  return r;
}

/** What /api/health adds in Splunk mode: the deployment and whether this browser is logged in. */
export function sessionHealth(store: SessionStore | null | undefined, req: Request): Record<string, unknown> {
  if (!store) return {};
  const s = store.get(sessionIdOf(req));
  const url = new URL(store.config.url.href);
  url.username = ''; url.password = '';
  return { splunk: { url: url.origin, web: store.config.web, user: s?.user ?? null }, authenticated: !!s };
}
