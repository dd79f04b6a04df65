/**
 * Engine semantics (docs/rules.md §2–3). Trees are drawn parent above child; `[x]` is a placeholder (a parent
 * whose own create was never delivered, known only from its child's Parent* fields).
 */
import { describe, expect, it } from 'vitest';
import { RuleEngine } from './engine.js';
import { isoMs } from '../language/units.js';
import type { EngineHit, VectorEvent } from '../model.js';
import { parseRulesOrThrow } from '../language/parse.js';
import { runItems, runItemsStreaming, vectorItems } from '../vectors.js';

const rule = (text: string) => parseRulesOrThrow(text);
const leaves = (hits: EngineHit[]) => hits.map((h) => `${h.host}/${h.chain[h.chain.length - 1]}`).sort();
const run = (text: string, events: VectorEvent[]) => runItems(rule(text), vectorItems(events));

/** A straight line of processes: ids[0] is the root (no parent), each next one its child. */
function line(...imgs: string[]): VectorEvent[] {
  return imgs.map((img, i): VectorEvent => (i === 0 ? { g: `N${i}`, img: `C:\\x\\${img}` } : { g: `N${i}`, p: `N${i - 1}`, img: `C:\\x\\${img}` }));
}

describe('hop bounds', () => {
  it('exact depth: a.exe -[2]-> c.exe matches a grandchild only', () => {
    // a → b → c   (hit)      a → c   (1 hop)      a → b → b → c   (3 hops)
    expect(leaves(run('a.exe -[2]-> c.exe', line('a.exe', 'b.exe', 'c.exe')))).toEqual(['host1/N2']);
    expect(run('a.exe -[2]-> c.exe', line('a.exe', 'c.exe'))).toEqual([]);
    expect(run('a.exe -[2]-> c.exe', line('a.exe', 'b.exe', 'b.exe', 'c.exe'))).toEqual([]);
  });

  it('range 1..3 matches depths 1, 2 and 3, not the just-too-deep 4', () => {
    for (const depth of [1, 2, 3]) {
      const mid = Array.from({ length: depth - 1 }, () => 'm.exe');
      const hits = run('a.exe -[1..3]-> z.exe', line('a.exe', ...mid, 'z.exe'));
      expect(hits.map((h) => h.chain.length), `depth ${depth}`).toEqual([depth + 1]);
      expect(hits[0]!.steps).toEqual([0, ...mid.map(() => null), 1]);
    }
    expect(run('a.exe -[1..3]-> z.exe', line('a.exe', 'm.exe', 'm.exe', 'm.exe', 'z.exe'))).toEqual([]);
  });

  it('unbounded 1..* reaches 40 generations down', () => {
    const mid = Array.from({ length: 39 }, () => 'm.exe');
    const hits = run('a.exe -[1..*]-> z.exe', line('a.exe', ...mid, 'z.exe'));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.chain).toHaveLength(41);
    expect(hits[0]!.chain[0]).toBe('N0');
  });

  it('a node never satisfies two consecutive steps by itself', () => {
    // cmd alone is not "cmd -> cmd"; cmd → cmd is.
    expect(run('cmd.exe -> cmd.exe', line('cmd.exe'))).toEqual([]);
    expect(leaves(run('cmd.exe -> cmd.exe', line('cmd.exe', 'cmd.exe')))).toEqual(['host1/N1']);
  });

  it('reversed order does not match', () => {
    // winword → powershell → cmd is the chain upside down.
    expect(run('cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe', line('winword.exe', 'powershell.exe', 'cmd.exe'))).toEqual([]);
  });
});

describe('intermediates', () => {
  const allRule = `
title: only rundll32 between
chain:
  - match: {Image|endswith: '\\a.exe'}
  - via: {hops: 1..4, all: {Image|endswith: '\\rundll32.exe'}}
    match: {Image|endswith: '\\z.exe'}
`;
  const noneRule = `
title: no browser between
chain:
  - match: {Image|endswith: '\\a.exe'}
  - via: {hops: 1..4, none: {Image|endswith: ['\\chrome.exe', '\\msedge.exe']}}
    match: {Image|endswith: '\\z.exe'}
`;
  it('via.all: every intermediate must match', () => {
    expect(run(allRule, line('a.exe', 'rundll32.exe', 'rundll32.exe', 'z.exe'))).toHaveLength(1);
    // a → rundll32 → cmd → z: cmd is not allowed
    expect(run(allRule, line('a.exe', 'rundll32.exe', 'cmd.exe', 'z.exe'))).toEqual([]);
  });
  it('via.none: no intermediate may match', () => {
    expect(run(noneRule, line('a.exe', 'cmd.exe', 'z.exe'))).toHaveLength(1);
    expect(run(noneRule, line('a.exe', 'msedge.exe', 'z.exe'))).toEqual([]);
  });
  it('unless.path: no intermediate of the whole chain may match', () => {
    const r = `
title: t
chain:
  - match: {Name: a.exe}
  - via: 1..5
    match: {Name: z.exe}
unless:
  - path: {match: {CommandLine|contains: 'benign'}}
`;
    expect(run(r, line('a.exe', 'm.exe', 'z.exe'))).toHaveLength(1);
    const evs = line('a.exe', 'm.exe', 'z.exe');
    evs[1]!.cmd = 'm.exe --BENIGN';
    expect(run(r, evs)).toEqual([]);
  });
});

describe('matching', () => {
  it('is case-insensitive by default and case-sensitive with |cased', () => {
    const ci = `
title: t
chain:
  - match: {Image|endswith: '\\CMD.EXE'}
  - match: {CommandLine|contains: 'INVOKE-EXPRESSION'}
`;
    const evs: VectorEvent[] = [
      { g: 'A', img: 'C:\\Windows\\System32\\cmd.exe' },
      { g: 'B', p: 'A', img: '\\powershell.exe', cmd: 'powershell invoke-expression $x' },
    ];
    expect(run(ci, evs)).toHaveLength(1);
    expect(run(ci.replace('contains:', 'contains|cased:'), evs)).toEqual([]);
  });

  it('accepts CIM field names (process_path, process) through the one field mapping', () => {
    const r = `
title: t
chain:
  - match: {parent_process_path|endswith: '\\services.exe'}
  - match: {process_path|endswith: '\\powershell.exe', process|contains: '-enc'}
`;
    const evs: VectorEvent[] = [
      { g: 'C', p: 'S', img: '\\cmd.exe', pimg: '\\services.exe' },
      { g: 'P', p: 'C', img: '\\powershell.exe', cmd: 'powershell -enc AAA' },
    ];
    expect(leaves(run(r, evs))).toEqual(['host1/P']);
  });
});

describe('time bounds', () => {
  it('within bounds first to last node; backtracking finds a farther ancestor that fits', () => {
    // cmd(t=0) → powershell(t=10) → cmd(t=5000) → powershell(t=5010) → winword(t=5020)
    // nearest cmd/powershell pair is within 30m of winword; the outer pair is not.
    const evs: VectorEvent[] = [
      { g: 'A', img: '\\cmd.exe', t: 0 }, { g: 'B', p: 'A', img: '\\powershell.exe', t: 10 },
      { g: 'C', p: 'B', img: '\\cmd.exe', t: 5000 }, { g: 'D', p: 'C', img: '\\powershell.exe', t: 5010 },
      { g: 'E', p: 'D', img: '\\winword.exe', t: 5020 },
    ];
    const hits = run('cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe within 30m', evs);
    expect(hits.map((h) => h.chain)).toEqual([['C', 'D', 'E']]);
    // within 1m: winword at 5020 is 20 s after cmd C → still a hit; 10 s: none.
    expect(run('cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe within 10s', evs)).toEqual([]);
  });

  it('max_gap bounds every hop', () => {
    const evs: VectorEvent[] = [{ g: 'A', img: '\\a.exe', t: 0 }, { g: 'B', p: 'A', img: '\\b.exe', t: 50 }, { g: 'C', p: 'B', img: '\\c.exe', t: 60 }];
    expect(run('a.exe -> b.exe -> c.exe max_gap 1m', evs)).toHaveLength(1);
    expect(run('a.exe -> b.exe -> c.exe max_gap 30s', evs)).toEqual([]);
  });
});

describe('arrival order and delivery', () => {
  const brief = 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe';
  //   A cmd → B powershell → C winword
  const evs: VectorEvent[] = [
    { g: 'A', p: 'R', img: '\\cmd.exe', pimg: '\\explorer.exe' },
    { g: 'B', p: 'A', img: '\\powershell.exe', pimg: '\\cmd.exe' },
    { g: 'C', p: 'B', img: '\\winword.exe', pimg: '\\powershell.exe' },
  ];

  it('parent outside the window: a placeholder from the child\'s ParentImage completes the chain', () => {
    //   [A cmd] → B powershell → C winword     (A's create not delivered)
    const hits = run(brief, evs.slice(1));
    expect(hits.map((h) => h.chain)).toEqual([['A', 'B', 'C']]);
    expect(hits[0]!.images[0]).toBe('\\cmd.exe');
    expect(hits[0]!.truncated).toBe(true);
    // With the full chain delivered, ancestry above A is unknown (R) but the chain itself is complete.
    expect(run(brief, evs)[0]!.truncated).toBe(false);
    expect(run('cmd.exe -> powershell.exe', [{ g: 'A', img: '\\cmd.exe' }, { g: 'B', p: 'A', img: '\\powershell.exe' }])[0]!.truncated).toBe(false);
  });

  it('grandchild before its parent, streamed: one hit when the chain completes, none before', () => {
    // Arrival: C winword, then A cmd, then B powershell (the link in the middle comes last).
    const engine = new RuleEngine(rule(brief));
    const items = vectorItems([evs[2]!, { ...evs[0]!, pimg: '' }, evs[1]!]);
    const [c, a, b] = items;
    const add = (x: (typeof items)[number] | undefined) => { if (x?.kind === 'process') engine.addProcess(x.rec); return engine.drain(); };
    expect(add(c)).toEqual([]);
    expect(add(a)).toEqual([]);
    const late = add(b);
    expect(late.map((h) => h.chain)).toEqual([['A', 'B', 'C']]);
  });

  it('duplicate delivery is idempotent, also after the hit fired', () => {
    const items = vectorItems(evs);
    expect(runItemsStreaming(rule(brief), [...items, ...items, ...items])).toHaveLength(1);
    const engine = new RuleEngine(rule(brief));
    for (const x of [...items, ...items]) if (x.kind === 'process') engine.addProcess(x.rec);
    expect(engine.drain()).toHaveLength(1);
    expect(engine.counters.duplicates).toBe(3);
  });

  it('the same GUID on two hosts are two processes', () => {
    // host1: G cmd → K powershell        host2: G notepad → K powershell   (same GUIDs)
    const two: VectorEvent[] = [
      { g: 'G', img: '\\cmd.exe', host: 'host1' }, { g: 'K', p: 'G', img: '\\powershell.exe', host: 'host1' },
      { g: 'G', img: '\\notepad.exe', host: 'host2' }, { g: 'K', p: 'G', img: '\\powershell.exe', host: 'host2' },
    ];
    const hits = run('cmd.exe -> powershell.exe', two);
    expect(leaves(hits)).toEqual(['host1/K']);
    expect(leaves(run('notepad.exe -> powershell.exe', two))).toEqual(['host2/K']);
  });

  it('parent GUID cycles in bad data do not hang the walk', () => {
    const cyc: VectorEvent[] = [{ g: 'A', p: 'B', img: '\\a.exe' }, { g: 'B', p: 'A', img: '\\b.exe' }];
    expect(run('x.exe -[1..*]-> a.exe', cyc)).toEqual([]);
    expect(leaves(run('b.exe -[1..*]-> a.exe', cyc))).toEqual(['host1/A']);
  });
});

describe('negation with truncated ancestry', () => {
  const r = (policy: string) => `
title: office tool not under a browser
unknown_ancestry: ${policy}
chain:
  - as: office
    match: {Name: winword.exe}
  - as: tool
    via: 1..3
    match: {Name: vssadmin.exe}
unless:
  - ancestor: {of: tool, within: 1..6, match: {Name: chrome.exe}}
`;
  //   [X ?] → W winword → V vssadmin      (X never delivered, its own parent unknown)
  const truncated: VectorEvent[] = [{ g: 'W', p: 'X', img: '\\winword.exe', pimg: '\\explorer.exe' }, { g: 'V', p: 'W', img: '\\vssadmin.exe' }];

  it('unknown is not absent: suppressed by default, reported with unknown_ancestry: match', () => {
    expect(run(r('suppress'), truncated)).toEqual([]);
    const hits = run(r('match'), truncated);
    expect(hits.map((h) => h.chain)).toEqual([['W', 'V']]);
    expect(hits[0]!.truncated).toBe(true);
  });

  it('fires once the missing ancestors arrive and are not a browser; stays quiet when one is', () => {
    // X explorer (root) arrives later.
    const later = runItemsStreaming(rule(r('suppress')), vectorItems([...truncated, { g: 'X', img: '\\explorer.exe' }]));
    expect(later.map((h) => h.chain)).toEqual([['W', 'V']]);
    const browser = runItemsStreaming(rule(r('suppress')), vectorItems([...truncated, { g: 'X', img: '\\chrome.exe' }]));
    expect(browser).toEqual([]);
  });

  it('the browser placeholder itself is enough to suppress', () => {
    // [X chrome] → W → V: the placeholder's image comes from W's ParentImage.
    expect(run(r('match'), [{ ...truncated[0]!, pimg: '\\chrome.exe' }, truncated[1]!])).toEqual([]);
  });
});

describe('where and then', () => {
  it('where compares fields across steps', () => {
    const r = `
title: same user
chain:
  - as: a
    match: {Name: a.exe}
  - as: b
    match: {Name: b.exe}
where:
  - a.User == b.User
`;
    const same: VectorEvent[] = [{ g: 'A', img: '\\a.exe', user: 'PC\\Alice' }, { g: 'B', p: 'A', img: '\\b.exe', user: 'pc\\alice' }];
    expect(run(r, same)).toHaveLength(1);
    expect(run(r, [same[0]!, { ...same[1]!, user: 'PC\\bob' }])).toEqual([]);
  });

  it('then: a network event of the leaf completes the chain, whichever arrives first', () => {
    const r = `
title: egress
chain:
  - as: a
    match: {Name: a.exe}
  - as: b
    match: {Name: b.exe}
then:
  - of: b
    match: {EventID: 3, DestinationPort: 443}
`;
    const evs: VectorEvent[] = [{ g: 'A', img: '\\a.exe' }, { g: 'B', p: 'A', img: '\\b.exe', t: 5 }, { eid: 3, g: 'B', DestinationPort: 443, t: 6 }];
    expect(run(r, evs)).toHaveLength(1);
    expect(runItemsStreaming(rule(r), vectorItems([...evs].reverse()))).toHaveLength(1);
    expect(run(r, evs.slice(0, 2))).toEqual([]);
    expect(run(r, [...evs.slice(0, 2), { eid: 3, g: 'B', DestinationPort: 80 }])).toEqual([]);
  });
});

describe('retention', () => {
  it('keeps a long-lived ancestor while its descendants stay active, and evicts idle nodes', () => {
    // services (t=0) → svchost (t=0) → every hour a cmd → powershell pair, for 10 hours; retention 2 h.
    const r = rule('services.exe -[1..3]-> powershell.exe');
    const engine = new RuleEngine(r, { retentionMs: 2 * 3_600_000 });
    const evs: VectorEvent[] = [{ g: 'S', img: '\\services.exe', t: 0 }, { g: 'V', p: 'S', img: '\\svchost.exe', t: 0 }];
    for (let h = 1; h <= 10; h++) {
      evs.push({ g: `C${h}`, p: 'V', img: '\\cmd.exe', t: h * 3600 }, { g: `P${h}`, p: `C${h}`, img: '\\powershell.exe', t: h * 3600 + 1 });
      // unrelated idle noise
      for (let i = 0; i < 30_000; i++) evs.push({ g: `Z${h}_${i}`, p: 'Q', img: '\\noise.exe', t: h * 3600 + 2 });
    }
    let hits = 0;
    for (const x of vectorItems(evs)) { if (x.kind === 'process') engine.addProcess(x.rec); hits += engine.drain().length; }
    expect(hits).toBe(10);
    expect(engine.counters.evicted).toBeGreaterThan(100_000);
    expect(engine.size()).toBeLessThan(150_000);
  });
});

describe('retention keeps parent links valid', () => {
  it('an idle parent of a retained child is kept (its slot is not reused by newer processes)', () => {
    // P (t=0) → C (t=30 s); ~100k unrelated processes at t=1–9 s; one at 32 min 10 s (the 100,001st add:
    // the first sweep, retention 32 min cuts at 10 s); 1,000 more, reusing freed slots; then D, C's child. P is idle past the cut but
    // C is not: P must stay, or the chain would be cut — or run through whatever reused P's slot.
    const engine = new RuleEngine(rule('p.exe -> c.exe -> d.exe'), { retentionMs: 32 * 60_000 });
    const evs: VectorEvent[] = [{ g: 'P', img: '\\p.exe', t: 0 }, { g: 'C', p: 'P', img: '\\c.exe', t: 30 }];
    for (let i = 0; i < 99_998; i++) evs.push({ g: `N${i}`, img: '\\p.exe', t: 1 + (i * 8) / 100_000 });
    for (let i = 0; i <= 1000; i++) evs.push({ g: `M${i}`, p: i === 0 ? 'Q' : `M${i - 1}`, img: '\\p.exe', t: 1930 });
    evs.push({ g: 'D', p: 'C', img: '\\d.exe', t: 1940 });
    const hits: EngineHit[] = [];
    for (const x of vectorItems(evs)) { if (x.kind === 'process') engine.addProcess(x.rec); hits.push(...engine.drain()); }
    expect(engine.counters.evicted).toBe(99_998);
    expect(hits.map((h) => h.chain)).toEqual([['P', 'C', 'D']]);
  });
});

describe('isoMs', () => {
  it('agrees with Date.parse on source timestamps and falls back for other shapes', () => {
    let t = Date.UTC(2026, 1, 28, 23, 59, 58, 999);
    for (let i = 0; i < 5000; i++) {
      t += (i * 7919) % 90_001;
      const s = new Date(t).toISOString();
      expect(isoMs(s)).toBe(t);
    }
    expect(isoMs('2024-01-01T00:00:00Z')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(isoMs('not a time')).toBeNaN();
  });
});
