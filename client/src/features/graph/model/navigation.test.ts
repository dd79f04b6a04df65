import { describe, expect, it } from 'vitest';
import { doc, g, proc } from '../../../testing/fixtures';
import { navigate } from './navigation';
import { buildVisibleGraph } from './visible-graph';

/*
 *   1
 *   ├ 2 ── 4
 *   └ 3     (origin 2)
 */
const vg = buildVisibleGraph({
  doc: doc(g(2), [proc(g(1), null), proc(g(2), g(1), { startTime: '2024-05-01T10:00:01Z' }), proc(g(3), g(1), { startTime: '2024-05-01T10:00:02Z' }), proc(g(4), g(2))]),
  ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set(),
});

describe('keyboard navigation', () => {
  it('when nothing is selected, then any arrow selects the origin', () => {
    expect(navigate(vg, null, 'ArrowDown')).toBe(g(2));
  });
  it('when arrows are pressed, then (left-to-right layout) left is parent, right is first child, up/down are siblings', () => {
    expect(navigate(vg, g(2), 'ArrowLeft')).toBe(g(1));
    expect(navigate(vg, g(2), 'ArrowRight')).toBe(g(4));
    expect(navigate(vg, g(2), 'ArrowDown')).toBe(g(3));
    expect(navigate(vg, g(3), 'ArrowUp')).toBe(g(2));
  });
  it('when there is nowhere to go, then the selection stays', () => {
    expect(navigate(vg, g(1), 'ArrowLeft')).toBe(g(1));
    expect(navigate(vg, g(4), 'ArrowRight')).toBe(g(4));
    expect(navigate(vg, g(3), 'ArrowDown')).toBe(g(3));
  });
});
