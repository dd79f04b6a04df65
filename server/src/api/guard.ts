/**
 * The HTTP guards every request passes before a route (docs/security.md):
 *   - `hostCheck`: the `Host` header must name this server (defeats DNS rebinding);
 *   - `sameOrigin`: a state-changing request must prove it comes from our own page;
 *   - `securityHeaders`: CSP with frame-ancestors 'none', Referrer-Policy, nosniff, no-store on the API;
 *   - `concurrencyLimit`: at most N API requests in flight, beyond that 503 + Retry-After;
 *   - `malformedPath`: a path that is not valid percent-encoded UTF-8 is a 400, not a 500.
 */
import type { Request, RequestHandler } from 'express';
import { AppError } from './errors.js';

/** Header our client sends on every state-changing request; a page elsewhere cannot send it without a
 * CORS preflight, which this server never grants. */
export { SAME_ORIGIN_HEADER } from '@lineage/shared';
import { SAME_ORIGIN_HEADER } from '@lineage/shared';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Names a loopback-bound server answers to. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** The host name of a Host header (`name:port`, `[v6]:port`), lower case, without the port. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : null;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * 421 unless the Host header names one of `allowed` (`*` allows any: a server bound to all interfaces
 * with `--allow-host '*'`). A DNS-rebinding page reaches us under its own name, so it is refused.
 */
export function hostCheck(allowed: readonly string[]): RequestHandler {
  const names = new Set(allowed.map((n) => n.toLowerCase()));
  const any = names.has('*');
  return (req, _res, next) => {
    const name = hostNameOf(req.headers.host);
    if (any || (name !== null && names.has(name))) { next(); return; }
    next(new AppError(421, 'unknown_host', `this server does not answer to the host name "${String(req.headers.host ?? '').slice(0, 100)}"; start it with --allow-host NAME to add one`));
  };
}

/** The host the browser addressed: behind a trusted proxy (`--trust-proxy`) its X-Forwarded-Host, else Host. */
function ownHost(req: Request): string {
  const forwarded = req.app.get('trust proxy') ? req.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || String(req.headers.host ?? '')).toLowerCase();
}

/** The origin a browser says the request comes from, when it says. */
function foreignOrigin(req: Request): string | null {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try { host = new URL(origin).host; } catch { return `Origin: ${origin.slice(0, 100)}`; }
    if (host.toLowerCase() !== ownHost(req)) return `Origin: ${origin.slice(0, 100)}`;
  } else if (origin === 'null') {
    return 'Origin: null';
  }
  return null;
}

/**
 * State-changing requests (anything but GET/HEAD/OPTIONS) need a same-origin proof: our header
 * `X-Lineage-Request: 1`, or a JSON body (neither can be sent cross-site without a preflight), and
 * no browser evidence of another origin (`Sec-Fetch-Site`, `Origin`). 403 `csrf` otherwise.
 */
export function sameOrigin(): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) { next(); return; }
    const foreign = foreignOrigin(req);
    if (foreign) { next(new AppError(403, 'csrf', `cross-origin ${req.method} refused (${foreign})`)); return; }
    if (req.get(SAME_ORIGIN_HEADER) === '1' || req.is('application/json')) { next(); return; }
    next(new AppError(403, 'csrf', `${req.method} ${req.path} needs the header X-Lineage-Request: 1`));
  };
}

/** The page may load only its own scripts, styles (inline style attributes: React, Cytoscape) and API. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Response headers for every answer; API answers are never cached. `hsts`: served over TLS. */
export function securityHeaders(hsts: boolean): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    if (req.path === '/api' || req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/** 400 `invalid_path` for a path that does not decode (`%FF`, a lone `%`): express would throw a URIError. */
export function malformedPath(): RequestHandler {
  return (req, _res, next) => {
    const path = req.url.split('?')[0] ?? '';
    try {
      decodeURIComponent(path);
    } catch {
      next(new AppError(400, 'invalid_path', 'the request path is not valid percent-encoded UTF-8'));
      return;
    }
    next();
  };
}

/** Seconds a client is told to wait when the server is full. */
export const RETRY_AFTER_SEC = 2;

/**
 * At most `max` API requests in flight (uploads are limited separately); the next one gets 503
 * `busy` with Retry-After at once instead of queueing behind work its client may abandon.
 */
export function concurrencyLimit(max: number): RequestHandler & { inFlight(): number } {
  let inFlight = 0;
  const mw: RequestHandler = (req, res, next) => {
    const p = req.path;
    if (!p.startsWith('/api/') || p === '/api/health' || p.startsWith('/api/upload')) { next(); return; }
    if (inFlight >= max) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SEC));
      next(new AppError(503, 'busy', `the server is answering ${max} requests already; retry in ${RETRY_AFTER_SEC} s`));
      return;
    }
    inFlight += 1;
    let released = false;
    const release = (): void => { if (!released) { released = true; inFlight -= 1; } };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
  return Object.assign(mw, { inFlight: () => inFlight });
}
