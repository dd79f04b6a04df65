/**
 * The Splunk-mode write API's wire contract (docs/api.md): "Add to notable" (`POST /api/notable-update`)
 * and "Send to Splunk" (`GET /api/hec`, `POST /api/hec/hits`). The server validates bodies with these
 * schemas and the client parses answers with them: one declaration for both sides.
 */
import { z } from 'zod';
import { RuleHitSchema } from './schemas.js';

/** ES notable urgencies, as `/services/notable_update` takes them. */
export const NOTABLE_URGENCIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
/** The ES comment field holds a few thousand characters comfortably; longer summaries are refused. */
export const MAX_SUMMARY = 6_000;
const NOTABLE_ID = /^[A-Za-z0-9@._:-]{1,200}$/;

/** `POST /api/notable-update` body: notables, the investigation's query string, the summary, optional review changes. */
export const NotableUpdateBodySchema = z.object({
  notables: z.array(z.string().regex(NOTABLE_ID, 'a notable event_id (letters, digits, @ . _ : -)')).min(1).max(50),
  view: z.string().max(4_000).regex(/^\?[\x21-\x7e]*guid=[\x21-\x7e]*$/, 'the investigation query string (?…guid=…)'),
  summary: z.string().max(MAX_SUMMARY),
  status: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]).optional(),
  urgency: z.enum(NOTABLE_URGENCIES).optional(),
  owner: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'a Splunk user name').optional(),
}).strict();
export type NotableUpdateRequest = z.input<typeof NotableUpdateBodySchema>;

/** `POST /api/notable-update` answer: the notables written, the link, ES's message and the analyst. */
export const NotableUpdateResponseSchema = z.object({ notables: z.array(z.string()), url: z.string(), message: z.string(), user: z.string() });
export type NotableUpdateAnswer = z.infer<typeof NotableUpdateResponseSchema>;

/** Most hits one `POST /api/hec/hits` sends (the Rules page shows at most 5,000). */
export const MAX_HEC_HITS = 5_000;
/** `POST /api/hec/hits` body. */
export const HecHitsBodySchema = z.object({ hits: z.array(RuleHitSchema).min(1).max(MAX_HEC_HITS) }).strict();
/** `GET /api/hec` answer: whether sending is set up, into which index, with indexer acknowledgement. */
export const HecStatusSchema = z.object({ configured: z.boolean(), index: z.string().nullable(), ack: z.boolean() });
export type HecStatus = z.infer<typeof HecStatusSchema>;
/** `POST /api/hec/hits` answer. */
export const HecSentSchema = z.object({ sent: z.number(), batches: z.number(), retries: z.number(), acknowledged: z.boolean() });
export type HecSent = z.infer<typeof HecSentSchema>;
