/**
 * Rule results remembered by the value rows of the fields their evaluation read (./rule-cache.ts)
 * against plain evaluation: the engine with its memos must give exactly the hits (and matched
 * selections) of every rule evaluated on every event with a fresh view — over a stream long enough
 * that the value memos fill and clear (rows are reused) and values repeat enough that the cache
 * answers most evaluations, which the test checks by counting the evaluations the engine really ran;
 * and, with command lines that never repeat, a rule that stops at the image is still answered by the
 * image alone.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../demo/prng.js';
import { SigmaEngine } from './engine.js';
import { EventView, type SigmaEvent } from './event.js';
import { compileText } from './load.js';
import { isCompiled, type CompiledRule } from './rule.js';

const rule = (id: number, detection: string): CompiledRule => {
  const [r] = compileText(`title: r${id}\nid: 00000000-0000-0000-0000-00000000000${id}\nlevel: high\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n${detection}`, null);
  if (!isCompiled(r!)) throw new Error(r!.reason);
  return r;
};

const RULES = [
  // One field, a negated filter (tried on every create).
  rule(1, "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|startswith: 'C:\\Windows\\'\n  condition: sel and not filter"),
  // Two fields.
  rule(2, "  sel:\n    ParentImage|endswith: '\\winword.exe'\n    Image|endswith:\n      - '\\cmd.exe'\n      - '\\powershell.exe'\n  condition: sel"),
  // Three fields, command line.
  rule(3, "  sel_img:\n    Image|endswith: '\\powershell.exe'\n  sel_cli:\n    CommandLine|contains: ' -enc '\n  sel_user:\n    User|contains: 'admin'\n  condition: sel_img and (sel_cli or sel_user)"),
  // Four fields, with a fieldref.
  rule(4, "  sel:\n    Image|fieldref: ParentImage\n  filter:\n    IntegrityLevel: 'System'\n    User|contains: 'svc'\n  condition: sel and not filter"),
  // Five fields: not remembered.
  rule(5, "  sel:\n    Image|endswith: '\\cmd.exe'\n    ParentImage|contains: 'x'\n    CommandLine|contains: 'c'\n    User|contains: 'u'\n    IntegrityLevel: 'Medium'\n  condition: sel"),
  // A null test and a keyword (not remembered: reads every value).
  rule(6, "  sel:\n    CommandLine|contains: 'x'\n    User: null\n  condition: sel"),
  rule(7, "  kw:\n    - 'evil'\n  condition: kw"),
];

function stream(n: number): SigmaEvent[] {
  const rnd = mulberry32(11);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const images = ['C:\\Windows\\System32\\cmd.exe', 'C:\\Users\\a\\cmd.exe', 'C:\\x\\powershell.exe', 'C:\\Program Files\\Office\\WINWORD.EXE', 'C:\\x\\notepad.exe'];
  const cmds = Array.from({ length: 40 }, (_v, i) => `cmd${i} ${i % 3 === 0 ? '-enc ' : ''}x`);
  const out: SigmaEvent[] = [];
  for (let i = 0; i < n; i++) {
    const image = pick(images);
    const fields: Record<string, string> = {
      Image: image,
      ParentImage: rnd() < 0.3 ? image : pick(images),
      // Mostly repeated command lines, a third never seen before: the memo stays on and fills, then clears.
      CommandLine: rnd() < 0.35 ? `unique ${i} ${rnd() < 0.1 ? 'evil' : 'c'}` : pick(cmds),
      IntegrityLevel: pick(['Medium', 'High', 'System']),
    };
    if (rnd() < 0.9) fields.User = pick(['CORP\\admin', 'CORP\\svc_x', 'CORP\\u1', '']);
    out.push({ eventId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: 'h', fields });
  }
  return out;
}

describe('rule results remembered by value rows', () => {
  it('give exactly the hits of plain evaluation, across memo clears, and spare most evaluations', () => {
    const events = stream(30_000);
    const direct: string[] = [];
    for (const [i, e] of events.entries()) {
      const view = new EventView(e);
      for (const r of RULES) { const s = r.evaluate(view); if (s) direct.push(`${i} ${r.id} ${s.join(',')}`); }
    }
    // Count the evaluations the engine runs (the same rules, their evaluate wrapped).
    let ran = 0;
    const counted = RULES.map((r) => ({ ...r, evaluate: (v: EventView) => { ran++; return r.evaluate(v); } }));
    const engine = new SigmaEngine(counted);
    const viaEngine: string[] = [];
    let tried = 0;
    for (const [i, e] of events.entries()) {
      for (const h of engine.match(e)) viaEngine.push(`${i} ${h.rule.id} ${h.selections.join(',')}`);
      tried += RULES.length;
    }
    expect(viaEngine.sort()).toEqual(direct.sort());
    expect(direct.length).toBeGreaterThan(5_000);
    // The prefilter and the cache together ran well under half the evaluations plain evaluation needs.
    expect(ran / tried).toBeLessThan(0.5);
    // Without memos (no rows, no cache) the engine agrees too, and runs more evaluations.
    let ranPlain = 0;
    const plain = new SigmaEngine(RULES.map((r) => ({ ...r, evaluate: (v: EventView) => { ranPlain++; return r.evaluate(v); } })), { memo: false });
    const viaPlain: string[] = [];
    for (const [i, e] of events.entries()) for (const h of plain.match(e)) viaPlain.push(`${i} ${h.rule.id} ${h.selections.join(',')}`);
    expect(viaPlain.sort()).toEqual(direct);
    expect(ran).toBeLessThan(ranPlain / 2);
  });
});

describe('rule results remembered by the fields an evaluation read', () => {
  it('a walk that stops at the image is remembered by the image alone, whatever the command line', () => {
    // A candidate for every cmd.exe with an x in its command line; the filter on the image decides most.
    const r = rule(8, "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|startswith: 'C:\\Windows\\'\n  cli:\n    CommandLine|contains: 'x'\n  condition: sel and not filter and cli");
    const rnd = mulberry32(5);
    const images = ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\SysWOW64\\cmd.exe', 'C:\\Users\\a\\cmd.exe'];
    const events: SigmaEvent[] = Array.from({ length: 20_000 }, (_v, i) => ({
      eventId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: 'h',
      // Every command line new: its memo sits out, so no result can be keyed on it.
      fields: { Image: images[Math.floor(rnd() * images.length)]!, CommandLine: `cmd /c x ${i} ${rnd()}` },
    }));
    const direct: string[] = [];
    events.forEach((e, i) => { const s = r.evaluate(new EventView(e)); if (s) direct.push(`${i} ${s.join(',')}`); });
    let ran = 0;
    const engine = new SigmaEngine([{ ...r, evaluate: (v: EventView) => { ran++; return r.evaluate(v); } }]);
    const got: string[] = [];
    events.forEach((e, i) => { for (const h of engine.match(e)) got.push(`${i} ${h.selections.join(',')}`); });
    expect(got).toEqual(direct);
    expect(direct.length).toBeGreaterThan(5_000);
    // Every event is a candidate; the two C:\Windows images (two thirds) are answered without evaluating.
    expect(ran).toBeLessThan(events.length * 0.4);
  });
});
