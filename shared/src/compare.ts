/**
 * Wire contract of "compare two trees" (docs/lateral.md "Compare"): two processes' subtrees matched node
 * by node along the path, by image and folded command line (the sibling key).
 */
import { z } from 'zod';
import { GuidSchema } from './requests.js';
import { GraphStatsSchema } from './schemas.js';

const Host = z.string().trim().min(1).max(255).transform((h) => h.toLowerCase());

/** `GET /api/compare` query string: process A and B (each with its host when a GUID is on two). */
export const CompareQuery = z.object({
  a: GuidSchema, aHost: Host.optional(),
  b: GuidSchema, bHost: Host.optional(),
}).strict();
export type CompareRequest = z.infer<typeof CompareQuery>;

/** One position in the merged tree: the nodes of A and of B whose path of keys from the root is `path`. */
export const CompareRowSchema = z.object({
  /** Keys from the root (exclusive) to this position; the roots themselves are the empty path. */
  path: z.array(z.string()),
  /** Display: image basename and folded command line of the position. */
  name: z.string(),
  commandLine: z.string(),
  depth: z.number().int(),
  a: z.array(z.string()),
  b: z.array(z.string()),
  /** both: on both sides the same number of times; more-a / more-b: on both, more often on one; only-a / only-b. */
  status: z.enum(['both', 'more-a', 'more-b', 'only-a', 'only-b']),
  /** Events by category, summed over the position's nodes, per side. */
  eventsA: z.record(z.string(), z.number().int()),
  eventsB: z.record(z.string(), z.number().int()),
  /** Categories whose counts differ: B − A. */
  eventDiff: z.record(z.string(), z.number().int()),
});
export type CompareRow = z.infer<typeof CompareRowSchema>;

export const CompareSideSchema = z.object({
  guid: z.string(), host: z.string(), name: z.string(), commandLine: z.string(), startTime: z.string().nullable(),
  /** Processes in the subtree, and whether the tree was cut (then the comparison says it is partial). */
  processes: z.number().int(), complete: z.boolean(),
});

export const CompareAnswerSchema = z.object({
  a: CompareSideSchema,
  b: CompareSideSchema,
  rows: z.array(CompareRowSchema),
  summary: z.object({ onlyA: z.number().int(), onlyB: z.number().int(), countDiffers: z.number().int(), eventsDiffer: z.number().int(), same: z.number().int() }),
  stats: GraphStatsSchema,
});
export type CompareAnswer = z.infer<typeof CompareAnswerSchema>;
