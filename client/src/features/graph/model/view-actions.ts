/**
 * What analyst gestures do to the view, as pure functions ViewState → ViewState (unit-tested). The
 * graph decides nothing by itself: expanding, paging "N more", collapsing and "parent ▲" are all
 * recorded in the URL state, and the queries follow from it.
 */
import type { VisibleGraph } from './visible-graph';
import type { ViewState } from '../../../state/url-state';

function withExpanded(view: ViewState, id: string, pages: number): ViewState {
  const expanded = new Map(view.expanded);
  expanded.set(id, pages);
  return { ...view, expanded, hidden: view.hidden.filter((h) => h !== id) };
}

/** Loads one more page of children for the node an "N more" node belongs to. */
export function loadMore(view: ViewState, forId: string): ViewState {
  return withExpanded(view, forId, (view.expanded.get(forId) ?? 0) + 1);
}

/** Expands a node: shows hidden children again, or asks for its children. */
export function expand(view: ViewState, g: VisibleGraph, id: string): ViewState {
  const v = g.nodes.get(id);
  if (!v) return view;
  if (v.kind === 'more' && v.moreFor) return loadMore(view, v.moreFor);
  if (view.hidden.includes(id)) return { ...view, hidden: view.hidden.filter((h) => h !== id) };
  if (v.expandable && !view.expanded.has(id)) return withExpanded(view, id, 1);
  return view;
}

/** Collapses a node: its subtree is hidden (pages already loaded stay cached and in the URL). */
export function collapse(view: ViewState, id: string): ViewState {
  return view.hidden.includes(id) ? view : { ...view, hidden: [...view.hidden, id] };
}

/** Enter / double-click: expand when something can be revealed, otherwise collapse. */
export function toggle(view: ViewState, g: VisibleGraph, id: string): ViewState {
  const v = g.nodes.get(id);
  if (!v) return view;
  if (v.kind === 'more' || v.collapsedCount > 0 || (v.expandable && !view.expanded.has(id))) return expand(view, g, id);
  if (v.children.length > 0) return collapse(view, id);
  return view;
}

/** "parent ▲" on the topmost node: fetch its ancestors. */
export function expandParent(view: ViewState, id: string): ViewState {
  return view.parents.includes(id) ? view : { ...view, parents: [...view.parents, id] };
}

/** Selects a node (or clears with null); the panel returns to details when the node changes. */
export function select(view: ViewState, id: string | null): ViewState {
  if (view.selected === id) return view;
  return { ...view, selected: id, panel: 'details', category: null, event: null };
}

/** At most this many nodes are expanded by one "expand level" (each costs a source search). */
export const EXPAND_LEVEL_MAX = 40;

/**
 * Expands the expandable nodes drawn now, shallowest first: one more generation everywhere (toolbar
 * "expand level"), capped at EXPAND_LEVEL_MAX so a wide graph does not fire hundreds of searches.
 */
export function expandLevel(view: ViewState, g: VisibleGraph): ViewState {
  const candidates = [...g.nodes.values()]
    .filter((v) => v.kind !== 'more' && v.expandable && v.collapsedCount === 0 && !view.expanded.has(v.id))
    .sort((a, b) => a.level - b.level)
    .slice(0, EXPAND_LEVEL_MAX);
  let next = view;
  for (const v of candidates) next = expand(next, g, v.id);
  return next;
}

/**
 * Enter / double-click on a node (graph or list): expand or collapse it. A group is replaced by its
 * members, so the selection moves to the group's parent; a "more" node keeps the selection.
 */
export function activate(view: ViewState, g: VisibleGraph, id: string): ViewState {
  const v = g.nodes.get(id);
  const sel = v?.kind === 'more' ? view.selected : v?.kind === 'group' ? v.parent : id;
  return toggle(select(view, sel), g, id);
}
