/**
 * Rows of the process tree list: the drawn graph flattened depth first (the same nodes the canvas
 * draws, so collapse and paging are shared), one row per process, sibling group or "N more".
 * Pure, so it is unit-tested.
 */
import type { VisibleGraph, VisibleNode } from '../graph';

export interface TreeRow {
  id: string;
  depth: number;
  node: VisibleNode;
  /** '▾' children drawn, '▸' can be expanded (collapsed or not listed yet), '' a leaf. */
  toggle: '▾' | '▸' | '';
}

export function treeRows(g: VisibleGraph): TreeRow[] {
  const rows: TreeRow[] = [];
  const stack: Array<[string, number]> = [...g.roots].reverse().map((r) => [r, 0]);
  while (stack.length) {
    const [id, depth] = stack.pop()!;
    const node = g.nodes.get(id);
    if (!node) continue;
    const toggle = node.children.length > 0 ? '▾' : node.kind !== 'more' && (node.collapsedCount > 0 || node.expandable) ? '▸' : '';
    rows.push({ id, depth, node, toggle });
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i]!, depth + 1]);
  }
  return rows;
}

/** The window of rows to render for a scroll position: [first, last) with `overscan` rows either side. */
export function rowWindow(count: number, rowH: number, scrollTop: number, viewH: number, overscan = 8): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowH) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewH) / rowH) + overscan);
  return [first, Math.max(first, last)];
}

/** The scrollTop that brings row `i` into view (unchanged when it already is). */
export function scrollToRow(i: number, rowH: number, scrollTop: number, viewH: number): number {
  const top = i * rowH;
  if (top < scrollTop) return top;
  if (top + rowH > scrollTop + viewH) return Math.max(0, top + rowH - viewH + rowH * 2);
  return scrollTop;
}
