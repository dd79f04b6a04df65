/**
 * THE query-key factory and queryOptions builders (TkDodo's pattern): every key the client uses is made
 * here, ordered generic → specific, so `lineageKeys.all` invalidates everything and e.g.
 * `lineageKeys.notables()` invalidates every notables list. Each builder keeps key, fetcher and cache
 * policy together and passes React Query's `signal` to fetch, so leaving a view aborts its requests.
 * Other features (upload, rules) import `lineageKeys` to invalidate after they change data.
 */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import {
  apiPaths, GraphDocumentSchema, GraphEventSchema, HealthSchema, NotableSchema, PrevalenceAnswerSchema, ProcessNodeSchema, pageSchema,
  type EventsParams, type ExpandMode, type GraphEvent, type ProcessNode, type TimeRange,
} from '@lineage/shared';
import { z } from 'zod';
import { apiPost, getJson } from '../lib/api-client';

/** What every graph-shaped query depends on besides the GUID. */
export interface Scope { host: string | null; from: string | null; to: string | null }

/** A page of children as the client uses it. */
export interface ChildrenPage { items: ProcessNode[]; nextCursor: string | null; stats?: { searches: number } }

/** Entry-screen search parameters (`/api/search`). */
export interface SearchParams { q: string; host: string; image: string; from: string | null; to: string | null }

/** An expansion by suspicion asked of the first graph (mode and node budget). */
export interface ExpandParams { mode: ExpandMode; budget: number }

/** Children page size: wide fan-out shows this many, then an "N more" node. */
export const CHILDREN_PAGE = 25;
/** Events page size in the side panel. */
export const EVENTS_PAGE = 50;

export const lineageKeys = {
  all: ['lineage'] as const,
  health: () => [...lineageKeys.all, 'health'] as const,
  notables: () => [...lineageKeys.all, 'notables'] as const,
  notableList: (range: { from: string | null; to: string | null }, status: NotableStatus = 'open') => [...lineageKeys.notables(), range, status] as const,
  searches: () => [...lineageKeys.all, 'search'] as const,
  search: (p: SearchParams) => [...lineageKeys.searches(), p] as const,
  /** Everything derived from process data (graph, children, ancestors, processes, events): invalidate after ingest. */
  processData: () => [...lineageKeys.all, 'process-data'] as const,
  graph: (guid: string, scope: Scope, down: number, expand: ExpandParams | null = null) =>
    [...lineageKeys.processData(), 'graph', guid, scope, expand ? { down, expand } : { down }] as const,
  /** Fleet prevalence of these processes (sorted GUIDs) for an investigated window. */
  prevalence: (guids: readonly string[], window: TimeRange | null) => [...lineageKeys.processData(), 'prevalence', window, { guids }] as const,
  ancestors: (guid: string, scope: Scope) => [...lineageKeys.processData(), 'ancestors', guid, scope] as const,
  /** One page of children, identified by the cursor that starts it (null: the first page). */
  childrenPage: (guid: string, scope: Scope, cursor: string | null) => [...lineageKeys.processData(), 'children', guid, scope, { cursor }] as const,
  process: (guid: string, host: string | null) => [...lineageKeys.processData(), 'process', guid, { host }] as const,
  /** One process's events (`id` its GUID) or a sibling group's (`id` the group's cursor, which names parent, key and window). */
  events: (id: string, scope: Scope, category: string | null, group = false) => [...lineageKeys.processData(), 'events', id, scope, { category, group }] as const,
};

/** Accepts either a bare array or a `{ items }` page, so list endpoints may grow paging without breaking us. */
function listOf<T extends z.ZodTypeAny>(item: T) {
  return z.union([z.array(item), z.object({ items: z.array(item) }).passthrough()])
    .transform((v) => (Array.isArray(v) ? v : v.items) as z.infer<T>[]);
}

const ProcessPage = pageSchema(ProcessNodeSchema);
const EventPage = pageSchema(GraphEventSchema);
const scopeParams = (s: Scope) => ({ host: s.host, from: s.from, to: s.to });

/** Notables by review status (Splunk ES): open ones, or all. */
export type NotableStatus = 'open' | 'all';

/**
 * The side panel's events query for a drawn node: a process's own, or a sibling group's members'. The
 * timeline observes the same query (cache only), so events reach it through the cache, not page state.
 */
export function nodeEventsQuery(n: ProcessNode | null, scope: Scope, category: string | null) {
  const s = { ...scope, host: n?.host ?? scope.host };
  if (n?.kind === 'group' && n.group) return lineageQueries.events(n.group.cursor, s, category, true);
  return lineageQueries.events(n?.guid ?? '', s, category);
}

export const lineageQueries = {
  health: () => queryOptions({
    queryKey: lineageKeys.health(),
    queryFn: ({ signal }) => getJson('/api/health', HealthSchema, signal),
    staleTime: 60_000,
  }),
  /** Notables over `range` (null bounds: the server's default window); `status` 'open' hides Resolved/Closed. */
  notables: (range: { from: string | null; to: string | null }, status: NotableStatus = 'open') => queryOptions({
    queryKey: lineageKeys.notableList(range, status),
    queryFn: ({ signal }) => getJson(apiPaths.notables({ ...range, ...(status === 'all' ? { status } : {}) }), listOf(NotableSchema), signal),
    staleTime: 30_000,
  }),
  search: (p: SearchParams) => queryOptions({
    queryKey: lineageKeys.search(p),
    queryFn: ({ signal }) => getJson(apiPaths.search({ q: p.q, host: p.host, image: p.image, from: p.from, to: p.to }), listOf(ProcessNodeSchema), signal),
    enabled: Boolean(p.q || p.host || p.image),
    staleTime: 30_000,
  }),
  /** The first graph of an investigation: ancestors to the root (`up=1`) and `down` levels of descendants. */
  graph: (guid: string, scope: Scope, down: number, expand: ExpandParams | null = null) => queryOptions({
    queryKey: lineageKeys.graph(guid, scope, down, expand),
    queryFn: ({ signal }) => getJson(apiPaths.graph({
      guid, up: true, down, ...scopeParams(scope), ...(expand ? { expand: expand.mode, budget: expand.budget } : {}),
    }), GraphDocumentSchema, signal),
    staleTime: Infinity, // process history does not change under an open investigation
  }),
  /** "parent ▲": the ancestors of a node that was the topmost one drawn. */
  ancestors: (guid: string, scope: Scope) => queryOptions({
    queryKey: lineageKeys.ancestors(guid, scope),
    queryFn: ({ signal }) => getJson(apiPaths.graph({ guid, up: true, down: 0, ...scopeParams(scope) }), GraphDocumentSchema, signal),
    staleTime: Infinity,
  }),
  /**
   * One page of a node's children from `cursor` (a page, truncation or group cursor; null from the first child).
   * A cursor carries the window its count was made over (an ancestor's spans back to the oldest ancestor's
   * start, docs/api.md "Conventions"), so the view's window is only sent when listing from scratch.
   */
  childrenPage: (guid: string, scope: Scope, cursor: string | null) => queryOptions({
    queryKey: lineageKeys.childrenPage(guid, scope, cursor),
    queryFn: ({ signal }) => getJson(
      apiPaths.children(guid, { cursor, limit: CHILDREN_PAGE, ...(cursor ? { host: scope.host } : scopeParams(scope)) }), ProcessPage, signal,
    ) as Promise<ChildrenPage>,
    staleTime: Infinity,
  }),
  /** `POST /api/prevalence` for the drawn processes (GUIDs sorted, so equal sets share the cache). */
  prevalence: (guids: readonly string[], window: TimeRange | null) => queryOptions({
    queryKey: lineageKeys.prevalence(guids, window),
    queryFn: ({ signal }) => apiPost(apiPaths.prevalence(), { guids, ...(window ? { window } : {}) }, PrevalenceAnswerSchema, signal),
    enabled: guids.length > 0,
    staleTime: Infinity,
  }),
  process: (guid: string, host: string | null) => queryOptions({
    queryKey: lineageKeys.process(guid, host),
    queryFn: ({ signal }) => getJson(apiPaths.process(guid, { host }), ProcessNodeSchema, signal),
    staleTime: Infinity,
  }),
  /**
   * Pages of one process's events (all categories when `category` is null), for the side panel; with
   * `group`, `id` is a sibling group's `group.cursor` and the pages are its members' events in time order.
   */
  events: (id: string, scope: Scope, category: string | null, group = false) => infiniteQueryOptions({
    queryKey: lineageKeys.events(id, scope, category, group),
    queryFn: ({ signal, pageParam }) => {
      const page = { category: category as EventsParams['category'], cursor: pageParam, limit: EVENTS_PAGE, ...scopeParams(scope) };
      const url = group ? apiPaths.groupEvents({ ...page, group: pageParam ? null : id }) : apiPaths.events(id, page);
      return getJson(url, EventPage, signal) as Promise<{ items: GraphEvent[]; nextCursor: string | null }>;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    staleTime: Infinity,
  }),
};
