/**
 * Splunk-mode login/logout calls. The server keeps the Splunk session; the browser only ever holds
 * the httpOnly cookie the server sets, so nothing here stores credentials or keys.
 */
import { z } from 'zod';
import { apiPost, ApiError } from '../../lib/api-client';

export const SessionSchema = z.object({ mode: z.enum(['embedded', 'splunk']), authenticated: z.boolean(), user: z.string().nullable() });
export type Session = z.infer<typeof SessionSchema>;

/** What the analyst typed: a Splunk user + password, or an authentication token. */
export type LoginInput = { username: string; password: string } | { token: string };

export function login(input: LoginInput, signal?: AbortSignal): Promise<Session> {
  return apiPost('/api/session', input, SessionSchema, signal);
}

/** Ends the Splunk session; the custom header is what makes the request CSRF-safe. */
export async function logout(): Promise<void> {
  const res = await fetch('/api/session', { method: 'DELETE', headers: { 'X-Lineage-Request': '1' } });
  if (!res.ok && res.status !== 204) throw new ApiError('http', `logout failed (${res.status})`, res.status);
}
