import { describe, expect, it } from 'vitest';
import { fitView, initialView, READABLE_ZOOM } from './initial-view';
import { COL_W, NODE_H, NODE_W, tidyLayout } from './tidy-layout';

describe('initialView', () => {
  it('when a small graph fits at a readable zoom, then all of it is in view and centred', () => {
    const pos = tidyLayout({ roots: ['r'], children: (id) => (id === 'r' ? ['a', 'b'] : []) });
    const v = initialView(pos, 'a', 1200, 700);
    expect(v.fitsAll).toBe(true);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect([...v.inView].sort()).toEqual(['a', 'b', 'r']);
    // The graph's centre maps to the screen's centre.
    const cx = (pos.get('r')!.x + pos.get('a')!.x) / 2;
    const cy = (pos.get('a')!.y + pos.get('b')!.y) / 2;
    expect(cx * v.zoom + v.pan.x).toBeCloseTo(600);
    expect(cy * v.zoom + v.pan.y).toBeCloseTo(350);
  });

  it('when a big graph would need an unreadable zoom, then it starts readable around the anchor with only nearby nodes in view', () => {
    const kids = Array.from({ length: 400 }, (_, i) => `k${i}`);
    const chain: Record<string, string[]> = { r: ['c0'], ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, [`c${i + 1}`]])) };
    chain['c40'] = kids;
    const pos = tidyLayout({ roots: ['r'], children: (id) => chain[id] ?? [] });
    const v = initialView(pos, 'c20', 1200, 700);
    expect(v.fitsAll).toBe(false);
    expect(v.zoom).toBe(READABLE_ZOOM);
    const a = pos.get('c20')!;
    expect(a.x * v.zoom + v.pan.x).toBeCloseTo(600);
    // The chain is the graph's top row (each parent level with its first child): centring it would show
    // empty space above the graph, so the view starts at the graph's top edge with the anchor on screen.
    const top = (a.y - NODE_H / 2) * v.zoom + v.pan.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThanOrEqual(60);
    expect(v.inView.has('c20')).toBe(true);
    expect(v.inView.has('c19')).toBe(true);
    expect(v.inView.has('r')).toBe(false); // 20 columns (20 × COL_W) to the left: far outside the first view
    expect(20 * COL_W * v.zoom).toBeGreaterThan(1200);
    expect(v.inView.size).toBeLessThan(pos.size / 4);
  });
});

describe('initialView on the root of a big tree', () => {
  it('when the anchor is the root of a tall left-to-right tree, then the view starts at the root\'s left edge, not with a blank left half', () => {
    const kids = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const pos = tidyLayout({ roots: ['r'], children: (id) => (id === 'r' ? ['p'] : id === 'p' ? kids : []) });
    const v = initialView(pos, 'r', 600, 700);
    expect(v.fitsAll).toBe(false);
    const left = (pos.get('r')!.x - 100) * v.zoom + v.pan.x;
    expect(left).toBeGreaterThanOrEqual(0);
    expect(left).toBeLessThanOrEqual(60);
    // The root is level with its first descendants at the top of the graph: the view starts at that edge.
    const top = (pos.get('r')!.y - NODE_H / 2) * v.zoom + v.pan.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThanOrEqual(60);
    expect(v.inView.has('k0')).toBe(true);
    expect(v.inView.has('r')).toBe(true);
    expect(v.inView.has('p')).toBe(true);
  });
});

describe('fitView (the Fit button)', () => {
  // Spec: names at level of detail are 26 px (graph-styles.ts); readable means ≥ 10 px on screen.
  const readable = (zoom: number) => 26 * zoom >= 10;
  const chain = (n: number) => tidyLayout({ roots: ['c0'], children: (id) => { const i = Number(id.slice(1)); return i + 1 < n ? [`c${i + 1}`] : []; } });
  const bounds = (pos: Map<string, { x: number; y: number }>) => {
    const xs = [...pos.values()].map((p) => p.x), ys = [...pos.values()].map((p) => p.y);
    return { x1: Math.min(...xs) - 100, x2: Math.max(...xs) + 100, y1: Math.min(...ys) - 48, y2: Math.max(...ys) + 48 };
  };

  it('when a 10-node chain is fitted into a 500 px wide area, then the zoom stays readable, the anchor is on screen and no empty space shows left of the root', () => {
    const pos = chain(10);
    const b = bounds(pos);
    const v = fitView(b, pos.get('c0')!, 500, 700);
    expect(v.fitsAll).toBe(false);
    expect(readable(v.zoom)).toBe(true);
    const sx = (x: number) => x * v.zoom + v.pan.x;
    expect(sx(pos.get('c0')!.x)).toBeGreaterThan(0);
    expect(sx(pos.get('c0')!.x)).toBeLessThan(500);
    expect(sx(b.x1)).toBeGreaterThanOrEqual(0); // the root's box starts inside the view, not half the screen in
    expect(sx(b.x1)).toBeLessThanOrEqual(60);
    // Anchored in the middle of the chain: centred on it.
    const m = fitView(b, pos.get('c5')!, 500, 700);
    expect(pos.get('c5')!.x * m.zoom + m.pan.x).toBeCloseTo(250);
  });

  it('when a 162-box tree would be a sliver, then Fit frames the anchor at a readable zoom; a small tree is fitted whole', () => {
    const kids = Array.from({ length: 160 }, (_, i) => `k${i}`);
    const pos = tidyLayout({ roots: ['r'], children: (id) => (id === 'r' ? ['p'] : id === 'p' ? kids : []) });
    const v = fitView(bounds(pos), pos.get('p')!, 1000, 900);
    expect(v.fitsAll).toBe(false);
    expect(readable(v.zoom)).toBe(true);
    const p = pos.get('p')!;
    // The anchor is level with its first child at the graph's top edge: framed from that edge down.
    const top = (p.y - NODE_H / 2) * v.zoom + v.pan.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThanOrEqual(60);
    expect((p.x - NODE_W / 2) * v.zoom + v.pan.x).toBeGreaterThanOrEqual(0);
    const small = tidyLayout({ roots: ['r'], children: (id) => (id === 'r' ? ['a', 'b', 'c'] : []) });
    const b = bounds(small);
    const s = fitView(b, small.get('r')!, 1000, 900);
    expect(s.fitsAll).toBe(true);
    for (const [x, y] of [[b.x1, b.y1], [b.x2, b.y2]] as const) {
      expect(x * s.zoom + s.pan.x).toBeGreaterThanOrEqual(0);
      expect(x * s.zoom + s.pan.x).toBeLessThanOrEqual(1000);
      expect(y * s.zoom + s.pan.y).toBeGreaterThanOrEqual(0);
      expect(y * s.zoom + s.pan.y).toBeLessThanOrEqual(900);
    }
  });
});
