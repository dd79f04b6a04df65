/**
 * The error codes of `{ error: { code, message } }` bodies — every code the server answers with
 * (statuses and meanings in docs/api.md "Errors").
 */
export const ERROR_CODES = [
  'invalid_request', 'invalid_cursor', 'invalid_rule', 'empty_upload',
  'not_authenticated', 'forbidden', 'csrf', 'not_found', 'upload_unavailable', 'too_large',
  'unsupported_media_type', 'internal', 'search_failed', 'protocol', 'unavailable', 'timeout',
  'unknown_host', 'invalid_path', 'invalid_cookie', 'busy', 'deadline_exceeded', 'rate_limited', 'upload_stalled',
  'hec_not_configured', 'hec_failed', 'misconfigured', 'not_splunk', 'rule_budget_exceeded',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a code (e.g. from a source's own error) is one the API documents. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN.has(code);
}
