/**
 * SPL evaluator unit tests: the search-term language, pipeline commands, tstats and the
 * Splunk-style 400s for anything outside the supported subset. Rows are built here by hand so
 * every expected answer can be read off the fixture.
 */
import { describe, expect, it } from 'vitest';
import { SplError } from './spl/errors.js';
import { compileSearch, compilePostProcess, runSearch, runStages, type EventStore } from './spl/execute.js';
import { parseTimeModifier } from './spl/time.js';
import type { Row } from './spl/values.js';

const T0 = Date.UTC(2024, 0, 10, 12, 0, 0) / 1000; // 2024-01-10 12:00:00 UTC (a Wednesday)

/**
 * Fixture: one host's tree plus an event in index=main and one in another index.
 *   p1 explorer.exe  {AAA…}
 *   └── p2 cmd.exe "C:\Temp\a b.bat"   {BBB…}
 *       ├── p3 powershell.exe -enc "x" {CCC…}
 *       └── p4 whoami.exe              {DDD…}
 */
function rows(): Row[] {
  const ev = (i: number, fields: Row): Row => ({ _time: String(T0 - i * 60), index: 'sysmon', host: 'WKS-1', _raw: `raw ${JSON.stringify(fields)}`, EventCode: '1', ...fields });
  return [
    ev(0, { ProcessGuid: '{DDD00000-0000-0000-0000-000000000004}', ParentProcessGuid: '{BBB00000-0000-0000-0000-000000000002}', Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', User: 'CORP\\alice' }),
    ev(1, { ProcessGuid: '{CCC00000-0000-0000-0000-000000000003}', ParentProcessGuid: '{BBB00000-0000-0000-0000-000000000002}', Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', CommandLine: 'powershell -enc "x"', User: 'CORP\\alice' }),
    ev(2, { ProcessGuid: '{BBB00000-0000-0000-0000-000000000002}', ParentProcessGuid: '{AAA00000-0000-0000-0000-000000000001}', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c "C:\\Temp\\a b.bat"', User: 'CORP\\alice' }),
    ev(3, { ProcessGuid: '{AAA00000-0000-0000-0000-000000000001}', Image: 'C:\\Windows\\explorer.exe', CommandLine: 'explorer.exe', User: 'CORP\\alice', Tags: ['x', 'y'] }),
    { ...ev(4, { ProcessGuid: '{BBB00000-0000-0000-0000-000000000002}', Image: 'C:\\Windows\\System32\\cmd.exe', DestinationPort: '443' }), EventCode: '3' },
    { _time: String(T0 - 30), index: 'main', host: 'web-1', _raw: 'GET /index.html 200', status: '200' },
    { _time: String(T0 - 86_400 * 3), index: 'other', host: 'WKS-1', _raw: 'old', EventCode: '1', Image: 'C:\\old.exe' },
  ];
}

const store = (extra: Row[] = []): EventStore => {
  const all = [...rows(), ...extra].sort((a, b) => Number(b._time) - Number(a._time));
  return {
    events: () => all,
    datamodel: () => all.filter((r) => r.EventCode === '1' && r.index !== 'main').map((r) => ({
      _time: r._time!, index: r.index!, host: r.host!,
      ...(r.ProcessGuid ? { 'Processes.process_guid': r.ProcessGuid } : {}),
      ...(r.ParentProcessGuid ? { 'Processes.parent_process_guid': r.ParentProcessGuid } : {}),
      ...(r.Image ? { 'Processes.process_name': String(r.Image).split('\\').pop()! } : {}),
      'Processes.dest': r.host!,
    })),
  };
};

function run(spl: string, opts: { earliest?: string; latest?: string } = {}, extra: Row[] = []) {
  return runSearch(compileSearch(spl), store(extra), { nowSec: T0 + 1, defaultIndexes: ['main'], earliestTime: opts.earliest, latestTime: opts.latest });
}
const col = (spl: string, field: string) => run(spl).results.map((r) => r[field]);

function splError(spl: string): string {
  try { compileSearch(spl); } catch (e) { expect(e).toBeInstanceOf(SplError); return (e as SplError).message; }
  throw new Error(`expected a 400 for: ${spl}`);
}

describe('search terms', () => {
  it('matches field=value with case-insensitive values but case-sensitive field names', () => {
    expect(col('search index=sysmon image=*', 'Image')).toEqual([]);
    expect(col('search index=sysmon Image="c:\\\\windows\\\\system32\\\\CMD.EXE" EventCode=1', 'ProcessGuid')).toEqual(['{BBB00000-0000-0000-0000-000000000002}']);
  });

  it('undoes \\" and \\\\ escapes inside quoted values', () => {
    expect(col('search index=sysmon CommandLine="cmd /c \\"C:\\\\Temp\\\\a b.bat\\""', 'ProcessGuid')).toEqual(['{BBB00000-0000-0000-0000-000000000002}']);
    expect(col('search index=sysmon CommandLine="powershell -enc \\"x\\""', 'Image')).toEqual(['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe']);
  });

  it('treats * as a wildcard even inside quotes', () => {
    expect(col('search index=sysmon EventCode=1 Image="*\\\\System32\\\\*.exe" | sort ProcessGuid', 'ProcessGuid'))
      .toEqual(['{BBB00000-0000-0000-0000-000000000002}', '{CCC00000-0000-0000-0000-000000000003}', '{DDD00000-0000-0000-0000-000000000004}']);
  });

  it('evaluates IN lists, OR, NOT and parentheses', () => {
    expect(col('search index=sysmon ProcessGuid IN ("{aaa00000-0000-0000-0000-000000000001}", "{DDD00000-0000-0000-0000-000000000004}") EventCode=1', 'Image'))
      .toEqual(['C:\\Windows\\System32\\whoami.exe', 'C:\\Windows\\explorer.exe']);
    expect(col('search index=sysmon (EventCode=3 OR CommandLine="whoami*") NOT Image=*cmd.exe', 'ProcessGuid')).toEqual(['{DDD00000-0000-0000-0000-000000000004}']);
    expect(run('search index=sysmon EventCode=1 OR EventCode=3').results).toHaveLength(5);
    // OR binds tighter than the implicit AND in the search command.
    expect(run('search index=sysmon OR index=other EventCode=1').results).toHaveLength(5);
    expect(run('search EventCode=1 index=sysmon OR index=main').results).toHaveLength(4);
  });

  it('IN lists take wildcards; a wildcard value is matched whole, its other characters literally', () => {
    // Splunk's search reference: `field IN (value-list)` — values may hold `*` like field=value.
    expect(col('search index=sysmon EventCode=1 Image IN ("*\\\\cmd.exe", "*who*") | sort ProcessGuid', 'ProcessGuid'))
      .toEqual(['{BBB00000-0000-0000-0000-000000000002}', '{DDD00000-0000-0000-0000-000000000004}']);
    expect(col('search index=sysmon CommandLine="*-ENC \\"x*"', 'ProcessGuid')).toEqual(['{CCC00000-0000-0000-0000-000000000003}']);
    expect(col('search index=sysmon CommandLine="*(a|b)*"', 'ProcessGuid')).toEqual([]);
    expect(col('search index=sysmon CommandLine="*a b.bat?*"', 'ProcessGuid')).toEqual([]); // `?` is not a wildcard
    // NOT of a wildcard term keeps events without the field (EventCode 3 has no CommandLine).
    expect(run('search index=sysmon NOT CommandLine="*e*" NOT CommandLine="*a*"').results.map((r) => r.EventCode)).toEqual(['3']);
  });

  it('distinguishes field!=value (field must exist) from NOT field=value', () => {
    expect(run('search index=sysmon ParentProcessGuid!="{BBB00000-0000-0000-0000-000000000002}"').results.map((r) => r.ProcessGuid))
      .toEqual(['{BBB00000-0000-0000-0000-000000000002}']);
    expect(run('search index=sysmon NOT ParentProcessGuid="{BBB00000-0000-0000-0000-000000000002}"').results).toHaveLength(3);
  });

  it('searches only the default index when none is named, any index when named', () => {
    expect(run('search status=200').results.map((r) => r.host)).toEqual(['web-1']);
    expect(run('search EventCode=1').results).toHaveLength(0);
    expect(run('search index=* EventCode=1').results).toHaveLength(5);
    expect(run('search index=sysmon OR index=other EventCode=1').results).toHaveLength(5);
  });

  it('matches bare keywords against _raw on token boundaries', () => {
    expect(run('search index=main index.html').results).toHaveLength(1);
    expect(run('search index=main ndex').results).toHaveLength(0);
  });

  it('applies earliest/latest, with SPL modifiers overriding the REST time range', () => {
    expect(run('search index=* EventCode=1 earliest=-1d').results).toHaveLength(4);
    expect(run('search index=* EventCode=1', { earliest: '-1d' }).results).toHaveLength(4);
    expect(run('search index=* EventCode=1 earliest=0', { earliest: '-1d' }).results).toHaveLength(5);
    // latest is exclusive: the event at T0-120 is outside [.., T0-120).
    expect(run(`search index=sysmon EventCode=1 latest=${T0 - 120}`).results.map((r) => r.ProcessGuid)).toEqual(['{AAA00000-0000-0000-0000-000000000001}']);
    expect(run('search index=* earliest="01/07/2024:00:00:00" latest="01/08/2024:00:00:00"').results.map((r) => r._raw)).toEqual(['old']);
  });
});

describe('time modifiers', () => {
  it('parses relative, snapped, absolute and epoch forms', () => {
    expect(parseTimeModifier('-7d@d', T0)).toBe(Date.UTC(2024, 0, 3) / 1000);
    expect(parseTimeModifier('@w1', T0)).toBe(Date.UTC(2024, 0, 8) / 1000); // Monday
    expect(parseTimeModifier('-1h@h+30m', T0)).toBe(Date.UTC(2024, 0, 10, 11, 30) / 1000);
    expect(parseTimeModifier('-2mon@mon', T0)).toBe(Date.UTC(2023, 10, 1) / 1000);
    expect(parseTimeModifier('now', T0)).toBe(T0);
    expect(parseTimeModifier('1700000000', T0)).toBe(1_700_000_000);
    expect(parseTimeModifier('2024-01-01T00:00:00Z', T0, true)).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(() => parseTimeModifier('-7x', T0)).toThrow(SplError);
    expect(() => parseTimeModifier('2024-01-01T00:00:00Z', T0)).toThrow(SplError);
  });
});

describe('pipeline commands', () => {
  it('stats values/count/dc by a field, groups sorted, rows missing the by-field dropped', () => {
    const r = run('search index=sysmon EventCode=1 | stats values(ProcessGuid) as child_guids count dc(User) by ParentProcessGuid');
    expect(r.results).toEqual([
      { ParentProcessGuid: '{AAA00000-0000-0000-0000-000000000001}', child_guids: '{BBB00000-0000-0000-0000-000000000002}', count: '1', 'dc(User)': '1' },
      { ParentProcessGuid: '{BBB00000-0000-0000-0000-000000000002}', child_guids: ['{CCC00000-0000-0000-0000-000000000003}', '{DDD00000-0000-0000-0000-000000000004}'], count: '2', 'dc(User)': '1' },
    ]);
    expect(r.fields).toEqual(['ParentProcessGuid', 'child_guids', 'count', 'dc(User)']);
    expect(r.groupBy).toEqual(['ParentProcessGuid']);
    expect(r.events).toHaveLength(4);
  });

  it('stats earliest/latest/first/last/min/max follow time and arrival order', () => {
    const [row] = run('search index=sysmon EventCode=1 | stats earliest(Image) as e latest(Image) as l first(ProcessGuid) as f last(ProcessGuid) as la min(_time) as mn max(_time) as mx count').results;
    expect(row).toEqual({
      e: 'C:\\Windows\\explorer.exe', l: 'C:\\Windows\\System32\\whoami.exe',
      f: '{DDD00000-0000-0000-0000-000000000004}', la: '{AAA00000-0000-0000-0000-000000000001}',
      mn: String(T0 - 180), mx: String(T0), count: '4',
    });
  });

  it('stats puts a row with a multivalue by-field into one group per value', () => {
    const r = runSearch(compileSearch('search index=mv | stats count by host tag'), store([
      { _time: String(T0), index: 'mv', _raw: 'a', host: 'h1', tag: ['x', 'y', 'x'] },
      { _time: String(T0), index: 'mv', _raw: 'b', host: 'h1', tag: 'y' },
      { _time: String(T0), index: 'mv', _raw: 'c', tag: 'y' },
    ]), { nowSec: T0 + 1, defaultIndexes: [] });
    expect(r.results).toEqual([{ host: 'h1', tag: 'x', count: '1' }, { host: 'h1', tag: 'y', count: '2' }]);
  });

  it('stats without by over no events still answers count=0', () => {
    expect(run('search index=nothing | stats count').results).toEqual([{ count: '0' }]);
  });

  it('eval coalesce/lower/if and where filter rows', () => {
    const r = run('search index=sysmon | eval parent=coalesce(ParentProcessGuid, "none"), img=lower(Image), kind=if(EventCode==1, "proc", "net") | where kind="proc" AND parent="none" | table img parent kind');
    expect(r.results).toEqual([{ img: 'c:\\windows\\explorer.exe', parent: 'none', kind: 'proc' }]);
    expect(r.fields).toEqual(['img', 'parent', 'kind']);
    expect(col('search index=sysmon EventCode=1 | where like(CommandLine, "%enc%")', 'ProcessGuid')).toEqual(['{CCC00000-0000-0000-0000-000000000003}']);
    expect(col('search index=sysmon EventCode=1 | where match(Image, "(?i)WHOAMI")', 'CommandLine')).toEqual(['whoami /all']);
  });

  it('fields, rename with wildcards, sort, head and dedup', () => {
    expect(run('search index=sysmon | fields ProcessGuid Image | head 1').results[0]).toEqual({ ProcessGuid: '{DDD00000-0000-0000-0000-000000000004}', Image: 'C:\\Windows\\System32\\whoami.exe', _time: String(T0), _raw: expect.any(String) });
    expect(run('search index=sysmon | fields - _* | rename Process* as p_* | head 1 | table p_*').results[0]).toEqual({ p_Guid: '{DDD00000-0000-0000-0000-000000000004}' });
    // Lexicographic (byte) order, as Splunk sorts strings: uppercase before lowercase.
    expect(col('search index=sysmon | dedup Image | sort - Image', 'Image')).toEqual([
      'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\whoami.exe', 'C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe']);
    expect(col('search index=sysmon | sort 2 num(_time)', '_time')).toEqual([String(T0 - 240), String(T0 - 180)]);
    expect(run('search index=sysmon | head 3').results).toHaveLength(3);
    expect(run('search index=sysmon | head').results).toHaveLength(5);
  });

  it('sort keeps only 10,000 rows unless given a count, as Splunk does', () => {
    const many: Row[] = Array.from({ length: 10_050 }, (_, i) => ({ _time: String(T0 - 1000 - i), index: 'bulk', _raw: `e${i}`, n: String(i) }));
    const st = store(many);
    const opts = { nowSec: T0, defaultIndexes: ['main'] };
    expect(runSearch(compileSearch('search index=bulk | sort n'), st, opts).results).toHaveLength(10_000);
    expect(runSearch(compileSearch('search index=bulk | sort 0 n'), st, opts).results).toHaveLength(10_050);
  });

  it('tstats on Endpoint.Processes with where and by, then rename Processes.*', () => {
    const r = run('| tstats summariesonly=false values(Processes.process_guid) as child_guids from datamodel=Endpoint.Processes where Processes.parent_process_guid IN ("{BBB00000-0000-0000-0000-000000000002}") by Processes.parent_process_guid Processes.dest | rename Processes.* as *');
    expect(r.results).toEqual([{ parent_process_guid: '{BBB00000-0000-0000-0000-000000000002}', dest: 'WKS-1', child_guids: ['{CCC00000-0000-0000-0000-000000000003}', '{DDD00000-0000-0000-0000-000000000004}'] }]);
    expect(r.events).toEqual([]);
    expect(run('| tstats count from datamodel=Endpoint.Processes where earliest=-1d').results).toEqual([{ count: '4' }]);
  });

  it('post-process searches run over results and may start with a bare search clause', () => {
    const base = run('search index=sysmon EventCode=1');
    const out = runStages(compilePostProcess('ParentProcessGuid=* | stats count', true), base.results, { order: null, groupBy: [] });
    expect(out.rows).toEqual([{ count: '3' }]);
  });
});

describe('Splunk-style 400s for SPL outside the subset', () => {
  it('requires a leading search or | over REST', () => {
    expect(splError('index=sysmon EventCode=1')).toMatch(/^Error in 'SearchParser': Missing a search command before '='/);
    expect(splError('foo bar')).toBe("Unknown search command 'foo'.");
  });
  it('rejects unknown and unsupported commands, functions, macros and subsearches', () => {
    expect(splError('search x=1 | nosuchcommand')).toBe("Unknown search command 'nosuchcommand'.");
    expect(splError('search x=1 | delete')).toMatch(/not supported/);
    expect(splError('search x=1 | eventstats count')).toMatch(/not supported/);
    expect(splError('search x=1 | eval y=LOWER(x)')).toBe("Error in 'eval' command: The 'LOWER' function is unsupported or undefined.");
    expect(splError('search `nosuchmacro` x=1')).toMatch(/macro 'nosuchmacro' that cannot be found/);
    expect(splError('search x=1 [ search y=2 | fields x ]')).toMatch(/Subsearches are not supported/);
    expect(splError('| stats count')).toMatch(/must not be the first command/);
    expect(splError('search x=1 | tstats count from datamodel=Endpoint.Processes')).toMatch(/must be the first command/);
    expect(splError('| tstats count from datamodel=Network_Traffic.All_Traffic')).toMatch(/not available/);
    expect(splError('search x="unterminated')).toMatch(/Unbalanced quotes/);
    expect(splError('search (x=1')).toMatch(/Mismatched parentheses/);
    expect(splError('search x=1 earliest=-3z')).toMatch(/-3z/);
  });
  it('treats quoted pipes, brackets and backticks as data, not syntax', () => {
    const evil: Row = { _time: String(T0), index: 'sysmon', _raw: 'evil', CommandLine: 'a | delete [ search * ] `x` "q" \\' };
    const r = runSearch(compileSearch('search index=sysmon CommandLine="a | delete [ search \\* ] `x` \\"q\\" \\\\"'), store([evil]), { nowSec: T0 + 1, defaultIndexes: [] });
    // `\*` is not an escape in SPL: the backslash stays and `*` still acts as a wildcard.
    expect(r.results.map((x) => x._raw)).toEqual([]);
    const r2 = runSearch(compileSearch('search index=sysmon CommandLine="a | delete [ search * ] `x` \\"q\\" \\\\"'), store([evil]), { nowSec: T0 + 1, defaultIndexes: [] });
    expect(r2.results.map((x) => x._raw)).toEqual(['evil']);
  });
});
