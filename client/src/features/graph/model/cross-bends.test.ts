import { describe, expect, it } from 'vitest';
import { crossBends, type NodeBox } from './cross-bends';

const box = (x: number, y: number): NodeBox => ({ x, y, w: 200, h: 96 });
/** Where Cytoscape's unbundled bezier (one control point `bend` px along the left normal) puts the label. */
function labelAt(s: NodeBox, t: NodeBox, bend: number) {
  const dx = t.x - s.x, dy = t.y - s.y, l = Math.hypot(dx, dy);
  return { x: (s.x + t.x) / 2 + (-dy / l) * bend / 2, y: (s.y + t.y) / 2 + (dx / l) * bend / 2 };
}
/** A 100 × 18 label centred at p shares area with the box. */
const covers = (p: { x: number; y: number }, b: NodeBox) => Math.abs(p.x - b.x) < b.w / 2 + 50 && Math.abs(p.y - b.y) < b.h / 2 + 9;

describe('cross-edge bends', () => {
  it('when no positions are known, then the edges of one pair take 80, 160 px on one side (sign flips with direction)', () => {
    const b = crossBends([
      { id: 'x', source: 'a', target: 'b', kind: 'remote-thread' },
      { id: 'y', source: 'b', target: 'a', kind: 'process-access' },
      { id: 's', source: 'a', target: 'b', kind: 'spawn' },
    ]);
    expect([...b]).toEqual([['x', 80], ['y', -160]]);
  });

  /*
   *   explorer (0,0)
   *     │
   *     └─ igfxhelper (140,114)   top-down stacked leaf; both cross edges run igfxhelper → explorer,
   *   sibling (0, 228)             a third box sits below
   */
  it('when a stacked leaf injects into its parent, then both labels sit clear of every box and of each other', () => {
    const boxes = new Map([['e', box(0, 0)], ['i', box(140, 114)], ['s', box(0, 228)]]);
    const edges = [{ id: 'pa', source: 'i', target: 'e', kind: 'process-access' }, { id: 'rt', source: 'i', target: 'e', kind: 'remote-thread' }];
    const bends = crossBends(edges, boxes);
    const at = edges.map((e) => labelAt(boxes.get(e.source)!, boxes.get(e.target)!, bends.get(e.id)!));
    for (const p of at) for (const [id, b] of boxes) expect(covers(p, b), `label at ${p.x},${p.y} over ${id}`).toBe(false);
    const [p, q] = at as [{ x: number; y: number }, { x: number; y: number }];
    expect(Math.abs(p.x - q.x) >= 100 || Math.abs(p.y - q.y) >= 18).toBe(true);
  });

  it('when two boxes stand side by side, then the labels go above or below the chord, apart', () => {
    const boxes = new Map([['a', box(0, 0)], ['b', box(296, 0)]]);
    const edges = [{ id: '1', source: 'a', target: 'b', kind: 'remote-thread' }, { id: '2', source: 'b', target: 'a', kind: 'process-access' }];
    const bends = crossBends(edges, boxes);
    const at = edges.map((e) => labelAt(boxes.get(e.source)!, boxes.get(e.target)!, bends.get(e.id)!));
    for (const p of at) for (const b of boxes.values()) expect(covers(p, b)).toBe(false);
    // Same side of the chord (y = 0), not on top of each other.
    expect(Math.sign(at[0]!.y)).toBe(Math.sign(at[1]!.y));
    expect(Math.abs(at[0]!.y - at[1]!.y)).toBeGreaterThanOrEqual(18);
  });
});
