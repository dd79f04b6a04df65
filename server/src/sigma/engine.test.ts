/**
 * The Sigma engine against the Sigma specification's own rules and examples
 * (sigma-rules-specification.md, sigma-appendix-modifiers.md). Expected values come from the spec's text
 * (e.g. the base64offset strings for "/bin/bash") or from Node's own encoders applied to the test data.
 */
import { describe, expect, it } from 'vitest';
import { SigmaEngine } from './engine.js';
import { EventView, type SigmaEvent } from './event.js';
import { compileText } from './load.js';
import { isCompiled, type CompiledRule } from './rule.js';

function rule(detection: string, logsource = 'category: process_creation\n  product: windows'): CompiledRule {
  const [r] = compileText(`title: t\nid: 11111111-1111-1111-1111-111111111111\nlevel: high\nlogsource:\n  ${logsource}\ndetection:\n${detection}`, null);
  if (!isCompiled(r!)) throw new Error(`unevaluable: ${r!.reason}`);
  return r;
}
function reason(detection: string, logsource = 'category: process_creation'): string {
  const [r] = compileText(`title: t\nid: r1\nlogsource:\n  ${logsource}\ndetection:\n${detection}`, null);
  if (isCompiled(r!)) throw new Error('expected unevaluable');
  return r!.reason;
}
const ev = (fields: Record<string, string>, eventId = 1): SigmaEvent => ({ eventId, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: 'h', fields });
/** Matches through the indexed engine and directly; both must agree. */
function hits(r: CompiledRule, fields: Record<string, string>, eventId = 1): boolean {
  const e = ev(fields, eventId);
  const viaEngine = new SigmaEngine([r]).match(e).length > 0;
  const inScope = r.applies.eventIds?.includes(eventId) ?? true;
  expect(viaEngine, 'prefiltered engine vs direct evaluation').toBe(inScope && r.evaluate(new EventView(e)) !== null);
  return viaEngine;
}

describe('values: wildcards, escapes, case', () => {
  it('plain strings match the whole value, case-insensitively', () => {
    const r = rule('  sel:\n    Image: C:\\Windows\\System32\\cmd.exe\n  condition: sel');
    expect(hits(r, { Image: 'c:\\windows\\system32\\CMD.EXE' })).toBe(true);
    expect(hits(r, { Image: 'C:\\Windows\\System32\\cmd.exe.bak' })).toBe(false);
    expect(hits(r, {})).toBe(false);
  });
  it('* is any run, ? one character; \\* \\? \\\\ are literal', () => {
    const star = rule("  sel:\n    CommandLine: 'a*b?d'\n  condition: sel");
    expect(hits(star, { CommandLine: 'aXXXbcd' })).toBe(true);
    expect(hits(star, { CommandLine: 'abcd' })).toBe(true);
    expect(hits(star, { CommandLine: 'abd' })).toBe(false);
    const esc = rule("  sel:\n    CommandLine: 'a\\*b\\?'\n  condition: sel");
    expect(hits(esc, { CommandLine: 'a*b?' })).toBe(true);
    expect(hits(esc, { CommandLine: 'aXb?' })).toBe(false);
    // Spec: `\\*` is a backslash followed by the wildcard; a lone backslash before other text is plain.
    const bs = rule("  sel:\n    Image: 'C:\\Temp\\\\*'\n  condition: sel");
    expect(hits(bs, { Image: 'C:\\Temp\\x.exe' })).toBe(true);
    expect(hits(bs, { Image: 'C:\\TempX' })).toBe(false);
  });
  it('contains, startswith, endswith; lists are OR, |all is AND; maps are AND, lists of maps OR', () => {
    const r = rule("  sel:\n    Image|endswith: ['\\\\a.exe', '\\\\b.exe']\n    CommandLine|contains|all: [' -x ', ' -y ']\n  condition: sel");
    expect(hits(r, { Image: 'C:\\b.exe', CommandLine: 'b -y  -x z' })).toBe(true);
    expect(hits(r, { Image: 'C:\\b.exe', CommandLine: 'b -y z' })).toBe(false);
    expect(hits(r, { Image: 'C:\\c.exe', CommandLine: 'b -y  -x z' })).toBe(false);
    const lm = rule('  sel:\n    - Image|startswith: C:\\Users\\\n    - ParentImage|endswith: \\winword.exe\n  condition: sel');
    expect(hits(lm, { Image: 'c:\\users\\x.exe' })).toBe(true);
    expect(hits(lm, { ParentImage: 'C:\\Office\\WINWORD.EXE' })).toBe(true);
    expect(hits(lm, { Image: 'C:\\Windows\\x.exe' })).toBe(false);
  });
  it('keyword lists search every value', () => {
    const r = rule("  keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\n  condition: keywords");
    expect(hits(r, { CommandLine: 'run SEKURLSA::logonpasswords' })).toBe(true);
    expect(hits(r, { CommandLine: 'notepad' })).toBe(false);
    // Each value on its own; a value's case mapping as toLowerCase has it (the Kelvin sign is a k).
    expect(hits(r, { User: 'x', Details: 'MIMI\u212AATZ' })).toBe(true);
    expect(hits(r, { CommandLine: 'mimi', Details: 'katz' })).toBe(false);
  });
  it('cased matches case-sensitively', () => {
    const r = rule("  sel:\n    CommandLine|cased|contains: 'AbC'\n  condition: sel");
    expect(hits(r, { CommandLine: 'xAbCx' })).toBe(true);
    expect(hits(r, { CommandLine: 'xabcx' })).toBe(false);
  });
  it('null: the field is absent or empty; numbers compare as numbers or as their text', () => {
    const r = rule('  sel:\n    OriginalFileName: null\n    TerminalSessionId: 1\n  condition: sel');
    expect(hits(r, { TerminalSessionId: '1' })).toBe(true);
    expect(hits(r, { OriginalFileName: '', TerminalSessionId: '01' })).toBe(true);
    expect(hits(r, { OriginalFileName: 'x.exe', TerminalSessionId: '1' })).toBe(false);
    expect(hits(r, { TerminalSessionId: '2' })).toBe(false);
  });
});

describe('conditions', () => {
  const det = "  a:\n    Image|endswith: '\\\\a.exe'\n  b:\n    CommandLine|contains: 'bbb'\n  c:\n    User|contains: 'ccc'\n  _d:\n    CommandLine|contains: 'ddd'\n";
  it('not binds tighter than and, and tighter than or; parentheses override', () => {
    const r = rule(`${det}  condition: a or b and not c`);
    expect(hits(r, { Image: 'x\\a.exe', User: 'ccc' })).toBe(true); // a alone
    expect(hits(r, { CommandLine: 'bbb', User: 'ccc' })).toBe(false);
    expect(hits(r, { CommandLine: 'bbb' })).toBe(true);
    const p = rule(`${det}  condition: (a or b) and not c`);
    expect(hits(p, { Image: 'x\\a.exe', User: 'ccc' })).toBe(false);
  });
  it('1 of / all of with wildcards and them (them ignores identifiers starting with _)', () => {
    expect(hits(rule(`${det}  condition: 1 of them`), { CommandLine: 'ddd' })).toBe(false);
    expect(hits(rule(`${det}  condition: 1 of _*`), { CommandLine: 'ddd' })).toBe(true);
    expect(hits(rule(`${det}  condition: all of them`), { Image: 'a.exe\\a.exe', CommandLine: 'bbb', User: 'ccc' })).toBe(true);
    expect(hits(rule(`${det}  condition: all of them`), { Image: 'a.exe\\a.exe', CommandLine: 'bbb' })).toBe(false);
    expect(hits(rule(`${det}  condition: 1 of ? and not 1 of _*`), { User: 'ccc' })).toBe(true);
  });
  it('reports which identifiers matched', () => {
    const [h] = new SigmaEngine([rule(`${det}  condition: a and (b or c)`)]).match(ev({ Image: 'x\\a.exe', User: 'ccc' }));
    expect(h!.selections).toEqual(['a', 'c']);
  });
});

describe('modifiers', () => {
  it('windash: a dash or slash starting a word matches -, /, en dash, em dash, horizontal bar', () => {
    const r = rule("  sel:\n    CommandLine|windash|contains: ' -enc '\n  condition: sel");
    for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) expect(hits(r, { CommandLine: `powershell ${d}enc AAA` })).toBe(true);
    expect(hits(r, { CommandLine: 'powershell +enc AAA' })).toBe(false);
  });
  it('base64offset|contains: the spec\'s /bin/bash example at every offset', () => {
    const r = rule("  sel:\n    CommandLine|base64offset|contains: '/bin/bash'\n  condition: sel");
    for (const pre of ['', 'a', 'ab', 'abc', 'xyz1']) {
      const b64 = Buffer.from(`${pre}/bin/bash -c id`).toString('base64');
      expect(hits(r, { CommandLine: `echo ${b64} | base64 -d` }), pre).toBe(true);
    }
    expect(hits(r, { CommandLine: Buffer.from('/bin/sh').toString('base64') })).toBe(false);
    // The spec lists the three needles: L2Jpbi9iYXNo, 9iaW4vYmFza, vYmluL2Jhc2.
    for (const n of ['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2']) expect(hits(r, { CommandLine: `x${n}x` })).toBe(true);
  });
  it('wide|base64offset: UTF-16LE text then base64 (PowerShell -EncodedCommand)', () => {
    const r = rule("  sel:\n    CommandLine|wide|base64offset|contains: 'ping'\n  condition: sel");
    for (const pre of ['', 'a', 'ab']) {
      const enc = Buffer.from(`${pre}ping 1.1.1.1`, 'utf16le').toString('base64');
      expect(hits(r, { CommandLine: `powershell -enc ${enc}` }), pre).toBe(true);
    }
    expect(hits(r, { CommandLine: Buffer.from('ping', 'utf8').toString('base64') })).toBe(false);
  });
  it('long lists of long literals (hash lists) match anywhere in the value, and only those', () => {
    const hashes = Array.from({ length: 200 }, (_, i) => `IMPHASH=${(i * 7919).toString(16).padStart(32, '0').toUpperCase()}`);
    const r = rule(`  sel:\n    Hashes|contains:\n${hashes.map((h) => `      - '${h}'`).join('\n')}\n  condition: sel`, 'category: driver_load');
    expect(hits(r, { Hashes: `SHA1=00,MD5=11,${hashes[137]!.toLowerCase()}` }, 6)).toBe(true);
    expect(hits(r, { Hashes: `SHA1=00,IMPHASH=${'f'.repeat(32)}` }, 6)).toBe(false);
  });
  it('base64: the whole value encoded', () => {
    const r = rule("  sel:\n    CommandLine|base64: 'whoami'\n  condition: sel");
    expect(hits(r, { CommandLine: Buffer.from('whoami').toString('base64') })).toBe(true);
  });
  it('re: case-sensitive search; i, m, s flags; linear-time; non-RE2 syntax is unevaluable', () => {
    expect(hits(rule("  sel:\n    CommandLine|re: 'Invoke-[A-Z]'\n  condition: sel"), { CommandLine: 'x invoke-Y' })).toBe(false);
    expect(hits(rule("  sel:\n    CommandLine|re|i: 'Invoke-[A-Z]'\n  condition: sel"), { CommandLine: 'x invoke-y' })).toBe(true);
    expect(hits(rule("  sel:\n    CommandLine|re|m: '^b$'\n  condition: sel"), { CommandLine: 'a\nb\nc' })).toBe(true);
    expect(hits(rule("  sel:\n    CommandLine|re: '^b$'\n  condition: sel"), { CommandLine: 'a\nb\nc' })).toBe(false);
    expect(hits(rule("  sel:\n    CommandLine|re|s: 'a.c'\n  condition: sel"), { CommandLine: 'a\nc' })).toBe(true);
    expect(hits(rule("  sel:\n    CommandLine|re: 'a.c'\n  condition: sel"), { CommandLine: 'a\nc' })).toBe(false);
    // Catastrophic for a backtracking engine (2^40 paths); RE2 answers at once.
    expect(hits(rule("  sel:\n    CommandLine|re: '^(a+)+$'\n  condition: sel"), { CommandLine: `${'a'.repeat(40)}!` })).toBe(false);
    expect(reason("  sel:\n    CommandLine|re: 'foo(?=bar)'\n  condition: sel")).toMatch(/not RE2.*\(\?=/);
    expect(reason("  sel:\n    CommandLine|re: '(a)\\1'\n  condition: sel")).toMatch(/not RE2/);
  });
  it('cidr: IPv4 and IPv6 prefixes', () => {
    const r = rule("  sel:\n    DestinationIp|cidr: ['10.0.0.0/8', 'fe80::/10']\n  condition: sel", 'category: network_connection');
    expect(hits(r, { DestinationIp: '10.200.3.4' }, 3)).toBe(true);
    expect(hits(r, { DestinationIp: '11.0.0.1' }, 3)).toBe(false);
    expect(hits(r, { DestinationIp: 'fe80::1c2:3' }, 3)).toBe(true);
    expect(hits(r, { DestinationIp: 'fec0::1' }, 3)).toBe(false);
  });
  it('fieldref, exists, gt/gte/lt/lte', () => {
    const fr = rule('  sel:\n    Image|fieldref: ParentImage\n  condition: sel');
    expect(hits(fr, { Image: 'C:\\a.exe', ParentImage: 'c:\\A.exe' })).toBe(true);
    expect(hits(fr, { Image: 'C:\\a.exe', ParentImage: 'C:\\b.exe' })).toBe(false);
    const ex = rule('  sel:\n    OriginalFileName|exists: false\n  condition: sel');
    expect(hits(ex, { Image: 'x' })).toBe(true);
    expect(hits(ex, { OriginalFileName: '' })).toBe(false);
    const gt = rule('  sel:\n    TerminalSessionId|gte: 2\n    ProcessId|lt: 100\n  condition: sel');
    expect(hits(gt, { TerminalSessionId: '2', ProcessId: '99' })).toBe(true);
    expect(hits(gt, { TerminalSessionId: '1', ProcessId: '99' })).toBe(false);
    expect(hits(gt, { TerminalSessionId: '3', ProcessId: 'abc' })).toBe(false);
  });
});

describe('scope and what cannot be evaluated', () => {
  it('logsource category selects the Sysmon EventIDs', () => {
    const r = rule("  sel:\n    TargetObject|contains: '\\\\Run\\\\'\n  condition: sel", 'category: registry_event');
    for (const id of [12, 13, 14]) expect(hits(r, { TargetObject: 'HKLM\\Software\\Run\\x' }, id)).toBe(true);
    expect(hits(r, { TargetObject: 'HKLM\\Software\\Run\\x' }, 1)).toBe(false);
    expect(hits(rule("  sel:\n    Image: x\n  condition: sel"), { Image: 'x' }, 3)).toBe(false);
  });
  it('says why: unknown modifier, aggregation, correlation, unknown logsource, time modifier', () => {
    expect(reason("  sel:\n    Image|sounds_like: x\n  condition: sel")).toBe('unknown modifier "sounds_like"');
    expect(reason("  sel:\n    Image: x\n  condition: sel | count() by Computer > 5")).toMatch(/aggregation/);
    expect(reason("  sel:\n    Image: x\n  condition: sel and nope")).toMatch(/unknown identifier "nope"/);
    expect(reason("  sel:\n    Image: x\n  condition: sel", 'product: linux\n  category: process_creation')).toMatch(/not Windows/);
    expect(reason("  sel:\n    Image: x\n  condition: sel", 'category: file_access')).toMatch(/file_access has no known/);
    expect(reason("  sel:\n    UtcTime|hour: 3\n  condition: sel")).toMatch(/time modifier/);
    const [c] = compileText('title: c\nid: 2\ncorrelation:\n  type: event_count\n  rules: [x]\n', null);
    expect(!isCompiled(c!) && c!.reason).toMatch(/correlation rule/);
  });
});
