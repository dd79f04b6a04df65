/**
 * Runs every query the current view needs (first graph, "parent ▲" ancestor graphs, children pages of
 * expanded nodes) and merges the answers into the visible graph. Children pages are separate queries
 * chained by cursor: page k+1 is only asked once page k's `nextCursor` is in the cache, so opening a URL
 * with `exp={g}*3` fetches exactly three pages, in order. Expand across (`across=` in the URL,
 * docs/lateral.md): the lateral links of each listed process, their far-side processes, and the first
 * children page of each far target root (on its own host), unless the view collapsed it.
 */
import { useMemo, useState } from 'react';
import { useQueries, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GraphDocument, LateralAnswer, LateralLink, ProcessNode } from '@lineage/shared';
import { lineageQueries, type ChildrenPage, type Scope } from '../../../api/queries';
import type { ViewState } from '../../../state/url-state';
import { markOnce } from '../../../lib/perf';
import { lateralQueries } from '../../lateral';
import { buildVisibleGraph, type ChildPages, type VisibleGraph } from '../model/visible-graph';

interface PageSpec { id: string; guid: string; cursor: string | null; index: number; scope: Scope }

export interface Investigation {
  graph: VisibleGraph | null;
  doc: GraphDocument | undefined;
  /** First-load state of the origin graph. */
  status: 'idle' | 'pending' | 'error' | 'success';
  error: Error | null;
  /** Any expansion / ancestor query in flight. */
  busy: boolean;
  /** Errors of expansion queries, by node id. */
  expansionErrors: Map<string, string>;
  scope: Scope;
  /** Total source searches spent on what is drawn: stats.searches of every graph answer and every children page loaded. */
  searches: number;
}

/** Where a node's children paging starts, and how many children that listing holds when known. */
function startOf(id: string, known: Map<string, ProcessNode>, docs: GraphDocument[]): { guid: string; cursor: string | null; remaining: number | null; skip: boolean } {
  const n = known.get(id);
  if (n?.kind === 'group' && n.group) return { guid: n.group.parentGuid, cursor: n.group.cursor, remaining: n.group.count, skip: false };
  for (const d of docs) {
    const t = d.truncated[`children:${id}`];
    // The server's cursor lists from the first child, so the total is what it showed plus what remains.
    if (t) return { guid: id, cursor: t.cursor, remaining: t.remaining != null ? t.limit + t.remaining : null, skip: false };
  }
  // Children already complete in a graph document: nothing more to page.
  const hasDocChildren = docs.some((d) => d.edges.some((e) => e.kind === 'spawn' && e.source === id));
  return { guid: id, cursor: null, remaining: null, skip: hasDocChildren };
}

function pageSpecs(qc: QueryClient, expanded: Map<string, number>, base: Scope, docs: GraphDocument[], known: Map<string, ProcessNode>): Array<PageSpec & { remaining: number | null }> {
  const specs: Array<PageSpec & { remaining: number | null }> = [];
  for (const [id, pages] of expanded) {
    const start = startOf(id, known, docs);
    if (start.skip) continue;
    // A process of another host (expand across) lists its children on its own host.
    const host = known.get(start.guid)?.host;
    const scope = base.host && host && host !== base.host ? { ...base, host } : base;
    let cursor = start.cursor;
    for (let i = 0; i < pages; i++) {
      specs.push({ id, guid: start.guid, cursor, index: i, remaining: start.remaining, scope });
      const data = qc.getQueryData<ChildrenPage>(lineageQueries.childrenPage(start.guid, scope, cursor).queryKey);
      if (!data) break;
      for (const n of data.items) if (!known.has(n.guid)) known.set(n.guid, n);
      if (!data.nextCursor) break;
      cursor = data.nextCursor;
    }
  }
  return specs;
}

export function useInvestigation(view: ViewState): Investigation {
  const qc = useQueryClient();
  const scope: Scope = useMemo(() => ({ host: view.host, from: view.from, to: view.to }), [view.host, view.from, view.to]);
  const guid = view.guid;
  const main = useQuery({ ...lineageQueries.graph(guid ?? '', scope, view.down, view.expand), enabled: guid != null });
  const anc = useQueries({ queries: view.parents.map((p) => lineageQueries.ancestors(p, scope)) });
  const ancDocs = anc.map((a) => a.data).filter((d): d is GraphDocument => d != null);
  const docs = main.data ? [main.data, ...ancDocs] : [];
  const known = new Map<string, ProcessNode>();
  for (const d of docs) for (const n of d.nodes) known.set(n.guid, n);
  const specs = main.data ? pageSpecs(qc, view.expanded, scope, docs, known) : [];
  const across = main.data ? acrossSpecs(qc, view, known) : { nodes: [], farRoots: new Map<string, number>() };
  if (main.data) specs.push(...pageSpecs(qc, across.farRoots, scope, docs, known));
  const lat = useQueries({ queries: across.nodes.map((n) => lateralQueries.across(n)) });
  const pages = useQueries({ queries: specs.map((s) => lineageQueries.childrenPage(s.guid, s.scope, s.cursor)) });

  const ancKey = anc.map((a) => a.dataUpdatedAt).join(',');
  const hiddenKey = view.hidden.join(',');
  const parentsKey = view.parents.join(',');
  const pageStateKey = specs.map((s, i) => `${s.id}@${s.cursor}:${pages[i]!.status}${pages[i]!.isFetching ? 'f' : ''}${pages[i]!.dataUpdatedAt}`).join(',');
  // Recompute only when data or the relevant parts of the view change (not on selection or find): the
  // inputs are new arrays on every render, so they are held until their content key changes.
  const latKey = lat.map((q) => q.dataUpdatedAt).join(',');
  const inputs = useByKey(`${ancKey}|${hiddenKey}|${parentsKey}|${pageStateKey}|${latKey}`, { ancDocs, pages, specs, hidden: view.hidden, parents: view.parents, lat: lat.map((q) => q.data) });
  const graph = useMemo(() => {
    const { ancDocs, pages, specs } = inputs;
    if (!main.data) return null;
    markOnce('lineage:data');
    const byId = new Map<string, ChildPages>();
    specs.forEach((s, i) => {
      let cp = byId.get(s.id);
      if (!cp) byId.set(s.id, (cp = { id: s.id, pages: [], nextCursor: s.cursor, total: s.remaining, loading: false, error: null }));
      const q = pages[i]!;
      if (q.data) { cp.pages.push(q.data.items); cp.nextCursor = q.data.nextCursor; }
      if (q.isFetching) cp.loading = true;
      if (q.error) cp.error = q.error.message;
    });
    return buildVisibleGraph({
      doc: main.data, ancestorDocs: ancDocs, childPages: [...byId.values()],
      hidden: new Set(inputs.hidden), parentsRequested: new Set(inputs.parents), lateral: mergeLateral(inputs.lat),
    });
  }, [main.data, inputs]);

  const expansionErrors = new Map<string, string>();
  specs.forEach((s, i) => { const e = pages[i]?.error; if (e) expansionErrors.set(s.id, e.message); });
  across.nodes.forEach((n, i) => { const e = lat[i]?.error; if (e) expansionErrors.set(n.guid, `across hosts: ${e.message}`); });
  let searches = main.data?.stats.searches ?? 0;
  for (const d of ancDocs) searches += d.stats.searches;
  for (const q of pages) if (q.data) searches += q.data.stats?.searches ?? 1; // an answer without stats was still one search
  for (const q of lat) if (q.data) searches += q.data.stats.searches;
  return {
    graph, doc: main.data,
    status: guid == null ? 'idle' : main.isPending ? 'pending' : main.isError ? 'error' : 'success',
    error: main.error,
    busy: anc.some((a) => a.isFetching) || pages.some((p) => p.isFetching) || lat.some((q) => q.isFetching),
    expansionErrors, scope, searches,
  };
}

/**
 * The processes of `view.across` that are known (drawn, or the far side of an earlier answer), and the far
 * target roots of the answers already in the cache, each to be listed one children page deep unless the
 * view already pages or collapses it. Far-side processes are added to `known`.
 */
function acrossSpecs(qc: QueryClient, view: ViewState, known: Map<string, ProcessNode>): { nodes: ProcessNode[]; farRoots: Map<string, number> } {
  const nodes: ProcessNode[] = [];
  const farRoots = new Map<string, number>();
  for (const id of view.across) {
    const n = known.get(id);
    if (!n || n.kind !== 'process' || n.placeholder) continue;
    nodes.push(n);
    const data = qc.getQueryData<LateralAnswer>(lateralQueries.across(n).queryKey);
    for (const far of data?.nodes ?? []) if (!known.has(far.guid)) known.set(far.guid, far);
    for (const l of data?.links ?? []) {
      if (l.source === n.guid && !view.expanded.has(l.target) && !view.hidden.includes(l.target)) farRoots.set(l.target, 1);
    }
  }
  return { nodes, farRoots };
}

/** The links and far-side processes of every answer, each once. */
function mergeLateral(answers: Array<LateralAnswer | undefined>): { links: LateralLink[]; nodes: ProcessNode[] } {
  const links = new Map<string, LateralLink>();
  const nodes = new Map<string, ProcessNode>();
  for (const a of answers) {
    for (const l of a?.links ?? []) links.set(`${l.source}>${l.target}`, l);
    for (const n of a?.nodes ?? []) nodes.set(n.guid, n);
  }
  return { links: [...links.values()], nodes: [...nodes.values()] };
}

/** `value` as first seen for `key`, the same object until `key` changes (adjusted while rendering, no effect). */
function useByKey<T>(key: string, value: T): T {
  const [held, setHeld] = useState({ key, value });
  if (held.key !== key) {
    setHeld({ key, value });
    return value;
  }
  return held.value;
}
