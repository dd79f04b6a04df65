/** Rule text → compiled rules: YAML shapes, the one-liner, and errors that point at line and field. */
import { describe, expect, it } from 'vitest';
import { parseDuration, parseHops, parseRules } from './parse.js';
import { UNBOUNDED } from '../model.js';

const errorsOf = (text: string) => parseRules(text, 'r.yaml').errors.map((e) => ({ line: e.line, field: e.field, message: e.message }));

describe('durations and hops', () => {
  it('reads the units analysts write', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration(90)).toBe(90_000);
    expect(() => parseDuration('soon')).toThrow(/cannot read duration/);
    expect(parseHops('1..5')).toEqual({ lo: 1, hi: 5 });
    expect(parseHops(2)).toEqual({ lo: 2, hi: 2 });
    expect(parseHops('1..*')).toEqual({ lo: 1, hi: UNBOUNDED });
    expect(() => parseHops('0..2')).toThrow(/≥ 1/);
    expect(() => parseHops('3..2')).toThrow(/empty/);
  });
});

describe('YAML rules', () => {
  it('reads several documents and a top-level list', () => {
    const multi = 'title: a\nchain: [{match: {Name: a.exe}}]\n---\ntitle: b\nid: b\nchain: [{match: {Name: b.exe}}]\n';
    expect(parseRules(multi).rules.map((r) => r.title)).toEqual(['a', 'b']);
    const list = '- title: a\n  id: a\n  chain: [{match: {Name: a.exe}}]\n- title: b\n  id: b\n  chain: [{match: {Name: b.exe}}]\n';
    expect(parseRules(list).rules.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('derives the image names of the last step for push-down', () => {
    const r = parseRules("title: t\nchain:\n  - match: {Name: a.exe}\n  - match: {Image|endswith: ['\\WINWORD.EXE', '\\excel.exe']}\n").rules[0]!;
    expect([...r.steps[1]!.pred.names!].sort()).toEqual(['excel.exe', 'winword.exe']);
    const any = parseRules("title: t\nchain:\n  - match: {Name: a.exe}\n  - match: {IntegrityLevel: High}\n").rules[0]!;
    expect(any.steps[1]!.pred.names).toBeNull();
  });

  it('points at a misspelt key', () => {
    expect(errorsOf('title: t\nchain:\n  - match: {Name: a.exe}\nwihtin: 5m\n')).toEqual([{ line: 4, field: 'wihtin', message: 'unknown key "wihtin"' }]);
  });

  it('points at an unknown modifier inside a step', () => {
    const text = "title: t\nchain:\n  - as: a\n    match: {Name: a.exe}\n  - as: b\n    via: 1..3\n    match:\n      Image|endswiht: '\\b.exe'\n";
    const [e] = errorsOf(text);
    expect(e).toMatchObject({ line: 8, field: 'chain.1.match.Image|endswiht' });
    expect(e!.message).toMatch(/unknown modifier \|endswiht/);
  });

  it('points at bad hops, a bad regex and an unknown step in where/unless', () => {
    const text = [
      'title: t',
      'chain:',
      '  - as: a',
      '    match: {Name: a.exe}',
      '  - as: b',
      '    via: 0..2',
      '    match: {Name: b.exe}',
    ].join('\n');
    expect(errorsOf(text)).toEqual([{ line: 6, field: 'chain.1.via', message: 'hops must be ≥ 1 (1 = direct child)' }]);
    const re = "title: t\nchain:\n  - match: {CommandLine|re: '(unclosed'}\n";
    expect(errorsOf(re)[0]).toMatchObject({ line: 3, field: 'chain.0.match.CommandLine|re' });
    const where = 'title: t\nchain:\n  - as: a\n    match: {Name: a.exe}\nwhere:\n  - a.User == zz.User\n';
    expect(errorsOf(where)).toEqual([{ line: 6, field: 'where.0', message: 'unknown step "zz" (steps: a)' }]);
    const unless = 'title: t\nchain:\n  - as: a\n    match: {Name: a.exe}\nunless:\n  - ancestor: {of: q, match: {Name: x.exe}}\n';
    expect(errorsOf(unless)[0]).toMatchObject({ line: 6, field: 'unless.0.ancestor.of' });
  });

  it('reports YAML syntax errors with their line, and missing required keys', () => {
    const [e] = errorsOf('title: t\nchain:\n  - match: {Name: a.exe\n');
    expect(e!.line).toBeGreaterThanOrEqual(3);
    expect(errorsOf('title: t\n')[0]).toMatchObject({ field: 'chain' });
    expect(errorsOf('')[0]!.message).toMatch(/no rules/);
  });
});

describe('one-line rules', () => {
  it('compiles the brief\'s chain', () => {
    const { rules, errors } = parseRules('cmd.exe -[1..5]-> powershell.exe|pwsh.exe -[1..5]-> winword.exe|excel.exe|powerpnt.exe  within 30m');
    expect(errors).toEqual([]);
    const r = rules[0]!;
    expect(r.steps.map((s) => [s.lo, s.hi])).toEqual([[0, 0], [1, 5], [1, 5]]);
    expect([...r.steps[1]!.pred.names!]).toEqual(['powershell.exe', 'pwsh.exe']);
    expect(r.withinMs).toBe(1_800_000);
  });

  it('reads ->, exact hops, unbounded hops, wildcards and max_gap', () => {
    const r = parseRules('a.exe -> b*.exe -[3]-> * -[2..*]-> z.exe max_gap 5m').rules[0]!;
    expect(r.steps.map((s) => [s.lo, s.hi])).toEqual([[0, 0], [1, 1], [3, 3], [2, UNBOUNDED]]);
    expect(r.steps[1]!.pred.names).toBeNull();
    expect(r.maxGapMs).toBe(300_000);
  });

  it('says which column is wrong', () => {
    expect(parseRules('cmd.exe -[x]-> a.exe').errors[0]).toMatchObject({ line: 1, column: 8 });
    expect(parseRules('cmd.exe -> C:\\a.exe').errors[0]!.message).toMatch(/not an image name/);
    expect(parseRules('cmd.exe -> a.exe within soon').errors[0]!.message).toMatch(/duration/);
  });
});
