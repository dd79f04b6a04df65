/**
 * Wire contract of "expand across" (docs/lateral.md): the `lateral` links of one process and the far
 * side's nodes. The link itself (`LateralLinkSchema`) is in schemas.ts beside the graph document.
 */
import { z } from 'zod';
import { TimeSchema } from './requests.js';
import { ProcessNodeSchema, GraphStatsSchema, LateralLinkSchema } from './schemas.js';

/** `GET /api/processes/:guid/lateral`: the links of one process (as source or as target root) and the far side's nodes. */
export const LateralAnswerSchema = z.object({
  guid: z.string(),
  host: z.string(),
  /** The window the facts were read from. */
  range: z.object({ from: z.string(), to: z.string() }),
  links: z.array(LateralLinkSchema),
  /** The processes at the other end of each link (target roots, or sources), ready to draw. */
  nodes: z.array(ProcessNodeSchema),
  /** False when the source cut the window's rows: links may be missing (the view says so). */
  complete: z.boolean(),
  stats: GraphStatsSchema,
});
export type LateralAnswer = z.infer<typeof LateralAnswerSchema>;

/** `/api/processes/:guid/lateral` query string. */
export const LateralQuery = z.object({
  host: z.string().trim().min(1).max(255).transform((h) => h.toLowerCase()).optional(),
  /** The process's start and end as drawn (with `host`, they save the origin lookup). */
  start: TimeSchema.optional(),
  end: TimeSchema.optional(),
}).strict();
