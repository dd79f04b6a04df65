/**
 * Running rules over any EventSource, pushing work down: one statistics query (`countNamePairs`, when the
 * source has it) lets the planner anchor each rule on its rarest pinned step; then one scan per plan term
 * (`scanProcesses({names, parentNames})`), descendants of anchors a generation at a time with batched
 * `getChildren`, missing ancestors a generation at a time with batched `getProcesses(guids)` (≤ max reach
 * + 1 calls), then the `then:` events of the candidates. All rows go into one engine and are verified once
 * at the end, so the result does not depend on the order the source returns rows in.
 */
import type { RuleHit, RulesRunStats, TimeRange } from '@lineage/shared';
import type { EventSource, ProcessRecord, QueryContext } from '../../sources/event-source.js';
import { RuleEngine } from '../engine/engine.js';
import type { CompiledRule, EngineHit } from '../model.js';
import { sortHits, toRuleHit } from './hits.js';
import { countedCosts, pinnedNames, planScan, type ScanTerm } from './scan-plan.js';

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
  const engine = new RuleEngine(rules);
  const lookback = o.lookbackMs ?? lookbackFor(rules);
  // Ancestors, and anchors above a leaf in range, may be older than the range (up to the lookback).
  const wideRange: TimeRange | undefined = o.range
    ? { from: new Date(Date.parse(o.range.from) - lookback).toISOString(), to: o.range.to }
    : undefined;
  let plan = planScan(rules);
  let counted = false;
  if (plan.names !== null && plan.terms.length > 0 && source.countNamePairs) {
    // One small statistics query (a row per image/parent pair) lets the planner anchor each rule on what
    // is actually rare in this data, instead of the prior.
    const counts = await source.countNamePairs(pinnedNames(rules), { ctx: o.ctx, range: wideRange, host: o.host });
    plan = planScan(rules, countedCosts(counts));
    counted = true;
  }
  const stats: RunStats = {
    scanned: 0, descendants: 0, ancestors: 0, events: 0, searches: 0, rows: 0, pushedNames: plan.names, ancestorRounds: 0, scans: 0,
    childPages: 0, counted, ms: 0,
  };
  // Missing parents of candidates, per host: the next generation to fetch.
  let frontier = new Map<string, Set<string>>();
  const want = (r: ProcessRecord) => {
    const pg = r.parentGuid;
    if (!pg || engine.hasProcess(r.host, pg)) return;
    let s = frontier.get(r.host);
    if (!s) { s = new Set(); frontier.set(r.host, s); }
    s.add(pg);
  };
  // Anchors whose descendants must be walked, per host: guid → generations still to walk.
  let below = new Map<string, Map<string, number>>();
  const addBelow = (r: ProcessRecord, depth: number) => {
    let s = below.get(r.host);
    if (!s) { s = new Map(); below.set(r.host, s); }
    if ((s.get(r.guid) ?? 0) < depth) s.set(r.guid, depth);
  };
  const scans: ScanTerm[] = plan.names === null ? [{ names: null, parentNames: null, descend: 0 }] : plan.terms;
  for (const term of scans) {
    // A leaf scan needs leaves in range only; an anchor above a leaf in range may be older.
    const anchored = term.descend > 0 || term.parentNames !== null;
    stats.scans++;
    for await (const batch of source.scanProcesses({
      ctx: o.ctx, range: anchored ? wideRange : o.range, host: o.host, names: term.names ?? undefined,
      parentNames: term.parentNames ?? undefined, batchSize: o.batchSize,
    })) {
      for (const r of batch) {
        stats.scanned++;
        engine.addProcess(r);
        if (term.descend > 0) addBelow(r, term.descend);
        if (anchored || engine.isCandidate(r.name)) want(r);
      }
    }
  }
  // Descendants of anchors, a generation at a time (paged children queries).
  while (below.size > 0) {
    const parents = below;
    below = new Map();
    const guids = [...new Set([...parents.values()].flatMap((s) => [...s.keys()]))];
    let cursor: string | null = null;
    do {
      const page = await source.getChildren(guids, { ctx: o.ctx, range: wideRange, host: o.host, limit: 1000, cursor });
      stats.childPages++;
      for (const c of page.items) {
        const left = c.parentGuid ? parents.get(c.host)?.get(c.parentGuid) : undefined;
        if (left === undefined) continue;
        if (!engine.hasProcess(c.host, c.guid)) { stats.descendants++; engine.addProcess(c); }
        if (left > 1) addBelow(c, left - 1);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  const maxRounds = engine.maxReach() + 1;
  for (let round = 0; round < maxRounds && frontier.size > 0; round++) {
    const guids = [...new Set([...frontier.values()].flatMap((s) => [...s]))];
    const asked = frontier;
    frontier = new Map();
    stats.ancestorRounds++;
    const rows = await source.getProcesses(guids, { ctx: o.ctx, range: wideRange, host: asked.size === 1 ? [...asked.keys()][0] : undefined });
    for (const r of rows) {
      // A GUID can exist on two hosts: take only the one a candidate on that host asked for.
      if (!asked.get(r.host)?.has(r.guid) || engine.hasProcess(r.host, r.guid)) continue;
      stats.ancestors++;
      engine.addProcess(r);
      want(r);
    }
  }
  let engineHits = engine.drain();
  const waiting = engine.waitingForEvents();
  if (waiting.length > 0) {
    // `then:` needs events of chain nodes: fetch only those of the processes a candidate waits on.
    const guidsByHost = new Map<string, Set<string>>();
    for (const w of waiting) {
      let s = guidsByHost.get(w.host);
      if (!s) { s = new Set(); guidsByHost.set(w.host, s); }
      s.add(w.guid);
    }
    const all = [...new Set(waiting.map((w) => w.guid))];
    let cursor: string | null = null;
    do {
      const page = await source.getEvents(all, { ctx: o.ctx, range: wideRange, limit: 5000, cursor });
      for (const e of page.items) {
        if (!guidsByHost.get(e.host)?.has(e.guid)) continue;
        stats.events++;
        engine.addEvent(e);
      }
      cursor = page.nextCursor;
    } while (cursor);
    engineHits = engineHits.concat(engine.drain());
  }
  const from = o.range ? Date.parse(o.range.from) : Number.NEGATIVE_INFINITY;
  const to = o.range ? Date.parse(o.range.to) : Number.POSITIVE_INFINITY;
  engineHits = engineHits.filter((h) => { const t = Date.parse(h.time); return t >= from && t <= to; });
  stats.searches = o.ctx.stats.searches;
  stats.rows = o.ctx.stats.rows;
  stats.ms = Math.round(performance.now() - t0);
  return { hits: sortHits(engineHits.map(toRuleHit)), stats, engineHits };
}
