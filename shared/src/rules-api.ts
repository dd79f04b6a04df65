/**
 * The rules API on the wire (docs/api.md `POST /api/rules/validate`, `POST /api/rules/run`,
 * `GET /api/rules/pack`): declared once here, produced by server/src/api/rules.ts, read by the Rules page.
 */
import { z } from 'zod';
import { RuleHitSchema } from './schemas.js';

/** A positioned rule error: the editor marks its line. `field` is a dotted path (`chain.1.match.Image|endswith`). */
export const RuleErrorSchema = z.object({
  message: z.string(), line: z.number(), column: z.number(), field: z.string(), file: z.string().nullable(),
});
export type RuleErrorWire = z.infer<typeof RuleErrorSchema>;

/** What the editor shows for a compiled rule; `hops` is `[lo, hi]`, hi null when unbounded. */
export const RuleSummarySchema = z.object({
  id: z.string(), title: z.string(), severity: z.string(), line: z.number(),
  steps: z.array(z.object({ as: z.string(), hops: z.array(z.number().nullable()), names: z.array(z.string()).nullable() })),
  tests: z.number(),
});
export type RuleSummary = z.infer<typeof RuleSummarySchema>;

export const RulesValidateResponseSchema = z.object({ rules: z.array(RuleSummarySchema), errors: z.array(RuleErrorSchema) });
export type RulesValidateResponse = z.infer<typeof RulesValidateResponseSchema>;

/** What a run cost: rows moved against process-creates in range, and the source queries. */
export const RulesRunStatsSchema = z.object({
  /** Process-create rows returned by the leaf scan. */
  scanned: z.number(),
  /** Descendant rows fetched below anchor steps. */
  descendants: z.number(),
  /** Ancestor rows fetched by GUID. */
  ancestors: z.number(),
  /** `then:` event rows fetched. */
  events: z.number(),
  /** Source queries (SQL statements / Splunk jobs). */
  searches: z.number(),
  /** Rows the source reports moving. */
  rows: z.number(),
  /** Image names pushed down to the scan (null: full scan, some rule pins no image at all). */
  pushedNames: z.array(z.string()).nullable(),
  /**
   * Sigma scan filters the source applied in its scans (one per filtered scan; docs/sigma.md "On Splunk").
   * 0 where the source ignores them (the embedded store returns every create of such a scan).
   */
  pushedFilters: z.number(),
  ancestorRounds: z.number(),
  /** `scanProcesses` calls (one per plan term) and `getChildren` pages (descendant walks). */
  scans: z.number(),
  childPages: z.number(),
  /** Whether the plan used the source's name counts (one extra query) or the prior. */
  counted: z.boolean(),
  ms: z.number(),
});
export type RulesRunStats = z.infer<typeof RulesRunStatsSchema>;

export const RulesRunResponseSchema = z.object({
  hits: z.array(RuleHitSchema),
  /** Set when more hits were found than sent. */
  truncated: z.object({ limit: z.number(), total: z.number() }).nullable(),
  stats: RulesRunStatsSchema,
  rules: z.array(RuleSummarySchema),
});
export type RulesRunResponse = z.infer<typeof RulesRunResponseSchema>;

/** 400 `invalid_rule` from a run carries the positioned errors beside the error body. */
export const RulesInvalidBodySchema = z.object({ errors: z.array(RuleErrorSchema) });

export const RulesPackResponseSchema = z.object({
  rules: z.array(RuleSummarySchema.extend({ file: z.string().nullable(), text: z.string() })),
});
export type PackRule = RulesPackResponse['rules'][number];
export type RulesPackResponse = z.infer<typeof RulesPackResponseSchema>;

/**
 * What a run's scans pushed down to the source, in words (the Rules page and `lineage detect`): image
 * names, Sigma filters, both, or neither — a full scan of the range's creates (also when the only
 * narrowing was a Sigma filter the source does not apply), or nothing to scan when no rule can match.
 */
export function scanPushdown(s: Pick<RulesRunStats, 'pushedNames' | 'pushedFilters' | 'scans'>): string {
  if (s.pushedNames === null) return 'full scan';
  const n = s.pushedNames.length;
  const parts = [
    ...(n > 0 ? [`${n} image name${n === 1 ? '' : 's'}`] : []),
    ...(s.pushedFilters > 0 ? [`${s.pushedFilters} Sigma filter${s.pushedFilters === 1 ? '' : 's'}`] : []),
  ];
  if (parts.length > 0) return `${parts.join(' and ')} pushed down`;
  return s.scans === 0 ? 'nothing to scan' : 'full scan';
}
