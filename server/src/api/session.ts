/**
 * Analyst login in Splunk mode: `POST /api/session` `{username, password}` or `{token}` logs in to
 * Splunk as that analyst and sets `lineage_session` — an httpOnly, SameSite=Strict cookie holding only
 * our random session id; `GET /api/session` says who is logged in; `DELETE /api/session` ends the
 * Splunk session. The browser never receives a Splunk password, session key or token.
 *
 * CSRF: every state-changing route passes `sameOrigin` (guard.ts) on top of SameSite=Strict.
 * Logins are rate limited per user name and client (login-limit.ts) so a burst of wrong passwords
 * never locks the analyst's Splunk account. A cookie that does not decode is a 400 `invalid_cookie`
 * that also clears it (a login replaces it), never a 500.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { EventSource } from '../sources/event-source.js';
import { SplunkError } from '../sources/splunk/errors.js';
import type { SessionStore } from './sessions.js';
import { audit } from '../app/logger.js';
import { AppError } from './errors.js';
import { SAME_ORIGIN_HEADER } from './guard.js';
import { LoginLimiter } from './login-limit.js';

/** Name of our session cookie (value: 256 random bits; never a Splunk key). */
export const SESSION_COOKIE = 'lineage_session';
/** Header every state-changing request without a JSON body must carry (guard.ts). */
export const CSRF_HEADER = SAME_ORIGIN_HEADER;

const LoginBody = z.union([
  z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }).strict(),
  z.object({ token: z.string().min(8).max(16_384) }).strict(),
]);

/** Our session ids are base64url: anything else in the cookie was not set by us. */
const COOKIE_VALUE_RE = /^[A-Za-z0-9_-]{0,128}$/;

/** Thrown for a `lineage_session` cookie we never set (the API answers 400 `invalid_cookie`). */
export class CookieError extends AppError {
  constructor() {
    super(400, 'invalid_cookie', `the ${SESSION_COOKIE} cookie is malformed; it has been cleared, log in again`,
      { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
  }
}

/** Our session id from the Cookie header (no cookie-parser dependency for one cookie); CookieError when malformed. */
export function sessionIdOf(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (!COOKIE_VALUE_RE.test(value)) throw new CookieError();
    return value || null;
  }
  return null;
}

/** Like sessionIdOf, but a malformed cookie counts as none (login and logout replace or clear it). */
function sessionIdOrNull(req: Request): string | null {
  try { return sessionIdOf(req); } catch { return null; }
}

export function sessionCookie(req: Request, value: string, maxAgeSec: number | null): string {
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
export function sessionRouter(store: SessionStore | null, limiter = new LoginLimiter()): Router {
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
    const old = sessionIdOrNull(req);
    const user = 'username' in parsed.data ? parsed.data.username : null;
    audit(res, { user });
    const refused = limiter.check(user, req.ip ?? 'unknown');
    if (refused) {
      res.setHeader('Retry-After', String(refused.retryAfterSec));
      next(new AppError(429, 'rate_limited', refused.reason));
      return;
    }
    store.login(parsed.data).then(async (s) => {
      limiter.succeeded(user);
      audit(res, { user: s.user });
      // A new login replaces whatever session this browser had.
      if (old) await store.logout(old).catch(() => undefined);
      res.setHeader('Set-Cookie', sessionCookie(req, s.id, null));
      res.json({ mode: 'splunk', authenticated: true, user: s.user });
    }, (e: unknown) => {
      const err = asAppError(e);
      if (err instanceof AppError && err.status === 401) limiter.failed(user);
      next(err);
    });
  });

  r.delete('/session', (req, res, next) => {
    if (req.get(CSRF_HEADER) !== '1') { next(new AppError(403, 'csrf', `DELETE /api/session needs the header ${CSRF_HEADER}: 1`)); return; }
    const id = sessionIdOrNull(req);
    const done = () => { res.setHeader('Set-Cookie', sessionCookie(req, '', 0)); res.status(204).end(); };
    if (!store) { done(); return; }
    store.logout(id).then(done, (e: unknown) => next(asAppError(e)));
  });

  return r;
}

/** What /api/health adds in Splunk mode: the deployment and whether this browser is logged in. */
export function sessionHealth(store: SessionStore | null | undefined, req: Request): Record<string, unknown> {
  if (!store) return {};
  const s = store.get(sessionIdOrNull(req));
  const url = new URL(store.config.url.href);
  url.username = ''; url.password = '';
  return { splunk: { url: url.origin, web: store.config.web, user: s?.user ?? null }, authenticated: !!s };
}
