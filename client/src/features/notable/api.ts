/**
 * POST /api/notable-update: "Add to notable" (server/src/api/notable-writeback.ts), and the same-origin
 * POST helper it shares with the Rules page's "Send to Splunk": a JSON body plus the
 * `X-Lineage-Request: 1` header the server requires of state-changing calls.
 */
import { ErrorBodySchema } from '@lineage/shared';
import { z } from 'zod';
import { ApiError, reportAuthExpired } from '../../lib/api-client';

export interface NotableUpdateRequest {
  notables: string[];
  view: string;
  summary: string;
  status?: 1 | 2 | 3 | 4 | 5;
  urgency?: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  owner?: string;
}

const Answer = z.object({ notables: z.array(z.string()), url: z.string(), message: z.string(), user: z.string() });
export type NotableUpdateAnswer = z.infer<typeof Answer>;

/**
 * POST a JSON body to a state-changing route with the same-origin header; the answer validated by
 * `schema`, a failure as ApiError (a 401 also tells the app the session is gone).
 */
export async function postSameOrigin<S extends z.ZodTypeAny>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lineage-request': '1' },
    });
  } catch (err) {
    throw new ApiError('network', `Server unreachable (${(err as Error).message})`, 0);
  }
  let json: unknown = null;
  try { json = await res.json(); } catch { /* handled below */ }
  if (!res.ok) {
    const e = ErrorBodySchema.safeParse(json);
    if (e.success) { reportAuthExpired(res.status, e.data.error.code, path); throw new ApiError(e.data.error.code, e.data.error.message, res.status); }
    throw new ApiError('http', `${res.status} ${res.statusText}`.trim(), res.status);
  }
  const ok = schema.safeParse(json);
  if (!ok.success) throw new ApiError('bad_response', `Unexpected answer from ${path}`, res.status);
  return ok.data;
}

export function postNotableUpdate(body: NotableUpdateRequest): Promise<NotableUpdateAnswer> {
  return postSameOrigin('/api/notable-update', body, Answer);
}
