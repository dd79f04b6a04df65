/**
 * Sigma inside lineage rule steps: a SigmaHQ rule referenced by id, an inline detection block, and the
 * errors. Expected hits are hand-checked on the vectors below (each comment says why a leaf fires or not).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGMAHQ, requireSigmaHQ } from '../../../test/datasets.js';
import { loadRules as loadSigma, sigmaLibrary } from '../../sigma/load.js';
import { runRuleTests } from '../vectors.js';
import { parseRules, type ParseOptions } from './parse.js';

const ENCODED_PS = 'fb843269-508c-4b76-8b8d-88679db22ce7'; // proc_creation_win_powershell_encode.yml
const WHOAMI_ALL = 'c248c896-e412-4279-8c15-1c558067b6fa'; // proc_creation_win_whoami_all_execution.yml
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const WORD = 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE';

/** cmd A → powershell B (-enc: a hit) → rundll32 D → winword E: E fires (2 levels below B).
 *  cmd A → powershell C (-Encoding utf8 -enc: the rule's filter) → winword F: F does not.
 *  B → x1 → x2 → x3 → x4 → x5 → winword G: 6 levels below B, beyond 1..5: G does not. */
const VECTORS = `
tests:
  - name: encoded powershell above office
    events:
      - { g: A, img: 'C:\\Windows\\System32\\cmd.exe', cmd: cmd.exe }
      - { g: B, p: A, img: '${PS}', cmd: 'powershell.exe -nop -enc ZQBjAGgAbwA=', pimg: 'C:\\Windows\\System32\\cmd.exe' }
      - { g: C, p: A, img: '${PS}', cmd: 'powershell.exe -Encoding utf8 -enc ZQBjAGgAbwA=', pimg: 'C:\\Windows\\System32\\cmd.exe' }
      - { g: D, p: B, img: 'C:\\Windows\\System32\\rundll32.exe', cmd: rundll32.exe, pimg: '${PS}' }
      - { g: E, p: D, img: '${WORD}', cmd: winword.exe, pimg: 'C:\\Windows\\System32\\rundll32.exe' }
      - { g: F, p: C, img: '${WORD}', cmd: winword.exe, pimg: '${PS}' }
      - { g: x1, p: B, img: 'C:\\a\\x1.exe', cmd: x1, pimg: '${PS}' }
      - { g: x2, p: x1, img: 'C:\\a\\x2.exe', cmd: x2, pimg: 'C:\\a\\x1.exe' }
      - { g: x3, p: x2, img: 'C:\\a\\x3.exe', cmd: x3, pimg: 'C:\\a\\x2.exe' }
      - { g: x4, p: x3, img: 'C:\\a\\x4.exe', cmd: x4, pimg: 'C:\\a\\x3.exe' }
      - { g: x5, p: x4, img: 'C:\\a\\x5.exe', cmd: x5, pimg: 'C:\\a\\x4.exe' }
      - { g: G, p: x5, img: '${WORD}', cmd: winword.exe, pimg: 'C:\\a\\x5.exe' }
    expect:
      - { leaf: E, path: [E, D, B] }
`;

function ruleWith(step0: string, opts: ParseOptions = {}): ReturnType<typeof parseRules> {
  return parseRules(`title: office below a Sigma hit\nid: t1\nchain:\n  - as: hit\n    match: ${step0}\n  - as: office\n    via: 1..5\n    match: { Name: [winword.exe, excel.exe] }\n${VECTORS}`, 'r.yaml', opts);
}

describe('a lineage step matching a Sigma detection block', () => {
  it('evaluates selections, filters and the condition on the ancestor', () => {
    const block = `{ sigma: { selection: { Image|endswith: ['\\powershell.exe', '\\pwsh.exe'], CommandLine|contains|windash: [' -enc ', ' -e '] }, filter: { CommandLine|contains: ' -Encoding ' }, condition: 'selection and not filter' } }`;
    const { rules, errors } = ruleWith(block);
    expect(errors).toEqual([]);
    const [res] = runRuleTests(rules[0]!);
    expect(res!.problems).toEqual([]);
    expect(res!.hits).toHaveLength(1);
    expect([...rules[0]!.steps[0]!.pred.names!].sort()).toEqual(['powershell.exe', 'pwsh.exe']);
    // `not` pins nothing; `or` pins only when both sides do.
    expect(ruleWith(`{ sigma: { a: { Image|endswith: '\\a.exe' }, condition: 'not a' } }`).rules[0]!.steps[0]!.pred.names).toBeNull();
    expect(ruleWith(`{ sigma: { a: { Image|endswith: '\\a.exe' }, b: { CommandLine|contains: x }, condition: 'a or b' } }`).rules[0]!.steps[0]!.pred.names).toBeNull();
    expect([...ruleWith(`{ sigma: { a: { Image|endswith: '\\A.exe' }, b: { Image: 'C:\\x\\b.exe' }, condition: '1 of them' } }`).rules[0]!.steps[0]!.pred.names!].sort()).toEqual(['a.exe', 'b.exe']);
  });

  it('keeps the field-map form beside it (AND with the other keys)', () => {
    // Name pins cmd.exe: no cmd.exe is a Sigma hit, so nothing fires.
    const { rules, errors } = ruleWith(`{ Name: cmd.exe, sigma: { s: { CommandLine|contains: ' -enc ' }, condition: s } }`);
    expect(errors).toEqual([]);
    expect(runRuleTests(rules[0]!)[0]!.hits).toEqual([]);
  });

  it('reports what it cannot evaluate, positioned', () => {
    const err = (m: string) => ruleWith(m).errors.map((e) => `${e.line} ${e.field}: ${e.message}`);
    expect(err(`{ sigma: { s: { Image: a.exe } } }`)).toEqual(['5 chain.0.match.sigma: a Sigma detection block needs a `condition` (e.g. "selection and not filter")']);
    expect(err(`{ sigma: { s: { Image|nope: a.exe }, condition: s } }`)[0]).toMatch(/chain\.0\.match\.sigma: Sigma detection: .*nope/);
    expect(err(`{ sigma: { k: [evil], condition: k } }`)[0]).toMatch(/keyword search/);
    expect(err(`{ sigma: { s: { Image: a.exe }, condition: 's and t' } }`)[0]).toMatch(/Sigma detection: .*t/);
    expect(err(`{ sigma: 42 }`)[0]).toMatch(/takes a Sigma rule id/);
  });
});

const present = requireSigmaHQ('lineage steps referencing SigmaHQ rules');
describe.skipIf(!present)('a lineage step referencing a SigmaHQ rule by id', () => {
  const win = join(SIGMAHQ, 'rules', 'rules', 'windows');
  const lib = loadSigma([join(win, 'process_creation', 'proc_creation_win_powershell_encode.yml'),
    join(win, 'process_creation', 'proc_creation_win_whoami_all_execution.yml'), join(win, 'network_connection')]);

  const opts: ParseOptions = { sigma: sigmaLibrary(lib.rules, 'test library') };

  it('fires where the referenced rule hits an ancestor within 5 levels', () => {
    const { rules, errors } = ruleWith(`{ sigma: ${ENCODED_PS} }`, opts);
    expect(errors).toEqual([]);
    const [res] = runRuleTests(rules[0]!);
    expect(res!.problems).toEqual([]);
    // A list of ids is any of them.
    // The push-down names: the encode rule pins Image|endswith powershell/pwsh; whoami's OriginalFileName
    // alternative pins nothing (a renamed whoami.exe must still be found).
    expect([...rules[0]!.steps[0]!.pred.names!].sort()).toEqual(['powershell.exe', 'pwsh.exe']);
    expect(ruleWith(`{ sigma: ${WHOAMI_ALL} }`, opts).rules[0]!.steps[0]!.pred.names).toBeNull();
    const any = ruleWith(`{ sigma: [${WHOAMI_ALL}, ${ENCODED_PS}] }`, opts);
    expect(any.errors).toEqual([]);
    expect(runRuleTests(any.rules[0]!)[0]!.problems).toEqual([]);
  });

  it('names an unknown id and a rule that is not on process_creation', () => {
    expect(ruleWith(`{ sigma: no-such-rule }`, opts).errors[0]!.message).toBe(`unknown Sigma rule id "no-such-rule" (not among the ${lib.rules.length} rules of test library)`);
    const net = lib.rules.find((r) => r.applies.eventIds?.includes(3))!;
    expect(ruleWith(`{ sigma: ${net.id} }`, opts).errors[0]!.message).toMatch(/is not on process_creation/);
  });

  it('resolves ids only in the library given to that parse (no library left over from another parse)', () => {
    expect(ruleWith(`{ sigma: ${ENCODED_PS} }`, opts).errors).toEqual([]);
    expect(ruleWith(`{ sigma: ${ENCODED_PS} }`).errors.map((e) => e.message)).toEqual(['a Sigma rule reference needs the Sigma rules: give them with --sigma PATH (serve or detect)']);
    const other = { sigma: sigmaLibrary(lib.rules.filter((r) => r.id !== ENCODED_PS), 'another library') };
    expect(ruleWith(`{ sigma: ${ENCODED_PS} }`, other).errors[0]!.message).toMatch(/not among the \d+ rules of another library/);
  });
});
