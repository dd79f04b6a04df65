/**
 * Ancestors' other children (docs/api.md "Conventions", docs/ui.md "Ancestor cursors"). A graph draws
 * each ancestor with only its child on the path to the origin; the analyst also wants the siblings on
 * that path (what else did explorer or outlook start?). Every drawn ancestor whose children are not
 * all drawn gets `truncated["children:<guid>"]`, the same record a descendant gets: `limit` = its
 * children drawn (the on-path one), `remaining` = the others, and a cursor listing all its children
 * from the first, as a descendant's does (the client keeps drawn children where they are, so the
 * on-path child is not repeated). No record where nothing more exists: never a "more" that yields nothing.
 *
 * Cost: none when this request already read every create of the host over the span (Splunk's tree
 * search, `ctx.windowCreates`); else ONE count (EventSource.countChildren — one GROUP BY on the embedded
 * store, one `stats` search on Splunk) for all ancestors together. One span for all: from the earliest ancestor's start to the
 * window's end, so an ancestor above the window (explorer started at logon) lists the children it
 * started before the window too. The cursors carry that span, so what is listed is what was counted.
 * A source without countChildren gets no ancestor cursors (a count it cannot make is never guessed).
 */
import type { GraphDocument, ProcessNode, TimeRange, Truncation } from '@lineage/shared';
import type { EventSource, QueryContext } from '../sources/event-source.js';
import { childrenCursor } from './cursor.js';

/**
 * Children per ancestor from a whole host-window read earlier in this request (`ctx.windowCreates`: Splunk's
 * tree search) when that window covers the span and holds the origin on the ancestors' host — no search.
 * Null when no such read exists (the caller counts with one query).
 */
function countedFromRead(ancestors: readonly ProcessNode[], origin: string, host: string, [from, to]: Span, ctx: QueryContext): Map<string, number> | null {
  const read = ctx.windowCreates?.find((w) => Date.parse(w.range.from) <= from && Date.parse(w.range.to) >= to
    && w.rows.some((r) => r.guid === origin && r.host === host));
  if (!read) return null;
  const wanted = new Set(ancestors.map((a) => a.guid));
  const kids = new Map<string, Set<string>>();
  for (const r of read.rows) {
    if (r.host !== host || !r.parentGuid || !wanted.has(r.parentGuid)) continue;
    const s = Date.parse(r.startTime);
    if (!(s >= from && s <= to)) continue;
    let set = kids.get(r.parentGuid);
    if (!set) kids.set(r.parentGuid, (set = new Set()));
    set.add(r.guid);
  }
  return new Map([...kids].map(([p, set]) => [p, set.size]));
}

/** A span as epoch ms, [from, to]. */
type Span = readonly [number, number];

/** The span an ancestor's children are counted and listed over: earliest ancestor start … window end. */
function ancestorSpan(ancestors: readonly ProcessNode[], window: TimeRange): TimeRange {
  let from = Date.parse(window.from);
  for (const a of ancestors) {
    const s = a.startTime ? Date.parse(a.startTime) : NaN;
    if (Number.isFinite(s) && s < from) from = s;
  }
  return { from: new Date(from).toISOString(), to: window.to };
}

/** Drawn processes above the origin that have a create (placeholders and groups have no children to list). */
function drawnAncestors(doc: GraphDocument): ProcessNode[] {
  return doc.nodes.filter((n) => n.depth < 0 && n.kind === 'process' && !n.placeholder && n.startTime !== null);
}

/**
 * Add the ancestors' children records to `doc.truncated` (kept in sorted key order). Reads one count
 * through `ctx` (so `stats.searches` includes it); nothing when there is no drawn ancestor.
 */
export async function addAncestorChildren(source: EventSource, doc: GraphDocument, ctx: QueryContext): Promise<void> {
  const ancestors = drawnAncestors(doc).filter((a) => !doc.truncated[`children:${a.guid}`]);
  if (ancestors.length === 0) return;
  const span = ancestorSpan(ancestors, doc.range);
  const host = ancestors[0]!.host;
  const from = Date.parse(span.from);
  const to = Date.parse(span.to);
  const read = countedFromRead(ancestors, doc.origin, host, [from, to], ctx);
  if (!read && !source.countChildren) return;
  const counts = read ?? await source.countChildren!(ancestors.map((a) => a.guid), { ctx, host, range: span });
  // Children drawn under each ancestor that the count includes (started inside the span): one pass over the edges.
  const byGuid = new Map(doc.nodes.map((n) => [n.guid, n]));
  const drawnUnder = new Map<string, number>();
  for (const e of doc.edges) {
    if (e.kind !== 'spawn') continue;
    const n = byGuid.get(e.target);
    if (!n || n.kind !== 'process' || n.placeholder || n.startTime === null) continue;
    const s = Date.parse(n.startTime);
    if (s >= from && s <= to) drawnUnder.set(e.source, (drawnUnder.get(e.source) ?? 0) + 1);
  }
  const added: Record<string, Truncation> = {};
  for (const a of ancestors) {
    const drawn = drawnUnder.get(a.guid) ?? 0;
    const remaining = (counts.get(a.guid) ?? 0) - drawn;
    if (remaining <= 0) continue;
    added[`children:${a.guid}`] = {
      limit: drawn,
      cursor: childrenCursor(a.guid, a.host, span),
      remaining,
    };
  }
  if (Object.keys(added).length === 0) return;
  const all = { ...doc.truncated, ...added };
  doc.truncated = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]!]));
}
