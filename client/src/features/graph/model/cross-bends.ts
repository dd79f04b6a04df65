/**
 * How far each cross edge (remote thread, process access) bends, so that parallel edges between one pair
 * fan out and every label stays beside its curve, clear of every node box (docs/ui.md "Cross edges").
 *
 * Cytoscape's unbundled bezier puts the one control point `bend` px from the middle of the chord, along the
 * chord's left normal (−dy, dx) of source → target; the curve, and the label riding on it, passes through
 * the chord's middle + normal × bend / 2. That is where the label is checked.
 */
import { MORE_H, MORE_W, NODE_H, NODE_W, type Point } from './tidy-layout';

/** Distance between parallel cross edges (px); the stylesheet has one class per step (graph-styles.ts). */
export const BEND = 80;
/** Parallel cross edges beyond this many per pair share the outermost curve. */
export const MAX_BENDS = 8;
/** Half the room a cross-edge label takes ("process-access ×12" at 9 px), with a small margin. */
const LABEL_HALF = { w: 50, h: 9 };

/** The stylesheet class carrying a bend: `bend-p2` = 2 × BEND to the left, `bend-n1` = 1 × BEND to the right. */
export function bendClass(bend: number): string {
  return `bend-${bend < 0 ? 'n' : 'p'}${Math.min(MAX_BENDS, Math.max(1, Math.round(Math.abs(bend) / BEND)))}`;
}

export interface NodeBox extends Point { w: number; h: number }
interface Cross { id: string; source: string; target: string; kind: string }

/**
 * Bend distance (px) of each cross edge. Edges between the same pair (either direction) go to one side,
 * each further out by enough that their labels do not cover each other; the side and the first distance
 * are the first (smallest) whose labels all clear every node box in `boxes`. Without positions, or when
 * nothing clears, the pair's edges take BEND, 2 × BEND, … to the left.
 */
export function crossBends(edges: ReadonlyArray<Cross>, boxes?: ReadonlyMap<string, NodeBox>): Map<string, number> {
  const pairs = new Map<string, Cross[]>();
  for (const e of edges) {
    if (e.kind === 'spawn') continue;
    const key = e.source < e.target ? `${e.source}|${e.target}` : `${e.target}|${e.source}`;
    const list = pairs.get(key);
    if (list) list.push(e); else pairs.set(key, [e]);
  }
  const all = boxes ? [...boxes.values()] : [];
  const clear = (p: Point) => all.every((b) => Math.abs(p.x - b.x) >= b.w / 2 + LABEL_HALF.w || Math.abs(p.y - b.y) >= b.h / 2 + LABEL_HALF.h);
  const out = new Map<string, number>();
  for (const [key, list] of pairs) {
    const [a, b] = key.split('|') as [string, string];
    const pa = boxes?.get(a), pb = boxes?.get(b);
    let side = 1;
    let steps = list.map((_, i) => i + 1);
    if (pa && pb) {
      // The pair's own left normal (a → b); an edge running b → a measures on the opposite normal.
      const dx = pb.x - pa.x, dy = pb.y - pa.y, l = Math.hypot(dx, dy) || 1;
      const n = { x: -dy / l, y: dx / l }, mid = { x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2 };
      // Consecutive labels sit step × BEND / 2 apart along the normal: enough for the label's extent that way.
      const step = Math.max(1, Math.ceil((2 * (Math.abs(n.x) * 2 * LABEL_HALF.w + Math.abs(n.y) * 2 * LABEL_HALF.h)) / BEND));
      search: for (let first = 1; first + (list.length - 1) * step <= MAX_BENDS; first++) {
        for (const s of [1, -1]) {
          const mags = list.map((_, i) => first + i * step);
          if (mags.every((m) => clear({ x: mid.x + n.x * s * m * BEND / 2, y: mid.y + n.y * s * m * BEND / 2 }))) {
            side = s; steps = mags;
            break search;
          }
        }
      }
    }
    list.forEach((e, i) => out.set(e.id, (e.source === a ? 1 : -1) * side * Math.min(MAX_BENDS, steps[i]!) * BEND));
  }
  return out;
}

/** The node boxes of element definitions (positioned nodes; "more" boxes are smaller). */
export function nodeBoxes(defs: ReadonlyArray<{ group: string; classes: string; data: { id: string }; position?: Point }>): Map<string, NodeBox> {
  const out = new Map<string, NodeBox>();
  for (const d of defs) {
    if (d.group !== 'nodes' || !d.position || d.classes === 'host') continue;
    const isMore = d.classes.startsWith('more');
    out.set(d.data.id, { ...d.position, w: isMore ? MORE_W : NODE_W, h: isMore ? MORE_H : NODE_H });
  }
  return out;
}
