/**
 * The whole SigmaHQ Windows rule set over every real capture in ../shared/datasets (ingested with our
 * readers, as `lineage ingest` stores them): no rule throws on real data, and the hits per rule are
 * printed. The prefiltered, indexed engine must give exactly the hits of an unfiltered evaluation —
 * every rule whose log source covers the event's EventID evaluated on every event, no index, no
 * prefilter — so a rule the prefilter wrongly skips fails here; with and without the engine's memo of
 * recent field values. Timing per rule is measured by
 * `npm run bench -- sigma --sweep`.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS, SIGMAHQ, requireDatasets, requireSigmaHQ } from '../../test/datasets.js';
import { ingestPaths } from '../ingest/pipeline.js';
import type { SysmonEvent } from '../ingest/record.js';
import { SigmaEngine } from './engine.js';
import { EventView } from './event.js';
import { sigmaEventOf } from './hits.js';
import { loadRules } from './load.js';
import { join } from 'node:path';

const run = requireDatasets('Sigma sweep over the datasets') && requireSigmaHQ('Sigma sweep over the datasets');

describe.runIf(run)('SigmaHQ rules over every real capture', () => {
  it('evaluates every rule on every stored event without an error; prints hits per rule', async () => {
    const events: SysmonEvent[] = [];
    await ingestPaths([DATASETS], { write: async (b) => { events.push(...b); return { inserted: b.length, duplicates: 0 }; } });
    const set = loadRules([join(SIGMAHQ, 'rules')]);
    const engine = new SigmaEngine(set.rules);
    const noMemo = new SigmaEngine(set.rules, { memo: false });
    const viaNoMemo: string[] = [];
    const perRule = new Map<string, number>();
    let hits = 0;
    const viaEngine: string[] = [];
    const unfiltered: string[] = [];
    const sysmon = set.rules.filter((r) => r.applies.channel === 'Microsoft-Windows-Sysmon/Operational');
    events.forEach((e, i) => {
      const ev = sigmaEventOf(e);
      for (const h of engine.match(ev)) {
        hits++;
        perRule.set(h.rule.title, (perRule.get(h.rule.title) ?? 0) + 1);
        viaEngine.push(`${i} ${h.rule.id} ${h.selections.join(',')}`);
      }
      for (const h of noMemo.match(ev)) viaNoMemo.push(`${i} ${h.rule.id} ${h.selections.join(',')}`);
      const view = new EventView(ev);
      for (const r of sysmon) {
        if (r.applies.eventIds !== null && !r.applies.eventIds.includes(e.eventId)) continue;
        const s = r.evaluate(view);
        if (s) unfiltered.push(`${i} ${r.id} ${s.join(',')}`);
      }
    });
    // Same hits, same matched selections: nothing skipped by the prefilter, nothing extra.
    expect(viaEngine.sort()).toEqual(unfiltered.sort());
    expect(viaNoMemo.sort(), 'engine without its value memo').toEqual(unfiltered);
    console.log(`Sigma sweep: ${events.length} events, ${set.rules.length} rules, ${hits} hits by ${perRule.size} rules`);
    for (const [title, n] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${title}`);
    expect(events.length).toBeGreaterThan(10_000);
    expect(perRule.size).toBeGreaterThan(20);
  }, 300_000);
});
