import { describe, expect, it } from 'vitest';
import { hostileCorpus, lexSpl, skeleton } from '../../../test/splunk/hostile.js';
import { SplunkError } from './errors.js';
import { SplBuilder, inClause, quote, timeParams, guidValue, batches, IN_CLAUSE_BUDGET } from './spl.js';

const target = { indexes: ['sysmon'], source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', sourcetype: null, notableIndex: 'notable', fieldStyle: 'raw' as const, tstats: false };
const spl = new SplBuilder(target);
const corpus = hostileCorpus();

/** Either a 400 SplunkError, or the value is one quoted term and the SPL's structure is unchanged. */
function expectSafe(build: (v: string) => string, v: string, content: (v: string) => string, keyword?: (v: string) => string) {
  let out: string;
  try {
    out = build(v);
  } catch (e) {
    expect(e).toBeInstanceOf(SplunkError);
    expect((e as SplunkError).status).toBe(400);
    return 'rejected';
  }
  const holders = lexSpl(out).filter((t) => t.quoted && t.value === content(v));
  expect(holders).toHaveLength(1);
  // A value also carried as a keyword (rule scans: the image basename) is one more quoted term.
  if (keyword) expect(lexSpl(out).filter((t) => t.quoted && t.value === keyword(v))).toHaveLength(1);
  const benign = build('BENIGN');
  const is = (x: string) => (c: string) => c === content(x) || (keyword !== undefined && c === keyword(x));
  expect(skeleton(out, is(v))).toBe(skeleton(benign, is('BENIGN')));
  return 'quoted';
}

describe('SPL builder: hostile values', () => {
  it('has a corpus of at least 200 hostile values', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it('image and command-line substrings: rejected or one quoted term', () => {
    const seen = { rejected: 0, quoted: 0 };
    for (const v of corpus) {
      seen[expectSafe((x) => spl.seeds({ host: 'wks-1', image: x }), v, (x) => `*${x}*`)]++;
      expectSafe((x) => spl.seeds({ text: x }), v, (x) => `*${x}*`);
    }
    // Both outcomes occur: quotes/pipes/brackets are carried safely, `*`/backtick/newlines refused.
    expect(seen.rejected).toBeGreaterThan(20);
    expect(seen.quoted).toBeGreaterThan(100);
  });

  it('image names for the rule scan: rejected or one quoted `*\\name` term and one quoted keyword', () => {
    for (const v of corpus) expectSafe((x) => spl.scan({ names: [x] }), v, (x) => `*\\${x.toLowerCase()}`, (x) => x.toLowerCase());
  });

  it('parent image names for the rule scan: rejected or one quoted `*\\name` term, ANDed with the image names', () => {
    for (const v of corpus) expectSafe((x) => spl.scan({ names: ['cmd.exe'], parentNames: [x] }), v, (x) => `*\\${x.toLowerCase()}`, (x) => x.toLowerCase());
    expect(spl.scan({ names: ['cmd.exe'], parentNames: ['services.exe', 'w3wp.exe'] }))
      .toContain(' EventCode=1 ("cmd.exe" Image IN ("*\\\\cmd.exe")) (("services.exe" OR "w3wp.exe") ParentImage IN ("*\\\\services.exe", "*\\\\w3wp.exe")) ');
    const cim = new SplBuilder({ ...target, fieldStyle: 'cim' });
    expect(cim.scan({ names: ['cmd.exe'], parentNames: ['services.exe'] })).toContain('("cmd.exe" process_name IN ("cmd.exe")) ("services.exe" parent_process_name IN ("services.exe"))');
  });

  it('hosts and GUIDs accept only their own shapes', () => {
    // Hosts are matched by name and by the FQDN/short-name counterpart (`name.*` or the first label).
    const isUser = (h: string) => (c: string) => c === h || c === `${h}.*` || c === h.split('.')[0];
    const benign = { short: skeleton(spl.seeds({ host: 'benign' }), isUser('benign')), fqdn: skeleton(spl.seeds({ host: 'benign.corp' }), isUser('benign.corp')) };
    for (const v of corpus) {
      expect(() => spl.processesByGuid([v])).toThrow(SplunkError);
      // A few corpus entries (`OR`, `IN` …) are valid host names: they must land quoted, never as operators.
      let out: string;
      try { out = spl.seeds({ host: v }); } catch (e) { expect((e as SplunkError).status).toBe(400); continue; }
      const h = v.toLowerCase();
      expect(lexSpl(out).filter((t) => t.quoted && t.value === h)).toHaveLength(1);
      if (h.includes(':') || /^[\d.]+$/.test(h)) continue;
      expect(skeleton(out, isUser(h))).toBe(h.includes('.') ? benign.fqdn : benign.short);
    }
    expect(() => spl.hostProcesses('a" | delete')).toThrow(SplunkError);
    expect(spl.hostProcesses('WKS-042.corp.local')).toContain('(Computer="wks-042.corp.local" OR Computer="wks-042")');
    expect(spl.hostProcesses('WKS-042')).toContain('(Computer="wks-042" OR Computer="wks-042.*")');
    expect(guidValue('4C2A1F0E-11AA-67C0-0B00-000000001F00')).toBe('"{4c2a1f0e-11aa-67c0-0b00-000000001f00}"');
  });

  it('escapes backslashes before quotes, so a trailing backslash cannot eat the closing quote', () => {
    expect(quote('C:\\Windows\\', 'v')).toBe('"C:\\\\Windows\\\\"');
    expect(quote('a"b', 'v')).toBe('"a\\"b"');
    expect(quote('\\"', 'v')).toBe('"\\\\\\""');
    expect(lexSpl(`x=${quote('end\\', 'v')} | stats count`).map((t) => t.value)).toEqual(['x', '=', 'end\\', '|', 'stats', 'count']);
  });

  it('rejects wildcards, backticks, control characters, lone surrogates and overlong values with 400', () => {
    for (const v of ['a*', '`m`', 'a\nb', 'a\u0000', '\ud800', 'x'.repeat(4097), '']) {
      expect(() => quote(v, 'v')).toThrow(SplunkError);
    }
    expect(quote('x'.repeat(4096), 'v')).toHaveLength(4098);
  });

  it('configured source values are quoted too, and bad index names refused at start-up', () => {
    const b = new SplBuilder({ ...target, source: 'a" | delete "', indexes: ['main', 'sysmon'] });
    expect(b.base()).toBe('search (index=main OR index=sysmon) source="a\\" | delete \\""');
    expect(() => new SplBuilder({ ...target, indexes: ['x | delete'] })).toThrow(SplunkError);
  });
});

describe('SPL builder: lists and times', () => {
  it('splits long IN lists into OR-ed clauses under the length budget', () => {
    const guids = Array.from({ length: 500 }, (_, i) => `{00000000-0000-0000-0000-${String(i).padStart(12, '0')}}`);
    const clause = inClause('ProcessGuid', guids.map((g) => `"${g}"`));
    const parts = clause.slice(1, -1).split(' OR ');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(IN_CLAUSE_BUDGET + 'ProcessGuid IN ()'.length);
    const back = lexSpl(clause).filter((t) => t.quoted).map((t) => t.value);
    expect(back).toEqual(guids);
    expect(batches(guids, 200).map((b) => b.length)).toEqual([200, 200, 100]);
  });

  it('turns ranges into inclusive epoch REST parameters and refuses nonsense', () => {
    expect(timeParams({ from: '2020-08-01T05:46:00.000Z', to: '2020-08-01T06:01:00.000Z' }))
      .toEqual({ earliest_time: '1596260760.000', latest_time: '1596261660.001' });
    expect(() => timeParams({ from: 'yesterday', to: '2020-08-01T06:01:00Z' })).toThrow(SplunkError);
    expect(() => timeParams({ from: '2020-08-02T00:00:00Z', to: '2020-08-01T00:00:00Z' })).toThrow(SplunkError);
  });

  it('uses CIM names in cim style but returns raw names', () => {
    const cim = new SplBuilder({ ...target, fieldStyle: 'cim' });
    const s = cim.childrenOf(['{4c2a1f0e-11aa-67c0-0b00-000000001f00}'], 'wks-1');
    expect(s).toContain('parent_process_guid IN ("{4c2a1f0e-11aa-67c0-0b00-000000001f00}")');
    expect(s).toContain('(dvc_nt_host="wks-1" OR dvc_nt_host="wks-1.*")');
    expect(s).toContain('earliest(process_path) as Image');
  });

  it('the rule scan alone returns the PE fields (OriginalFileName → original_file_name in CIM; the rest raw)', () => {
    const pe = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'];
    for (const f of pe) expect(spl.scan({ names: ['cmd.exe'] })).toContain(`earliest(${f}) as ${f}`);
    const cim = new SplBuilder({ ...target, fieldStyle: 'cim' });
    expect(cim.scan({})).toContain('earliest(original_file_name) as OriginalFileName earliest(Description) as Description earliest(Product) as Product');
    // The tree's searches keep their payload.
    const g = '{4c2a1f0e-11aa-67c0-0b00-000000001f00}';
    for (const q of [spl.childrenOf([g]), spl.processesByGuid([g]), spl.hostProcesses('wks-1'), spl.seeds({ image: 'cmd' }), cim.hostProcesses('wks-1')]) {
      for (const f of pe) expect(q).not.toContain(f);
      expect(q).not.toContain('original_file_name');
    }
  });
});
