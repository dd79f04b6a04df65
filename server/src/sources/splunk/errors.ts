/**
 * One error type for everything that goes wrong talking to Splunk. The SDK rejects with plain
 * objects `{response, status, data, error}` or bare strings (docs/splunk-protocol.md §9 pitfall 12); `toSplunkError`
 * turns each into a message an analyst can act on plus the HTTP status our API should answer.
 */

/** Stable codes the API returns in `{ error: { code } }` (snake_case like the API's own). */
export type SplunkErrorCode =
  | 'invalid_request'      // a user value failed validation (400)
  | 'not_authenticated'    // no / expired Splunk session: log in again (401)
  | 'forbidden'            // Splunk refused (403)
  | 'search_failed'        // the job ended FAILED or the SPL was refused (502)
  | 'timeout'              // the job or an HTTP exchange outlived its deadline (504)
  | 'unavailable'          // splunkd unreachable, reset, or busy after retries (503)
  | 'protocol';            // splunkd answered something we cannot read (502)

const STATUS: Record<SplunkErrorCode, number> = {
  invalid_request: 400, not_authenticated: 401, forbidden: 403, search_failed: 502, timeout: 504, unavailable: 503, protocol: 502,
};

/** An error with a code and the HTTP status our API answers with. */
export class SplunkError extends Error {
  readonly status: number;
  constructor(readonly code: SplunkErrorCode, message: string, readonly sid: string | null = null) {
    super(message);
    this.name = 'SplunkError';
    this.status = STATUS[code];
  }
}

interface SdkFailure { status?: unknown; data?: unknown; error?: unknown }

/** Texts of Splunk `messages` in a response body (object or JSON string), joined. */
export function messagesOf(data: unknown): string {
  let d = data;
  if (typeof data === 'string') { try { d = JSON.parse(data); } catch { return data.slice(0, 300); } }
  const msgs = (d as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(msgs)) return '';
  return msgs.map((m) => String((m as { text?: unknown }).text ?? '')).filter(Boolean).join('; ');
}

/** The HTTP status of an SDK rejection, 600 for network errors, 'abort' for response timeouts. */
export function statusOf(e: unknown): number | 'abort' | null {
  if (e && typeof e === 'object' && 'status' in e) {
    const s = (e as SdkFailure).status;
    if (s === 'abort') return 'abort';
    if (typeof s === 'number') return s;
  }
  return null;
}

/** Network error code (ECONNREFUSED, ECONNRESET, …) of an SDK rejection, if any. */
export function networkCodeOf(e: unknown): string | null {
  const inner = (e as SdkFailure | null)?.error;
  const code = (inner as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** Normalise anything the SDK or our code threw. `what` names the operation for the message. */
export function toSplunkError(e: unknown, what: string): Error {
  if (e instanceof SplunkError) return e;
  if (e instanceof Error && e.name === 'AbortError') return e;
  if (typeof e === 'string') {
    if (/login/i.test(e) || /session key/i.test(e)) return new SplunkError('not_authenticated', `${what}: ${e}`);
    return new SplunkError('protocol', `${what}: ${e}`);
  }
  const status = statusOf(e);
  const text = messagesOf((e as SdkFailure | null)?.data);
  if (status === 'abort') return new SplunkError('timeout', `${what}: splunkd did not answer in time`);
  if (status === 600) {
    const code = networkCodeOf(e) ?? 'network error';
    const inner = (e as SdkFailure).error;
    const detail = inner instanceof Error ? inner.message : code;
    return new SplunkError('unavailable', `${what}: cannot reach splunkd (${detail})`);
  }
  if (status === 401) return new SplunkError('not_authenticated', `${what}: the Splunk session is no longer valid — log in again${text ? ` (${text})` : ''}`);
  if (status === 403) return new SplunkError('forbidden', `${what}: Splunk refused${text ? `: ${text}` : ''}`);
  if (status === 400) return new SplunkError('search_failed', `${what}: Splunk rejected the search${text ? `: ${text}` : ''}`);
  if (status === 503) return new SplunkError('unavailable', `${what}: splunkd is busy${text ? `: ${text}` : ''}`);
  if (typeof status === 'number') return new SplunkError('protocol', `${what}: splunkd answered HTTP ${status}${text ? `: ${text}` : ''}`);
  if (e instanceof Error) return new SplunkError('protocol', `${what}: ${e.message}`);
  return new SplunkError('protocol', `${what}: unexpected failure`);
}
