/**
 * Layered tidy-tree layout in linear time (root at the top, one layer per generation).
 *
 * Why not dagre: cytoscape-dagre was measured at ~1 s of layout for 2,000 nodes on this hardware; our
 * graphs are trees (spawn edges) plus a few cross edges, so a tree layout computed here in O(n) and handed
 * to Cytoscape as preset positions does the same job in a few milliseconds. Cross edges are drawn as
 * curves over the tree and take no part in placement.
 *
 * Each subtree gets its own horizontal band, so subtrees never overlap; a parent sits centred over its
 * first and last child. Wide fan-outs of leaves (a process with dozens of children that have none drawn) wrap into
 * rows of {@link WRAP} so the tree does not become one very long line.
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
export const GAP_X = 28;
export const LAYER_H = 156;
/** Leaves beyond this many under one parent wrap to another row. */
export const WRAP = 6;
const ROW_H = NODE_H + 34;

export function tidyLayout(tree: LayoutTree): Map<string, Point> {
  const width = new Map<string, number>();
  const wrapped = new Set<string>();
  // Post-order without recursion: deep chains (hundreds of generations) must not blow the stack.
  const post: string[] = [];
  const stack: string[] = [...tree.roots];
  while (stack.length) {
    const id = stack.pop()!;
    post.push(id);
    for (const c of tree.children(id)) stack.push(c);
  }
  for (let i = post.length - 1; i >= 0; i--) {
    const id = post[i]!;
    const kids = tree.children(id);
    if (kids.length === 0) { width.set(id, NODE_W); continue; }
    const allLeaves = kids.every((k) => tree.children(k).length === 0);
    if (allLeaves && kids.length > WRAP) {
      wrapped.add(id);
      width.set(id, Math.max(NODE_W, WRAP * NODE_W + (WRAP - 1) * GAP_X));
      continue;
    }
    let w = 0;
    for (const k of kids) w += width.get(k)!;
    w += GAP_X * (kids.length - 1);
    width.set(id, Math.max(NODE_W, w));
  }

  const pos = new Map<string, Point>();
  // Pre-order placement: each node receives the left edge of its band.
  const place: Array<{ id: string; left: number; y: number }> = [];
  let left = 0;
  for (const r of tree.roots) {
    place.push({ id: r, left, y: 0 });
    left += width.get(r)! + GAP_X * 3;
  }
  while (place.length) {
    const { id, left: l, y } = place.pop()!;
    const w = width.get(id)!;
    pos.set(id, { x: l + w / 2, y });
    const kids = tree.children(id);
    if (kids.length === 0) continue;
    if (wrapped.has(id)) {
      const rowW = WRAP * NODE_W + (WRAP - 1) * GAP_X;
      kids.forEach((k, i) => {
        const row = Math.floor(i / WRAP), col = i % WRAP;
        const inRow = Math.min(WRAP, kids.length - row * WRAP);
        const rowLeft = l + (w - rowW) / 2 + ((WRAP - inRow) * (NODE_W + GAP_X)) / 2;
        pos.set(k, { x: rowLeft + col * (NODE_W + GAP_X) + NODE_W / 2, y: y + LAYER_H + row * ROW_H });
      });
      continue;
    }
    let sum = 0;
    for (const k of kids) sum += width.get(k)!;
    sum += GAP_X * (kids.length - 1);
    let cl = l + (w - sum) / 2;
    for (const k of kids) {
      place.push({ id: k, left: cl, y: y + LAYER_H });
      cl += width.get(k)! + GAP_X;
    }
  }
  // Centre each parent over its first and last child (deepest first, so centring propagates upwards).
  // The midpoint lies inside the parent's own band, so this never creates an overlap.
  for (let i = post.length - 1; i >= 0; i--) {
    const id = post[i]!;
    const kids = tree.children(id);
    if (kids.length === 0 || wrapped.has(id)) continue;
    const p = pos.get(id)!;
    p.x = (pos.get(kids[0]!)!.x + pos.get(kids[kids.length - 1]!)!.x) / 2;
  }
  return pos;
}
