import { describe, expect, it } from 'vitest';
import { doc, g, proc } from '../../../testing/fixtures';
import { buildVisibleGraph, collapsedAbove, findMatches, moreId, pathToRoot, processTotal, type BuildInput, type ChildPages } from './visible-graph';

const none = new Set<string>();
const build = (over: Partial<BuildInput> & Pick<BuildInput, 'doc'>) =>
  buildVisibleGraph({ ancestorDocs: [], childPages: [], hidden: none, parentsRequested: none, ...over });
const pages = (id: string, items: ReturnType<typeof proc>[][], nextCursor: string | null, total: number | null = null): ChildPages =>
  ({ id, pages: items, nextCursor, total, loading: false, error: null });

describe('buildVisibleGraph', () => {
  /*
   *   outlook(1)
   *     └ winword(2)            ← origin
   *         ├ cmd(3)            (has children, none drawn: truncation limit 0, remaining 2)
   *         └ splwow64(4)       (leaf: no truncation)
   */
  const base = doc(g(2), [
    proc(g(1), null, { name: 'outlook.exe' }),
    proc(g(2), g(1), { name: 'winword.exe', startTime: '2024-05-01T10:00:01.000Z' }),
    proc(g(3), g(2), { name: 'cmd.exe', startTime: '2024-05-01T10:00:05.000Z' }),
    proc(g(4), g(2), { name: 'splwow64.exe', startTime: '2024-05-01T10:00:09.000Z' }),
  ], { [`children:${g(3)}`]: { limit: 0, cursor: 'c3', remaining: 2 } });

  it('when a graph document arrives, then the tree, origin, order and deltas follow it', () => {
    const vg = build({ doc: base });
    expect(vg.roots).toEqual([g(1)]);
    expect(vg.nodes.get(g(1))!.children).toEqual([g(2)]);
    expect(vg.nodes.get(g(2))!.children).toEqual([g(3), g(4)]);
    expect(vg.nodes.get(g(2))!.origin).toBe(true);
    expect(vg.nodes.get(g(4))!.level).toBe(2);
    const e = vg.edges.find((x) => x.source === g(2) && x.target === g(3))!;
    expect(e.deltaMs).toBe(4000);
  });

  it('when a node has unlisted children (truncation limit 0), then it is expandable with its count and a leaf is not', () => {
    const vg = build({ doc: base });
    expect(vg.nodes.get(g(3))!.expandable).toBe(true);
    expect(vg.nodes.get(g(3))!.childCount).toBe(2);
    expect(vg.nodes.get(g(4))!.expandable).toBe(false);
    expect([...vg.nodes.keys()].some((k) => k.startsWith('more:'))).toBe(false);
  });

  it('when a node shows some children and more remain, then an "N more" node carries the remaining count', () => {
    const d = doc(g(1), [proc(g(1), null), proc(g(2), g(1)), proc(g(3), g(1))], { [`children:${g(1)}`]: { limit: 2, cursor: 'c1', remaining: 498 } });
    const vg = build({ doc: d });
    const more = vg.nodes.get(moreId(g(1)))!;
    expect(more.kind).toBe('more');
    expect(more.moreCount).toBe(498);
    expect(vg.nodes.get(g(1))!.children.at(-1)).toBe(moreId(g(1)));
  });

  it('when pages of children load, then they are deduplicated against drawn children and the remainder shrinks', () => {
    const d = doc(g(1), [proc(g(1), null), proc(g(2), g(1)), proc(g(3), g(1))], { [`children:${g(1)}`]: { limit: 2, cursor: 'c1', remaining: 3 } });
    // The server's cursor lists from the first child: page 1 repeats g2, g3.
    const cp = pages(g(1), [[proc(g(2), g(1)), proc(g(3), g(1)), proc(g(5), g(1))]], 'next', 5);
    const vg = build({ doc: d, childPages: [cp] });
    expect(vg.nodes.get(g(1))!.children).toEqual([g(2), g(3), g(5), moreId(g(1))]);
    expect(vg.nodes.get(moreId(g(1)))!.moreCount).toBe(2);
    const done = build({ doc: d, childPages: [pages(g(1), [[proc(g(2), g(1)), proc(g(3), g(1)), proc(g(5), g(1))], [proc(g(6), g(1)), proc(g(7), g(1))]], null, 5)] });
    expect(done.nodes.has(moreId(g(1)))).toBe(false);
    expect(done.nodes.get(g(1))!.children).toHaveLength(5);
  });

  it('when an ancestor has other children (issue 15), then it offers "N more"; its pages keep the on-path child once, with its subtree', () => {
    // explorer(1) → outlook(2) → winword(3) → cmd(4, origin); explorer started 3 more, winword nothing else.
    const d = doc(g(4), [
      proc(g(1), null, { name: 'explorer.exe', startTime: '2024-05-01T08:00:00.000Z' }),
      proc(g(2), g(1), { name: 'outlook.exe', startTime: '2024-05-01T09:00:00.000Z' }),
      proc(g(3), g(2), { name: 'winword.exe', startTime: '2024-05-01T10:00:00.000Z' }),
      proc(g(4), g(3), { name: 'cmd.exe', startTime: '2024-05-01T10:00:03.000Z' }),
    ], { [`children:${g(1)}`]: { limit: 1, cursor: 'c1', remaining: 3 } });
    const vg = build({ doc: d });
    expect(vg.nodes.get(g(1))!.children).toEqual([g(2), moreId(g(1))]);
    expect(vg.nodes.get(moreId(g(1)))!.moreCount).toBe(3);
    // winword's only child is drawn: no "more", no expand.
    expect(vg.nodes.get(g(3))!.children).toEqual([g(4)]);
    expect(vg.nodes.has(moreId(g(3)))).toBe(false);
    expect(vg.nodes.get(g(3))!.expandable).toBe(false);
    // The cursor lists from the first child (outlook included), as a descendant's; total = limit + remaining.
    const sib = (n: number, t: string) => proc(g(n), g(1), { name: `s${n}.exe`, startTime: t, childCount: 0 });
    const first = pages(g(1), [[sib(10, '2024-05-01T08:30:00.000Z'), proc(g(2), g(1), { name: 'outlook.exe', startTime: '2024-05-01T09:00:00.000Z', childCount: 1 })]], 'next', 4);
    const vg1 = build({ doc: d, childPages: [first] });
    expect(vg1.nodes.get(g(1))!.children).toEqual([g(10), g(2), moreId(g(1))]);
    expect(vg1.nodes.get(moreId(g(1)))!.moreCount).toBe(2);
    expect(vg1.nodes.get(g(2))!.children).toEqual([g(3)]);
    expect([...vg1.nodes.keys()].filter((k) => k === g(2))).toHaveLength(1);
    expect(vg1.nodes.get(g(4))!.origin).toBe(true);
    const all = pages(g(1), [first.pages[0]!, [sib(11, '2024-05-01T11:00:00.000Z'), sib(12, '2024-05-01T12:00:00.000Z')]], null, 4);
    const vg2 = build({ doc: d, childPages: [all] });
    expect(vg2.nodes.get(g(1))!.children).toEqual([g(10), g(2), g(11), g(12)]);
    expect(vg2.nodes.has(moreId(g(1)))).toBe(false);
    for (const n of [10, 11, 12]) expect(vg2.nodes.get(g(n))!.expandable, `leaf s${n}`).toBe(false);
  });

  it('when a node is expanded and the server has no children, then it says so and is no longer expandable', () => {
    const d = doc(g(1), [proc(g(1), null)], { [`children:${g(1)}`]: { limit: 0, cursor: 'c', remaining: null } });
    const vg = build({ doc: d, childPages: [pages(g(1), [[]], null)] });
    expect(vg.nodes.get(g(1))!.childless).toBe(true);
    expect(vg.nodes.get(g(1))!.expandable).toBe(false);
  });

  it('when children come from a page, then they are expandable (their own children were never asked)', () => {
    const d = doc(g(1), [proc(g(1), null)], { [`children:${g(1)}`]: { limit: 0, cursor: 'c', remaining: 1 } });
    const vg = build({ doc: d, childPages: [pages(g(1), [[proc(g(2), g(1))]], null)] });
    expect(vg.nodes.get(g(2))!.expandable).toBe(true);
  });

  it('when a children page counts its items\' children, then only those with children are expandable, with their count', () => {
    const d = doc(g(1), [proc(g(1), null)], { [`children:${g(1)}`]: { limit: 0, cursor: 'c', remaining: 3 } });
    const page = [proc(g(2), g(1), { childCount: 0 }), proc(g(3), g(1), { childCount: 4 }), proc(g(4), g(1), { childCount: null })];
    const vg = build({ doc: d, childPages: [pages(g(1), [page], null)] });
    expect(vg.nodes.get(g(2))!.expandable).toBe(false);
    expect([vg.nodes.get(g(3))!.expandable, vg.nodes.get(g(3))!.childCount]).toEqual([true, 4]);
    expect([vg.nodes.get(g(4))!.expandable, vg.nodes.get(g(4))!.childCount]).toEqual([true, null]);
  });

  /*
   *   explorer(1)
   *     ├ [group ×12 chrome]  → expanded into members g(20..)
   *     └ notepad(3)
   */
  it('when a sibling group is expanded, then its members replace it under the group parent', () => {
    const group = proc('group:' + g(1) + ':abc', g(1), { kind: 'group', name: 'chrome.exe', group: { count: 3, parentGuid: g(1), key: 'k', cursor: 'gc' } });
    const d = doc(g(1), [proc(g(1), null), group, proc(g(3), g(1))]);
    d.edges.push({ source: g(1), target: group.guid, kind: 'spawn', deltaMs: null, count: 1 });
    const collapsedVg = build({ doc: d });
    expect(collapsedVg.nodes.get(g(1))!.children).toContain(group.guid);
    const members = [proc(g(20), g(1)), proc(g(21), g(1))];
    const vg = build({ doc: d, childPages: [pages(group.guid, [members], 'more', 3)] });
    expect(vg.nodes.has(group.guid)).toBe(false);
    expect(vg.nodes.get(g(1))!.children).toEqual(expect.arrayContaining([g(20), g(21), g(3), moreId(group.guid)]));
    expect(vg.nodes.get(moreId(group.guid))!.moreCount).toBe(1);
  });

  it('when a node is collapsed, then its descendants disappear and it counts them', () => {
    const vg = build({ doc: base, hidden: new Set([g(2)]) });
    expect([...vg.nodes.keys()].sort()).toEqual([g(1), g(2)].sort());
    expect(vg.nodes.get(g(2))!.collapsedCount).toBe(2);
    expect(vg.edges.every((e) => vg.nodes.has(e.source) && vg.nodes.has(e.target))).toBe(true);
  });

  it('when the topmost node has an unseen parent, then it offers "parent ▲" until asked, and ancestors merge in', () => {
    const d = doc(g(2), [proc(g(2), g(9)), proc(g(3), g(2))]);
    expect(build({ doc: d }).nodes.get(g(2))!.canExpandParent).toBe(true);
    expect(build({ doc: d, parentsRequested: new Set([g(2)]) }).nodes.get(g(2))!.canExpandParent).toBe(false);
    const anc = doc(g(2), [proc(g(8), null, { name: 'services.exe' }), proc(g(9), g(8)), proc(g(2), g(9))]);
    const vg = build({ doc: d, ancestorDocs: [anc], parentsRequested: new Set([g(2)]) });
    expect(vg.roots).toEqual([g(8)]);
    expect(pathToRoot(vg, g(3))).toEqual([g(3), g(2), g(9), g(8)]);
  });

  it('when a zero-GUID placeholder is on top, then there is no parent to ask for', () => {
    const d = doc(g(2), [proc(g(1), '{00000000-0000-0000-0000-000000000000}', { placeholder: true, placeholderReason: 'zero-guid', state: 'placeholder' }), proc(g(2), g(1))]);
    expect(build({ doc: d }).nodes.get(g(1))!.canExpandParent).toBe(false);
  });

  it('when cross edges connect drawn nodes, then they are kept; otherwise dropped', () => {
    const d = doc(g(1), [proc(g(1), null), proc(g(2), g(1)), proc(g(3), g(1))], {}, [
      { source: g(2), target: g(3), kind: 'process-access', deltaMs: null, count: 4 },
      { source: g(2), target: g(77), kind: 'remote-thread', deltaMs: null, count: 1 },
    ]);
    const vg = build({ doc: d });
    const cross = vg.edges.filter((e) => e.kind !== 'spawn');
    expect(cross).toHaveLength(1);
    expect(cross[0]).toMatchObject({ source: g(2), target: g(3), kind: 'process-access', count: 4 });
  });

  it('when finding text, then name, command line, pid and user are searched case-insensitively', () => {
    const d = doc(g(1), [proc(g(1), null, { name: 'cmd.exe' }), proc(g(2), g(1), { name: 'powershell.exe', commandLine: 'powershell -enc SQBFAFgA', pid: 4242 })]);
    const vg = build({ doc: d });
    expect(findMatches(vg, 'SQBF')).toEqual([g(2)]);
    expect(findMatches(vg, '4242')).toEqual([g(2)]);
    expect(findMatches(vg, 'EXE').sort()).toEqual([g(1), g(2)].sort());
    expect(findMatches(vg, '  ')).toEqual([]);
  });

  it('when a match is hidden under a collapse, then find still counts it, in tree order, and names the collapsed ancestor', () => {
    //   1 ─ 2 ─ 4 (cmd)      1 collapsed at 2
    //     └ 3 (cmd)
    const d = doc(g(1), [proc(g(1), null), proc(g(2), g(1), { startTime: '2024-05-01T10:00:01Z' }), proc(g(3), g(1), { name: 'cmd.exe', startTime: '2024-05-01T10:00:02Z' }), proc(g(4), g(2), { name: 'cmd.exe' })]);
    const vg = build({ doc: d, hidden: new Set([g(2)]) });
    expect(vg.nodes.has(g(4))).toBe(false);
    expect(findMatches(vg, 'cmd.exe')).toEqual([g(4), g(3)]);
    expect(collapsedAbove(vg, g(4), [g(2)])).toEqual([g(2)]);
    expect(collapsedAbove(vg, g(3), [g(2)])).toEqual([]);
  });

  it('when siblings are grouped and children cut, then the process total counts the processes they stand for', () => {
    const grp = proc('group:' + g(1) + ':k', g(1), { kind: 'group', name: 'reg.exe', group: { count: 100, parentGuid: g(1), key: 'k', cursor: 'c' } });
    const d = doc(g(1), [proc(g(1), null), proc(g(2), g(1)), grp, proc(g(3), g(1))], { [`children:${g(3)}`]: { limit: 0, cursor: '0', remaining: 7 }, [`children:${g(2)}`]: { limit: 0, cursor: '0', remaining: 0 } });
    // 3 processes + 100 in the group + 7 unlisted children of g(3) (+0 for g(2)); on screen: the 3 and
    // the group's 100, in 4 boxes.
    expect(processTotal(build({ doc: d }))).toEqual({ processes: 110, shown: 103, boxes: 4 });
  });
});
