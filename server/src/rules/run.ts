/**
 * Running rules over any EventSource, pushing work down: scan only process-creates whose image can be
 * a rule's last step (`scanProcesses({names})`), then fetch their missing ancestors a generation at a
 * time with batched `getProcesses(guids)` (≤ max reach + 1 calls), then the `then:` events of the
 * candidates. All rows go into one engine and are verified once at the end, so the result does not
 * depend on the order the source returns rows in.
 */
import type { RuleHit, TimeRange } from '@lineage/shared';
import type { EventSource, ProcessRecord, QueryContext } from '../sources/event-source.js';
import { RuleEngine } from './engine.js';
import type { CompiledRule, EngineHit } from './model.js';

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

/** What a run cost, for the "rows moved vs process-creates in range" report. */
export interface RunStats {
  /** Process-create rows returned by the leaf scan. */
  scanned: number;
  /** Descendant rows fetched below anchor steps (rules whose last step matches any image). */
  descendants: number;
  /** Ancestor rows fetched by GUID. */
  ancestors: number;
  /** `then:` event rows fetched. */
  events: number;
  /** Source queries (SQL statements / Splunk jobs), from ctx.stats. */
  searches: number;
  /** Rows the source reports moving (ctx.stats.rows). */
  rows: number;
  /** Image names pushed down to the scan (null: full scan, some rule pins no image at all). */
  pushedNames: string[] | null;
  ancestorRounds: number;
  ms: number;
}

export interface RunResult { hits: RuleHit[]; stats: RunStats; engineHits: EngineHit[] }

/**
 * The investigation URL for a hit, in the client's URL-state format (client/src/app/url-state.ts
 * `investigationUrl`): the leaf as origin and selection, host to disambiguate, the chain highlighted.
 */
export function hitUrl(host: string, chain: string[]): string {
  const leaf = chain[chain.length - 1] ?? '';
  const q = new URLSearchParams();
  q.set('guid', leaf);
  q.set('host', host);
  q.set('sel', leaf);
  q.set('highlight', chain.join(','));
  // GUID punctuation is safe in a query string; readable links are easier to eyeball (as the client writes them).
  return `/?${q.toString().replace(/%7B/gi, '{').replace(/%7D/gi, '}').replace(/%2C/gi, ',')}`;
}

/** Engine hit → wire RuleHit (contracts.md). */
export function toRuleHit(h: EngineHit): RuleHit {
  return {
    rule: h.rule.id, host: h.host, chain: h.chain, images: h.images, steps: h.steps, time: h.time,
    url: hitUrl(h.host, h.chain), truncated: h.truncated, severity: h.rule.severity,
  };
}

/** Hits sorted by time, then host and leaf, for stable output. */
export function sortHits(hits: RuleHit[]): RuleHit[] {
  return hits.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.host.localeCompare(b.host) || (a.chain.at(-1) ?? '').localeCompare(b.chain.at(-1) ?? '') || a.rule.localeCompare(b.rule)));
}

function lookbackFor(rules: CompiledRule[]): number {
  let m = 0;
  for (const r of rules) {
    if (r.withinMs === null) return DEFAULT_LOOKBACK_MS;
    m = Math.max(m, r.withinMs);
  }
  return m;
}

/** Deepest descendant walk the planner accepts below an anchor step (else that rule needs a full scan). */
const MAX_DESCEND = 16;

/**
 * What to ask the source for. A rule whose last step pins image names needs only those leaves (then
 * their ancestors). A rule whose last step matches any image (e.g. on IntegrityLevel) is anchored on its
 * nearest earlier pinned step: scan those, then walk their descendants down to the leaf depth. A rule
 * with no pinned step at all needs a full scan.
 */
export interface ScanPlan {
  /** Names for `scanProcesses` (null: full scan). */
  names: string[] | null;
  /** Names of anchor steps whose descendants must be fetched, and how many generations. */
  anchors: Set<string>;
  descend: number;
}

export function planScan(rules: CompiledRule[]): ScanPlan {
  const names = new Set<string>();
  const anchors = new Set<string>();
  let descend = 0;
  let full = false;
  for (const r of rules) {
    let j = r.steps.length - 1;
    while (j >= 0 && r.steps[j]!.pred.names === null) j--;
    if (j === r.steps.length - 1) { for (const n of r.steps[j]!.pred.names!) names.add(n); continue; }
    let depth = 0;
    for (let i = j + 1; i < r.steps.length; i++) depth += r.steps[i]!.hi;
    if (j < 0 || !(depth <= MAX_DESCEND)) { full = true; continue; }
    for (const n of r.steps[j]!.pred.names!) { names.add(n); anchors.add(n); }
    descend = Math.max(descend, depth);
  }
  return full ? { names: null, anchors: new Set(), descend: 0 } : { names: [...names].sort(), anchors, descend };
}

/** Run rules over a source. Only leaves created inside `range` produce hits. */
export async function runRules(source: EventSource, rules: CompiledRule[], o: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const engine = new RuleEngine(rules);
  const plan = planScan(rules);
  const stats: RunStats = { scanned: 0, descendants: 0, ancestors: 0, events: 0, searches: 0, rows: 0, pushedNames: plan.names, ancestorRounds: 0, ms: 0 };
  // Missing parents of candidates, per host: the next generation to fetch.
  let frontier = new Map<string, Set<string>>();
  const want = (r: ProcessRecord) => {
    const pg = r.parentGuid;
    if (!pg || engine.hasProcess(r.host, pg)) return;
    let s = frontier.get(r.host);
    if (!s) { s = new Set(); frontier.set(r.host, s); }
    s.add(pg);
  };
  let below = new Map<string, Set<string>>();
  const addBelow = (r: ProcessRecord) => {
    let s = below.get(r.host);
    if (!s) { s = new Set(); below.set(r.host, s); }
    s.add(r.guid);
  };
  for await (const batch of source.scanProcesses({ ctx: o.ctx, range: o.range, host: o.host, names: plan.names ?? undefined, batchSize: o.batchSize })) {
    for (const r of batch) {
      stats.scanned++;
      engine.addProcess(r);
      const anchor = plan.anchors.has(r.name);
      if (anchor) addBelow(r);
      if (anchor || engine.isCandidate(r.name)) want(r);
    }
  }
  // Descendants of anchors, a generation at a time (paged children queries).
  for (let d = 0; d < plan.descend && below.size > 0; d++) {
    const parents = below;
    below = new Map();
    const guids = [...new Set([...parents.values()].flatMap((s) => [...s]))];
    let cursor: string | null = null;
    do {
      const page = await source.getChildren(guids, { ctx: o.ctx, range: o.range, host: o.host, limit: 1000, cursor });
      for (const c of page.items) {
        if (!c.parentGuid || !parents.get(c.host)?.has(c.parentGuid) || engine.hasProcess(c.host, c.guid)) continue;
        stats.descendants++;
        engine.addProcess(c);
        addBelow(c);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  const lookback = o.lookbackMs ?? lookbackFor(rules);
  const wideRange: TimeRange | undefined = o.range
    ? { from: new Date(Date.parse(o.range.from) - lookback).toISOString(), to: o.range.to }
    : undefined;
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
