import { describe, expect, it } from 'vitest';
import { chooseLayout, topDownLayout } from './topdown-layout';

// Box size of the spec (docs/ui.md: 200 × 96), stated here rather than imported from the code under test.
const W = 200, H = 96;
type P = { x: number; y: number };
const tree = (edges: Record<string, string[]>, roots: string[]) => ({ roots, children: (id: string) => edges[id] ?? [] });
/** Independent oracle: every pair of boxes compared. */
function overlaps(pos: Map<string, P>): string[] {
  const list = [...pos];
  const bad: string[] = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
    const [a, p] = list[i]!, [b, q] = list[j]!;
    if (Math.abs(p.x - q.x) < W && Math.abs(p.y - q.y) < H) bad.push(`${a}/${b}`);
  }
  return bad;
}
/** Does the vertical segment x, y1..y2 (a trunk) or horizontal y, x1..x2 pass through a box other than the ends? */
const hitsBox = (pos: Map<string, P>, skip: Set<string>, seg: { x1: number; y1: number; x2: number; y2: number }) =>
  [...pos].filter(([id, p]) => !skip.has(id) && seg.x2 > p.x - W / 2 && seg.x1 < p.x + W / 2 && seg.y2 > p.y - H / 2 && seg.y1 < p.y + H / 2).map(([id]) => id);

describe('topDownLayout (top down, compact leaf stacks)', () => {
  /*  r
   *  ├ l1, l2 (leaves: stacked under r)
   *  ├ a ─ a1, a2
   *  └ b ─ b1 ─ b11
   */
  const t = tree({ r: ['l1', 'a', 'l2', 'b'], a: ['a1', 'a2'], b: ['b1'], b1: ['b11'] }, ['r']);

  it('when laid out, then generations go down, leaves stack in one column right of the parent\'s centre, and inner children share the next row', () => {
    const { positions: pos, stacked } = topDownLayout(t);
    expect([...stacked].sort()).toEqual(['a1', 'a2', 'b11', 'l1', 'l2']);
    const r = pos.get('r')!, l1 = pos.get('l1')!, l2 = pos.get('l2')!, a = pos.get('a')!, b = pos.get('b')!;
    expect(l1.x).toBe(l2.x);
    expect(l1.x - W / 2).toBeGreaterThan(r.x); // the trunk (x = r.x) passes left of the stack
    expect(l2.y).toBeGreaterThan(l1.y);
    expect(a.y).toBe(b.y);
    expect(a.y).toBeGreaterThan(r.y + H);
    expect(a.x).toBeLessThan(b.x);
    expect(pos.get('b1')!.y).toBeGreaterThan(b.y + H);
    expect(overlaps(pos)).toEqual([]);
    // The trunk from r down to its last stacked leaf crosses no box.
    expect(hitsBox(pos, new Set(['r']), { x1: r.x - 1, x2: r.x + 1, y1: r.y + H / 2, y2: l2.y })).toEqual([]);
  });

  it('when the tree is random (600 nodes, bushy and deep), then no two boxes overlap and every trunk is clear', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const edges: Record<string, string[]> = {};
    for (let i = 1; i < 600; i++) { const p = `n${Math.floor(rnd() * i)}`; (edges[p] ??= []).push(`n${i}`); }
    const { positions: pos } = topDownLayout(tree(edges, ['n0']));
    expect(pos.size).toBe(600);
    expect(overlaps(pos)).toEqual([]);
    for (const [id, kids] of Object.entries(edges)) {
      const p = pos.get(id)!;
      const leaves = kids.filter((k) => !edges[k]);
      if (!leaves.length) continue;
      const bottom = Math.max(...leaves.map((k) => pos.get(k)!.y));
      expect(hitsBox(pos, new Set([id]), { x1: p.x - 1, x2: p.x + 1, y1: p.y + H / 2, y2: bottom }), id).toEqual([]);
    }
  });

  it('when chosen by shape, then a 10-process chain goes top down, a 500-leaf fan stays left to right, and an override wins', () => {
    const chain = tree(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`c${i}`, [`c${i + 1}`]])), ['c0']);
    expect(chooseLayout(chain).mode).toBe('td');
    expect(chooseLayout(chain, 'lr').mode).toBe('lr');
    const fan = tree({ r: ['p'], p: Array.from({ length: 500 }, (_, i) => `k${i}`) }, ['r']);
    expect(chooseLayout(fan).mode).toBe('lr');
    expect(chooseLayout(fan, 'td').mode).toBe('td');
    // The chosen form is never less readable than the other in a landscape area.
    const ext = (pos: Map<string, P>) => { const xs = [...pos.values()].map((p) => p.x), ys = [...pos.values()].map((p) => p.y); return Math.min(1200 / (Math.max(...xs) - Math.min(...xs) + W), 800 / (Math.max(...ys) - Math.min(...ys) + H)); };
    for (const t2 of [chain, fan]) expect(ext(chooseLayout(t2).positions)).toBeGreaterThanOrEqual(ext(chooseLayout(t2, chooseLayout(t2).mode === 'lr' ? 'td' : 'lr').positions) / 1.05);
  });
});
