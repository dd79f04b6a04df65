import { describe, expect, it } from 'vitest';
import { initialView, READABLE_ZOOM } from './initial-view';
import { COL_W, tidyLayout } from './tidy-layout';

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
    expect(a.y * v.zoom + v.pan.y).toBeCloseTo(350);
    expect(v.inView.has('c20')).toBe(true);
    expect(v.inView.has('c19')).toBe(true);
    expect(v.inView.has('r')).toBe(false); // 20 columns (20 × COL_W) to the left: far outside the first view
    expect(20 * COL_W * v.zoom).toBeGreaterThan(1200);
    expect(v.inView.size).toBeLessThan(pos.size / 4);
  });
});
