/**
 * The single HTTP client: JSON in, zod-validated JSON out, the caller's AbortSignal passed to fetch (so
 * React Query can cancel requests on navigation), and non-2xx answers turned into {@link ApiError}.
 * No UI side effects here: components decide how to show errors.
 */
import { ErrorBodySchema, SAME_ORIGIN_HEADER, withQuery } from '@lineage/shared';
import { z } from 'zod';
import { markOnce } from './perf';

/** A failed API call: `code` is the server's error code (`not_found`, `bad_request`, …) or `network`/`bad_response`. */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'ApiError';
  }
}

let authExpired: (() => void) | null = null;

/**
 * Called whenever the server answers 401 `not_authenticated` (a Splunk session expired or was ended
 * elsewhere), so the app can refetch /api/health and bring the login page back. One handler (main.tsx).
 */
export function onAuthExpired(handler: (() => void) | null): void {
  authExpired = handler;
}

/** Tell the app its session is gone (also for callers that use fetch directly, e.g. streamed responses). */
export function reportAuthExpired(status: number, code: string, url: string): void {
  // A failed login (POST /api/session) is the login page's own error, not an expired session.
  if (status === 401 && code === 'not_authenticated' && !url.startsWith('/api/session')) authExpired?.();
}

/** Query parameters: null/undefined/'' values are left out (shared `withQuery`). */
export type Params = Record<string, string | number | boolean | null | undefined>;

/**
 * The same-origin proof header, for the one request that cannot go through `send` (the upload's
 * XMLHttpRequest, which reports upload progress). Every other request gets it from `send`.
 */
export const sameOriginHeaders: Readonly<Record<string, string>> = { [SAME_ORIGIN_HEADER]: '1' };

/** A non-2xx answer that `orError` accepts, returned as data instead of thrown. */
const ANSWERED = Symbol('answered');
type Answered<E> = { [ANSWERED]: E };

/**
 * THE request path: every API call ends here. Non-GET requests carry the same-origin header; non-2xx
 * answers become ApiError (401 also tells the app its session is gone) unless `orError` accepts the body.
 */
async function send<S extends z.ZodTypeAny, E extends z.ZodTypeAny = z.ZodNever>(
  url: string, init: RequestInit, schema: S, orError?: E,
): Promise<z.infer<S> | Answered<z.infer<E>>> {
  let res: Response;
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = { accept: 'application/json', ...(method === 'GET' ? {} : sameOriginHeaders), ...(init.headers ?? {}) };
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err; // cancellation is not a failure
    throw new ApiError('network', `Server unreachable (${(err as Error).message})`, 0);
  }
  const text = await res.text();
  const name = url.split('?')[0];
  markOnce(`lineage:fetched:${name}`);
  let body: unknown = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* handled below */ }
  if (!res.ok) {
    const answered = orError?.safeParse(body);
    if (answered?.success) return { [ANSWERED]: answered.data };
    const parsed = ErrorBodySchema.safeParse(body);
    if (parsed.success) {
      reportAuthExpired(res.status, parsed.data.error.code, url);
      throw new ApiError(parsed.data.error.code, parsed.data.error.message, res.status);
    }
    throw new ApiError('http', `${res.status} ${res.statusText}`.trim(), res.status);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError('bad_response', `Unexpected response from ${url.split('?')[0]}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, res.status);
  }
  markOnce(`lineage:parsed:${name}`);
  return parsed.data;
}

/** GET a URL built by shared `apiPaths` (or `withQuery`), validated by `schema`. */
export function getJson<S extends z.ZodTypeAny>(url: string, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return send(url, { signal }, schema) as Promise<z.infer<S>>;
}

/** GET `path` with `params`, validated by `schema`. */
export function apiGet<S extends z.ZodTypeAny>(path: string, params: Params, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return getJson(withQuery(path, params), schema, signal);
}

const jsonPost = (body: unknown, signal?: AbortSignal): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal });

/** POST a JSON body. */
export function apiPost<S extends z.ZodTypeAny>(path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return send(path, jsonPost(body, signal), schema) as Promise<z.infer<S>>;
}

/** POST a JSON body; a non-2xx answer whose body `orError` accepts comes back as `{ error }` instead of a thrown ApiError. */
export async function apiPostOr<S extends z.ZodTypeAny, E extends z.ZodTypeAny>(
  path: string, body: unknown, schema: S, orError: E, signal?: AbortSignal,
): Promise<{ ok: z.infer<S> } | { error: z.infer<E> }> {
  const r = await send(path, jsonPost(body, signal), schema, orError);
  return r !== null && typeof r === 'object' && ANSWERED in r ? { error: (r as Answered<z.infer<E>>)[ANSWERED] } : { ok: r as z.infer<S> };
}

/** DELETE `path` (an empty answer is fine). */
export function apiDelete(path: string, signal?: AbortSignal): Promise<void> {
  return send(path, { method: 'DELETE', signal }, z.unknown()).then(() => undefined);
}
