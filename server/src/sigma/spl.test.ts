/**
 * Sigma → SPL translation (./spl.ts). Expected SPL is written by hand from the Sigma specification
 * (sigma-rules-specification.md: lists OR, maps AND, `|all`, `1 of`/`all of`; sigma-appendix-modifiers.md:
 * contains/startswith/endswith, windash, cased, escapes `\*` `\?` `\\`) and from Splunk's search
 * syntax (docs/splunk-protocol.md §4: `\` → `\\`, `"` → `\"`, `*` always a wildcard). The hostile
 * values are then run through the Splunk test server's own SPL evaluator (tools/splunkd-sim, which
 * imports no product code) against events holding exactly those values: the engine's match must imply
 * the predicate's.
 */
import { describe, expect, it } from 'vitest';
import { parseSearch, matchRow } from '../../../tools/splunkd-sim/spl/search-expr.js';
import { EventView } from './event.js';
import { compileRule, isCompiled } from './rule.js';
import { RECORD_TEXT_FIELDS, filterSpl, scanFilter } from './spl.js';

const raw = (s: string) => s;
const spl = (det: Record<string, unknown>, fields?: ReadonlySet<string>): string | null => {
  const f = scanFilter(det, fields ? { fields } : {});
  return f && filterSpl(f, raw);
};

describe('Sigma detection → SPL predicate (spec examples)', () => {
  it('a map is AND, a value list is OR (one IN list per field), |all is AND', () => {
    expect(spl({ sel: { 'Image|endswith': '\\cmd.exe', 'CommandLine|contains': ['/c', '/k'] }, condition: 'sel' }))
      .toBe('(Image="*\\\\cmd.exe" AND CommandLine IN ("*/c*", "*/k*"))');
    expect(spl({ sel: { 'CommandLine|contains|all': ['reg', 'add'] }, condition: 'sel' }))
      .toBe('(CommandLine="*reg*" AND CommandLine="*add*")');
    expect(spl({ sel: [{ Image: 'C:\\Windows\\System32\\whoami.exe' }, { 'ParentImage|startswith': 'C:\\Temp\\' }], condition: 'sel' }))
      .toBe('(Image="C:\\\\Windows\\\\System32\\\\whoami.exe" OR ParentImage="C:\\\\Temp\\\\*")');
  });

  it('the condition tree: and / or / not / parentheses, 1 of and all of with wildcards, N of', () => {
    const det = { sel_a: { 'Image|endswith': '\\a.exe' }, sel_b: { 'Image|endswith': '\\b.exe' }, filter: { 'CommandLine|contains': 'safe' } };
    expect(spl({ ...det, condition: '1 of sel_* and not filter' })).toBe('(Image IN ("*\\\\a.exe", "*\\\\b.exe") AND NOT CommandLine="*safe*")');
    expect(spl({ ...det, condition: 'all of sel_*' })).toBe('(Image="*\\\\a.exe" AND Image="*\\\\b.exe")');
    expect(spl({ ...det, condition: '(sel_a or sel_b) and not (filter)' })).toBe('(Image IN ("*\\\\a.exe", "*\\\\b.exe") AND NOT CommandLine="*safe*")');
    // "2 of": at least one must hold (over); under a `not` only "all of them" is sure.
    expect(spl({ ...det, condition: '2 of sel_*' })).toBe('Image IN ("*\\\\a.exe", "*\\\\b.exe")');
    expect(spl({ ...det, condition: 'filter and not 2 of sel_*' })).toBe('(CommandLine="*safe*" AND NOT (Image="*\\\\a.exe" AND Image="*\\\\b.exe"))');
    expect(spl({ ...det, condition: 'not (sel_a and not filter)' })).toBe('NOT (Image="*\\\\a.exe" AND NOT CommandLine="*safe*")');
    // Several conditions (a list) are alternatives.
    expect(spl({ ...det, condition: ['sel_a', 'sel_b'] })).toBe('Image IN ("*\\\\a.exe", "*\\\\b.exe")');
  });

  it('windash: every word-start dash in every dash form; cased matches case-insensitively (a superset)', () => {
    expect(spl({ sel: { 'CommandLine|windash|contains': ' -enc ' }, condition: 'sel' }))
      .toBe('CommandLine IN ("* -enc *", "* /enc *", "* \u2013enc *", "* \u2014enc *", "* \u2015enc *")');
    // 3 dashes: 125 variants — over the limit, each dash becomes a wildcard.
    expect(spl({ sel: { 'CommandLine|windash|contains': '-a -b -c' }, condition: 'sel' })).toBe('CommandLine="**a **b **c*"'.replace(/\*\*/g, '*'));
    expect(spl({ sel: { 'CommandLine|cased|contains': 'ABC' }, condition: 'sel' })).toBe('CommandLine="*ABC*"');
    // …but under `not` a case-insensitive term would also exclude `abc`, which the engine keeps: no constraint.
    expect(spl({ k: { 'Image|endswith': '\\x.exe' }, f: { 'CommandLine|cased|contains': 'ABC' }, condition: 'k and not f' })).toBe('Image="*\\\\x.exe"');
    expect(spl({ k: { 'Image|endswith': '\\x.exe' }, f: { 'CommandLine|cased|contains': '42' }, condition: 'k and not f' })).toBe('(Image="*\\\\x.exe" AND NOT CommandLine="*42*")');
  });

  it('what SPL cannot say exactly widens, never narrows', () => {
    const widened: Record<string, unknown>[] = [
      { 'CommandLine|re': 'a.*b' }, { 'DestinationIp|cidr': '10.0.0.0/8' }, { 'CommandLine|base64offset|contains': 'IEX' },
      { 'CommandLine|wide|base64offset|contains': 'ping' }, { 'ParentImage|fieldref': 'Image' }, { 'ProcessId|gt': 4 },
      { ProcessId: 4 }, { CommandLine: null }, { 'CommandLine|exists': true }, { CommandLine: '' }, { 'CommandLine|contains': '*' },
    ];
    for (const sel of widened) expect(spl({ sel, condition: 'sel' }), JSON.stringify(sel)).toBeNull();
    // A keyword list reads every field: no constraint.
    expect(spl({ kw: ['mimikatz'], condition: 'kw' })).toBeNull();
    // The widened part drops out of an AND; an OR with a widened branch is no constraint at all.
    expect(spl({ a: { 'Image|endswith': '\\x.exe', 'CommandLine|re': 'q' }, condition: 'a' })).toBe('Image="*\\\\x.exe"');
    expect(spl({ a: { 'Image|endswith': '\\x.exe' }, b: { 'CommandLine|re': 'q' }, condition: 'a or b' })).toBeNull();
    // Under `not`, an inexact part must not exclude anything: `not <regex>` is no constraint.
    expect(spl({ a: { 'Image|endswith': '\\x.exe' }, f: { 'CommandLine|re': 'q' }, condition: 'a and not f' })).toBe('Image="*\\\\x.exe"');
    // `?` is one character: over, a `*`; under `not`, not exact → nothing excluded.
    expect(spl({ a: { 'CommandLine|contains': 'a?c' }, condition: 'a' })).toBe('CommandLine="*a*c*"');
    expect(spl({ a: { 'Image|endswith': '\\x.exe' }, f: { 'CommandLine|contains': 'a?c' }, condition: 'a and not f' })).toBe('Image="*\\\\x.exe"');
    // Fields the scanned records do not carry verbatim widen when a field set is given.
    expect(spl({ a: { OriginalFileName: 'x.exe', 'CommandLine|contains': 'y' }, condition: 'a' }, RECORD_TEXT_FIELDS)).toBe('CommandLine="*y*"');
    expect(spl({ a: { 'ProcessId': '4' }, condition: 'a' }, RECORD_TEXT_FIELDS)).toBeNull();
  });

  it('fields the record never has are decided as the engine decides an absent field (false; null and exists: false hold)', () => {
    const o = { absent: (f: string) => f === 'OriginalFileName' };
    const f = (det: Record<string, unknown>) => { const x = scanFilter(det, o); return x && filterSpl(x, raw); };
    // SigmaHQ's usual `Image|endswith … or OriginalFileName …`: only the image branch can match a record.
    expect(f({ img: [{ 'Image|endswith': '\\x.exe' }, { OriginalFileName: 'x.exe' }], condition: 'img' })).toBe('Image="*\\\\x.exe"');
    expect(f({ s: { 'Image|endswith': '\\x.exe' }, n: { 'OriginalFileName|contains': 'y' }, condition: 's and not n' })).toBe('Image="*\\\\x.exe"');
    expect(f({ s: { 'Image|endswith': '\\x.exe' }, n: { OriginalFileName: null }, condition: 's and not n' })).toBeNull(); // never true: no constraint
    expect(f({ s: { 'Image|endswith': '\\x.exe', 'OriginalFileName|exists': false }, condition: 's' })).toBe('Image="*\\\\x.exe"');
    expect(f({ s: { 'OriginalFileName|re': 'x' }, t: { 'CommandLine|contains': 'z' }, condition: 's or t' })).toBe('CommandLine="*z*"');
  });

  it('hostile values: quotes, backslashes, |, [, newlines, backticks, Sigma-escaped * and ?', () => {
    const one = (v: string, mod = 'contains') => spl({ s: { [`CommandLine|${mod}`]: v }, condition: 's' });
    expect(one('a" OR index=_internal OR x="')).toBe('CommandLine="*a\\" OR index=_internal OR x=\\"*"');
    expect(one('C:\\Temp\\')).toBe('CommandLine="*C:\\\\Temp\\\\*"');
    expect(one('\\\\server\\share', 'startswith')).toBe('CommandLine="\\\\server\\\\share*"'); // Sigma `\\` is one backslash
    expect(one('a | delete')).toBe('CommandLine="*a | delete*"');
    expect(one('[search index=_internal]')).toBe('CommandLine="*[search index=_internal]*"');
    expect(one('a\nb')).toBe('CommandLine="*a*b*"');
    expect(one('a`whoami`b')).toBe('CommandLine="*a*whoami*b*"');
    expect(one('100\\*')).toBe('CommandLine="*100*"'); // a literal `*` cannot be searched for: a wildcard (superset)
    expect(one('what\\?')).toBe('CommandLine="*what?*"'); // a literal `?` is plain text in SPL
    expect(one('\u00c4rger \u2013x')).toBe('CommandLine="**rger \u2013x*"'.replace('**', '*')); // a cased non-ASCII letter: wildcard
    // Under `not`, an inexact value excludes nothing.
    expect(spl({ a: { 'Image|endswith': '\\x.exe' }, f: { 'CommandLine|contains': 'a\nb' }, condition: 'a and not f' })).toBe('Image="*\\\\x.exe"');
  });

  it('field names go through the caller (CIM style), and an over-long predicate is dropped', () => {
    const f = scanFilter({ s: { 'Image|endswith': '\\x.exe', 'CommandLine|contains': 'y' }, condition: 's' })!;
    expect(filterSpl(f, (r) => ({ Image: 'process_path', CommandLine: 'process' })[r] ?? r)).toBe('(process_path="*\\\\x.exe" AND process="*y*")');
    const long = scanFilter({ s: { 'CommandLine|contains|all': Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(2000, 'x')) }, condition: 's' })!;
    expect(filterSpl(long, raw)).toBeNull();
  });
});

describe('hostile values, through the Splunk test server\'s SPL evaluator: engine match ⇒ predicate holds', () => {
  const values = [
    'a" OR index=_internal OR x="', 'C:\\Temp\\', 'x\\"y', 'a | delete', '[search index=_internal]', 'a\nb', 'tab\there',
    'a`whoami`b', '100*', 'what?', '\u00c4rger', 'caf\u00e9', '\u2013enc', 'back\\\\slash', '"', '\\',
  ];
  // Sigma-escape a literal value (spec: `\*`, `\?`, `\\` — a backslash before `*`, `?`, `\` or at the end).
  const sigmaLiteral = (v: string) => v.replace(/[*?]/g, '\\$&').replace(/\\(?=\\|$)/g, '\\\\');
  for (const v of values) {
    it(JSON.stringify(v), () => {
      const row = { CommandLine: `pre ${v} post`, Image: 'C:\\x.exe' };
      for (const mod of ['contains', 'startswith', 'endswith', 'cased|contains']) {
        const lit = sigmaLiteral(mod === 'startswith' ? `pre ${v}` : mod === 'endswith' ? `${v} post` : v);
        const det = { s: { [`CommandLine|${mod}`]: lit }, condition: 's' };
        const rule = compileRule({ id: 't', title: 't', logsource: { category: 'process_creation', product: 'windows' }, detection: det });
        if (!isCompiled(rule)) throw new Error(rule.reason);
        const engine = rule.evaluate(new EventView({ eventId: 1, channel: null, provider: null, computer: null, fields: row })) !== null;
        expect(engine, `${mod} ${lit}`).toBe(true);
        const f = scanFilter(det);
        if (f === null) continue;
        const text = filterSpl(f, raw)!;
        expect(matchRow(parseSearch(text).node, row), `${mod}: ${text}`).toBe(true);
        // Negated: a row without the value matches `k and not s` in the engine, so the predicate must hold.
        const other = { CommandLine: 'other', Image: 'C:\\x.exe' };
        const neg = filterSpl(scanFilter({ s: det.s, k: { 'Image|endswith': '\\x.exe' }, condition: 'k and not s' })!, raw)!;
        expect(matchRow(parseSearch(neg).node, other), neg).toBe(true);
      }
    });
  }
});
