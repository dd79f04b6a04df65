/**
 * The Rules page's server calls (POST /api/rules/validate, POST /api/rules/run, GET /api/rules/pack),
 * with zod schemas for what comes back. Invalid rules on run answer 400 with positioned `errors`; they
 * are returned as data (not thrown) so the editor can mark the lines.
 */
import {
  RulesInvalidBodySchema, RulesPackResponseSchema, RulesRunResponseSchema, RulesValidateResponseSchema,
  type PackRule, type RuleErrorWire, type RulesRunRequest, type RulesRunResponse, type RulesValidateResponse,
} from '@lineage/shared';
import { apiGet, apiPost, apiPostOr } from '../../lib/api-client';

// The wire types are declared once, in shared/src/rules-api.ts.
export type RuleError = RuleErrorWire;
export type ValidateResult = RulesValidateResponse;
export type RunResult = RulesRunResponse;
export type { PackRule };

export function validateRules(text: string, signal?: AbortSignal): Promise<ValidateResult> {
  return apiPost('/api/rules/validate', { rules: text }, RulesValidateResponseSchema, signal);
}

/** Run rules; invalid rule text (400 with positioned `errors`) comes back as `{ errors }` instead of a thrown ApiError. */
export async function runRules(
  body: RulesRunRequest, signal?: AbortSignal,
): Promise<{ result: RunResult } | { errors: RuleError[] }> {
  const r = await apiPostOr('/api/rules/run', body, RulesRunResponseSchema, RulesInvalidBodySchema, signal);
  return 'ok' in r ? { result: r.ok } : { errors: r.error.errors };
}

export function loadPack(signal?: AbortSignal): Promise<PackRule[]> {
  return apiGet('/api/rules/pack', {}, RulesPackResponseSchema, signal).then((p) => p.rules);
}
