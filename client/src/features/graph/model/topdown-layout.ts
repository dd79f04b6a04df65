/**
 * Top-down tidy tree with compact leaf stacking, and the rule that picks it or the left-to-right form
 * (tidy-layout.ts) by the tree's shape. See docs/ui.md.
 *
 * Top-down: generations are rows; each subtree owns a vertical band (x-interval), so subtrees never overlap.
 * A parent sits at the left of its band. Its childless children hang below it in one column, just right of
 * a trunk dropping from the parent's centre (each reached by an L-shaped edge: down the trunk, then right);
 * its children that have children of their own stand side by side in the next row, right of that column,
 * reached by orthogonal edges that leave the trunk above the first stacked leaf. A chain becomes a column
 * instead of a line thousands of pixels wide; a wide list of leaves is one column, as in the left-to-right form.
 */
import type { LayoutChoice, LayoutMode } from '../../../state/url-state';
import { GAP_Y, NODE_H, NODE_W, tidyLayout, type LayoutTree, type Point } from './tidy-layout';

/** Horizontal offset of a stacked leaf's left edge from its parent's centre (the trunk). */
export const STACK_DX = 40;
/** Vertical gap between a parent's box and the row below it (inner edges turn halfway). */
export const ROW_GAP = 44;
/** Horizontal gap between sibling bands. */
const GAP_X = 40;


export type { LayoutChoice, LayoutMode };

export interface Layout {
  mode: LayoutMode;
  positions: Map<string, Point>;
  /** Top-down only: ids of nodes drawn in a parent's leaf stack (their spawn edge is L-shaped). */
  stacked: Set<string>;
}

/** Post-order of the forest without recursion (deep chains must not overflow the stack). */
function postOrder(tree: LayoutTree): string[] {
  const pre: string[] = [];
  const stack = [...tree.roots];
  while (stack.length) {
    const id = stack.pop()!;
    pre.push(id);
    for (const c of tree.children(id)) stack.push(c);
  }
  return pre.reverse();
}

export function topDownLayout(tree: LayoutTree): Layout {
  const width = new Map<string, number>();
  const isLeaf = (id: string) => tree.children(id).length === 0;
  for (const id of postOrder(tree)) {
    const kids = tree.children(id);
    const hasLeaves = kids.some(isLeaf);
    const own = hasLeaves ? NODE_W / 2 + STACK_DX + NODE_W : NODE_W;
    let inner = 0, n = 0;
    for (const k of kids) if (!isLeaf(k)) { inner += width.get(k)!; n++; }
    const innerW = n ? inner + GAP_X * (n - 1) : 0;
    width.set(id, n ? Math.max(own, (hasLeaves ? own + GAP_X : 0) + innerW) : own);
  }
  const positions = new Map<string, Point>();
  const stacked = new Set<string>();
  const place: Array<{ id: string; left: number; y: number }> = [];
  let left = 0;
  for (const r of tree.roots) { place.push({ id: r, left, y: 0 }); left += width.get(r)! + GAP_X * 2; }
  while (place.length) {
    const { id, left: l, y } = place.pop()!;
    const p = { x: l + NODE_W / 2, y };
    positions.set(id, p);
    const kids = tree.children(id);
    const hasLeaves = kids.some(isLeaf);
    const rowY = y + NODE_H + ROW_GAP;
    let li = 0;
    let x = l + (hasLeaves ? NODE_W / 2 + STACK_DX + NODE_W + GAP_X : 0);
    for (const k of kids) {
      if (isLeaf(k)) {
        positions.set(k, { x: p.x + STACK_DX + NODE_W / 2, y: rowY + li * (NODE_H + GAP_Y) });
        stacked.add(k);
        li++;
      } else {
        place.push({ id: k, left: x, y: rowY });
        x += width.get(k)! + GAP_X;
      }
    }
  }
  return { mode: 'td', positions, stacked };
}

/** Room the analyst's graph area usually has (model px at zoom 1); only its proportions matter. */
const REF_W = 1200, REF_H = 800;

function extent(pos: Map<string, Point>): { w: number; h: number } {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of pos.values()) { x1 = Math.min(x1, p.x); x2 = Math.max(x2, p.x); y1 = Math.min(y1, p.y); y2 = Math.max(y2, p.y); }
  return Number.isFinite(x1) ? { w: x2 - x1 + NODE_W, h: y2 - y1 + NODE_H } : { w: NODE_W, h: NODE_H };
}

/** The zoom at which the whole layout fits a REF_W × REF_H area: bigger = the layout's shape suits the screen. */
export const fitScore = (pos: Map<string, Point>) => { const e = extent(pos); return Math.min(REF_W / e.w, REF_H / e.h); };

/**
 * The layout for `choice`; `auto` picks by shape: top-down when the whole tree fits the reference area at a
 * larger zoom that way (deep and narrow: chains, few wide levels), else left to right (wide and shallow,
 * long sibling lists). Deterministic: the same tree gives the same picture in every browser.
 */
export function chooseLayout(tree: LayoutTree, choice: LayoutChoice = 'auto'): Layout {
  if (choice === 'td') return topDownLayout(tree);
  const lr: Layout = { mode: 'lr', positions: tidyLayout(tree), stacked: new Set() };
  if (choice === 'lr') return lr;
  const td = topDownLayout(tree);
  return fitScore(td.positions) > fitScore(lr.positions) * 1.05 ? td : lr;
}

