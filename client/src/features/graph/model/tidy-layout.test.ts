import { describe, expect, it } from 'vitest';
import { COL_W, GAP_Y, NODE_H, NODE_W, tidyLayout, type Point } from './tidy-layout';

function tree(edges: Record<string, string[]>, roots: string[]) {
  return { roots, children: (id: string) => edges[id] ?? [] };
}
/** Independent oracle: every pair of boxes compared (quadratic, fine for test sizes). */
function overlaps(pos: Map<string, Point>): string[] {
  const list = [...pos];
  const bad: string[] = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
    const [a, p] = list[i]!, [b, q] = list[j]!;
    if (Math.abs(p.x - q.x) < NODE_W && Math.abs(p.y - q.y) < NODE_H) bad.push(`${a}/${b}`);
  }
  return bad;
}

describe('tidyLayout (left to right)', () => {
  /*
   *   r ─┬─ a ─┬─ a1
   *      │     └─ a2
   *      ├─ b
   *      └─ c ─── c1
   */
  const t = tree({ r: ['a', 'b', 'c'], a: ['a1', 'a2'], c: ['c1'] }, ['r']);

  it('when laid out, then generations sit in columns, root on the left', () => {
    const pos = tidyLayout(t);
    expect(pos.get('r')!.x).toBe(0);
    for (const id of ['a', 'b', 'c']) expect(pos.get(id)!.x).toBe(COL_W);
    for (const id of ['a1', 'a2', 'c1']) expect(pos.get(id)!.x).toBe(2 * COL_W);
    expect(COL_W).toBeGreaterThan(NODE_W);
  });

  it('when laid out, then siblings keep their order top to bottom, parents sit level with their first child and nothing overlaps', () => {
    const pos = tidyLayout(t);
    expect(pos.get('a')!.y).toBeLessThan(pos.get('b')!.y);
    expect(pos.get('b')!.y).toBeLessThan(pos.get('c')!.y);
    // The parent reads along one row with its first child, and that one with its own (r, a, a1).
    expect(pos.get('a')!.y).toBe(pos.get('a1')!.y);
    expect(pos.get('r')!.y).toBe(pos.get('a')!.y);
    expect(pos.get('a2')!.y - pos.get('a1')!.y).toBe(NODE_H + GAP_Y);
    expect(overlaps(pos)).toEqual([]);
  });

  it('when a parent has 500 leaf children, then they form one column (not a grid) in order, without overlap, the parent level with the first', () => {
    const kids = Array.from({ length: 500 }, (_, i) => `k${i}`);
    const pos = tidyLayout(tree({ r: kids }, ['r']));
    expect(new Set(kids.map((k) => pos.get(k)!.x))).toEqual(new Set([COL_W]));
    for (let i = 1; i < 500; i++) expect(pos.get(`k${i}`)!.y - pos.get(`k${i - 1}`)!.y).toBe(NODE_H + GAP_Y);
    expect(pos.get('r')!.y).toBe(pos.get('k0')!.y);
    expect(overlaps(pos)).toEqual([]);
  });

  it('when a random tree of 600 nodes is laid out, then no two boxes overlap and every child is one column right of its parent', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const edges: Record<string, string[]> = {};
    const parent: Record<string, string> = {};
    for (let i = 1; i < 600; i++) {
      const p = `n${Math.floor(rnd() * i)}`;
      (edges[p] ??= []).push(`n${i}`);
      parent[`n${i}`] = p;
    }
    const pos = tidyLayout(tree(edges, ['n0']));
    expect(pos.size).toBe(600);
    expect(overlaps(pos)).toEqual([]);
    for (const [c, p] of Object.entries(parent)) expect(pos.get(c)!.x - pos.get(p)!.x).toBe(COL_W);
  });

  it('when the same tree is laid out twice, then positions are identical (a shared URL draws the same picture)', () => {
    expect([...tidyLayout(t)]).toEqual([...tidyLayout(t)]);
  });

  it('when the chain is thousands of generations deep, then it does not overflow the stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 5000; i++) edges[`n${i}`] = [`n${i + 1}`];
    const pos = tidyLayout(tree(edges, ['n0']));
    expect(pos.get('n5000')!.x).toBe(5000 * COL_W);
  });

  it('when there are several roots, then their subtrees sit one above the other', () => {
    const pos = tidyLayout(tree({ a: ['a1'], b: ['b1'] }, ['a', 'b']));
    expect(pos.get('a')!.y).toBeLessThan(pos.get('b')!.y);
    expect(overlaps(pos)).toEqual([]);
  });
});
