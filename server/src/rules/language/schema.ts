/**
 * The YAML rule format as a zod schema (shape only; field-match blocks are compiled by match.ts).
 * Strict objects, so a misspelt key (`wihtin`) is an error pointing at its line, not a silent no-op.
 */
import { z } from 'zod';

const matchBlock = z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]);
const hops = z.union([z.number().int(), z.string()]);
const duration = z.union([z.number(), z.string()]);

const via = z.union([
  hops,
  z.object({ hops: hops.optional(), all: matchBlock.optional(), none: matchBlock.optional() }).strict(),
]);

export const StepSchema = z.object({
  as: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'step names are identifiers (letters, digits, _)').optional(),
  via: via.optional(),
  match: matchBlock.optional(),
}).strict();

const UnlessSchema = z.union([
  z.object({
    ancestor: z.object({ of: z.string(), within: hops.optional(), match: matchBlock }).strict(),
  }).strict(),
  z.object({ path: z.object({ match: matchBlock }).strict() }).strict(),
]);

const ThenSchema = z.object({
  of: z.string(),
  within: duration.optional(),
  match: matchBlock,
  not: matchBlock.optional(),
}).strict();

const VectorEventSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const TestSchema = z.object({
  name: z.string(),
  events: z.array(VectorEventSchema),
  expect: z.array(z.object({
    leaf: z.string(),
    path: z.array(z.string()).optional(),
    host: z.string().optional(),
  }).strict()),
}).strict();

/** One rule document. Informational Sigma keys are accepted and ignored. */
export const RuleDocSchema = z.object({
  title: z.string().min(1),
  id: z.string().min(1).optional(),
  description: z.string().optional(),
  severity: z.enum(['informational', 'low', 'medium', 'high', 'critical']).optional(),
  level: z.string().optional(),
  status: z.string().optional(),
  author: z.string().optional(),
  date: z.union([z.string(), z.date()]).optional(),
  references: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  falsepositives: z.array(z.string()).optional(),
  logsource: z.record(z.string(), z.unknown()).optional(),
  scope: z.literal('host').optional(),
  chain: z.array(StepSchema).min(1, 'a chain needs at least one step'),
  within: duration.optional(),
  max_gap: duration.optional(),
  unless: z.array(UnlessSchema).optional(),
  where: z.array(z.string()).optional(),
  then: z.array(ThenSchema).optional(),
  unknown: z.enum(['skip', 'match']).optional(),
  unknown_ancestry: z.enum(['suppress', 'match']).optional(),
  tests: z.array(TestSchema).optional(),
}).strict();
export type RuleDoc = z.infer<typeof RuleDocSchema>;
