/**
 * Running rules over any EventSource, pushing work down: one statistics query (`countNamePairs`, when the
 * source has it) lets the planner anchor each rule on its rarest pinned step; then one scan per plan term
 * (`scanProcesses({names, parentNames})`), descendants of anchors a generation at a time with batched
 * `getChildren`, missing ancestors a generation at a time with batched `getProcesses(guids)` (≤ max reach
 * + 1 calls), then the `then:` events of the candidates. All rows go into one engine and are verified once
 * at the end, so the result does not depend on the order the source returns rows in.
 */
import type { RuleHit, RulesRunStats, TimeRange } from '@lineage/shared';
import type { EventSource, QueryContext } from '../../sources/event-source.js';
import { RuleEngine } from '../engine/engine.js';
import type { CompiledRule, EngineHit } from '../model.js';
import { sortHits, toRuleHit } from './hits.js';
import { FetchPhases } from './fetch-phases.js';
import { countedCosts, fieldsRead, pinnedNames, planScan } from './scan-plan.js';

/** How far before `from` ancestors are fetched, when no rule bounds it with `within`. */
export const DEFAULT_LOOKBACK_MS = 24 * 3_600_000;

export interface RunOptions {
  ctx: QueryContext;
  range?: TimeRange;
  host?: string;
  /** Override the ancestor lookback (ms before `range.from`). */
  lookbackMs?: number;
  batchSize?: number;
}

/** What a run cost (the wire shape, shared/src/rules-api.ts). */
export type RunStats = RulesRunStats;

export interface RunResult { hits: RuleHit[]; stats: RunStats; engineHits: EngineHit[] }

function lookbackFor(rules: CompiledRule[]): number {
  let m = 0;
  for (const r of rules) {
    if (r.withinMs === null) return DEFAULT_LOOKBACK_MS;
    m = Math.max(m, r.withinMs);
  }
  return m;
}

/** Run rules over a source. Only leaves created inside `range` produce hits. */
export async function runRules(source: EventSource, rules: CompiledRule[], o: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const lookback = o.lookbackMs ?? lookbackFor(rules);
  // Ancestors, and anchors above a leaf in range, may be older than the range (up to the lookback).
  const wideRange: TimeRange | undefined = o.range
    ? { from: new Date(Date.parse(o.range.from) - lookback).toISOString(), to: o.range.to }
    : undefined;
  // The create fields beyond the record's that the scan returns and some rule reads (none: not fetched).
  const scanFields = fieldsRead(rules, source.scanFields);
  let plan = planScan(rules, undefined, scanFields);
  let counted = false;
  if (plan.names !== null && plan.names.length > 0 && source.countNamePairs) {
    // One small statistics query (a row per image/parent pair) lets the planner anchor each rule on what
    // is actually rare in this data, instead of the prior.
    const counts = await source.countNamePairs(pinnedNames(rules, scanFields), { ctx: o.ctx, range: wideRange, host: o.host });
    plan = planScan(rules, countedCosts(counts), scanFields);
    counted = true;
  }
  const run = new FetchPhases(source, new RuleEngine(rules), { ...o, wideRange, scanFields }, plan.names, counted);
  await run.scan(plan.names === null ? [{ names: null, parentNames: null, descend: 0 }] : plan.terms);
  await run.descendants();
  await run.ancestors();
  const found = [...run.engine.drain(), ...await run.thenEvents()];
  const from = o.range ? Date.parse(o.range.from) : Number.NEGATIVE_INFINITY;
  const to = o.range ? Date.parse(o.range.to) : Number.POSITIVE_INFINITY;
  const engineHits = found.filter((h) => { const t = Date.parse(h.time); return t >= from && t <= to; });
  const stats = { ...run.stats, searches: o.ctx.stats.searches, rows: o.ctx.stats.rows, ms: Math.round(performance.now() - t0) };
  return { hits: sortHits(engineHits.map(toRuleHit)), stats, engineHits };
}
