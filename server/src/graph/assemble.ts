/**
 * Pure: a graph plan plus the rows fetched for it (event counts, cross events, events, parent
 * lookups) → the graph document (docs/api.md `GET /api/graph`), deterministically sorted.
 */
import {
  categoryOf, crossEdgeKind, isZeroGuid,
  type GraphDocument, type GraphEdge, type GraphEvent, type GraphStats, type ProcessNode, type TimeRange, type Truncation,
} from '@lineage/shared';
import type { EventRecord, ProcessRecord, RowPage } from '../sources/event-source.js';
import { eventsCursor } from './cursor.js';
import { groupNode, placeholderParent, placeholderTarget, processNode, zeroParentId } from './nodes.js';
import type { GraphPlan } from './plan.js';

/** Everything the assembler needs; all rows already fetched. */
export interface AssembleInput {
  plan: GraphPlan;
  range: TimeRange;
  /**
   * The span the events, counts and cross events were read over (the shown processes' lifetimes,
   * investigate.ts `lifetimeRange`); event cursors resume over it. Default: `range`.
   */
  eventRange?: TimeRange;
  host: string | null;
  /** Creates found with no time limit, for GUIDs the plan references but does not hold (parents, cross targets). */
  lookups: Map<string, ProcessRecord>;
  /** Event counts by category for shown processes and group members. */
  counts: Map<string, Partial<Record<string, number>>>;
  /** Cross-edge events (8/10) whose source is a shown process. */
  cross: EventRecord[];
  /** When events were asked for: one page over all shown processes, in (time, recordId) order. */
  events: RowPage<EventRecord> | null;
  /** Most cross-edge targets added as extra nodes (beyond it, edges are dropped and recorded). */
  maxCrossTargets: number;
  stats: GraphStats;
}

const cmp = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

function inRange(t: string, r: TimeRange): boolean {
  const v = Date.parse(t);
  return v >= Date.parse(r.from) && v <= Date.parse(r.to);
}

function deltaMs(parentStart: string | null, childStart: string | null): number | null {
  if (!parentStart || !childStart) return null;
  return Date.parse(childStart) - Date.parse(parentStart);
}

/** Build the graph document. Pure and deterministic: equal inputs give byte-equal JSON. */
export function assembleGraph(input: AssembleInput): GraphDocument {
  const { plan, range, counts } = input;
  const truncated: Record<string, Truncation> = { ...plan.truncated };
  const nodes = new Map<string, ProcessNode>();
  const edges = new Map<string, GraphEdge>();
  const addEdge = (e: GraphEdge) => {
    const k = `${e.kind}|${e.source}|${e.target}`;
    const prev = edges.get(k);
    if (prev) prev.count += e.count; else edges.set(k, e);
  };

  for (const p of plan.processes) nodes.set(p.record.guid, processNode(p.record, p.depth, counts.get(p.record.guid)));
  for (const g of plan.groups) nodes.set(g.id, groupNode(g, input.host, range, (m) => counts.get(m)));

  if (plan.topmost) {
    const child = plan.topmost.record;
    const zero = !child.parentGuid || isZeroGuid(child.parentGuid);
    const found = zero ? null : input.lookups.get(child.parentGuid!) ?? null;
    // The source walks parents inside the window, so a create found here lies outside it (not-in-range);
    // `searchWider` spans it either way.
    const ph = placeholderParent(child, plan.topmost.depth - 1, range, found);
    nodes.set(ph.guid, ph);
    addEdge({ source: ph.guid, target: child.guid, kind: 'spawn', deltaMs: deltaMs(ph.startTime, child.startTime), count: 1 });
  }

  for (const p of plan.processes) {
    if (p.record.guid === plan.topmost?.record.guid) continue; // its edge to the placeholder is drawn above
    const parent = p.record.parentGuid ? nodes.get(p.record.parentGuid) : undefined;
    if (parent && parent.guid !== p.record.guid) {
      addEdge({ source: parent.guid, target: p.record.guid, kind: 'spawn', deltaMs: deltaMs(parent.startTime, p.record.startTime), count: 1 });
    }
  }
  for (const g of plan.groups) {
    const parent = nodes.get(g.parentGuid);
    addEdge({ source: g.parentGuid, target: g.id, kind: 'spawn', deltaMs: deltaMs(parent?.startTime ?? null, g.members[0]!.startTime), count: g.members.length });
  }

  addCrossEdges(input, nodes, addEdge, truncated);
  const events = input.events ? attachEvents(input, nodes, truncated) : undefined;

  const sorted = inDocumentOrder([...nodes.values()], [...edges.values()], truncated);
  return {
    origin: plan.origin.guid, range, nodes: sorted.nodes, edges: sorted.edges,
    ...(events ? { events } : {}), truncated: sorted.truncated, stats: input.stats,
  };
}

/**
 * The graph document's one deterministic order: nodes by depth, start, GUID; edges by kind, source,
 * target; truncation keys sorted. Also used after the walk above the window adds ancestors (investigate.ts).
 */
export function inDocumentOrder(
  nodes: GraphDocument['nodes'], edges: GraphDocument['edges'], truncated: Record<string, Truncation>,
): Pick<GraphDocument, 'nodes' | 'edges' | 'truncated'> {
  const sortedTrunc: Record<string, Truncation> = {};
  for (const k of Object.keys(truncated).sort()) sortedTrunc[k] = truncated[k]!;
  return {
    nodes: [...nodes].sort((a, b) => a.depth - b.depth || cmp(a.startTime, b.startTime) || cmp(a.guid, b.guid)),
    edges: [...edges].sort((a, b) => cmp(a.kind, b.kind) || cmp(a.source, b.source) || cmp(a.target, b.target)),
    truncated: sortedTrunc,
  };
}

function addCrossEdges(
  input: AssembleInput, nodes: Map<string, ProcessNode>, addEdge: (e: GraphEdge) => void, truncated: Record<string, Truncation>,
): void {
  const dropped = new Map<string, number>();
  let extra = 0;
  const sorted = [...input.cross].sort((a, b) => cmp(a.time, b.time) || (a.recordId ?? 0) - (b.recordId ?? 0) || cmp(a.guid, b.guid));
  for (const ev of sorted) {
    const kind = crossEdgeKind(ev.eventId);
    const source = nodes.get(ev.guid);
    if (!kind || !source || !ev.targetGuid || isZeroGuid(ev.targetGuid)) continue;
    if (!nodes.has(ev.targetGuid)) {
      if (extra >= input.maxCrossTargets) { dropped.set(ev.guid, (dropped.get(ev.guid) ?? 0) + (ev.count ?? 1)); continue; }
      const found = input.lookups.get(ev.targetGuid) ?? null;
      // A target whose parent is drawn is that parent's child too: placed under it, with its spawn edge.
      const parent = found?.parentGuid ? nodes.get(found.parentGuid) : undefined;
      const depth = parent && parent.kind === 'process' ? parent.depth + 1 : source.depth;
      const node = found && inRange(found.startTime, input.range)
        ? processNode(found, depth, input.counts.get(found.guid))
        : placeholderTarget(ev, depth, input.range, found);
      nodes.set(node.guid, node);
      if (found && parent && parent.kind === 'process' && parent.guid !== found.guid) {
        addEdge({ source: parent.guid, target: found.guid, kind: 'spawn', deltaMs: deltaMs(parent.startTime, found.startTime), count: 1 });
        // Drawn under its parent now: one fewer hidden child; none left means no "more" to offer.
        const t = truncated[`children:${parent.guid}`];
        if (t && t.remaining !== null) {
          if (t.remaining <= 1) delete truncated[`children:${parent.guid}`];
          else truncated[`children:${parent.guid}`] = { ...t, remaining: t.remaining - 1 };
        }
      }
      extra++;
    }
    addEdge({ source: ev.guid, target: ev.targetGuid, kind, deltaMs: null, count: ev.count ?? 1 });
  }
  for (const [g, n] of dropped) {
    truncated[`cross:${g}`] = { limit: input.maxCrossTargets, cursor: eventsCursor(g, input.host, input.eventRange ?? input.range, 0, 'process-access'), remaining: n };
  }
}

function attachEvents(input: AssembleInput, nodes: Map<string, ProcessNode>, truncated: Record<string, Truncation>): GraphEvent[] {
  const page = input.events!;
  const shownPer = new Map<string, number>();
  const out: GraphEvent[] = [];
  for (const e of page.items) {
    if (!nodes.has(e.guid)) continue;
    shownPer.set(e.guid, (shownPer.get(e.guid) ?? 0) + 1);
    out.push({
      guid: e.guid, host: e.host, eventId: e.eventId, category: e.category ?? categoryOf(e.eventId), time: e.time,
      recordId: e.recordId, targetGuid: e.targetGuid, fields: e.fields,
    });
  }
  if (page.nextCursor) {
    // The page was cut: each process's shown events are a prefix of its own (time, recordId) order,
    // so its cursor resumes after that many.
    for (const p of input.plan.processes) {
      const g = p.record.guid;
      const total = Object.values(input.counts.get(g) ?? {}).reduce<number>((s, v) => s + (v ?? 0), 0);
      const shown = shownPer.get(g) ?? 0;
      if (total > shown) truncated[`events:${g}`] = { limit: shown, cursor: eventsCursor(g, input.host, input.eventRange ?? input.range, shown), remaining: total - shown };
    }
  }
  return out;
}

/** GUIDs the caller should look up (no time limit) before assembling: the topmost parent and cross targets. */
export function lookupsNeeded(plan: GraphPlan, cross: EventRecord[]): string[] {
  const held = new Set(plan.processes.map((p) => p.record.guid));
  const want = new Set<string>();
  const top = plan.topmost?.record;
  if (top?.parentGuid && !isZeroGuid(top.parentGuid) && top.parentGuid !== zeroParentId(top)) want.add(top.parentGuid);
  for (const ev of cross) {
    if (ev.targetGuid && !isZeroGuid(ev.targetGuid) && !held.has(ev.targetGuid)) want.add(ev.targetGuid);
  }
  return [...want].sort();
}
