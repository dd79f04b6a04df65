import { describe, expect, it } from 'vitest';
import { decodeCursor } from './cursor.js';
import { planGraph, type PlanOptions } from './plan.js';
import { g, proc } from './testing.js';

const opts = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  origin: g(1), up: true, down: Infinity, nodeBudget: 1000, siblingThreshold: 5, host: null, fetchComplete: true, ...over,
});

describe('planGraph: the node budget never starves depth', () => {
  /*
   *  1 w3wp.exe (origin)
   *  ├─ 2 … 201   200 leaf children, each a different tool (no grouping)
   *  └─ 300 cmd.exe            (started last, after all 200 leaves)
   *      └─ 301 powershell.exe
   *          └─ 302 …  a chain down to 310 (depth 11)
   */
  const rows = [proc(1, null, 'w3wp.exe', 0)];
  for (let i = 2; i <= 201; i++) rows.push(proc(i, 1, `tool${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}.exe`, i));
  rows.push(proc(300, 1, 'cmd.exe', 500));
  for (let i = 301; i <= 310; i++) rows.push(proc(i, i - 1, i % 2 ? 'powershell.exe' : 'cmd.exe', 500 + i));

  it('when the budget is far below the width, then the deep chain is still shown whole', () => {
    const plan = planGraph(rows, opts({ nodeBudget: 40 }));
    const shown = new Set(plan.processes.map((p) => p.record.guid));
    expect(plan.processes.length).toBe(40);
    for (let i = 300; i <= 310; i++) expect(shown.has(g(i))).toBe(true);
    expect(plan.processes.find((p) => p.record.guid === g(310))!.depth).toBe(11);
  });

  it('when children are cut, then a truncation record says how many are hidden and gives a cursor', () => {
    const plan = planGraph(rows, opts({ nodeBudget: 40 }));
    const shownChildren = plan.processes.filter((p) => p.depth === 1).length;
    const t = plan.truncated[`children:${g(1)}`]!;
    expect(t.limit).toBe(shownChildren);
    expect(t.remaining).toBe(201 - shownChildren);
    expect(decodeCursor(t.cursor)).toMatchObject({ k: 'children', p: g(1), key: null, s: null, skip: 0 });
  });

  it('when the budget covers everything, then nothing is truncated', () => {
    const plan = planGraph(rows, opts({ nodeBudget: 5000 }));
    expect(plan.processes.length).toBe(rows.length);
    expect(plan.truncated).toEqual({});
  });

  it('when the input order changes, then the plan is the same', () => {
    const a = planGraph(rows, opts({ nodeBudget: 40 }));
    const b = planGraph([...rows].reverse(), opts({ nodeBudget: 40 }));
    expect(b.processes.map((p) => p.record.guid)).toEqual(a.processes.map((p) => p.record.guid));
  });
});

describe('planGraph: the README worked example (budget 8)', () => {
  /*
   *  1 w3wp.exe (origin)
   *  ├─ 2 … 201  t1 … t200 (distinct leaf tools)
   *  └─ 300 cmd.exe (started last)
   *      └─ 301 powershell.exe
   *          └─ 302 rundll32.exe
   *              └─ 303 net.exe
   */
  const rows = [proc(1, null, 'w3wp.exe', 0)];
  for (let i = 2; i <= 201; i++) rows.push(proc(i, 1, `t${i - 1}.exe`, i));
  rows.push(proc(300, 1, 'cmd.exe', 500), proc(301, 300, 'powershell.exe', 501), proc(302, 301, 'rundll32.exe', 502), proc(303, 302, 'net.exe', 503));

  it('shows the whole chain and the first three tools, as the README table says', () => {
    const plan = planGraph(rows, opts({ nodeBudget: 8 }));
    expect(plan.processes.map((p) => p.record.name).sort()).toEqual(
      ['cmd.exe', 'net.exe', 'powershell.exe', 'rundll32.exe', 't1.exe', 't2.exe', 't3.exe', 'w3wp.exe'],
    );
    expect(plan.truncated[`children:${g(1)}`]).toMatchObject({ limit: 4, remaining: 197 });
  });
});

describe('planGraph: sibling groups', () => {
  /*
   *  1 svchost.exe (origin)
   *  ├─ 2 … 13  conhost.exe 0xffffffff -ForceV1 /id N   ×12 leaves → one group
   *  ├─ 14 conhost.exe 0xffffffff -ForceV1 /id 99       (same key, but has a child: stays visible)
   *  │   └─ 15 whoami.exe
   *  ├─ 16 cmd.exe /c echo 1
   *  └─ 17 cmd.exe /c echo 2                            (only 2 of this key: below threshold)
   */
  const rows = [proc(1, null, 'svchost.exe', 0)];
  for (let i = 2; i <= 13; i++) rows.push(proc(i, 1, 'conhost.exe', i, { commandLine: `conhost.exe 0xffffffff -ForceV1 /id ${i * 7}` }));
  rows.push(proc(14, 1, 'conhost.exe', 14, { commandLine: 'conhost.exe 0xffffffff -ForceV1 /id 99' }));
  rows.push(proc(15, 14, 'whoami.exe', 15));
  rows.push(proc(16, 1, 'cmd.exe', 16, { commandLine: 'cmd.exe /c echo 1' }));
  rows.push(proc(17, 1, 'cmd.exe', 17, { commandLine: 'cmd.exe /c echo 2' }));

  it('when ≥ K leaf siblings share image and folded command line, then they become one group of exactly them', () => {
    const plan = planGraph(rows, opts());
    expect(plan.groups).toHaveLength(1);
    const grp = plan.groups[0]!;
    expect(grp.members.map((m) => m.guid)).toEqual(Array.from({ length: 12 }, (_, i) => g(i + 2)));
    expect(grp.excluded).toEqual([g(14)]);
    expect(grp.depth).toBe(1);
    expect(plan.processes.map((p) => p.record.guid).sort()).toEqual([g(1), g(14), g(15), g(16), g(17)].sort());
  });

  it('when below the threshold, then siblings stay individual', () => {
    const plan = planGraph(rows, opts({ siblingThreshold: 13 }));
    expect(plan.groups).toHaveLength(0);
    expect(plan.processes).toHaveLength(17);
  });

  it('when the budget is tight, then a group costs one node and each shown node gets a child before any goes deeper', () => {
    const plan = planGraph(rows, opts({ nodeBudget: 3 }));
    // pass 1: origin takes 14 (it has a child, so it comes first); pass 2: origin takes its next unit,
    // the group (earliest start), and the budget is spent before 14's child.
    expect(plan.processes.map((p) => p.record.guid)).toEqual([g(1), g(14)]);
    expect(plan.groups.map((x) => x.members.length)).toEqual([12]);
    expect(plan.truncated[`children:${g(1)}`]).toMatchObject({ limit: 13, remaining: 2 });
    expect(plan.truncated[`children:${g(14)}`]).toMatchObject({ limit: 0, remaining: 1 });
  });
});

describe('planGraph: depth limits and ancestors', () => {
  /*
   *  9 explorer.exe
   *  └─ 1 cmd.exe (origin)
   *      ├─ 2 powershell.exe
   *      │   ├─ 4 net.exe        ← depth 2: fetched only to count hidden children
   *      │   └─ 5 net1.exe       ←
   *      └─ 3 conhost.exe
   */
  const rows = [
    proc(9, 8, 'explorer.exe', 0), proc(1, 9, 'cmd.exe', 10), proc(2, 1, 'powershell.exe', 11),
    proc(3, 1, 'conhost.exe', 12), proc(4, 2, 'net.exe', 13), proc(5, 2, 'net1.exe', 14),
  ];

  it('when down=1, then grandchildren are hidden and counted on their parent', () => {
    const plan = planGraph(rows, opts({ down: 1 }));
    expect(plan.processes.map((p) => [p.record.guid, p.depth])).toEqual([[g(9), -1], [g(1), 0], [g(2), 1], [g(3), 1]]);
    expect(plan.truncated[`children:${g(2)}`]).toMatchObject({ limit: 0, remaining: 2 });
    expect(plan.truncated[`children:${g(3)}`]).toBeUndefined();
  });

  it('when up, then the topmost shown process is handed back so its parent can become a placeholder', () => {
    const plan = planGraph(rows, opts());
    expect(plan.topmost?.record.guid).toBe(g(9));
    expect(plan.topmost?.depth).toBe(-1);
  });

  it('when not up, then ancestors are not shown and a truncation record offers them', () => {
    const plan = planGraph(rows, opts({ up: false }));
    expect(plan.processes.some((p) => p.depth < 0)).toBe(false);
    expect(plan.topmost).toBeNull();
    expect(decodeCursor(plan.truncated[`ancestors:${g(1)}`]!.cursor)).toEqual({ k: 'ancestors', g: g(1), h: null });
  });

  it('when the source cut its fetch, then the deepest leaves say more may exist', () => {
    const plan = planGraph(rows, opts({ fetchComplete: false }));
    expect(plan.truncated[`descendants:${g(1)}`]).toMatchObject({ remaining: null });
    expect(plan.truncated[`children:${g(4)}`]).toMatchObject({ limit: 0, remaining: null });
  });
});
