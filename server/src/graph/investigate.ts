/**
 * The one non-pure piece of the graph module: ask an EventSource for the rows around a process and
 * hand them to the pure planner/assembler. Statements per graph, whatever the size of the tree:
 * origin (skipped when the request names host and window), tree, event counts, then cross events
 * (only when a count shows 8/10 events — a process's events include the 8/10 it is the *source* of),
 * events (when asked), and one lookup for parents/targets outside the window (when there are any).
 * Splunk answers tree + counts + cross events with 2 searches (see its source.ts), so a graph whose
 * request names host and window costs 2 there, plus 1 when a parent or cross target is outside it.
 * Embedded with its lineage index (`lineage serve`) knows the origin's host and start without a
 * query and answers tree + counts + the parent above the window in one statement: 1 per graph,
 * plus cross events when some shown process has 8/10 events. With `up` and a drawn ancestor, one count of
 * the ancestors' children more (ancestor-children.ts; none on Splunk when the tree search covered them).
 */
import { defaultWindow, isZeroGuid, rangeProblem, type GraphDocument, type TimeRange } from '@lineage/shared';
import type { BaseOptions, EventSource, ProcessRecord, QueryContext, TreeRows } from '../sources/event-source.js';
import { throwIfAborted } from '../sources/event-source.js';
import { addAncestorChildren } from './ancestor-children.js';
import { assembleGraph, inDocumentOrder, lookupsNeeded } from './assemble.js';
import { ancestorsCursor } from './cursor.js';
import { placeholderParent, processNode } from './nodes.js';
import { planGraph, type GraphPlan, type PlanOptions } from './plan.js';
import { findStandIn, type StandIn } from './stand-in.js';

/** What a graph request asks for (API `/api/graph`, CLI `lineage tree`). */
export interface GraphRequest {
  /** Canonical GUID of the origin process. */
  guid: string;
  /** Disambiguates a GUID seen on two hosts (lowercase). */
  host?: string | null;
  /** Walk ancestors to the root. */
  up: boolean;
  /** Descendant generations (Infinity = all). */
  down: number;
  /** Window; default: origin start −1 h … +24 h. A missing end takes the default's. */
  range?: Partial<TimeRange> | null;
  /** Attach events (one page over all shown processes). */
  events?: boolean;
  /** Most nodes shown (default 1,000). */
  nodeBudget?: number;
  /** Leaf siblings aggregated from this many up (default 5). */
  siblingThreshold?: number;
  /** Events attached at most (default 1,000). */
  eventLimit?: number;
  /** Processes fetched around the origin at most (default: 4 × nodeBudget, 2,000 … 50,000). */
  fetchBudget?: number;
}

/**
 * Chooses what a graph shows from the fetched rows (default: `planGraph`). services/expand.ts plugs
 * in the expansion by suspicion; it may read more from the source (counted in `base.ctx`).
 */
export type Planner = (rows: ProcessRecord[], options: PlanOptions, base: BaseOptions) => Promise<GraphPlan>;

/** The GUID has no process-create anywhere (API 404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export const DEFAULT_NODE_BUDGET = 1000;
export const DEFAULT_SIBLING_THRESHOLD = 5;
const MAX_CROSS_TARGETS = 100;

/** The requested window ends the wrong way round (API 400). */
export class InvertedRangeError extends Error {
  override readonly name = 'InvertedRangeError';
}

/** The default investigation window around a process start (shared/src/time.ts). */
export { defaultWindow };

/** End of an open lifetime (a process not seen terminating): events may come up to now and later. */
export const OPEN_END = '9999-12-31T23:59:59.999Z';
/** Ancestors drawn above the window (one ancestor walk of the source) before the walk says it was cut. */
export const MAX_ANCESTOR_STEPS = 64;

/** Start of every lifetime span: an event's UtcTime can lie before its process's create (see `lifetimeRange`). */
export const OPEN_START = '1601-01-01T00:00:00.000Z';

/**
 * The span holding every event of `processes`: open at the start, to the latest termination — or
 * open when one has not terminated (→ now). Events are picked by GUID, and a GUID names one process,
 * so this only widens what a fixed window (start + 24 h) cut off. Why open at the start: an
 * event's UtcTime can be far older than its record (a connection reported late; in
 * exec_persist_rundll32 an mshta's network and file events are dated 8.6 h before its create),
 * and it belongs to its process by GUID regardless (server/test/graph/honest-views.test.ts).
 * `openStart: false` (the Splunk source, whose searches are bounded by time): from the earliest start,
 * and an open lifetime ends now (or at the window's end when that is later).
 */
export function lifetimeRange(window: TimeRange, processes: readonly ProcessRecord[], openStart = true): TimeRange {
  let from = Date.parse(openStart ? OPEN_START : window.from);
  let to = Date.parse(window.to);
  for (const p of processes) {
    const s = Date.parse(p.startTime);
    if (Number.isFinite(s) && s < from) from = s;
    if (!p.endTime) return { from: new Date(from).toISOString(), to: openStart ? OPEN_END : new Date(Math.max(to, Date.now())).toISOString() };
    const e = Date.parse(p.endTime);
    if (Number.isFinite(e) && e > to) to = e;
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * `up`: the topmost shown process's parent lies above the window (its create exists: `not-in-range`).
 * Walk on to the root — the source's ancestor walk from that create, no time limit, several
 * generations per query (`ancestorsOf` on a record already read, else `getAncestors`: one statement
 * on the embedded store) — and draw them: the placeholder becomes the process, its ancestors are added
 * with their spawn edges and event counts, and the walk ends at a root (no parent), a parent never
 * logged (a `not-logged` / `zero-guid` placeholder) or, after MAX_ANCESTOR_STEPS, with
 * `truncated["ancestors:<origin>"]` — never silently.
 */
async function walkAboveWindow(
  source: EventSource, doc: GraphDocument, top: ProcessRecord, lookups: Map<string, ProcessRecord>, evBase: BaseOptions, ctx: QueryContext,
): Promise<void> {
  const first = top.parentGuid ? lookups.get(top.parentGuid) : undefined;
  const ph = first ? doc.nodes.find((n) => n.guid === first.guid && n.placeholderReason === 'not-in-range') : undefined;
  if (!first || !ph) return;
  const chain: ProcessRecord[] = [first];
  const seen = new Set([top.guid, first.guid, ...doc.nodes.map((n) => n.guid)]);
  let cut = false;
  let missing: ProcessRecord | null = null; // the last ancestor, when its parent was never logged
  const above = source.ancestorsOf
    ? await source.ancestorsOf(first, MAX_ANCESTOR_STEPS - 1, ctx)
    : await source.getAncestors(first.guid, { ctx, host: first.host, maxDepth: MAX_ANCESTOR_STEPS - 1 });
  throwIfAborted(ctx);
  for (let cur = first, i = 0; ; i++) {
    if (!cur.parentGuid || isZeroGuid(cur.parentGuid)) { if (cur.parentGuid || cur.parentImage) missing = cur; break; }
    if (seen.has(cur.parentGuid)) break; // a GUID loop in damaged data
    if (chain.length >= MAX_ANCESTOR_STEPS) { cut = true; break; }
    const parent = above[i];
    if (!parent || parent.guid !== cur.parentGuid) { missing = cur; break; }
    seen.add(parent.guid);
    chain.push(parent);
    cur = parent;
  }
  const counts = await source.countEvents(chain.map((p) => p.guid), { ...evBase, range: lifetimeRange(evBase.range!, chain, !source.timeBoundedSearches) });
  const nodes = doc.nodes.filter((n) => n.guid !== ph.guid);
  chain.forEach((p, i) => nodes.push(processNode(p, ph.depth - i, counts.get(p.guid))));
  const edges = [...doc.edges];
  for (let i = 1; i < chain.length; i++) edges.push(spawn(chain[i]!, chain[i - 1]!));
  if (missing) {
    const last = placeholderParent(missing, ph.depth - chain.length, doc.range, null);
    nodes.push(last);
    edges.push({ source: last.guid, target: missing.guid, kind: 'spawn', deltaMs: null, count: 1 });
  }
  const truncated = { ...doc.truncated };
  if (cut) truncated[`ancestors:${doc.origin}`] = { limit: chain.length, cursor: ancestorsCursor(chain.at(-1)!.guid, chain.at(-1)!.host), remaining: null };
  Object.assign(doc, inDocumentOrder(nodes, edges, truncated));
}

function spawn(parent: ProcessRecord, child: ProcessRecord): GraphDocument['edges'][number] {
  const d = Date.parse(child.startTime) - Date.parse(parent.startTime);
  return { source: parent.guid, target: child.guid, kind: 'spawn', deltaMs: Number.isFinite(d) ? d : null, count: 1 };
}

/** The origin's create (restricted to `host` when given); throws NotFoundError when there is none. */
export async function findOrigin(source: EventSource, guid: string, host: string | null, ctx: QueryContext): Promise<ProcessRecord> {
  const rows = await source.getProcesses([guid], { ctx, ...(host ? { host } : {}) });
  const sorted = rows.filter((r) => !host || r.host === host).sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const origin = sorted[0];
  if (!origin) throw new NotFoundError(`no process-create for ${guid}${host ? ` on host ${host}` : ''}`);
  return origin;
}

/** Build the graph document around `req.guid`. */
export async function investigate(source: EventSource, req: GraphRequest, ctx: QueryContext, planner?: Planner): Promise<GraphDocument> {
  const started = performance.now();
  const host = req.host ?? null;
  const nodeBudget = req.nodeBudget ?? DEFAULT_NODE_BUDGET;
  // Fetch one level deeper than shown (to count hidden children) and well past the display budget,
  // so the planner can pick deep chains the source's own breadth-first cut would not reach.
  const fetchBudget = req.fetchBudget ?? Math.min(Math.max(nodeBudget * 4, 2000), 50_000);
  const treeOptions = (r: TimeRange, h: string, down: number) =>
    ({ ctx, range: r, host: h, up: req.up, down: Number.isFinite(down) ? down + 1 : Infinity, nodeBudget: fetchBudget });
  let standIn: StandIn | null = null;
  let origin: ProcessRecord | undefined;
  let tree: TreeRows | undefined;
  // A request that names the host and the whole window (a shared URL, a notable, a rule hit) needs no
  // origin lookup: the tree search over that host-window holds the origin. That saves a search (on
  // Splunk an all-time one); only when the origin is not in it does the lookup below run.
  const given = withoutEmpty(req.range);
  if (host && given.from && given.to) {
    const range = checkedRange({ from: given.from, to: given.to });
    const t = await source.getTree(req.guid, treeOptions(range, host, req.down));
    origin = t.processes.find((p) => p.guid === req.guid && p.host === host);
    if (origin) tree = t;
  }
  // A source that knows where the origin is without a query (embedded with its lineage index) saves
  // the origin lookup: its host and start fix the window, and the tree holds the origin row.
  const located = !origin ? source.locateOrigin?.(req.guid, host ?? undefined)?.[0] : undefined;
  if (located) {
    const range = checkedRange({ ...defaultWindow(located.startTime), ...given });
    const t = await source.getTree(req.guid, treeOptions(range, located.host, req.down));
    // An empty host: the source knows the start but not the machine (Splunk, from the GUID alone).
    origin = t.processes.find((p) => p.guid === req.guid && (located.host === '' || p.host === located.host));
    if (origin) tree = t;
  }
  if (!origin) {
    try {
      origin = await findOrigin(source, req.guid, host, ctx);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      standIn = await findStandIn(source, req.guid, host, ctx);
      if (!standIn) throw new NotFoundError(`no process-create, child or event for ${req.guid}${host ? ` on host ${host}` : ''}`);
      origin = standIn.record;
    }
  }
  const range = checkedRange({ ...defaultWindow(origin.startTime), ...given });
  const base = { ctx, range, host: origin.host };
  const down = standIn ? Math.min(req.down, 1) : req.down;
  tree ??= standIn
    ? await standInTree(source, origin.guid, down, fetchBudget, base)
    : await source.getTree(origin.guid, treeOptions(range, origin.host, down));
  throwIfAborted(ctx);
  const rows = tree.processes.some((p) => p.guid === origin.guid) ? tree.processes : [origin, ...tree.processes];
  const planOptions: PlanOptions = {
    origin: origin.guid, up: req.up && !standIn, down, nodeBudget,
    siblingThreshold: req.siblingThreshold ?? DEFAULT_SIBLING_THRESHOLD, host, fetchComplete: tree.complete, range,
  };
  const plan = planner ? await planner(rows, planOptions, base) : planGraph(rows, planOptions);

  const shown = plan.processes.map((p) => p.record.guid);
  const counted = [...shown, ...plan.groups.flatMap((g) => g.members.map((m) => m.guid))];
  // Events are selected by GUID over each process's whole lifetime, not the tree's window. On a source
  // whose searches are bounded by time (Splunk) the part past the window costs one search more, only
  // when a lifetime reaches past it (sources/splunk/lifetime.ts, docs/splunk.md "Lifetime events").
  const evBase = { ...base, range: lifetimeRange(range, [...plan.processes.map((p) => p.record), ...plan.groups.flatMap((g) => g.members)], !source.timeBoundedSearches) };
  const counts = await source.countEvents(counted, evBase);
  // Counts say which shown processes have any 8/10 events: ask for cross events of those only, and
  // not at all when none has (the common case), saving a statement per graph.
  const crossSources = shown.filter((g) => { const c = counts.get(g); return (c?.['remote-thread'] ?? 0) + (c?.['process-access'] ?? 0) > 0; });
  const fetches = [
    () => (crossSources.length ? source.getCrossEvents(crossSources, evBase) : Promise.resolve([])),
    () => (req.events ? source.getEvents(shown, { ...evBase, limit: req.eventLimit ?? 1000 }) : Promise.resolve(null)),
  ] as const;
  // Splunk jobs wait on the network: run them side by side. DuckDB already spreads one statement over
  // every core, so concurrent statements only contend (measured: slower than one after another).
  const [cross, events] = source.timeBoundedSearches
    ? await Promise.all([fetches[0](), fetches[1]()])
    : [await fetches[0](), await fetches[1]()];
  const want = lookupsNeeded(plan, cross);
  const found = want.length ? await source.getProcesses(want, { ctx, host: origin.host }) : [];
  throwIfAborted(ctx);
  const lookups = new Map(found.map((r) => [r.guid, r]));
  const doc = assembleGraph({
    plan, range, eventRange: evBase.range, host, lookups, counts, cross, events, maxCrossTargets: MAX_CROSS_TARGETS,
    stats: { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - started), ...(ctx.stats.warnings?.length ? { warnings: ctx.stats.warnings } : {}) },
  });
  if (req.up && plan.topmost) await walkAboveWindow(source, doc, plan.topmost.record, lookups, evBase, ctx);
  // Ancestors' other children: one count for all of them (ancestor-children.ts).
  if (req.up && !standIn) await addAncestorChildren(source, doc, ctx);
  throwIfAborted(ctx);
  // Every statement of the request, the walk above the window and the ancestor count included.
  doc.stats.searches = ctx.stats.searches;
  doc.stats.rows = ctx.stats.rows;
  doc.stats.ms = Math.round(performance.now() - started); // including assembly
  return standIn ? withStandIn(doc, standIn) : doc;
}

/**
 * The embedded tree walk starts from the origin's create, which a stand-in lacks: fetch its children
 * and, when more than one level is wanted, their children (to count what is hidden) — two statements.
 */
async function standInTree(
  source: EventSource, guid: string, down: number, budget: number, base: BaseOptions,
): Promise<TreeRows> {
  if (down < 1) return { processes: [], complete: true };
  const kids = await source.getChildren([guid], { ...base, limit: budget });
  if (kids.items.length === 0) return { processes: [], complete: !kids.nextCursor };
  const grand = await source.getChildren(kids.items.map((k) => k.guid), { ...base, limit: budget });
  return { processes: [...kids.items, ...grand.items], complete: !kids.nextCursor && !grand.nextCursor };
}

/** Put the placeholder node in place of the synthetic origin row; its start is unknown, so are the deltas. */
function withStandIn(doc: GraphDocument, s: StandIn): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.guid === s.node.guid ? { ...s.node, eventCounts: n.eventCounts } : n)),
    edges: doc.edges.map((e) => (e.kind === 'spawn' && e.source === s.node.guid ? { ...e, deltaMs: null } : e)),
  };
}

function checkedRange(range: TimeRange): TimeRange {
  const problem = rangeProblem(range.from, range.to);
  if (problem) throw new InvertedRangeError(problem);
  return range;
}

function withoutEmpty(r: Partial<TimeRange> | null | undefined): Partial<TimeRange> {
  return { ...(r?.from ? { from: r.from } : {}), ...(r?.to ? { to: r.to } : {}) };
}
