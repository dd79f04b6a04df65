/**
 * The expansion-by-suspicion part of the graph contract (docs/api.md `GET /api/graph?expand=…`):
 * which nodes "Expand what matters" opened, in what order, and why.
 */
import { z } from 'zod';

/** How a graph request chooses its nodes: by suspicion, or by suspicion only when the tree is large. */
export const EXPAND_MODES = ['suspicion', 'auto'] as const;
export const ExpandModeSchema = z.enum(EXPAND_MODES);
export type ExpandMode = z.infer<typeof ExpandModeSchema>;

/** Nodes opened by default. */
export const DEFAULT_EXPAND_BUDGET = 150;
/** `auto` expands by suspicion when the fetched tree holds more processes than this. */
export const AUTO_EXPAND_THRESHOLD = 200;

/** One contribution to a suspicion score: a short human reason and its weight. */
export const SuspicionReasonSchema = z.object({ kind: z.string(), text: z.string(), weight: z.number() });
export type SuspicionReason = z.infer<typeof SuspicionReasonSchema>;

export const OpenedNodeSchema = z.object({
  /** Process GUID, or a sibling group's node id. */
  id: z.string(),
  /** 0 for the origin, then the order the expansion opened it in. */
  order: z.number().int(),
  /** The node's own score (a group: its strongest member's); the sum of `reasons`' weights. */
  score: z.number(),
  /** The best score in its subtree (what made the expansion open it). */
  branch: z.number(),
  reasons: z.array(SuspicionReasonSchema),
  /** When the branch outscores the node: the descendant it leads to. */
  leadsTo: z.object({ guid: z.string(), name: z.string(), score: z.number() }).nullable(),
});
export type OpenedNode = z.infer<typeof OpenedNodeSchema>;

export const ExpansionSchema = z.object({
  mode: z.literal('suspicion'),
  /** Whether the request asked for `auto` (and the tree was large enough). */
  auto: z.boolean(),
  budget: z.number().int(),
  /** In the order opened, the origin first. */
  opened: z.array(OpenedNodeSchema),
  /** True when the budget ran out with branches left unopened, or the source cut its fetch. */
  truncated: z.boolean(),
  /** Processes under the origin that were scored, and how many of them the view does not show. */
  considered: z.number().int(),
  hidden: z.number().int(),
  /** Whether fleet rarity (prevalence) took part in the scores. */
  rarity: z.boolean(),
});
export type Expansion = z.infer<typeof ExpansionSchema>;
