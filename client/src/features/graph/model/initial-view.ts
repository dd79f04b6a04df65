/**
 * Where the camera starts on the first draw, computed from layout positions alone (pure): fit the
 * whole graph when that keeps labels readable, otherwise start at a readable zoom centred on the
 * anchor (the selected or origin process). Also says which nodes fall inside that first view (plus a
 * margin): the adapter draws those first and streams the rest in, so a 2,000-node graph becomes
 * interactive without waiting for Cytoscape to style every off-screen element.
 */
import { NODE_H, NODE_W, type Point } from './tidy-layout';

export interface InitialView {
  zoom: number;
  pan: Point;
  /** Node ids inside the first view or its margin. */
  inView: Set<string>;
  /** True when everything fits (no progressive drawing needed). */
  fitsAll: boolean;
}

/** Below this zoom node labels are too small to read. */
export const READABLE_ZOOM = 0.8;
const MAX_ZOOM = 1.1;
const PAD = 40;

/**
 * The Fit button never zooms out below this: LOD names (26 px, graph-styles.ts) still render at ~10 px.
 * When the whole graph would need less, Fit frames the anchor's neighbourhood instead (the minimap shows the rest).
 */
export const FIT_MIN_ZOOM = 0.4;
/** Fit never magnifies a small graph beyond this. */
export const FIT_MAX_ZOOM = 1.25;

export interface FitView { zoom: number; pan: Point; fitsAll: boolean }

interface Bounds { x1: number; y1: number; x2: number; y2: number }

/** Model-space bounds of the node boxes (null when there are none). */
export function layoutBounds(positions: Iterable<Point>): Bounds | null {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of positions) {
    x1 = Math.min(x1, p.x - NODE_W / 2); x2 = Math.max(x2, p.x + NODE_W / 2);
    y1 = Math.min(y1, p.y - NODE_H / 2); y2 = Math.max(y2, p.y + NODE_H / 2);
  }
  return Number.isFinite(x1) ? { x1, y1, x2, y2 } : null;
}

/** Pan along one axis: centred on `c`, but never showing empty space past the graph's edges when it is bigger than the view. */
function clampedPan(c: number, lo: number, hi: number, size: number, z: number): number {
  const pan = size / 2 - c * z;
  if ((hi - lo) * z + 2 * PAD <= size) return size / 2 - ((lo + hi) / 2) * z;
  return Math.min(PAD - lo * z, Math.max(size - PAD - hi * z, pan));
}

/**
 * The Fit button: the whole graph when that keeps labels readable (zoom ≥ FIT_MIN_ZOOM); otherwise
 * FIT_MIN_ZOOM around `anchor` (selection or origin), panned so no empty space shows past the graph's edges.
 */
export function fitView(b: Bounds, anchor: Point | null, width: number, height: number): FitView {
  const fit = Math.min((width - 2 * PAD) / Math.max(1, b.x2 - b.x1), (height - 2 * PAD) / Math.max(1, b.y2 - b.y1));
  if (fit >= FIT_MIN_ZOOM) {
    const zoom = Math.min(FIT_MAX_ZOOM, fit);
    return { zoom, fitsAll: true, pan: { x: width / 2 - ((b.x1 + b.x2) / 2) * zoom, y: height / 2 - ((b.y1 + b.y2) / 2) * zoom } };
  }
  const z = FIT_MIN_ZOOM;
  const a = anchor ?? { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 };
  return { zoom: z, fitsAll: false, pan: { x: clampedPan(a.x, b.x1, b.x2, width, z), y: clampedPan(a.y, b.y1, b.y2, height, z) } };
}

export function initialView(positions: Map<string, Point>, anchor: string | null, width: number, height: number, margin = 0.5): InitialView {
  const b = layoutBounds(positions.values());
  if (!b) return { zoom: 1, pan: { x: 0, y: 0 }, inView: new Set(), fitsAll: true };
  const { x1, y1, x2, y2 } = b;
  const fit = Math.min((width - 2 * PAD) / Math.max(1, x2 - x1), (height - 2 * PAD) / Math.max(1, y2 - y1));
  const zoom = Math.min(MAX_ZOOM, Math.max(fit, READABLE_ZOOM));
  const fitsAll = fit >= READABLE_ZOOM;
  const a = anchor ? positions.get(anchor) : undefined;
  const want = fitsAll || !a ? { x: (x1 + x2) / 2, y: (y1 + y2) / 2 } : a;
  // Around the anchor, but no empty space past the graph's edges (a root on the left edge starts at the
  // view's left, showing its descendants rather than a blank half screen).
  const pan = fitsAll
    ? { x: width / 2 - want.x * zoom, y: height / 2 - want.y * zoom }
    : { x: clampedPan(want.x, x1, x2, width, zoom), y: clampedPan(want.y, y1, y2, height, zoom) };
  const centre = { x: (width / 2 - pan.x) / zoom, y: (height / 2 - pan.y) / zoom };
  const halfW = (width / 2 / zoom) * (1 + 2 * margin) + NODE_W;
  const halfH = (height / 2 / zoom) * (1 + 2 * margin) + NODE_H;
  const inView = new Set<string>();
  for (const [id, p] of positions) {
    if (fitsAll || (Math.abs(p.x - centre.x) <= halfW && Math.abs(p.y - centre.y) <= halfH)) inView.add(id);
  }
  return { zoom, pan, inView, fitsAll };
}
