/**
 * The single HTTP client: JSON in, zod-validated JSON out, the caller's AbortSignal passed to fetch (so
 * React Query can cancel requests on navigation), and non-2xx answers turned into {@link ApiError}.
 * No UI side effects here: components decide how to show errors.
 */
import { ErrorBodySchema } from '@lineage/shared';
import type { z } from 'zod';
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

/** Query parameters: null/undefined/'' values are left out. */
export type Params = Record<string, string | number | boolean | null | undefined>;

export function buildUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function send<S extends z.ZodTypeAny>(url: string, init: RequestInit, schema: S): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
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

/** GET `path` with `params`, validated by `schema`. */
export function apiGet<S extends z.ZodTypeAny>(path: string, params: Params, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return send(buildUrl(path, params), { signal }, schema);
}

/** POST a JSON body. */
export function apiPost<S extends z.ZodTypeAny>(path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
  return send(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-lineage-request': '1' }, signal }, schema);
}
