/**
 * zod schemas for query-string input. Everything a client sends is parsed here: GUIDs are
 * canonicalised, times become ISO 8601 UTC, limits are bounded, ranges must not be inverted.
 */
import { CategorySchema, canonicalGuid, type TimeRange } from '@lineage/shared';
import { z } from 'zod';
import { AppError } from './errors.js';

/** A ProcessGuid in any case, with or without braces → canonical. */
export const GuidSchema = z.string().transform((v, ctx) => {
  const g = canonicalGuid(v);
  if (!g) {
    ctx.addIssue({ code: 'custom', message: `not a GUID: "${v.slice(0, 60)}" (expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})` });
    return z.NEVER;
  }
  return g;
});

const TIME_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`, Sysmon's `2024-05-01 10:00:00.123`; no zone = UTC). */
export const TimeSchema = z.string().transform((v, ctx) => {
  const text = v.trim();
  let t = Number.NaN;
  if (TIME_RE.test(text)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10;
    const iso = text.replace(' ', 'T');
    t = Date.parse(hasZone ? iso : text.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);
  }
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO 8601 time: "${v.slice(0, 40)}" (e.g. 2024-05-01T10:00:00Z)` });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});

const Flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const Host = z.string().trim().min(1).max(255).transform((h) => h.toLowerCase());
const Limit = z.coerce.number().int().min(1).max(1000);
const CursorText = z.string().min(1).max(4096);

/** Optional `from`/`to` fields shared by the queries. */
export const RangeFields = { from: TimeSchema.optional(), to: TimeSchema.optional() };

/** `from`/`to` → a range, or null when neither given; 400 when inverted. Missing ends come from `fallback`. */
export function toRange(q: { from?: string | undefined; to?: string | undefined }, fallback: TimeRange | null): TimeRange | null {
  if (!q.from && !q.to) return fallback;
  const from = q.from ?? fallback?.from ?? '1970-01-01T00:00:00.000Z';
  const to = q.to ?? fallback?.to ?? '9999-12-31T23:59:59.999Z';
  if (Date.parse(from) > Date.parse(to)) throw new AppError(400, 'invalid_request', `inverted time range: from ${from} is after to ${to}`);
  return { from, to };
}

/** `/api/graph` query string. */
export const GraphQuery = z.object({
  guid: GuidSchema,
  host: Host.optional(),
  up: Flag.default(false),
  down: z.union([z.enum(['all', 'Infinity']), z.coerce.number().int().min(0).max(10_000)]).default('all')
    .transform((d) => (typeof d === 'string' ? Infinity : d)),
  events: Flag.default(false),
  budget: z.coerce.number().int().min(1).max(10_000).default(1000),
  group: z.coerce.number().int().min(2).max(1_000_000).default(5),
  ...RangeFields,
}).strict();

/** `/api/processes/:guid` query string. */
export const ProcessQuery = z.object({ host: Host.optional() }).strict();

/** `/api/processes/:guid/children` query string. */
export const ChildrenQuery = z.object({
  host: Host.optional(), cursor: CursorText.optional(), limit: Limit.default(100), ...RangeFields,
}).strict();

/** `/api/processes/:guid/events` query string. */
export const EventsQuery = ChildrenQuery.extend({ category: CategorySchema.optional() }).strict();

/** `/api/search` query string. */
export const SearchQuery = z.object({
  host: Host.optional(), image: z.string().max(500).optional(), q: z.string().max(2000).optional(),
  guid: GuidSchema.optional(), limit: Limit.default(100), ...RangeFields,
}).strict();

/** `/api/notables` query string. */
export const NotablesQuery = z.object({ limit: Limit.default(200), host: Host.optional(), status: z.enum(['open', 'all']).default('open'), ...RangeFields }).strict();
