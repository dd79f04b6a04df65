import { describe, expect, it } from 'vitest';
import { GraphDocumentSchema, ZERO_GUID } from '@lineage/shared';
import type { EventRecord, ProcessRecord } from '../sources/event-source.js';
import { assembleGraph, lookupsNeeded, type AssembleInput } from './assemble.js';
import { decodeCursor } from './cursor.js';
import { planGraph, type PlanOptions } from './plan.js';
import { RANGE, crossEvent, g, proc } from './testing.js';

const STATS = { searches: 0, rows: 0, ms: 0 };

function build(rows: ProcessRecord[], over: Partial<PlanOptions> & Partial<Omit<AssembleInput, 'plan'>> = {}) {
  const plan = planGraph(rows, {
    origin: g(1), up: true, down: Infinity, nodeBudget: 1000, siblingThreshold: 5, host: null, fetchComplete: true, ...over,
  });
  const doc = assembleGraph({
    plan, range: RANGE, host: null, lookups: new Map(), counts: new Map(), cross: [], events: null,
    maxCrossTargets: 100, stats: STATS, ...over,
  });
  expect(GraphDocumentSchema.parse(doc)).toEqual(doc);
  return doc;
}

describe('assembleGraph: spawn edges, states and placeholders', () => {
  /*
   *  [99 parent: no create anywhere → placeholder not-logged]
   *   └─ 2 explorer.exe               (+0 s)
   *       └─ 1 cmd.exe  (origin)      (+3 s after explorer)   terminated
   *           ├─ 3 powershell.exe     (+1.5 s)
   *           │   └─ 4 whoami.exe     (+0.25 s)
   *           └─ 5 conhost.exe        (+0.1 s)
   */
  const rows = [
    proc(2, 99, 'explorer.exe', 100, { parentImage: 'C:\\Windows\\userinit.exe', parentCommandLine: 'userinit.exe', parentPid: 640, parentUser: 'CORP\\alice' }),
    proc(1, 2, 'cmd.exe', 103, { endTime: '2024-05-01T10:05:00.000Z' }),
    proc(3, 1, 'powershell.exe', 104.5), proc(4, 3, 'whoami.exe', 104.75), proc(5, 1, 'conhost.exe', 103.1),
  ];

  it('when the topmost parent has no create, then it is a not-logged placeholder from the child\'s Parent* fields', () => {
    const doc = build(rows);
    const ph = doc.nodes.find((n) => n.guid === g(99))!;
    expect(ph).toMatchObject({
      placeholder: true, placeholderReason: 'not-logged', state: 'placeholder', image: 'C:\\Windows\\userinit.exe',
      name: 'userinit.exe', commandLine: 'userinit.exe', pid: 640, user: 'CORP\\alice', depth: -2, searchWider: null,
    });
    expect(doc.edges).toContainEqual({ source: g(99), target: g(2), kind: 'spawn', deltaMs: null, count: 1 });
  });

  it('gives every parent → child edge with the time between their starts', () => {
    const doc = build(rows);
    const spawn = doc.edges.filter((e) => e.kind === 'spawn').map((e) => [e.source, e.target, e.deltaMs]);
    expect(spawn).toEqual([
      [g(1), g(3), 1500], [g(1), g(5), 100], [g(2), g(1), 3000], [g(3), g(4), 250], [g(99), g(2), null],
    ]);
  });

  it('marks terminated and running processes', () => {
    const doc = build(rows);
    expect(doc.nodes.find((n) => n.guid === g(1))!.state).toBe('terminated');
    expect(doc.nodes.find((n) => n.guid === g(3))!.state).toBe('running');
  });

  it('when the parent\'s create lies outside the window, then the placeholder is not-in-range and says where to look', () => {
    const parent = proc(99, null, 'userinit.exe', -86_400); // a day before the window
    const doc = build(rows, { lookups: new Map([[g(99), parent]]) });
    const ph = doc.nodes.find((n) => n.guid === g(99))!;
    expect(ph.placeholderReason).toBe('not-in-range');
    expect(ph.startTime).toBe(parent.startTime);
    expect(Date.parse(ph.searchWider!.from)).toBeLessThanOrEqual(Date.parse(parent.startTime));
    expect(ph.searchWider!.to).toBe(RANGE.to);
  });

  it('when the parent GUID is all zeros, then the placeholder is zero-guid with a synthetic id', () => {
    const root = proc(1, null, 'cmd.exe', 0, { parentGuid: ZERO_GUID, parentImage: 'C:\\x\\launcher.exe', parentPid: 42 });
    const doc = build([root]);
    const ph = doc.nodes.find((n) => n.placeholder)!;
    expect(ph).toMatchObject({ guid: 'zero:ws1:42:launcher.exe', placeholderReason: 'zero-guid', pid: 42 });
    expect(lookupsNeeded(planGraph([root], { origin: g(1), up: true, down: 1, nodeBudget: 10, siblingThreshold: 5, host: null, fetchComplete: true }), [])).toEqual([]);
  });

  it('when the parent GUID is zero and nothing is known about it, then the process is simply a root', () => {
    const doc = build([proc(1, null, 'System', 0)]);
    expect(doc.nodes).toHaveLength(1);
    expect(doc.edges).toEqual([]);
  });

  it('is byte-identical whatever order the rows came in', () => {
    expect(JSON.stringify(build([...rows].reverse()))).toBe(JSON.stringify(build(rows)));
  });
});

describe('assembleGraph: cross edges', () => {
  /*
   *  1 rundll32.exe (origin) ──remote-thread──▶ 2 explorer.exe (in the graph? no: another tree, found by lookup)
   *   └─ 3 cmd.exe ──process-access ×2──▶ 700 lsass.exe (no create logged → placeholder)
   *                ──process-access──▶ {0…0} (ignored: no target)
   */
  const rows = [proc(1, null, 'rundll32.exe', 0), proc(3, 1, 'cmd.exe', 5)];
  const cross: EventRecord[] = [
    crossEvent(1, 2, 8, 6, 11), crossEvent(3, 700, 10, 7, 12), crossEvent(3, 700, 10, 8, 13),
    { ...crossEvent(3, 0, 10, 9, 14), targetGuid: ZERO_GUID },
  ];
  const explorer = proc(2, null, 'explorer.exe', -30);

  it('attaches 8/10 edges to their source, counted, with target nodes', () => {
    const doc = build(rows, { cross, lookups: new Map([[g(2), explorer]]) });
    expect(doc.edges.filter((e) => e.kind !== 'spawn')).toEqual([
      { source: g(3), target: g(700), kind: 'process-access', deltaMs: null, count: 2 },
      { source: g(1), target: g(2), kind: 'remote-thread', deltaMs: null, count: 1 },
    ]);
    expect(doc.nodes.find((n) => n.guid === g(2))).toMatchObject({ placeholder: false, image: explorer.image });
    expect(doc.nodes.find((n) => n.guid === g(700))).toMatchObject({
      placeholder: true, placeholderReason: 'not-logged', image: 'C:\\Windows\\System32\\lsass.exe', pid: 700,
    });
  });

  it('lists the GUIDs to look up: the cross targets outside the graph', () => {
    const plan = planGraph(rows, { origin: g(1), up: true, down: Infinity, nodeBudget: 10, siblingThreshold: 5, host: null, fetchComplete: true });
    expect(lookupsNeeded(plan, cross)).toEqual([g(2), g(700)]);
  });

  it('when there are more targets than allowed, then the rest are recorded as truncated', () => {
    const doc = build(rows, { cross, maxCrossTargets: 1 });
    expect(doc.nodes.some((n) => n.guid === g(700))).toBe(false);
    expect(doc.truncated[`cross:${g(3)}`]).toMatchObject({ limit: 1, remaining: 2 });
  });
});

describe('assembleGraph: groups and events', () => {
  /*
   *  1 services.exe (origin)
   *  ├─ 2 … 7  svchost.exe -k netsvcs -p -s Svc<N>   ×6 → group
   *  └─ 8 cmd.exe
   */
  const rows = [proc(1, null, 'services.exe', 0)];
  for (let i = 2; i <= 7; i++) rows.push(proc(i, 1, 'svchost.exe', i, { commandLine: `svchost.exe -k netsvcs -p -s Svc${i}` }));
  rows.push(proc(8, 1, 'cmd.exe', 8));
  const counts = new Map<string, Partial<Record<string, number>>>([
    [g(2), { network: 2 }], [g(3), { network: 1, dns: 4 }], [g(8), { file: 3 }], [g(1), { file: 1 }],
  ]);

  it('a group node stands for its members: count, summed event counts, a cursor naming its key', () => {
    const doc = build(rows, { counts });
    const grp = doc.nodes.find((n) => n.kind === 'group')!;
    expect(grp.group!.count).toBe(6);
    expect(grp.eventCounts).toEqual({ dns: 4, network: 3 });
    expect(grp.commandLine).toBe('svchost.exe -k netsvcs -p -s svc#');
    expect(decodeCursor(grp.group!.cursor)).toMatchObject({ k: 'children', p: g(1), key: grp.group!.key });
    expect(doc.edges).toContainEqual({ source: g(1), target: grp.guid, kind: 'spawn', deltaMs: 2000, count: 6 });
  });

  it('when the events page was cut, then each process with more events gets a cursor after those shown', () => {
    const ev = (n: number, sec: number, rec: number): EventRecord => ({
      guid: g(n), host: 'ws1', eventId: 11, category: 'file', time: `2024-05-01T10:00:${String(sec).padStart(2, '0')}.000Z`, recordId: rec, targetGuid: null, fields: {},
    });
    const doc = build(rows, { counts, events: { items: [ev(1, 1, 1), ev(8, 9, 2), ev(8, 10, 3)], nextCursor: 'more' } });
    expect(doc.events).toHaveLength(3);
    expect(doc.truncated[`events:${g(8)}`]).toMatchObject({ limit: 2, remaining: 1 });
    expect(decodeCursor(doc.truncated[`events:${g(8)}`]!.cursor)).toMatchObject({ k: 'events', g: g(8), skip: 2 });
    expect(doc.truncated[`events:${g(1)}`]).toBeUndefined();
  });
});
