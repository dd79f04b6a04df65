/**
 * Property of the Sigma → SPL push-down (server/src/sigma/spl.ts): on every real process-create of
 * ../shared/datasets, for every SigmaHQ process_creation rule, the engine's match implies the SPL
 * predicate — evaluated by the Splunk test server's own SPL parser and evaluator (tools/splunkd-sim,
 * which imports no product code) on the event as the test server indexes it (its Sysmon add-on
 * extraction of the event's fields). Also prints how much of the data the predicates let through.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, SIGMAHQ, requireDatasets, requireSigmaHQ } from '../datasets.js';
import { DEFAULT_DEPLOYMENT, extractSysmon } from '../../../tools/splunkd-sim/sysmon-ta.js';
import { matchRow, parseSearch } from '../../../tools/splunkd-sim/spl/search-expr.js';
import type { Row } from '../../../tools/splunkd-sim/spl/values.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { EventView } from '../../src/sigma/event.js';
import { compileRule, isCompiled } from '../../src/sigma/rule.js';
import { sigmaEventOf } from '../../src/sigma/hits.js';
import { loadRules } from '../../src/sigma/load.js';
import { RECORD_TEXT_FIELDS, filterSpl, scanFilter } from '../../src/sigma/spl.js';
import { RECORD_FIELDS } from '../../src/rules/engine/node.js';

const run = requireDatasets('Sigma SPL property') && requireSigmaHQ('Sigma SPL property');
describe.runIf(run)('Sigma → SPL: engine match ⇒ predicate holds, on every real process-create', () => {
  let creates: { sigma: ReturnType<typeof sigmaEventOf>; row: Row }[] = [];
  let set: ReturnType<typeof loadRules>;
  beforeAll(async () => {
    // Every create our readers take from the datasets (evtx, XML, JSON lines, EQL …), indexed the way the
    // test server indexes an event: its own add-on extraction of the event's fields.
    const events: SysmonEvent[] = [];
    await ingestPaths([DATASETS], { write: async (b) => { events.push(...b.filter((e) => e.eventId === 1)); return { inserted: b.length, duplicates: 0 }; } });
    creates = events.map((e) => ({
      sigma: sigmaEventOf(e),
      row: extractSysmon({ system: { eventId: 1, computer: e.host, recordId: e.recordId, channel: null, provider: null, timeCreated: null }, data: e.fields }, DEFAULT_DEPLOYMENT) as Row,
    }));
    set = loadRules([join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation')]);
  }, 300_000);

  it('holds for every SigmaHQ process_creation rule; the predicates let few creates through', () => {
    const views = creates.map(({ sigma }) => new EventView(sigma));
    // What a lineage step sees of a record the Splunk rule scan returns: the fields a ProcessRecord carries
    // (RECORD_FIELDS) plus the scan's PE fields (OriginalFileName, Description, Product, Company,
    // FileVersion — named here, as docs/splunk.md lists them), nothing else (Signed, RuleName …); and the
    // filter the planner asks for on it (server/src/rules/run/scan-plan.ts).
    const pe = new Set(['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion']);
    const carried = (k: string) => RECORD_FIELDS.has(k) || pe.has(k);
    const recordViews = creates.map(({ sigma }) => new EventView({ ...sigma, fields: Object.fromEntries(Object.entries(sigma.fields).filter(([k]) => carried(k))) }));
    const recordScan = { fields: new Set([...RECORD_TEXT_FIELDS, ...pe]), absent: (f: string) => !carried(f) && f !== 'Channel' };
    let filtered = 0;
    let recordFiltered = 0;
    let matches = 0;
    let passed = 0;
    let passedMatched = 0;
    const broken: string[] = [];
    for (const rule of set.rules) {
      const det = rule.detection;
      expect(det, rule.id).toBeDefined();
      const f = scanFilter(det);
      const spl = f && filterSpl(f, (r) => r);
      const node = spl === null ? null : parseSearch(spl).node;
      if (node) filtered++;
      // The scan's own variant: only fields records carry verbatim (server/src/rules/language/sigma-step.ts).
      const rf = scanFilter(det!, recordScan);
      const recSpl = rf && filterSpl(rf, (r) => r);
      const recNode = recSpl === null ? null : parseSearch(recSpl).node;
      if (recNode) recordFiltered++;
      creates.forEach(({ row }, i) => {
        const hit = rule.evaluate(views[i]!) !== null;
        const holds = node === null || matchRow(node, row);
        if (hit) matches++;
        if (node && holds) { passed++; if (hit) passedMatched++; }
        if (hit && !holds) broken.push(`${rule.id} ${rule.title}: ${String(row.CommandLine).slice(0, 120)} ⊄ ${spl!.slice(0, 300)}`);
        if (recNode && rule.evaluate(recordViews[i]!) !== null && !matchRow(recNode, row)) broken.push(`record view: ${rule.id} ${rule.title} ⊄ ${recSpl!.slice(0, 300)}`);
      });
    }
    console.log(`Sigma SPL property: ${creates.length} process-creates × ${set.rules.length} rules (${filtered} with a predicate, ${set.rules.length - filtered} unconstrained; ${recordFiltered} on record fields only); `
      + `${matches} engine matches, all inside their predicate: ${broken.length === 0}; predicates of filtered rules let through ${passed} of ${filtered * creates.length} `
      + `(${(100 * passed / Math.max(1, filtered * creates.length)).toFixed(2)} %), ${passedMatched} of them matches`);
    expect(broken).toEqual([]);
    expect(recordFiltered).toBeGreaterThan(set.rules.length / 2);
    expect(creates.length).toBeGreaterThan(1000);
    expect(matches).toBeGreaterThan(100);
    expect(filtered).toBeGreaterThan(set.rules.length / 2);
  }, 600_000);

  it('holds for every rule negated (`not (<condition>)`): what the predicate excludes, the engine never matches', () => {
    // A negated rule matches nearly every create, and its predicate is NOT of the under-approximation:
    // any term that selects an event the rule does not match shows up here.
    let negated = 0;
    let constrained = 0;
    let matches = 0;
    const broken: string[] = [];
    const views = creates.map(({ sigma }) => new EventView(sigma));
    for (const rule of set.rules) {
      const det = rule.detection;
      if (typeof det.condition !== 'string') continue;
      const neg = { ...det, condition: `not (${det.condition})` };
      const compiled = compileRule({ id: `not-${rule.id}`, title: `not ${rule.title}`, logsource: { category: 'process_creation', product: 'windows' }, detection: neg });
      if (!isCompiled(compiled)) continue;
      negated++;
      const f = scanFilter(neg);
      if (f === null) continue;
      constrained++;
      const spl = filterSpl(f, (r) => r)!;
      const node = parseSearch(spl).node;
      creates.forEach(({ row }, i) => {
        if (compiled.evaluate(views[i]!) === null) return;
        matches++;
        if (!matchRow(node, row)) broken.push(`not ${rule.id} ${rule.title}: ${String(row.CommandLine).slice(0, 120)} ⊄ ${spl.slice(0, 300)}`);
      });
    }
    console.log(`Sigma SPL property, negated: ${negated} rules, ${constrained} with a predicate; ${matches} engine matches, all inside: ${broken.length === 0}`);
    expect(broken).toEqual([]);
    expect(constrained).toBeGreaterThan(negated / 2);
  }, 600_000);
});
