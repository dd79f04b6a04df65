/**
 * The Rules page's server calls (POST /api/rules/validate, POST /api/rules/run, GET /api/rules/pack),
 * with zod schemas for what comes back. Invalid rules on run answer 400 with positioned `errors`; they
 * are returned as data (not thrown) so the editor can mark the lines.
 */
import {
  ErrorBodySchema, RulesInvalidBodySchema, RulesPackResponseSchema, RulesRunResponseSchema, RulesValidateResponseSchema,
  type PackRule, type RuleErrorWire, type RulesRunRequest, type RulesRunResponse, type RulesValidateResponse,
} from '@lineage/shared';
import { ApiError, apiGet, apiPost, reportAuthExpired } from '../../lib/api-client';

// The wire types are declared once, in shared/src/rules-api.ts.
export type RuleError = RuleErrorWire;
export type ValidateResult = RulesValidateResponse;
export type RunResult = RulesRunResponse;
export type { PackRule };

export function validateRules(text: string, signal?: AbortSignal): Promise<ValidateResult> {
  return apiPost('/api/rules/validate', { rules: text }, RulesValidateResponseSchema, signal);
}

/** Run rules; invalid rule text comes back as `{ errors }` instead of a thrown ApiError. */
export async function runRules(
  body: RulesRunRequest, signal?: AbortSignal,
): Promise<{ result: RunResult } | { errors: RuleError[] }> {
  const res = await fetch('/api/rules/run', {
    method: 'POST', body: JSON.stringify(body), signal,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lineage-request': '1' },
  });
  const json: unknown = await res.json().catch(() => null);
  if (res.status === 400) {
    const withErrors = RulesInvalidBodySchema.safeParse(json);
    if (withErrors.success) return { errors: withErrors.data.errors };
  }
  if (!res.ok) {
    const e = ErrorBodySchema.safeParse(json);
    if (e.success) reportAuthExpired(res.status, e.data.error.code, '/api/rules/run');
    throw new ApiError(e.success ? e.data.error.code : 'http', e.success ? e.data.error.message : `${res.status}`, res.status);
  }
  const parsed = RulesRunResponseSchema.safeParse(json);
  if (!parsed.success) throw new ApiError('bad_response', `Unexpected response from /api/rules/run: ${parsed.error.issues[0]?.message ?? ''}`, res.status);
  return { result: parsed.data };
}

export function loadPack(signal?: AbortSignal): Promise<PackRule[]> {
  return apiGet('/api/rules/pack', {}, RulesPackResponseSchema, signal).then((p) => p.rules);
}
