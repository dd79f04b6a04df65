import { describe, expect, it } from 'vitest';
import { MAX_LANES, outsideBrush, packLanes, timelineBounds, type Bar } from './timeline-model';

const bars: Bar[] = [
  { id: 'a', start: 0, end: 100, name: 'a' },
  { id: 'b', start: 10, end: 50, name: 'b' },
  { id: 'c', start: 60, end: 90, name: 'c' },
  { id: 'd', start: 200, end: null, name: 'd' },
];

describe('timeline model', () => {
  it('when bounds are computed, then they cover starts, ends and event times', () => {
    expect(timelineBounds(bars, [300])).toEqual([0, 300]);
    expect(timelineBounds([], [])).toBeNull();
  });
  it('when lifetimes overlap, then they take different lanes; a later one reuses a free lane', () => {
    const lanes = new Map(packLanes(bars, [0, 300], 3000).map((x) => [x.bar.id, x.lane]));
    expect(lanes.get('a')).toBe(0);
    expect(lanes.get('b')).toBe(1);
    expect(lanes.get('c')).toBe(1);
    expect(lanes.get('d')).toBe(0);
  });
  it('when hundreds overlap, then lanes are capped', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, start: i, end: 1000, name: '' }));
    expect(Math.max(...packLanes(many, [0, 1000], 800).map((x) => x.lane))).toBe(MAX_LANES - 1);
  });
  it('when a brush is set, then processes wholly outside it are dimmed and a running one counts as alive', () => {
    expect([...outsideBrush(bars, [55, 95], 300)].sort()).toEqual(['b', 'd']);
    expect([...outsideBrush(bars, [250, 260], 300)].sort()).toEqual(['a', 'b', 'c']);
  });
});
