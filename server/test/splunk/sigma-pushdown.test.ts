/**
 * The Sigma → SPL push-down of the rule scan (server/src/sigma/spl.ts, docs/sigma.md "On Splunk"), end to
 * end through the Splunk test server and the real splunk-sdk: Sigma-based lineage rules whose steps pin
 * no image name (SigmaHQ rules keyed on CommandLine, an inline detection with windash, `not` and
 * `|all`) find the same hits on Splunk — raw and CIM field names — as on the embedded store over a real
 * capture, while the Splunk scan returns fewer records than all creates (the embedded store ignores the
 * filter, so its scan is every create). Rules firing only through the PE fields: the same hits on both.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, requireDatasets, requireSigmaHQ } from '../datasets.js';
import { openPair, loginSource, type Pair } from './fixture.js';
import { loadRules as loadSigma, sigmaLibrary } from '../../src/sigma/load.js';
import { newContext } from '../../src/sources/event-source.js';
import { parseRulesOrThrow, type ParseOptions } from '../../src/rules/language/parse.js';
import { runRules, type RunResult } from '../../src/rules/run/run.js';
import { LARGE_CAPTURE, RENAMED_RULE_FILES, SIGMA_PC_RULES, RENAMED_RULES, expectedHits, hitSet, renamedCaptures, xmlCreates } from '../renamed-binaries.js';

const CAPTURE = LARGE_CAPTURE;
const PC = ['proc_creation_win_susp_shadow_copies_deletion.yml', 'proc_creation_win_susp_private_keys_recon.yml', 'proc_creation_win_cmd_dir_execution.yml'];
const IDS = ['c947b146-0abc-4c87-9c64-b17e9d7274a2', '213d6a77-3d55-4ce8-ba74-fcfef741974e', '7c9340a9-e2ee-4e43-94c5-c54ebbea1006'];

const RULES = `
title: SigmaHQ command-line rules (no image pinned)
id: pd-sigmahq
chain:
  - match: { sigma: [${IDS.join(', ')}] }
---
title: registry queries and adds by reg (inline; windash, all, not)
id: pd-inline
chain:
  - match:
      sigma:
        sel: { CommandLine|windash|contains: ' /v ', CommandLine|contains|all: ['reg', 'HK'] }
        quiet: { CommandLine|contains: 'NoSuchValue' }
        condition: sel and not quiet
`;

const key = (h: RunResult['hits'][number]) => ({ rule: h.rule, host: h.host, chain: h.chain, steps: h.steps });

const present = requireDatasets('Sigma push-down on Splunk') && requireSigmaHQ('Sigma push-down on Splunk');
describe.runIf(present)('Sigma push-down: same hits as embedded, fewer records scanned', () => {
  let pair: Pair;
  let opts: ParseOptions = {};
  beforeAll(async () => {
    opts = { sigma: sigmaLibrary(loadSigma(PC.map((f) => join(SIGMA_PC_RULES, f))).rules, 'test library') };
    pair = await openPair([dataset(CAPTURE)]);
  });
  afterAll(async () => { await pair?.close(); });

  it('raw field names: same hits; the scan carries the Sigma predicate and returns a fraction of the creates', async () => {
    const rules = parseRulesOrThrow(RULES, null, opts);
    const e = await runRules(pair.embedded, rules, { ctx: newContext() });
    const before = pair.splunkd.received.length;
    const s = await runRules(pair.splunk, rules, { ctx: newContext() });
    expect(s.hits.map(key)).toEqual(e.hits.map(key));
    expect(e.hits.filter((h) => h.rule === 'pd-sigmahq').length).toBeGreaterThanOrEqual(3);
    expect(e.hits.filter((h) => h.rule === 'pd-inline').length).toBeGreaterThan(0);
    // Without the filter a rule pinning no image scans every create (the embedded store ignores it).
    const creates = e.stats.scanned;
    expect(creates).toBeGreaterThan(400);
    console.log(`Sigma push-down on ${CAPTURE}: Splunk scan returned ${s.stats.scanned} of ${creates} creates (${s.stats.searches} searches, ${s.stats.rows} rows)`);
    expect(s.stats.scanned).toBeLessThan(creates / 5);
    expect(s.stats.scanned).toBeGreaterThanOrEqual(s.hits.length);
    // The run says what was pushed: both rules pin no image, so one filtered scan — applied by Splunk only.
    expect(s.stats.pushedNames).toEqual([]);
    expect(s.stats.pushedFilters).toBe(1);
    expect(e.stats.pushedFilters).toBe(0);
    const scan = pair.splunkd.received.slice(before).map((r) => r.spl).find((q) => q.includes('EventCode=1') && q.includes('| sort 0 UtcTime'))!;
    expect(scan).toContain('CommandLine IN ("* -v *", "* /v *", "* \u2013v *", "* \u2014v *", "* \u2015v *")');
    expect(scan).toContain('NOT CommandLine="*NoSuchValue*"');
    // SigmaHQ's `Image|endswith … or OriginalFileName …` selections: the rule scan returns OriginalFileName,
    // so both branches are pushed down (docs/sigma.md "On Splunk"), and the scan's rows carry the field.
    expect(scan).toContain('((Image="*\\\\wbadmin.exe" OR OriginalFileName="WBADMIN.EXE") AND CommandLine="*delete*" AND CommandLine="*catalog*" AND CommandLine="*quiet*")');
    expect(scan).toContain('earliest(OriginalFileName) as OriginalFileName earliest(Description) as Description');
  });

  it('CIM field names: the predicate uses the add-on names (process, process_path …); same hits', async () => {
    const rules = parseRulesOrThrow(RULES, null, opts);
    const cim = await loginSource(pair.splunkd, { fieldStyle: 'cim' });
    const before = pair.splunkd.received.length;
    const e = await runRules(pair.embedded, rules, { ctx: newContext() });
    const s = await runRules(cim, rules, { ctx: newContext() });
    expect(s.hits.map(key)).toEqual(e.hits.map(key));
    const sent = pair.splunkd.received.slice(before).map((r) => r.spl).join('\n');
    expect(sent).toContain('NOT process="*NoSuchValue*"');
    // The add-on's CIM name for OriginalFileName (docs/splunk-protocol.md §5.2), in the predicate and the rows.
    expect(sent).toContain('OR original_file_name="WBADMIN.EXE")');
    expect(sent).toContain('earliest(original_file_name) as OriginalFileName');
    expect(sent).not.toContain('CommandLine=');
  });
});

/* Renamed binaries (the captures, rules and the XML oracle: ../renamed-binaries.ts). */
const renamedPresent = requireDatasets('Sigma push-down on renamed binaries') && requireSigmaHQ('Sigma push-down on renamed binaries');
describe.runIf(renamedPresent)('Sigma push-down: rules firing through OriginalFileName / Description on Splunk', () => {
  let pair: Pair;
  let files: string[] = [];
  let opts: ParseOptions = {};
  beforeAll(async () => {
    opts = { sigma: sigmaLibrary(loadSigma(RENAMED_RULE_FILES).rules, 'test library') };
    files = renamedCaptures();
    pair = await openPair(files);
  });
  afterAll(async () => { await pair?.close(); });

  it('raw and CIM names: the hits the captures decide, from a filtered scan that returns the PE fields', async () => {
    const expected = expectedHits(files);
    // The data decides: each renamed binary once by its own rule, curl also by the either-form, netsh by its description.
    expect(expected.filter((h) => h.startsWith('ofn-sigmahq ')).length).toBeGreaterThanOrEqual(3);
    expect(expected.filter((h) => h.startsWith('ofn-either ')).length).toBeGreaterThanOrEqual(1);
    expect(expected.filter((h) => h.startsWith('ofn-description ')).length).toBeGreaterThanOrEqual(1);
    const rules = parseRulesOrThrow(RENAMED_RULES, null, opts);
    const before = pair.splunkd.received.length;
    const raw = await runRules(pair.splunk, rules, { ctx: newContext() });
    expect(hitSet(raw.hits)).toEqual(expected);
    const scan = pair.splunkd.received.slice(before).map((r) => r.spl).find((q) => q.includes('EventCode=1') && q.includes('| sort 0 UtcTime'))!;
    expect(scan).toContain('OriginalFileName="msdt.exe"');
    expect(scan).toContain('Description="Network Command Shell"');
    const creates = xmlCreates(files).length;
    console.log(`Sigma push-down, renamed binaries: ${expected.length} expected hits; Splunk scan returned ${raw.stats.scanned} of ${creates} creates`);
    expect(raw.stats.scanned).toBeLessThan(creates / 5);
    const cim = await runRules(await loginSource(pair.splunkd, { fieldStyle: 'cim' }), rules, { ctx: newContext() });
    expect(hitSet(cim.hits)).toEqual(expected);
    const sent = pair.splunkd.received.slice(before).map((r) => r.spl).join('\n');
    expect(sent).toContain('original_file_name="msdt.exe"');
    // The embedded store's rule scan returns the same PE fields (processes columns, schema 4): the same hits.
    const e = await runRules(pair.embedded, rules, { ctx: newContext() });
    expect(hitSet(e.hits)).toEqual(expected);
  });
});
