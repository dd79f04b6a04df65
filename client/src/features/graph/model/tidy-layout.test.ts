import { describe, expect, it } from 'vitest';
import { GAP_X, LAYER_H, NODE_H, NODE_W, tidyLayout, WRAP, type Point } from './tidy-layout';

function tree(edges: Record<string, string[]>, roots: string[]) {
  return { roots, children: (id: string) => edges[id] ?? [] };
}
function overlaps(pos: Map<string, Point>): string[] {
  const list = [...pos];
  const bad: string[] = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
    const [a, p] = list[i]!, [b, q] = list[j]!;
    if (Math.abs(p.x - q.x) < NODE_W && Math.abs(p.y - q.y) < NODE_H) bad.push(`${a}/${b}`);
  }
  return bad;
}

describe('tidyLayout', () => {
  /*
   *        r
   *      / | \
   *     a  b  c
   *    / \     \
   *   a1 a2     c1
   */
  const t = tree({ r: ['a', 'b', 'c'], a: ['a1', 'a2'], c: ['c1'] }, ['r']);

  it('when laid out, then generations sit on layers, root on top', () => {
    const pos = tidyLayout(t);
    expect(pos.get('r')!.y).toBe(0);
    for (const id of ['a', 'b', 'c']) expect(pos.get(id)!.y).toBe(LAYER_H);
    for (const id of ['a1', 'a2', 'c1']) expect(pos.get(id)!.y).toBe(2 * LAYER_H);
  });

  it('when laid out, then siblings keep their order, parents centre over children and nothing overlaps', () => {
    const pos = tidyLayout(t);
    expect(pos.get('a')!.x).toBeLessThan(pos.get('b')!.x);
    expect(pos.get('b')!.x).toBeLessThan(pos.get('c')!.x);
    expect(pos.get('a')!.x).toBeCloseTo((pos.get('a1')!.x + pos.get('a2')!.x) / 2);
    expect(pos.get('r')!.x).toBeCloseTo((pos.get('a')!.x + pos.get('c')!.x) / 2);
    expect(pos.get('a2')!.x - pos.get('a1')!.x).toBe(NODE_W + GAP_X);
    expect(overlaps(pos)).toEqual([]);
  });

  it('when a parent has many leaf children, then they wrap into rows of WRAP without overlapping', () => {
    const kids = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const pos = tidyLayout(tree({ r: kids }, ['r']));
    const rows = new Set(kids.map((k) => pos.get(k)!.y));
    expect(rows.size).toBe(Math.ceil(20 / WRAP));
    expect(overlaps(pos)).toEqual([]);
  });

  it('when the same tree is laid out twice, then positions are identical (a shared URL draws the same picture)', () => {
    expect([...tidyLayout(t)]).toEqual([...tidyLayout(t)]);
  });

  it('when the chain is thousands of generations deep, then it does not overflow the stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 5000; i++) edges[`n${i}`] = [`n${i + 1}`];
    const pos = tidyLayout(tree(edges, ['n0']));
    expect(pos.get('n5000')!.y).toBe(5000 * LAYER_H);
  });

  it('when there are several roots, then their subtrees sit side by side', () => {
    const pos = tidyLayout(tree({ a: ['a1'], b: ['b1'] }, ['a', 'b']));
    expect(pos.get('a')!.x).toBeLessThan(pos.get('b')!.x);
    expect(overlaps(pos)).toEqual([]);
  });
});
