/**
 * Pure model of what the graph shows: merges the first graph document, the "parent ▲" ancestor documents
 * and the children pages of expanded nodes into one forest of visible nodes, then applies collapses.
 * Nothing here knows about React, React Query or Cytoscape, so it is unit-tested with plain data.
 */
import { type GraphDocument, type GraphEdge, type LateralLink, type ProcessNode, type Truncation, isZeroGuid } from '@lineage/shared';
import { parseFind, sigmaPasses } from '../../sigma';

/** Children pages loaded for one expanded node (the data of one infinite query). */
export interface ChildPages {
  /** The node that was expanded: a process GUID or a `group:` id. */
  id: string;
  /** Items of every loaded page, in order. */
  pages: ProcessNode[][];
  /** Cursor of the next page; null when every child is loaded. */
  nextCursor: string | null;
  /**
   * How many children the listing that these pages walk holds in total, when known (a truncation record's
   * shown + remaining, or a group's count): "N more" is this minus what was loaded.
   */
  total: number | null;
  /** True while a page is being fetched. */
  loading: boolean;
  error: string | null;
}

/** One drawn node. `more` nodes stand for children not loaded yet. */
export interface VisibleNode {
  id: string;
  kind: 'process' | 'group' | 'more';
  /** The process data (null for `more` nodes). */
  node: ProcessNode | null;
  /** Visible spawn parent; null for a root of the forest. */
  parent: string | null;
  /** Visible children in display order (by start time, then id). */
  children: string[];
  /** Generation within the drawn forest (roots are 0). */
  level: number;
  origin: boolean;
  /** For `more` nodes: the node whose children it continues, and how many remain (null when unknown). */
  moreFor: string | null;
  moreCount: number | null;
  /** Descendants hidden by a collapse of this node (0 when not collapsed). */
  collapsedCount: number;
  /** True when expanding could reveal children not drawn now. */
  expandable: boolean;
  /** True when this node is the topmost of its chain and its parent can still be fetched. */
  canExpandParent: boolean;
  /** Known number of children not drawn yet for a node whose children were never listed (null: unknown). */
  childCount: number | null;
  /** Expanded and the server answered "no children". */
  childless: boolean;
  /** Children are being fetched for this node. */
  loading: boolean;
}

/** A drawn edge: spawn (parent → child) or a cross edge (remote thread / process access). */
export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdge['kind'];
  deltaMs: number | null;
  count: number;
}

export interface VisibleGraph {
  nodes: Map<string, VisibleNode>;
  /** Roots in display order. */
  roots: string[];
  edges: VisibleEdge[];
  origin: string;
  /** Every process known (visible or not), for panels and export. */
  known: Map<string, ProcessNode>;
  /** Every known id in tree display order (depth first), including those hidden under a collapse. */
  treeOrder: string[];
  /** Spawn parent of every known id that has a known parent (drawn or not). */
  parentOf: ReadonlyMap<string, string>;
  /** Lateral links whose two ends are drawn (expand across, docs/lateral.md); kept apart from `edges` (not a graph-document edge kind). */
  lateral: LateralLink[];
}

export interface BuildInput {
  doc: GraphDocument;
  ancestorDocs: GraphDocument[];
  childPages: ChildPages[];
  /** Collapsed node ids. */
  hidden: ReadonlySet<string>;
  /** Ids whose ancestors were already requested. */
  parentsRequested: ReadonlySet<string>;
  /** Expand across: lateral links and their far-side processes, drawn as roots of their own host. */
  lateral?: { links: LateralLink[]; nodes: ProcessNode[] };
}

const startKey = (n: ProcessNode) => n.startTime ?? '';

function better(a: ProcessNode, b: ProcessNode): ProcessNode {
  // A real process-create beats a placeholder reconstructed from a child's Parent* fields.
  return a.placeholder && !b.placeholder ? b : a;
}

/** `more:<id>` is the synthetic id of the "N more" node under `id`. */
export const moreId = (id: string) => `more:${id}`;

export function buildVisibleGraph(input: BuildInput): VisibleGraph {
  const { doc } = input;
  const known = new Map<string, ProcessNode>();
  const parentOf = new Map<string, string>();
  const add = (n: ProcessNode, parent?: string | null) => {
    const prev = known.get(n.guid);
    known.set(n.guid, prev ? better(prev, n) : n);
    const p = parent ?? (n.kind === 'group' ? n.group?.parentGuid : n.parentGuid) ?? null;
    if (p && p !== n.guid && !isZeroGuid(p) && !parentOf.has(n.guid)) parentOf.set(n.guid, p);
  };
  const docs = [doc, ...input.ancestorDocs];
  for (const d of docs) {
    // Spawn edges are authoritative for the tree shape; nodes fill in what edges leave out.
    for (const e of d.edges) if (e.kind === 'spawn' && !parentOf.has(e.target)) parentOf.set(e.target, e.source);
    for (const n of d.nodes) add(n);
  }
  for (const n of input.lateral?.nodes ?? []) if (!known.has(n.guid)) add(n);
  const truncation = new Map<string, Truncation>();
  for (const d of docs) for (const [k, t] of Object.entries(d.truncated)) if (k.startsWith('children:')) truncation.set(k.slice(9), t);

  const replacedGroups = new Set<string>();
  const groupParent = new Map<string, string | null>();
  const pagesById = new Map<string, ChildPages>();
  for (const cp of input.childPages) {
    pagesById.set(cp.id, cp);
    const target = known.get(cp.id);
    // A group expands into its members, which hang off the group's parent; the group node goes away.
    const realParent = target?.kind === 'group' ? target.group?.parentGuid ?? null : cp.id;
    if (target?.kind === 'group') { replacedGroups.add(cp.id); groupParent.set(cp.id, realParent); }
    for (const page of cp.pages) for (const n of page) add(n, realParent);
  }
  for (const g of replacedGroups) known.delete(g);

  // Children lists, deterministic order.
  const childrenOf = new Map<string, string[]>();
  const fromDoc = new Set<string>();
  for (const d of docs) for (const n of d.nodes) fromDoc.add(n.guid);
  for (const [child, parent] of parentOf) {
    if (!known.has(child) || !known.has(parent)) continue;
    // Once a node's children are listed one by one, its sibling-group cards would double count them.
    if (known.get(child)!.kind === 'group' && pagesById.has(parent) && !pagesById.has(child)) continue;
    let list = childrenOf.get(parent);
    if (!list) childrenOf.set(parent, (list = []));
    list.push(child);
  }
  const order = (a: string, b: string) => {
    const na = known.get(a)!, nb = known.get(b)!;
    const sa = startKey(na), sb = startKey(nb);
    return sa < sb ? -1 : sa > sb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  for (const list of childrenOf.values()) list.sort(order);

  const nodes = new Map<string, VisibleNode>();
  const roots = byHost([...known.keys()].filter((id) => !parentOf.has(id) || !known.has(parentOf.get(id)!)).sort(order), known, doc.origin);
  const treeOrder: string[] = [];
  {
    const stack = [...roots].reverse();
    const seen = new Set<string>();
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      treeOrder.push(id);
      const kids = childrenOf.get(id) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  const countDescendants = (id: string): number => {
    let total = 0;
    const stack = [...(childrenOf.get(id) ?? [])];
    while (stack.length) { const c = stack.pop()!; total++; stack.push(...(childrenOf.get(c) ?? [])); }
    return total;
  };

  const visit = (id: string, parent: string | null, level: number) => {
    const n = known.get(id)!;
    const kids = childrenOf.get(id) ?? [];
    const cp = pagesById.get(id);
    const trunc = truncation.get(id);
    const collapsed = input.hidden.has(id);
    const loadedFromPages = cp ? cp.pages.reduce((s, p) => s + p.length, 0) : 0;
    // Truncation with nothing shown (limit 0) means "has children, none drawn": the node itself is
    // expandable; with some shown, the rest hang off an "N more" node.
    const unlisted = !cp && trunc != null && kids.length === 0;
    const hasMore = cp ? cp.nextCursor != null : trunc != null && !unlisted;
    const vn: VisibleNode = {
      id, kind: n.kind === 'group' ? 'group' : 'process', node: n, parent, children: [], level,
      origin: id === doc.origin, moreFor: null, moreCount: null, collapsedCount: 0, childCount: null,
      expandable: false, canExpandParent: false, childless: false, loading: cp?.loading ?? false,
    };
    nodes.set(id, vn);
    if (parent === null && n.parentGuid && !isZeroGuid(n.parentGuid) && !known.has(n.parentGuid)
      && !input.parentsRequested.has(id) && n.kind === 'process' && !n.placeholder) {
      // A placeholder's own parent is unknowable here (zero GUID, never logged) or needs a wider window
      // ("search wider" in the panel), so only real processes offer "parent ▲".
      vn.canExpandParent = true;
    }
    if (collapsed) {
      vn.collapsedCount = countDescendants(id) + (hasMore ? 1 : 0);
      vn.expandable = true;
      return;
    }
    for (const k of kids) { vn.children.push(k); visit(k, id, level + 1); }
    if (hasMore) {
      const remaining = cp
        ? (cp.total != null ? Math.max(0, cp.total - loadedFromPages) : null)
        : trunc!.remaining;
      const mid = moreId(id);
      nodes.set(mid, {
        id: mid, kind: 'more', node: null, parent: id, children: [], level: level + 1, origin: false,
        moreFor: id, moreCount: remaining, collapsedCount: 0, childCount: null, expandable: true, canExpandParent: false,
        childless: false, loading: cp?.loading ?? false,
      });
      vn.children.push(mid);
    }
    vn.childless = Boolean(cp && !cp.loading && loadedFromPages === 0 && kids.length === 0 && !hasMore);
    if (unlisted) { vn.expandable = true; vn.childCount = trunc!.remaining; }
    else if (n.kind === 'group') vn.expandable = true;
    else if (!cp && kids.length === 0 && !fromDoc.has(id)) {
      // From a children page: the page counted this process's children (`childCount`); a leaf offers
      // nothing to expand. Uncounted (null/absent, e.g. an older server): it may have some.
      const c = n.childCount;
      if (c == null) vn.expandable = true;
      else if (c > 0) { vn.expandable = true; vn.childCount = c; }
    }
  };
  for (const r of roots) visit(r, null, 0);
  // A group expanded into its members keeps its own "N more" (under the group's parent) while pages remain.
  for (const g of replacedGroups) {
    const cp = pagesById.get(g)!;
    const gp = groupParent.get(g);
    const parent = gp ? nodes.get(gp) : undefined;
    if (!cp.nextCursor || !parent || parent.collapsedCount > 0) continue;
    const loaded = cp.pages.reduce((s, p) => s + p.length, 0);
    const mid = moreId(g);
    nodes.set(mid, {
      id: mid, kind: 'more', node: null, parent: parent.id, children: [], level: parent.level + 1, origin: false,
      moreFor: g, moreCount: cp.total != null ? Math.max(0, cp.total - loaded) : null,
      collapsedCount: 0, childCount: null, expandable: true, canExpandParent: false, childless: false, loading: cp.loading,
    });
    parent.children.push(mid);
  }

  const edges: VisibleEdge[] = [];
  const spawnDelta = new Map<string, number | null>();
  for (const d of docs) for (const e of d.edges) if (e.kind === 'spawn') spawnDelta.set(`${e.source}>${e.target}`, e.deltaMs);
  for (const vn of nodes.values()) {
    if (!vn.parent) continue;
    const key = `${vn.parent}>${vn.id}`;
    let delta = spawnDelta.get(key) ?? null;
    if (delta == null && vn.node) delta = deltaBetween(known.get(vn.parent)?.startTime ?? null, vn.node.startTime);
    edges.push({ id: `spawn:${key}`, source: vn.parent, target: vn.id, kind: 'spawn', deltaMs: delta, count: 1 });
  }
  const seenCross = new Set<string>();
  for (const d of docs) for (const e of d.edges) {
    if (e.kind === 'spawn' || !nodes.has(e.source) || !nodes.has(e.target)) continue;
    const id = `${e.kind}:${e.source}>${e.target}`;
    if (seenCross.has(id)) continue;
    seenCross.add(id);
    edges.push({ id, source: e.source, target: e.target, kind: e.kind, deltaMs: null, count: e.count });
  }
  const knownParent = new Map<string, string>();
  for (const [c, p] of parentOf) if (known.has(c) && known.has(p)) knownParent.set(c, p);
  const lateral = (input.lateral?.links ?? []).filter((l) => nodes.has(l.source) && nodes.has(l.target));
  return { nodes, roots, edges, origin: doc.origin, known, treeOrder, parentOf: knownParent, lateral };
}

/**
 * Roots grouped by host (stable: the origin's host first, then by name), so each host's forest is laid
 * out as one block and its compound box (to-elements.ts) never overlaps another host's.
 */
function byHost(roots: string[], known: Map<string, ProcessNode>, origin: string): string[] {
  const home = known.get(origin)?.host ?? '';
  const hostOf = (id: string) => known.get(id)?.host ?? home;
  if (roots.every((r) => hostOf(r) === home)) return roots;
  const rank = (id: string) => (hostOf(id) === home ? '' : `~${hostOf(id)}`);
  return roots.map((id, i) => ({ id, i, r: rank(id) })).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : a.i - b.i)).map((x) => x.id);
}

function deltaBetween(a: string | null, b: string | null): number | null {
  if (!a || !b) return null;
  const d = Date.parse(b) - Date.parse(a);
  return Number.isFinite(d) ? d : null;
}

/** Ids from `id` up to its root, `id` first. */
export function pathToRoot(g: VisibleGraph, id: string): string[] {
  const out: string[] = [];
  let cur: string | null = id;
  while (cur && g.nodes.has(cur) && out.length < 10_000) { out.push(cur); cur = g.nodes.get(cur)!.parent; }
  return out;
}

/**
 * Ids of loaded processes (drawn or hidden under a collapse) whose name, command line, pid, user, host or
 * GUID contains `text` (case-insensitive), in tree display order. `has:sigma` / `sigma:<level>` in the
 * text keep only processes with Sigma hits (../../sigma/find-filter.ts).
 */
export function findMatches(g: VisibleGraph, text: string): string[] {
  const q = parseFind(text);
  const t = q.text;
  if (!t && q.sigmaAtLeast === null) return [];
  const out: string[] = [];
  for (const id of g.treeOrder) {
    const n = g.known.get(id);
    if (!n || !sigmaPasses(q, n.sigma)) continue;
    const hay = `${n.name}\n${n.image}\n${n.commandLine}\n${n.user}\n${n.pid ?? ''}\n${n.guid}\n${n.host}`.toLowerCase();
    if (hay.includes(t)) out.push(id);
  }
  return out;
}

/** Collapsed ancestors of `id` (from `hidden`) that keep it from being drawn. */
export function collapsedAbove(g: VisibleGraph, id: string, hidden: readonly string[]): string[] {
  const out: string[] = [];
  let cur = g.parentOf.get(id);
  for (let i = 0; cur && i < 10_000; i++, cur = g.parentOf.get(cur)) if (hidden.includes(cur)) out.push(cur);
  return out;
}

/**
 * How many processes the drawn graph stands for (`processes`: each process node, each sibling group's
 * members, each "N more" node's remaining count, known but unlisted children and what a collapse hides),
 * how many of them are on screen (`shown`: a process box, or a member of a drawn sibling group) and how
 * many boxes that takes (`boxes`). The status line counts processes, never boxes (docs/ui.md "Counts").
 */
export function processTotal(g: VisibleGraph): { processes: number; shown: number; boxes: number } {
  let processes = 0, shown = 0, boxes = 0;
  for (const v of g.nodes.values()) {
    if (v.kind === 'process') { processes++; shown++; boxes++; }
    else if (v.kind === 'group') { const n = v.node?.group?.count ?? 0; processes += n; shown += n; boxes++; }
    else processes += v.moreCount ?? 0;
    // Hidden under a collapse (each hidden box counts one), or known children never listed.
    processes += v.collapsedCount + (v.children.length === 0 ? v.childCount ?? 0 : 0);
  }
  return { processes, shown, boxes };
}
