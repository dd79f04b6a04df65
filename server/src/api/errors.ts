/**
 * HTTP errors: one AppError with a code and status, and the one middleware that turns anything thrown
 * into `{ error: { code, message } }`. Routes only set success codes.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from '@lineage/shared';
import { CursorError } from '../graph/cursor.js';
import { InvertedRangeError, NotFoundError } from '../graph/investigate.js';
import { RuleBudgetError } from '../services/rule-budget.js';
import { EmptySearchError } from '../services/seed-search.js';

/** An error with an HTTP status and a stable snake_case code for clients. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(readonly status: number, readonly code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** zod issues as one readable sentence: `limit: Too big: expected number to be <=1000; guid: …`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return new AppError(400, 'invalid_request', describeZodError(err));
  // Ours, or a source's own cursor error (same name by convention).
  if (err instanceof CursorError || (err as Error | null)?.name === 'CursorError') {
    return new AppError(400, 'invalid_cursor', (err as Error).message);
  }
  if (err instanceof InvertedRangeError || err instanceof EmptySearchError) return new AppError(400, 'invalid_request', err.message);
  if (err instanceof NotFoundError) return new AppError(404, 'not_found', err.message);
  if (err instanceof RuleBudgetError) return new AppError(503, 'rule_budget_exceeded', err.message);
  // Splunk source errors (sources/splunk/errors.ts) carry their own status and snake_case code.
  const se = err as { name?: string; status?: number; code?: string; message?: string } | null;
  if (se?.name === 'SplunkError' && typeof se.status === 'number' && typeof se.code === 'string' && isErrorCode(se.code)) {
    return new AppError(se.status, se.code, se.message ?? se.code);
  }
  // express.json() body errors carry a status (400/413) and `expose`.
  const e = err as { status?: number; expose?: boolean; message?: string; type?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new AppError(e.status, e.type === 'entity.too.large' ? 'too_large' : 'invalid_request', e.message ?? 'bad request');
  }
  return new AppError(500, 'internal', 'internal error (see server log)');
}

/** The request's AbortSignal fired (client went away), not a failure. */
export function isAbortError(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'AbortError';
}

/** The app's logger (set by createApp on app.locals), or null outside an app. */
function logOf(req: Request): Logger | null {
  return (req.app?.locals as { log?: Logger } | undefined)?.log ?? null;
}

/**
 * The single error middleware. Aborted requests (client went away) get no answer and no error log.
 * A client error is one warn line (code, path); only a 5xx logs the error with its stack.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) { next(err); return; }
  if (isAbortError(err) && req.socket.destroyed) return;
  const app = toAppError(err);
  const log = logOf(req);
  const path = req.path.slice(0, 200);
  if (app.status >= 500 && app.code === 'internal') {
    if (log) log.error({ err, method: req.method, path }, 'internal error'); else console.error(`[api] ${req.method} ${path}:`, err);
  } else {
    log?.warn({ method: req.method, path, status: app.status, code: app.code }, app.message.slice(0, 300));
  }
  for (const [k, v] of Object.entries(app.headers)) res.setHeader(k, v);
  res.status(app.status).json({ error: { code: app.code, message: app.message } });
};
