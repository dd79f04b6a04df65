/**
 * Route plumbing: each request gets its own QueryContext whose AbortSignal fires when the client
 * disconnects, so the source can interrupt its queries (DuckDB interrupt, Splunk job cancel).
 */
import type { Request, RequestHandler, Response } from 'express';
import { newContext, type EventSource, type QueryContext } from '../sources/event-source.js';
import { AppError } from './errors.js';

/** Per-request state handed to a route body. */
export interface RouteContext { source: EventSource; ctx: QueryContext }

/** Resolves the EventSource for a request (null → 401: Splunk mode without a session). */
export type SourceFor = (req: Request) => EventSource | null;

/** An AbortSignal that fires when the client goes away before the response is finished. */
export function abortOnClose(res: Response): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => { if (!res.writableFinished) ac.abort(); });
  return ac.signal;
}

/** Wrap an async route body: source + context in, JSON out, errors to the error middleware. */
export function jsonRoute(sourceFor: SourceFor, body: (req: Request, rc: RouteContext) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    const source = sourceFor(req);
    if (!source) { next(new AppError(401, 'not_authenticated', 'log in first (POST /api/session)')); return; }
    const ctx = newContext(abortOnClose(res));
    body(req, { source, ctx }).then((out) => { if (!res.headersSent) res.json(out); }, next);
  };
}
