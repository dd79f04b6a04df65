/**
 * The request side of the wire contract: zod schemas for every query string and body a client sends
 * (the server validates with exactly these), and typed helpers that build those requests, so no client
 * writes a query string by hand. GUIDs are canonicalised, times become ISO 8601 UTC, limits are bounded.
 * Routes and fields: docs/api.md.
 */
import { z } from 'zod';
import { CategorySchema } from './schemas.js';
import { canonicalGuid } from './guid.js';
import { canonicalTime } from './time.js';
import { ExpandModeSchema, type ExpandMode } from './expansion.js';

/** A ProcessGuid in any case, with or without braces → canonical. */
export const GuidSchema = z.string().transform((v, ctx) => {
  const g = canonicalGuid(v);
  if (!g) {
    ctx.addIssue({ code: 'custom', message: `not a GUID: "${v.slice(0, 60)}" (expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})` });
    return z.NEVER;
  }
  return g;
});

/** ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`, Sysmon's `2024-05-01 10:00:00.123`; no zone = UTC). */
export const TimeSchema = z.string().transform((v, ctx) => {
  const t = canonicalTime(v);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: `not an ISO 8601 time: "${v.slice(0, 40)}" (e.g. 2024-05-01T10:00:00Z)` });
    return z.NEVER;
  }
  return t;
});

const Flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const Host = z.string().trim().min(1).max(255).transform((h) => h.toLowerCase());
const Limit = z.coerce.number().int().min(1).max(1000);
const CursorText = z.string().min(1).max(4096);

/** Optional `from`/`to` fields shared by the queries. */
export const RangeFields = { from: TimeSchema.optional(), to: TimeSchema.optional() };

/** `/api/graph` query string. */
export const GraphQuery = z.object({
  guid: GuidSchema,
  host: Host.optional(),
  up: Flag.default(false),
  down: z.union([z.enum(['all', 'Infinity']), z.coerce.number().int().min(0).max(10_000)]).default('all')
    .transform((d) => (typeof d === 'string' ? Infinity : d)),
  events: Flag.default(false),
  /** Most nodes shown; default 1,000, or DEFAULT_EXPAND_BUDGET (150) with `expand`. */
  budget: z.coerce.number().int().min(1).max(10_000).optional(),
  group: z.coerce.number().int().min(2).max(1_000_000).default(5),
  /** Choose the nodes by suspicion (`suspicion`), or so only when the tree is large (`auto`). */
  expand: ExpandModeSchema.optional(),
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

/**
 * `/api/groups/events` query string: a sibling group's events (its members' events in time order).
 * `group` is the group node's cursor (`group.cursor`) for the first page; later pages pass `cursor` only.
 */
export const GroupEventsQuery = EventsQuery.extend({ group: CursorText.optional() }).strict()
  .refine((q) => q.group !== undefined || q.cursor !== undefined, { message: 'pass `group` (the group node\'s cursor) or `cursor` (a page cursor)', path: ['group'] });

/** `/api/search` query string. */
export const SearchQuery = z.object({
  host: Host.optional(), image: z.string().max(500).optional(), q: z.string().max(2000).optional(),
  guid: GuidSchema.optional(), limit: Limit.default(100), ...RangeFields,
}).strict();

/** `/api/notables` query string. */
export const NotablesQuery = z.object({ limit: Limit.default(200), host: Host.optional(), status: z.enum(['open', 'all']).default('open'), ...RangeFields }).strict();

/** Rule text: YAML (one or many rules) or a one-liner. */
export const RulesText = z.string().min(1, 'rules: paste a rule (YAML or a one-liner)').max(256 * 1024, 'rules: text is larger than 256 KiB');
/** `POST /api/rules/validate` body. */
export const RulesValidateBody = z.object({ rules: RulesText });
/** `POST /api/rules/run` body. */
export const RulesRunBody = z.object({ rules: RulesText, from: TimeSchema.optional(), to: TimeSchema.optional(), host: Host.optional() });
export type RulesRunRequest = z.input<typeof RulesRunBody>;

/**
 * The same-origin proof every state-changing request carries (`X-Lineage-Request: 1`; docs/security.md):
 * a cross-site form cannot send a custom header without a CORS preflight, which the server never grants.
 */
export const SAME_ORIGIN_HEADER = 'x-lineage-request';

// ---- typed request builders (what a client sends; the schemas above are what the server reads) ----

type Scalar = string | number | boolean | null | undefined;

/** `path?k=v&…` with the given parameters in order; null/undefined/'' are left out, booleans become 1/0. */
export function withQuery(path: string, params: Record<string, Scalar>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

interface RangeParams { from?: string | null; to?: string | null }
interface PageParams extends RangeParams { host?: string | null; cursor?: string | null; limit?: number }
/** `/api/graph` parameters (see GraphQuery): `down` a level count or `all`. */
export interface GraphParams extends RangeParams {
  guid: string; host?: string | null; up?: boolean; down?: number | 'all'; events?: boolean; budget?: number; group?: number;
  expand?: ExpandMode | null;
}
export interface EventsParams extends PageParams { category?: z.infer<typeof CategorySchema> | null }
export interface GroupEventsParams extends EventsParams { group?: string | null }
export interface SearchParams extends RangeParams { guid?: string; host?: string; image?: string; q?: string; limit?: number }
export interface NotablesParams extends RangeParams { host?: string; limit?: number; status?: 'open' | 'all' }

const seg = (guid: string) => encodeURIComponent(guid);
const range = (p: RangeParams) => ({ from: p.from, to: p.to });

/** Request paths of the read API, typed by the schemas' fields. */
export const apiPaths = {
  graph: (p: GraphParams) => withQuery('/api/graph', {
    guid: p.guid, host: p.host, up: p.up, down: p.down, events: p.events, budget: p.budget, group: p.group, expand: p.expand, ...range(p),
  }),
  process: (guid: string, p: { host?: string | null } = {}) => withQuery(`/api/processes/${seg(guid)}`, { host: p.host }),
  children: (guid: string, p: PageParams = {}) => withQuery(`/api/processes/${seg(guid)}/children`, {
    host: p.host, cursor: p.cursor, limit: p.limit, ...range(p),
  }),
  events: (guid: string, p: EventsParams = {}) => withQuery(`/api/processes/${seg(guid)}/events`, {
    host: p.host, cursor: p.cursor, limit: p.limit, category: p.category, ...range(p),
  }),
  groupEvents: (p: GroupEventsParams) => withQuery('/api/groups/events', {
    group: p.group, host: p.host, cursor: p.cursor, limit: p.limit, category: p.category, ...range(p),
  }),
  search: (p: SearchParams) => withQuery('/api/search', { guid: p.guid, host: p.host, image: p.image, q: p.q, limit: p.limit, ...range(p) }),
  notables: (p: NotablesParams = {}) => withQuery('/api/notables', { host: p.host, limit: p.limit, status: p.status, ...range(p) }),
  /** `POST` with a PrevalenceBody (shared/src/prevalence.ts). */
  prevalence: () => '/api/prevalence',
} as const;
