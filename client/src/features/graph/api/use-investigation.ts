/**
 * Runs every query the current view needs (first graph, "parent ▲" ancestor graphs, children pages of
 * expanded nodes) and merges the answers into the visible graph. Children pages are separate queries
 * chained by cursor: page k+1 is only asked once page k's `nextCursor` is in the cache, so opening a URL
 * with `exp={g}*3` fetches exactly three pages, in order.
 */
import { useMemo, useState } from 'react';
import { useQueries, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GraphDocument, ProcessNode } from '@lineage/shared';
import { lineageQueries, type ChildrenPage, type Scope } from '../../../api/queries';
import type { ViewState } from '../../../state/url-state';
import { markOnce } from '../../../lib/perf';
import { buildVisibleGraph, type ChildPages, type VisibleGraph } from '../model/visible-graph';

interface PageSpec { id: string; guid: string; cursor: string | null; index: number }

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

function pageSpecs(qc: QueryClient, view: ViewState, scope: Scope, docs: GraphDocument[]): Array<PageSpec & { remaining: number | null }> {
  const known = new Map<string, ProcessNode>();
  for (const d of docs) for (const n of d.nodes) known.set(n.guid, n);
  const specs: Array<PageSpec & { remaining: number | null }> = [];
  for (const [id, pages] of view.expanded) {
    const start = startOf(id, known, docs);
    if (start.skip) continue;
    let cursor = start.cursor;
    for (let i = 0; i < pages; i++) {
      specs.push({ id, guid: start.guid, cursor, index: i, remaining: start.remaining });
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
  const specs = main.data ? pageSpecs(qc, view, scope, docs) : [];
  const pages = useQueries({ queries: specs.map((s) => lineageQueries.childrenPage(s.guid, scope, s.cursor)) });

  const ancKey = anc.map((a) => a.dataUpdatedAt).join(',');
  const hiddenKey = view.hidden.join(',');
  const parentsKey = view.parents.join(',');
  const pageStateKey = specs.map((s, i) => `${s.id}@${s.cursor}:${pages[i]!.status}${pages[i]!.isFetching ? 'f' : ''}${pages[i]!.dataUpdatedAt}`).join(',');
  // Recompute only when data or the relevant parts of the view change (not on selection or find): the
  // inputs are new arrays on every render, so they are held until their content key changes.
  const inputs = useByKey(`${ancKey}|${hiddenKey}|${parentsKey}|${pageStateKey}`, { ancDocs, pages, specs, hidden: view.hidden, parents: view.parents });
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
      hidden: new Set(inputs.hidden), parentsRequested: new Set(inputs.parents),
    });
  }, [main.data, inputs]);

  const expansionErrors = new Map<string, string>();
  specs.forEach((s, i) => { const e = pages[i]?.error; if (e) expansionErrors.set(s.id, e.message); });
  let searches = main.data?.stats.searches ?? 0;
  for (const d of ancDocs) searches += d.stats.searches;
  for (const q of pages) if (q.data) searches += q.data.stats?.searches ?? 1; // an answer without stats was still one search
  return {
    graph, doc: main.data,
    status: guid == null ? 'idle' : main.isPending ? 'pending' : main.isError ? 'error' : 'success',
    error: main.error,
    busy: anc.some((a) => a.isFetching) || pages.some((p) => p.isFetching),
    expansionErrors, scope, searches,
  };
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
