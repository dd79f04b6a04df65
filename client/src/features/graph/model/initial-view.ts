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

export function initialView(positions: Map<string, Point>, anchor: string | null, width: number, height: number, margin = 0.5): InitialView {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of positions.values()) {
    x1 = Math.min(x1, p.x - NODE_W / 2); x2 = Math.max(x2, p.x + NODE_W / 2);
    y1 = Math.min(y1, p.y - NODE_H / 2); y2 = Math.max(y2, p.y + NODE_H / 2);
  }
  if (!Number.isFinite(x1)) return { zoom: 1, pan: { x: 0, y: 0 }, inView: new Set(), fitsAll: true };
  const fit = Math.min((width - 2 * PAD) / Math.max(1, x2 - x1), (height - 2 * PAD) / Math.max(1, y2 - y1));
  const zoom = Math.min(MAX_ZOOM, Math.max(fit, READABLE_ZOOM));
  const fitsAll = fit >= READABLE_ZOOM;
  const a = anchor ? positions.get(anchor) : undefined;
  const centre = fitsAll || !a ? { x: (x1 + x2) / 2, y: (y1 + y2) / 2 } : a;
  const pan = { x: width / 2 - centre.x * zoom, y: height / 2 - centre.y * zoom };
  const halfW = (width / 2 / zoom) * (1 + 2 * margin) + NODE_W;
  const halfH = (height / 2 / zoom) * (1 + 2 * margin) + NODE_H;
  const inView = new Set<string>();
  for (const [id, p] of positions) {
    if (fitsAll || (Math.abs(p.x - centre.x) <= halfW && Math.abs(p.y - centre.y) <= halfH)) inView.add(id);
  }
  return { zoom, pan, inView, fitsAll };
}
