/**
 * Left-to-right tidy-tree layout in linear time: one column per generation (roots on the left), each
 * subtree in its own horizontal band, so subtrees never overlap. See docs/ui.md.
 *
 * Why not dagre: docs/ui.md records cytoscape-dagre at ~1 s of layout for 2,000 nodes on this hardware;
 * our graphs are trees (spawn edges) plus a few cross edges, so a tree layout computed here in O(n) and
 * handed to Cytoscape as preset positions does the same job in a few milliseconds. Cross edges are drawn
 * over the tree and take no part in placement.
 *
 * Why left to right: real hosts have parents with hundreds of children. Stacked in a column they read
 * like a process explorer list and the parent reaches them through one orthogonal bus (taxi edges in
 * graph-styles.ts), where a top-down layout made either a line kilometres wide or a grid cut by edges.
 * A parent sits level with its first child.
 * The result depends only on the tree, so the same URL lays out identically in every browser.
 */
export interface LayoutTree {
  roots: readonly string[];
  children(id: string): readonly string[];
}

export interface Point { x: number; y: number }

/** Node box and spacing, in model units (Cytoscape pixels at zoom 1). */
export const NODE_W = 200;
export const NODE_H = 96;
/** An "N more" box (graph-styles.ts `node.more`). */
export const MORE_W = 120, MORE_H = 34;
/** Vertical gap between neighbouring boxes in a column. */
export const GAP_Y = 18;
/** Horizontal distance between generation columns (box + room for the bus and the +Δt label). */
export const COL_W = NODE_W + 96;
/** Extra gap between the bands of separate roots. */
const ROOT_GAP = GAP_Y * 3;

export function tidyLayout(tree: LayoutTree): Map<string, Point> {
  const height = new Map<string, number>();
  // Post-order without recursion: deep chains (hundreds of generations) must not blow the stack.
  const pre: Array<[string, number]> = [];
  const stack: Array<[string, number]> = tree.roots.map((r) => [r, 0]);
  while (stack.length) {
    const item = stack.pop()!;
    pre.push(item);
    for (const c of tree.children(item[0])) stack.push([c, item[1] + 1]);
  }
  for (let i = pre.length - 1; i >= 0; i--) {
    const id = pre[i]![0];
    const kids = tree.children(id);
    let h = 0;
    for (const k of kids) h += height.get(k)!;
    h += GAP_Y * Math.max(0, kids.length - 1);
    height.set(id, Math.max(NODE_H, h));
  }

  const pos = new Map<string, Point>();
  // Pre-order placement: each node receives the top edge of its band.
  const place: Array<{ id: string; top: number; level: number }> = [];
  let top = 0;
  for (const r of tree.roots) {
    place.push({ id: r, top, level: 0 });
    top += height.get(r)! + ROOT_GAP;
  }
  while (place.length) {
    const { id, top: t, level } = place.pop()!;
    const kids = tree.children(id);
    const h = height.get(id)!;
    if (kids.length === 0) { pos.set(id, { x: level * COL_W, y: t + h / 2 }); continue; }
    let sum = GAP_Y * (kids.length - 1);
    for (const k of kids) sum += height.get(k)!;
    let ct = t + (h - sum) / 2;
    const firstTop = ct;
    for (const k of kids) {
      place.push({ id: k, top: ct, level: level + 1 });
      ct += height.get(k)! + GAP_Y;
    }
    // Provisional; level with the first child once that is placed (below).
    pos.set(id, { x: level * COL_W, y: firstTop });
  }
  // Level with the first child (deepest first, so it propagates upwards): the parent, its first child and
  // theirs read along one row, and the rest hang below from the bus, like a process explorer's list. (Centred
  // on a 500-child column, the parent sat 28,000 px below its first child and a host's root opened beside
  // nothing but the bus.) The first child's row lies inside the parent's own band: no overlap.
  for (let i = pre.length - 1; i >= 0; i--) {
    const id = pre[i]![0];
    const kids = tree.children(id);
    if (kids.length === 0) continue;
    pos.get(id)!.y = pos.get(kids[0]!)!.y;
  }
  return pos;
}
