import { describe, expect, it } from 'vitest';
import { doc, g, proc } from '../../testing/fixtures';
import { buildVisibleGraph } from '../graph';
import { rowWindow, scrollToRow, treeRows } from './tree-rows';

/*
 *   1
 *   ├ 2 ── 4
 *   └ 3 (has 5 unlisted children)
 */
const d = doc(g(1), [
  proc(g(1), null), proc(g(2), g(1), { startTime: '2024-05-01T10:00:01Z' }), proc(g(3), g(1), { startTime: '2024-05-01T10:00:02Z' }),
  proc(g(4), g(2)),
], { [`children:${g(3)}`]: { limit: 0, cursor: '0', remaining: 5 } });

describe('tree list rows', () => {
  it('when flattened, then rows follow the tree depth first with indentation and toggles', () => {
    const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });
    const rows = treeRows(vg);
    expect(rows.map((r) => [r.id, r.depth, r.toggle])).toEqual([
      [g(1), 0, '▾'], [g(2), 1, '▾'], [g(4), 2, ''], [g(3), 1, '▸'],
    ]);
  });

  it('when a node is collapsed, then its descendants have no rows and it shows ▸', () => {
    const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set([g(2)]), parentsRequested: new Set() });
    expect(treeRows(vg).map((r) => [r.id, r.toggle])).toEqual([[g(1), '▾'], [g(2), '▸'], [g(3), '▸']]);
  });

  it('when 2,000 rows scroll, then only the rows in view (plus overscan) are rendered', () => {
    expect(rowWindow(2000, 24, 0, 480, 8)).toEqual([0, 28]);
    expect(rowWindow(2000, 24, 24 * 1000, 480, 8)).toEqual([992, 1028]);
    expect(rowWindow(2000, 24, 24 * 1995, 480, 8)).toEqual([1987, 2000]);
  });

  it('when the selected row is off screen, then the scroll position brings it into view; otherwise it stays', () => {
    expect(scrollToRow(5, 24, 0, 480)).toBe(0);
    expect(scrollToRow(100, 24, 0, 480)).toBeLessThanOrEqual(100 * 24);
    expect(scrollToRow(100, 24, 0, 480) + 480).toBeGreaterThanOrEqual(101 * 24);
    expect(scrollToRow(3, 24, 2400, 480)).toBe(72);
  });
});
