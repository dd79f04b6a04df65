/**
 * The Rules page's server calls (POST /api/rules/validate, POST /api/rules/run, GET /api/rules/pack),
 * with zod schemas for what comes back. Invalid rules on run answer 400 with positioned `errors`; they
 * are returned as data (not thrown) so the editor can mark the lines.
 */
import { ErrorBodySchema, RuleHitSchema } from '@lineage/shared';
import { z } from 'zod';
import { ApiError, apiGet, apiPost, reportAuthExpired } from '../../lib/api-client';

export const RuleErrorSchema = z.object({
  message: z.string(), line: z.number(), column: z.number(), field: z.string(), file: z.string().nullable(),
});
export type RuleError = z.infer<typeof RuleErrorSchema>;

const RuleSummarySchema = z.object({
  id: z.string(), title: z.string(), severity: z.string(), line: z.number(),
  steps: z.array(z.object({ as: z.string(), hops: z.array(z.number().nullable()), names: z.array(z.string()).nullable() })),
  tests: z.number(),
});
export type RuleSummary = z.infer<typeof RuleSummarySchema>;

export const ValidateSchema = z.object({ rules: z.array(RuleSummarySchema), errors: z.array(RuleErrorSchema) });
export type ValidateResult = z.infer<typeof ValidateSchema>;

export const RunStatsSchema = z.object({
  scanned: z.number(), descendants: z.number().optional(), ancestors: z.number(), events: z.number(), searches: z.number(),
  rows: z.number(), pushedNames: z.array(z.string()).nullable(), ancestorRounds: z.number(), ms: z.number(),
});
export const RunSchema = z.object({
  hits: z.array(RuleHitSchema),
  truncated: z.object({ limit: z.number(), total: z.number() }).nullable(),
  stats: RunStatsSchema,
  rules: z.array(RuleSummarySchema),
});
export type RunResult = z.infer<typeof RunSchema>;

export const PackSchema = z.object({
  rules: z.array(RuleSummarySchema.extend({ file: z.string().nullable(), text: z.string() })),
});
export type PackRule = z.infer<typeof PackSchema>['rules'][number];

export function validateRules(text: string, signal?: AbortSignal): Promise<ValidateResult> {
  return apiPost('/api/rules/validate', { rules: text }, ValidateSchema, signal);
}

/** Run rules; invalid rule text comes back as `{ errors }` instead of a thrown ApiError. */
export async function runRules(
  body: { rules: string; from?: string; to?: string; host?: string }, signal?: AbortSignal,
): Promise<{ result: RunResult } | { errors: RuleError[] }> {
  const res = await fetch('/api/rules/run', {
    method: 'POST', body: JSON.stringify(body), signal,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lineage-request': '1' },
  });
  const json: unknown = await res.json().catch(() => null);
  if (res.status === 400) {
    const withErrors = z.object({ errors: z.array(RuleErrorSchema) }).safeParse(json);
    if (withErrors.success) return { errors: withErrors.data.errors };
  }
  if (!res.ok) {
    const e = ErrorBodySchema.safeParse(json);
    if (e.success) reportAuthExpired(res.status, e.data.error.code, '/api/rules/run');
    throw new ApiError(e.success ? e.data.error.code : 'http', e.success ? e.data.error.message : `${res.status}`, res.status);
  }
  const parsed = RunSchema.safeParse(json);
  if (!parsed.success) throw new ApiError('bad_response', `Unexpected response from /api/rules/run: ${parsed.error.issues[0]?.message ?? ''}`, res.status);
  return { result: parsed.data };
}

export function loadPack(signal?: AbortSignal): Promise<PackRule[]> {
  return apiGet('/api/rules/pack', {}, PackSchema, signal).then((p) => p.rules);
}
