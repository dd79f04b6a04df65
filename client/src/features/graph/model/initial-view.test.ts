import { describe, expect, it } from 'vitest';
import { initialView, READABLE_ZOOM } from './initial-view';
import { LAYER_H, tidyLayout } from './tidy-layout';

describe('initialView', () => {
  it('when a small graph fits at a readable zoom, then all of it is in view and centred', () => {
    const pos = tidyLayout({ roots: ['r'], children: (id) => (id === 'r' ? ['a', 'b'] : []) });
    const v = initialView(pos, 'a', 1200, 700);
    expect(v.fitsAll).toBe(true);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect([...v.inView].sort()).toEqual(['a', 'b', 'r']);
    // The graph's centre maps to the screen's centre.
    const cx = (pos.get('a')!.x + pos.get('b')!.x) / 2;
    expect(cx * v.zoom + v.pan.x).toBeCloseTo(600);
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
    expect(v.inView.has('r')).toBe(false); // 20 layers (20 × LAYER_H) above: far outside the first view
    expect(20 * LAYER_H * v.zoom).toBeGreaterThan(700);
    expect(v.inView.size).toBeLessThan(pos.size / 4);
  });
});
