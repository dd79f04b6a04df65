/**
 * Route plumbing: each request gets its own QueryContext whose AbortSignal fires when the client
 * disconnects or the request's deadline (`app.locals.requestTimeoutMs`, `--request-timeout-ms`)
 * passes, so the source interrupts its queries (DuckDB interrupt, Splunk job cancel). A spent
 * deadline answers 503 `deadline_exceeded` with Retry-After.
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

/** The request's abort signal: client gone, or its deadline passed (`timedOut()` tells which). */
export function requestSignal(req: Request, res: Response): { signal: AbortSignal; timedOut(): boolean } {
  const ms = (req.app?.locals as { requestTimeoutMs?: number } | undefined)?.requestTimeoutMs;
  const closed = abortOnClose(res);
  if (!ms) return { signal: closed, timedOut: () => false };
  const deadline = AbortSignal.timeout(ms);
  return { signal: AbortSignal.any([closed, deadline]), timedOut: () => deadline.aborted && !closed.aborted };
}

/** The answer for work cut off by its deadline. */
export function deadlineError(req: Request): AppError {
  const ms = (req.app.locals as { requestTimeoutMs?: number }).requestTimeoutMs ?? 0;
  return new AppError(503, 'deadline_exceeded', `the request took longer than ${ms} ms and was stopped; narrow the time range or retry`, { 'Retry-After': '2' });
}

/** Wrap an async route body: source + context in, JSON out, errors to the error middleware. */
export function jsonRoute(sourceFor: SourceFor, body: (req: Request, rc: RouteContext) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    const source = sourceFor(req);
    if (!source) { next(new AppError(401, 'not_authenticated', 'log in first (POST /api/session)')); return; }
    const { signal, timedOut } = requestSignal(req, res);
    const ctx = newContext(signal);
    body(req, { source, ctx }).then((out) => { if (!res.headersSent) res.json(out); }, (err: unknown) => next(timedOut() ? deadlineError(req) : err));
  };
}
