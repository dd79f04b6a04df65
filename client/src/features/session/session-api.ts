/**
 * Splunk-mode login/logout calls. The server keeps the Splunk session; the browser only ever holds
 * the httpOnly cookie the server sets, so nothing here stores credentials or keys.
 */
import { z } from 'zod';
import { apiDelete, apiPost } from '../../lib/api-client';

export const SessionSchema = z.object({ mode: z.enum(['embedded', 'splunk']), authenticated: z.boolean(), user: z.string().nullable() });
export type Session = z.infer<typeof SessionSchema>;

/** What the analyst typed: a Splunk user + password, or an authentication token. */
export type LoginInput = { username: string; password: string } | { token: string };

export function login(input: LoginInput, signal?: AbortSignal): Promise<Session> {
  return apiPost('/api/session', input, SessionSchema, signal);
}

/** Ends the Splunk session (the API client adds the same-origin header that makes it CSRF-safe). */
export function logout(): Promise<void> {
  return apiDelete('/api/session');
}
