/**
 * The server's logger (pino, JSON lines on stderr): one line per request (method, path, status, ms),
 * one `audit` line per search, login and upload (who, what, outcome), and one line — never a stack —
 * per rejected request (docs/security.md).
 */
import type { Request, RequestHandler, Response } from 'express';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** A logger writing JSON lines to `dest`, by default stderr (synchronously, so nothing is lost at exit). */
export function createLogger(level: string, dest: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ enabled: false });
}

/** What the audit line says about a request, set by the route on `res.locals.audit`. */
export interface AuditFacts { user?: string | null; detail?: Record<string, unknown> }

/** Which requests get an audit line, and under what action name. */
function auditAction(req: Request, path: string): string | null {
  if (req.method === 'GET' && path === '/api/search') return 'search';
  if (req.method === 'POST' && path === '/api/session') return 'login';
  if (req.method === 'DELETE' && path === '/api/session') return 'logout';
  if (req.method === 'POST' && path === '/api/upload') return 'upload';
  if (req.method === 'POST' && path === '/api/rules/run') return 'rules_run';
  return null;
}

/** Search terms as given (bounded), for the audit trail; never cookies or passwords. */
function auditQuery(req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') out[k] = v.slice(0, 200);
  return out;
}

/** Express middleware: request line + audit line, written when the response finishes or is abandoned. */
export function requestLogger(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Routers rewrite req.url while routing: keep the path as it arrived.
    const path = req.path.slice(0, 300);
    let done = false;
    const finish = (aborted: boolean): void => {
      if (done) return;
      done = true;
      const ms = Math.round(performance.now() - started);
      const status = aborted && !res.headersSent ? 499 : res.statusCode;
      log.info({ method: req.method, path, status, ms, ...(aborted ? { aborted: true } : {}) }, 'request');
      const action = auditAction(req, path);
      if (!action) return;
      const facts = (res.locals as { audit?: AuditFacts }).audit ?? {};
      log.info({ audit: action, ip: req.ip, status, user: facts.user ?? null, query: auditQuery(req), ...facts.detail }, 'audit');
    };
    res.on('finish', () => finish(false));
    res.on('close', () => finish(!res.writableFinished));
    next();
  };
}

/** Record facts for the audit line of this request. */
export function audit(res: Response, facts: AuditFacts): void {
  const locals = res.locals as { audit?: AuditFacts };
  locals.audit = { ...locals.audit, ...facts, detail: { ...locals.audit?.detail, ...facts.detail } };
}
