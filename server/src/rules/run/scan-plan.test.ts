/**
 * The scan planner: which creates the rule run asks a source for. Each rule is anchored where its pinned
 * image names are cheapest, so common leaves (cmd, powershell) are not fetched in full when a rarer or
 * parent-qualified step pins the chain.
 */
import { describe, expect, it } from 'vitest';
import { parseRulesOrThrow } from '../language/parse.js';
import { anchorFor, fieldsRead, planScan } from './scan-plan.js';

const rule = (text: string) => parseRulesOrThrow(text)[0]!;
const plain = (a: ReturnType<typeof anchorFor>) => a && a !== 'never' && { names: a.names && [...a.names].sort(), parentNames: a.parentNames && [...a.parentNames].sort(), descend: a.descend };

describe('scan planner', () => {
  it('scans rare leaves directly (then walks ancestors)', () => {
    expect(plain(anchorFor(rule('cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe')))).toEqual({ names: ['excel.exe', 'winword.exe'], parentNames: null, descend: 0 });
  });

  it('narrows a common leaf one hop under a pinned step by its parent image (services → cmd)', () => {
    expect(plain(anchorFor(rule('services.exe -> cmd.exe -[1..2]-> powershell.exe')))).toEqual({ names: ['cmd.exe'], parentNames: ['services.exe'], descend: 2 });
    expect(plain(anchorFor(rule('w3wp.exe -> cmd.exe')))).toEqual({ names: ['cmd.exe'], parentNames: ['w3wp.exe'], descend: 0 });
  });

  it('anchors a rare first step through its children (its own create may predate the data) and walks down', () => {
    // winword -[1..3]-> cmd: children of winword, then two more generations of their descendants.
    expect(plain(anchorFor(rule('winword.exe -[1..3]-> cmd.exe|powershell.exe')))).toEqual({ names: null, parentNames: ['winword.exe'], descend: 2 });
  });

  it('anchors an unpinned leaf on the nearest pinned step; no pinned step at all means a full scan', () => {
    expect(plain(anchorFor(rule('fodhelper.exe -[1..3]-> *')))).toEqual({ names: null, parentNames: ['fodhelper.exe'], descend: 2 });
    expect(anchorFor(rule('* -> *'))).toBeNull();
    expect(planScan([rule('w3wp.exe -> cmd.exe'), rule('* -> *')])).toEqual({ names: null, terms: [] });
  });

  it('drops OR branches on fields sources never return (they cannot match a source row), keeping the rest', () => {
    const [psexec] = parseRulesOrThrow(`
id: t-psexec
title: t
chain:
  - as: svc
    match: [{Image|endswith: '\\psexesvc.exe'}, {OriginalFileName: 'psexesvc.exe'}]
  - as: shell
    via: 1..2
    match: {Image|endswith: ['\\cmd.exe', '\\powershell.exe']}
`);
    expect(plain(anchorFor(psexec!))).toEqual({ names: null, parentNames: ['psexesvc.exe'], descend: 1 });
    // With `unknown: match` an absent field may match: no narrowing, the shells are scanned as leaves.
    expect(plain(anchorFor({ ...psexec!, unknown: 'match' }))).toEqual({ names: ['cmd.exe', 'powershell.exe'], parentNames: null, descend: 0 });
    const [only] = parseRulesOrThrow(`
id: t-ofn
title: t
chain:
  - {as: a, match: {OriginalFileName: 'x.exe'}}
  - {as: b, via: 1, match: {Name: 'cmd.exe'}}
`);
    expect(anchorFor(only!)).toBe('never');
    expect(planScan([only!, rule('w3wp.exe -> cmd.exe')]).terms).toEqual([{ names: ['cmd.exe'], parentNames: ['w3wp.exe'], descend: 0 }]);
  });

  it('merges children-of scans of the same depth into one term; pushedNames lists every name sent', () => {
    const plan = planScan([rule('mshta.exe -[1..2]-> cmd.exe'), rule('sqlservr.exe -[1..2]-> powershell.exe'), rule('a.exe -> b.exe -> winword.exe')]);
    expect(plan.terms).toEqual([
      { names: null, parentNames: ['mshta.exe', 'sqlservr.exe'], descend: 1 },
      { names: ['winword.exe'], parentNames: null, descend: 0 },
    ]);
    expect(plan.names).toEqual(['mshta.exe', 'sqlservr.exe', 'winword.exe']);
  });

  it('Sigma steps: the filter rides on the step\'s own scan; a rule pinning no image is scanned by its filter, not in full', () => {
    const sig = (det: string, extra = '') => rule(`id: s\ntitle: t\n${extra}chain:\n  - match: { sigma: ${det} }\n`);
    const byCmd = sig("{ s: { CommandLine|contains: 'vssadmin' }, condition: s }");
    const a = anchorFor(byCmd);
    expect(a && a !== 'never' && { names: a.names, parentNames: a.parentNames, descend: a.descend }).toEqual({ names: null, parentNames: null, descend: 0 });
    expect(a && a !== 'never' && a.filter).toEqual({ op: 'match', field: 'CommandLine', glob: '*vssadmin*' });
    // With `unknown: match` a record lacking CommandLine may match: no filter, a full scan.
    expect(anchorFor(sig("{ s: { CommandLine|contains: 'vssadmin' }, condition: s }", 'unknown: match\n'))).toBeNull();
    // Nothing the filter can say (a regex): a full scan, as before.
    expect(anchorFor(sig("{ s: { CommandLine|re: 'vss.*' }, condition: s }"))).toBeNull();
    // Image pinned: the names scan carries the rest of the detection.
    const named = planScan([sig("{ s: { Image|endswith: '\\reg.exe', CommandLine|contains: 'save' }, condition: s }")]);
    expect(named.terms).toEqual([{ names: ['reg.exe'], parentNames: null, descend: 0, filter: { op: 'and', args: [
      { op: 'match', field: 'Image', glob: '*\\reg.exe' }, { op: 'match', field: 'CommandLine', glob: '*save*' }] } }]);
  });

  it('Sigma filters: the PE fields the source\'s scan returns (its scanFields) are pushed down; a field no scan returns is decided absent', () => {
    const sig = (det: string) => rule(`id: s\ntitle: t\nchain:\n  - match: { sigma: ${det} }\n`);
    const PE = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'];
    const filterOf = (det: string, fields: string[] = PE) => { const a = anchorFor(sig(det), undefined, fields); return a && a !== 'never' ? a.filter : a; };
    // SigmaHQ's renamed-binary form: image or PE name, both kept (a renamed certutil is selected by its PE name).
    expect(filterOf("{ i: { Image|endswith: '\\certutil.exe' }, o: { OriginalFileName: 'CertUtil.exe' }, condition: i or o }")).toEqual({ op: 'or', args: [
      { op: 'match', field: 'Image', glob: '*\\certutil.exe' }, { op: 'match', field: 'OriginalFileName', glob: 'CertUtil.exe' }] });
    for (const f of ['Description', 'Product', 'Company', 'FileVersion']) {
      expect(filterOf(`{ s: { ${f}|contains: 'x' }, condition: s }`)).toEqual({ op: 'match', field: f, glob: '*x*' });
    }
    // LogonId is in no scanned record: the engine finds it absent, so that branch cannot match.
    expect(filterOf("{ i: { Image|endswith: '\\x.exe' }, l: { LogonId: '0x3e7' }, condition: i or l }")).toEqual({ op: 'match', field: 'Image', glob: '*\\x.exe' });
    // A source whose scan returned no PE fields: the OriginalFileName branch is decided absent too.
    expect(filterOf("{ i: { Image|endswith: '\\certutil.exe' }, o: { OriginalFileName: 'CertUtil.exe' }, condition: i or o }", [])).toEqual({ op: 'match', field: 'Image', glob: '*\\certutil.exe' });
    expect(filterOf("{ i: { Image|endswith: '\\x.exe' }, o: { OriginalFileName: 'x.exe' }, condition: i or o }", ['OriginalFileName'])).toEqual({ op: 'or', args: [
      { op: 'match', field: 'Image', glob: '*\\x.exe' }, { op: 'match', field: 'OriginalFileName', glob: 'x.exe' }] });
  });

  it('a step reading a scan-only field (OriginalFileName) is the scanned step when it can be: the walks return no such field', () => {
    const PE = ['OriginalFileName'];
    const plain3 = (a: ReturnType<typeof anchorFor>) => a && a !== 'never' && { ...plain(a), filter: a.filter };
    // Leaf named only by its PE name: scanned by its Sigma filter, not reached by walking down from cmd/powershell.
    const leafPe = rule("id: a\ntitle: t\nchain:\n  - match: { Name: cmd.exe }\n  - via: 1..5\n    match: { Name: powershell.exe }\n  - via: 1..5\n    match: { sigma: { o: { OriginalFileName: winword.exe }, condition: o } }\n");
    expect(plain3(anchorFor(leafPe, undefined, PE))).toEqual({ names: null, parentNames: null, descend: 0, filter: { op: 'match', field: 'OriginalFileName', glob: 'winword.exe' } });
    // A source returning no PE field: as before, anchored on the names of the other steps.
    expect(plain(anchorFor(leafPe, undefined, []))).toEqual({ names: ['powershell.exe'], parentNames: null, descend: 5 });
    // The first step reads it and pins a name: its own creates are scanned (not its children), then walked down.
    const firstPe = rule("id: b\ntitle: t\nchain:\n  - match: { Name: psexesvc.exe, OriginalFileName: psexesvc.exe }\n  - via: 1..2\n    match: { Name: cmd.exe }\n");
    expect(plain(anchorFor(firstPe, undefined, PE))).toEqual({ names: ['psexesvc.exe'], parentNames: null, descend: 2 });
    // It cannot be scanned (an OR with an unpinned PE branch, no Sigma filter): planned as if no row carried the field.
    const orPe = rule("id: c\ntitle: t\nchain:\n  - match: [{ Image|endswith: '\\psexesvc.exe' }, { OriginalFileName: psexesvc.exe }]\n  - via: 1..2\n    match: { Name: cmd.exe }\n");
    expect(plain(anchorFor(orPe, undefined, PE))).toEqual({ names: null, parentNames: ['psexesvc.exe'], descend: 1 });
  });

  it('fieldsRead: the offered scan fields some step, unless or where reads (a Sigma fieldref target included)', () => {
    const PE = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'];
    expect(fieldsRead([rule('cmd.exe -> powershell.exe')], PE)).toEqual([]);
    expect(fieldsRead([rule("id: s\ntitle: t\nchain:\n  - match: { sigma: { s: { Description: 'x', Company|fieldref: Product }, condition: s } }\n")], PE)).toEqual(['Description', 'Product', 'Company']);
    expect(fieldsRead([rule("id: u\ntitle: t\nchain:\n  - match: { Name: cmd.exe }\nunless:\n  - path: { match: { FileVersion: '1' } }\n")], PE)).toEqual(['FileVersion']);
    expect(fieldsRead([rule("id: s\ntitle: t\nchain:\n  - match: { sigma: { s: { OriginalFileName: 'x' }, condition: s } }\n")], [])).toEqual([]);
  });

  it('Sigma filters: filtered terms merge only with filtered ones (filters OR-ed); a children-of scan carries none', () => {
    const plan = planScan([
      rule("id: a\ntitle: t\nchain:\n  - match: { sigma: { s: { CommandLine|contains: 'x1' }, condition: s } }\n"),
      rule("id: b\ntitle: t\nchain:\n  - match: { sigma: { s: { CommandLine|contains: 'x2' }, condition: s } }\n"),
      rule('w3wp.exe -> cmd.exe'),
      rule("id: c\ntitle: t\nchain:\n  - match: { sigma: { s: { Image|endswith: '\\mshta.exe', CommandLine|contains: 'http' }, condition: s } }\n  - { via: 1..2, match: { Name: 'cmd.exe' } }\n"),
    ]);
    expect(plan.terms).toEqual([
      { names: null, parentNames: null, descend: 0, filter: { op: 'or', args: [{ op: 'match', field: 'CommandLine', glob: '*x1*' }, { op: 'match', field: 'CommandLine', glob: '*x2*' }] } },
      { names: ['cmd.exe'], parentNames: ['w3wp.exe'], descend: 0 },
      { names: null, parentNames: ['mshta.exe'], descend: 1 },
    ]);
    expect(plan.names).toEqual(['cmd.exe', 'mshta.exe', 'w3wp.exe']);
  });
});
