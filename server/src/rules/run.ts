/**
 * Running rules over any EventSource, pushing work down: one statistics query (`countNamePairs`, when the
 * source has it) lets the planner anchor each rule on its rarest pinned step; then one scan per plan term
 * (`scanProcesses({names, parentNames})`), descendants of anchors a generation at a time with batched
 * `getChildren`, missing ancestors a generation at a time with batched `getProcesses(guids)` (≤ max reach
 * + 1 calls), then the `then:` events of the candidates. All rows go into one engine and are verified once
 * at the end, so the result does not depend on the order the source returns rows in.
 */
import type { RuleHit, TimeRange } from '@lineage/shared';
import { DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS } from '../graph/investigate.js';
import type { EventSource, NamePairCount, ProcessRecord, QueryContext } from '../sources/event-source.js';
import { RuleEngine } from './engine.js';
import { namesWithFields } from './match.js';
import type { CompiledRule, EngineHit } from './model.js';
import { RECORD_FIELDS } from './node.js';

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
  /** `scanProcesses` calls (one per plan term) and `getChildren` pages (descendant walks). */
  scans: number;
  childPages: number;
  /** Whether the plan used the source's name counts (`countNamePairs`, one extra query) or the prior. */
  counted: boolean;
  ms: number;
}

export interface RunResult { hits: RuleHit[]; stats: RunStats; engineHits: EngineHit[] }

/**
 * The investigation window a hit opens: from the earliest known chain start − 1 h to the leaf's start
 * + 24 h — the graph's default window (graph/investigate.ts) stretched back over the whole chain, so every
 * chain node is drawn as a real node, and, with host and window named, the server needs no origin lookup
 * (on Splunk 2 searches instead of 3–4). Null when no start can be read (the link then leaves the window
 * to the server's default). `starts`: the chain's creation times in epoch ms, oldest first, the leaf last
 * (EngineHit.starts).
 */
export function hitWindow(starts: readonly (number | null)[]): TimeRange | null {
  const leaf = starts[starts.length - 1];
  if (leaf == null || !Number.isFinite(leaf)) return null;
  let earliest = leaf;
  for (const ms of starts) if (ms !== null && ms < earliest) earliest = ms; // NaN compares false: skipped
  return { from: new Date(earliest - DEFAULT_BEFORE_MS).toISOString(), to: new Date(leaf + DEFAULT_AFTER_MS).toISOString() };
}

/**
 * The investigation URL for a hit, in the client's URL-state format (client/src/app/url-state.ts
 * `investigationUrl`): the leaf as origin and selection, host to disambiguate, the window that holds the
 * chain (see hitWindow), the chain highlighted.
 */
export function hitUrl(host: string, chain: string[], window: TimeRange | null = null): string {
  const leaf = chain[chain.length - 1] ?? '';
  const q = new URLSearchParams();
  q.set('guid', leaf);
  q.set('host', host);
  if (window) {
    q.set('from', window.from);
    q.set('to', window.to);
  }
  q.set('sel', leaf);
  q.set('highlight', chain.join(','));
  // GUID punctuation is safe in a query string; readable links are easier to eyeball (as the client writes them).
  return `/?${q.toString().replace(/%7B/gi, '{').replace(/%7D/gi, '}').replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`;
}

/** Engine hit → wire RuleHit (contracts.md), with the window its `url` opens. */
export function toRuleHit(h: EngineHit): RuleHit {
  const window = hitWindow(h.starts);
  return {
    rule: h.rule.id, host: h.host, chain: h.chain, images: h.images, steps: h.steps, time: h.time,
    url: hitUrl(h.host, h.chain, window), truncated: h.truncated, severity: h.rule.severity,
    ...(h.rule.tags.length ? { tags: h.rule.tags } : {}),
    ...(window ? { from: window.from, to: window.to } : {}),
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
 * Images that are everywhere on Windows fleets (shells, hosts, browsers, service plumbing). The planner
 * has no statistics from the source, so it uses this prior: scanning a rule on one of these costs about
 * COMMON_WEIGHT times more rows than on a rare image (winword, w3wp, wmiprvse, mshta …).
 */
const COMMON_IMAGES: ReadonlySet<string> = new Set([
  'cmd.exe', 'powershell.exe', 'pwsh.exe', 'conhost.exe', 'svchost.exe', 'services.exe', 'explorer.exe', 'rundll32.exe',
  'chrome.exe', 'msedge.exe', 'firefox.exe', 'teams.exe', 'taskhostw.exe', 'backgroundtaskhost.exe', 'runtimebroker.exe',
  'net.exe', 'net1.exe', 'whoami.exe', 'ipconfig.exe', 'findstr.exe', 'ping.exe', 'reg.exe', 'sc.exe', 'tasklist.exe',
  'msiexec.exe', 'dllhost.exe', 'searchprotocolhost.exe', 'searchfilterhost.exe', 'wmiprvse.exe', 'lsass.exe', 'csrss.exe',
]);
const COMMON_WEIGHT = 1000;
/** Prior share of creates that are one specific (parent image, child image) pair among common images. */
const PAIR_SELECTIVITY = 1e-5;
/** Prior children per process per generation, for the cost of walking descendants below an anchor. */
const FAN_OUT = 3;

function weight(names: ReadonlySet<string>): number {
  let w = 0;
  for (const n of names) w += COMMON_IMAGES.has(n) ? COMMON_WEIGHT : 1;
  return w;
}

/**
 * Estimated rows of the three kinds of scan: creates named `names`; those whose parent is named `parents`;
 * and every child of a process named `parents`. From the source's counts when it has them
 * (`countNamePairs`), else from the COMMON_IMAGES prior.
 */
export interface ScanCosts {
  own(names: ReadonlySet<string>): number;
  pair(names: ReadonlySet<string>, parents: ReadonlySet<string>): number;
  children(parents: ReadonlySet<string>): number;
}

const PRIOR_COSTS: ScanCosts = {
  own: weight,
  pair: (names, parents) => Math.max(1, weight(names) * weight(parents) * PAIR_SELECTIVITY),
  children: (parents) => weight(parents) * FAN_OUT,
};

/** Costs from measured (image, parent image) counts. */
export function countedCosts(counts: readonly NamePairCount[]): ScanCosts {
  const sum = (f: (c: NamePairCount) => boolean) => { let n = 0; for (const c of counts) if (f(c)) n += c.count; return n; };
  return {
    own: (names) => sum((c) => names.has(c.name)),
    pair: (names, parents) => sum((c) => names.has(c.name) && parents.has(c.parentName)),
    children: (parents) => sum((c) => parents.has(c.parentName)),
  };
}

/** Image names any step of these rules pins (what `countNamePairs` is asked about). */
export function pinnedNames(rules: CompiledRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) for (const n of stepNamesOf(r)) if (n !== null && n !== 'never') for (const x of n) out.add(x);
  return [...out].sort();
}

function stepNamesOf(rule: CompiledRule): (ReadonlySet<string> | null | 'never')[] {
  // With `unknown: skip`, an OR branch on a field sources never return (OriginalFileName …) cannot match.
  return rule.steps.map((s) => (rule.unknown === 'skip' ? namesWithFields(s.pred, RECORD_FIELDS) : s.pred.names));
}

/**
 * One `scanProcesses` call of a plan: creates named `names` (null: any name) whose parent image is one of
 * `parentNames` (when set), and how many generations of their descendants to walk (0: none).
 */
export interface ScanTerm {
  names: string[] | null;
  parentNames: string[] | null;
  descend: number;
}

/**
 * What to ask the source for. Each rule is anchored on the step whose pinned image names are cheapest to
 * scan (by the prior above), then the rest is walked: ancestors by batched GUID lookups, descendants by
 * batched children queries. The anchor can be
 *  - the last step: scan the leaves (then fetch ancestors);
 *  - a middle step j ≥ 1: scan it, walk descendants down to the leaf depth (its own create must be in the
 *    data anyway: a step above it can only be linked through its ParentProcessGuid);
 *  - a step j ≥ 1 exactly one hop under a pinned step: scan it with `parentNames` = the previous step's
 *    names (cmd.exe only under services.exe), since the child's ParentImage carries the parent's name;
 *  - the first step: scan its children by `parentNames` (the first step's own create may be older than the
 *    data — a placeholder built from its child's Parent* fields), walk the rest down.
 * Rules with the same (names-or-any, parentNames, depth) shape share one scan. A rule with no pinned step
 * at all needs a full scan.
 */
export interface ScanPlan {
  /** Every image name pushed down, as an image or a parent image (null: full scan). */
  names: string[] | null;
  terms: ScanTerm[];
}

/**
 * The scan the planner picks for one rule; null when the rule needs a full scan, 'never' when it cannot
 * match any row a source returns (a step only matches on fields sources do not carry).
 */
export function anchorFor(rule: CompiledRule, costs: ScanCosts = PRIOR_COSTS): { names: ReadonlySet<string> | null; parentNames: ReadonlySet<string> | null; descend: number } | null | 'never' {
  const stepNames = stepNamesOf(rule);
  if (stepNames.includes('never')) return 'never';
  const steps = rule.steps;
  let best: { names: ReadonlySet<string> | null; parentNames: ReadonlySet<string> | null; descend: number; cost: number } | null = null;
  const consider = (c: NonNullable<typeof best>) => { if (best === null || c.cost < best.cost) best = c; };
  for (let j = steps.length - 1; j >= 0; j--) {
    const names = stepNames[j] as ReadonlySet<string> | null;
    if (names === null) continue;
    let depth = 0;
    for (let i = j + 1; i < steps.length; i++) depth += steps[i]!.hi;
    if (!(depth <= MAX_DESCEND)) break; // earlier steps are deeper still
    const walk = FAN_OUT ** depth;
    if (j === 0 && steps.length > 1) {
      consider({ names: null, parentNames: names, descend: depth - 1, cost: costs.children(names) * (walk / FAN_OUT) });
      continue;
    }
    consider({ names, parentNames: null, descend: depth, cost: costs.own(names) * walk });
    const prev = j > 0 ? stepNames[j - 1] as ReadonlySet<string> | null : null;
    if (prev !== null && steps[j]!.lo === 1 && steps[j]!.hi === 1) {
      consider({ names, parentNames: prev, descend: depth, cost: costs.pair(names, prev) * walk });
    }
  }
  if (best === null) return null;
  const { names, parentNames, descend } = best;
  return { names, parentNames, descend };
}

export function planScan(rules: CompiledRule[], costs: ScanCosts = PRIOR_COSTS): ScanPlan {
  const terms = new Map<string, { names: Set<string> | null; parentNames: Set<string> | null; descend: number }>();
  for (const r of rules) {
    const a = anchorFor(r, costs);
    if (a === 'never') continue;
    if (a === null) return { names: null, terms: [] };
    // Children-of scans (any name) merge exactly by uniting parent names; name scans by uniting names.
    const key = a.names === null ? `${a.descend}\u0000*` : `${a.descend}\u0000${a.parentNames ? [...a.parentNames].sort().join('|') : ''}`;
    let t = terms.get(key);
    if (!t) { t = { names: a.names && new Set(), parentNames: a.parentNames && new Set(), descend: a.descend }; terms.set(key, t); }
    if (t.names && a.names) for (const n of a.names) t.names.add(n);
    if (t.parentNames && a.parentNames) for (const n of a.parentNames) t.parentNames.add(n);
  }
  const sorted = (x: Set<string> | null) => x && [...x].sort();
  const list = [...terms.values()].map((t) => ({ names: sorted(t.names), parentNames: sorted(t.parentNames), descend: t.descend }));
  return { names: [...new Set(list.flatMap((t) => [...(t.names ?? []), ...(t.parentNames ?? [])]))].sort(), terms: list };
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
