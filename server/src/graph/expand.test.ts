/**
 * Budgeted best-first expansion on hand-drawn trees. Scores are given (the score itself is tested in
 * suspicion.test.ts); the expected order follows from the rule stated in expand.ts: highest branch
 * (best score in the subtree) first, then own score, depth, start.
 */
import { describe, expect, it } from 'vitest';
import { expandBySuspicion } from './expand.js';
import type { PlanOptions } from './plan.js';
import type { Suspicion } from './suspicion.js';
import { g, proc } from './testing.js';

const opts = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  origin: g(1), up: true, down: Infinity, nodeBudget: 150, siblingThreshold: 5, host: null, fetchComplete: true, ...over,
});
const s = (score: number, text = `reason ${score}`): Suspicion => ({ score, reasons: score ? [{ kind: 'lolbin', text, weight: score }] : [] });

/*
 *  0 services.exe (parent of the origin)
 *  └─ 1 explorer.exe (origin)
 *      ├─ 2 … 61   60 distinct benign apps, leaves, started first
 *      ├─ 100 outlook.exe            score 0
 *      │   └─ 101 winword.exe        score 0
 *      │       └─ 102 cmd.exe        score 40
 *      │           └─ 103 powershell score 70
 *      │               └─ 104 rundll32  score 30
 *      └─ 200 agent.exe               score 5
 *          └─ 201 … 300  100 × probe.exe /q N   leaves, one sibling group, one member scored 12
 */
const rows = [proc(0, null, 'services.exe', -10), proc(1, 0, 'explorer.exe', 0)];
for (let i = 2; i <= 61; i++) rows.push(proc(i, 1, `app${i}.exe`, i));
rows.push(proc(100, 1, 'outlook.exe', 100), proc(101, 100, 'winword.exe', 101), proc(102, 101, 'cmd.exe', 102), proc(103, 102, 'powershell.exe', 103), proc(104, 103, 'rundll32.exe', 104));
rows.push(proc(200, 1, 'agent.exe', 200));
for (let i = 201; i <= 300; i++) rows.push(proc(i, 200, 'probe.exe', 200 + i, { commandLine: `probe.exe /q ${i}` }));
const scores = new Map<string, Suspicion>([[g(102), s(40)], [g(103), s(70)], [g(104), s(30)], [g(200), s(5)], [g(250), s(12, 'probe 250')]]);

describe('expandBySuspicion', () => {
  it('when the budget is small, then the branch leading to the highest score is opened first, in chain order', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 8 }), scores);
    // Budget 8 = services + explorer (always shown) + 6 opened.
    expect(x.opened.map((o) => o.id)).toEqual([g(1), g(100), g(101), g(102), g(103), g(104), g(200)]);
    expect(x.opened.map((o) => o.order)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(x.plan.processes.map((p) => p.record.guid)).toEqual([g(0), g(1), g(100), g(200), g(101), g(102), g(103), g(104)]);
    expect(x.truncated).toBe(true);
  });

  it('when a node scores nothing but leads somewhere, then it says where', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 8 }), scores);
    const outlook = x.opened.find((o) => o.id === g(100))!;
    expect(outlook).toMatchObject({ score: 0, branch: 70, reasons: [], leadsTo: { guid: g(103), name: 'powershell.exe', score: 70 } });
    expect(x.opened.find((o) => o.id === g(103))).toMatchObject({ score: 70, branch: 70, leadsTo: null, reasons: [{ text: 'reason 70' }] });
  });

  it('when a parent has 100 similar leaf children, then they are one group node, opened once and never beyond it', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 9 }), scores);
    // After the chain (branch 70) and agent (branch 12 via its group), the group (12) beats the zero-score apps.
    const last = x.opened.at(-1)!;
    expect(last.id).toMatch(/^group:/);
    expect(last).toMatchObject({ score: 12, reasons: [{ kind: 'group', text: '100 similar probe.exe siblings, shown as one group' }, { text: 'probe 250' }] });
    expect(x.plan.groups).toHaveLength(1);
    expect(x.plan.groups[0]!.members).toHaveLength(100);
    const shown = new Set(x.plan.processes.map((p) => p.record.guid));
    for (let i = 201; i <= 300; i++) expect(shown.has(g(i))).toBe(false);
    expect(x.plan.truncated[`children:${g(200)}`]).toBeUndefined();
  });

  it('when children stay unopened, then truncation records count them exactly', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 9 }), scores);
    // Explorer: outlook and agent opened (2 processes), the 60 apps hidden.
    expect(x.plan.truncated[`children:${g(1)}`]).toMatchObject({ limit: 2, remaining: 60 });
    expect(x.considered).toBe(rows.length - 1); // all under the origin, origin included; the parent is an ancestor
    expect(x.hidden).toBe(60);
  });

  it('when the budget covers everything, then nothing is cut and every process is shown or grouped', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 1000 }), scores);
    expect(x.truncated).toBe(false);
    expect(x.hidden).toBe(0);
    expect(Object.keys(x.plan.truncated).filter((k) => k.startsWith('children:'))).toEqual([]);
    expect(x.plan.processes.length + x.plan.groups[0]!.members.length).toBe(rows.length);
  });

  it('when every score is 0, then it opens in the source\'s order (start time), shallow first', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 5 }), new Map());
    expect(x.opened.map((o) => o.id)).toEqual([g(1), g(2), g(3), g(4)]);
  });

  it('when the source cut its fetch, then the expansion says it is truncated and the deepest leaves may have more', () => {
    const x = expandBySuspicion(rows, opts({ nodeBudget: 1000, fetchComplete: false }), scores);
    expect(x.truncated).toBe(true);
    expect(x.plan.truncated[`children:${g(104)}`]).toMatchObject({ limit: 0, remaining: null });
    expect(x.plan.truncated[`descendants:${g(1)}`]).toBeDefined();
  });
});
