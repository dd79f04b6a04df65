import { describe, expect, it } from 'vitest';
import { doc, g, proc } from '../../../testing/fixtures';
import { buildVisibleGraph } from './visible-graph';
import { parseViewState, serializeViewState } from '../../../state/url-state';
import { collapse, expand, expandLevel, EXPAND_LEVEL_MAX, expandParent, select, toggle } from './view-actions';

/*
 *   1 (origin)
 *   ├ 2, 3        shown; 10 more remain (truncation limit 2)
 *   └ [10 more]
 *   2 has unlisted children (limit 0)
 */
const d = doc(g(1), [proc(g(1), g(9)), proc(g(2), g(1)), proc(g(3), g(1))], {
  [`children:${g(1)}`]: { limit: 2, cursor: 'c1', remaining: 10 },
  [`children:${g(2)}`]: { limit: 0, cursor: 'c2', remaining: 4 },
});
const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });
const view = parseViewState(`?guid=${g(1)}`);

describe('view actions', () => {
  it('when an "N more" node is activated, then one more page of its parent is recorded', () => {
    const once = toggle(view, vg, `more:${g(1)}`);
    expect(once.expanded.get(g(1))).toBe(1);
    expect(toggle(once, vg, `more:${g(1)}`).expanded.get(g(1))).toBe(2);
    expect(serializeViewState(toggle(once, vg, `more:${g(1)}`))).toContain(`exp=${g(1)}*2`);
  });

  it('when a node with unlisted children is toggled, then it expands; a node with drawn children collapses', () => {
    expect(toggle(view, vg, g(2)).expanded.has(g(2))).toBe(true);
    const collapsed = toggle(view, vg, g(1));
    expect(collapsed.hidden).toEqual([g(1)]);
    const vg2 = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(collapsed.hidden), parentsRequested: new Set() });
    expect(toggle(collapsed, vg2, g(1)).hidden).toEqual([]);
  });

  it('when a leaf is expanded, then nothing changes', () => {
    expect(expand(view, vg, g(3))).toBe(view);
  });

  it('when collapsing twice or asking the parent twice, then the URL lists it once', () => {
    expect(collapse(collapse(view, g(2)), g(2)).hidden).toEqual([g(2)]);
    expect(expandParent(expandParent(view, g(1)), g(1)).parents).toEqual([g(1)]);
  });

  it('when another node is selected, then the panel returns to details', () => {
    const deep = { ...view, selected: g(2), panel: 'raw' as const, category: 'dns', event: 3 };
    expect(select(deep, g(3))).toMatchObject({ selected: g(3), panel: 'details', category: null, event: null });
  });
});

describe('expand level', () => {
  it('when many nodes are expandable, then the shallowest EXPAND_LEVEL_MAX are expanded in one step', () => {
    const kids = Array.from({ length: 60 }, (_, i) => proc(g(100 + i), g(1)));
    const trunc = Object.fromEntries(kids.map((k) => [`children:${k.guid}`, { limit: 0, cursor: 'c', remaining: 1 }]));
    const big = buildVisibleGraph({ doc: doc(g(1), [proc(g(1), null), ...kids], trunc), ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });
    const next = expandLevel(parseViewState(`?guid=${g(1)}`), big);
    expect(next.expanded.size).toBe(EXPAND_LEVEL_MAX);
    expect([...next.expanded.keys()].every((id) => big.nodes.get(id)!.level === 1)).toBe(true);
  });
});
