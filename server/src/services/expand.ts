/**
 * Use case behind `GET /api/graph?expand=suspicion|auto` (docs/api.md): the graph around a process
 * whose nodes are chosen by suspicion (graph/expand.ts) instead of the plain budget planner. The
 * tree is fetched once (all generations, up to FETCH_BUDGET processes); then, for every fetched
 * process, the facts the score reads (graph/suspicion.ts) are gathered, each source read counted in
 * `stats.searches`:
 *  - event counts (network, 8/10) — one query; cross events (8/10) only for processes that have them;
 *  - lineage rule hits: the shipped pack run in memory over the fetched rows (no query);
 *  - Sigma hits on their events when Sigma rules are configured (one statement per host);
 *  - parent→child pair rarity from prevalence when a `rarity` lookup is plugged in.
 * `auto` keeps the plain planner when the fetched tree holds at most AUTO_EXPAND_THRESHOLD processes.
 */
import { AUTO_EXPAND_THRESHOLD, DEFAULT_EXPAND_BUDGET, PREVALENCE_MAX_GUIDS, type Expansion, type ExpandMode, type GraphDocument } from '@lineage/shared';
import { expandBySuspicion } from '../graph/expand.js';
import { investigate, type GraphRequest } from '../graph/investigate.js';
import { planGraph, type GraphPlan, type PlanOptions } from '../graph/plan.js';
import { scoreProcess, type Suspicion, type SuspicionFacts } from '../graph/suspicion.js';
import { RuleEngine } from '../rules/engine/engine.js';
import type { CompiledRule } from '../rules/model.js';
import { loadPack } from '../rules/pack.js';
import { prevalence } from './prevalence.js';
import type { SigmaGraph } from '../sigma/graph.js';
import { matchStored } from '../sigma/hits.js';
import type { BaseOptions, EventSource, ProcessRecord, QueryContext } from '../sources/event-source.js';

/** Processes fetched around the origin at most, to score them (one tree query). */
export const FETCH_BUDGET = 10_000;
/** Stored events read at most for Sigma while scoring. */
const MAX_SIGMA_EVENTS = 200_000;

/** Parent→child pair prevalence by child GUID (hosts and times seen over the baseline). */
export type PairRarity = Map<string, { parentName: string; name: string; hosts: number; count: number }>;
/**
 * Looks up pair rarity for fetched processes (prevalence, docs/api.md "POST /api/prevalence"); null
 * when the baseline knows none of them (a store holding one capture): "never seen" would then say nothing.
 */
export type RarityLookup = (rows: ProcessRecord[], base: BaseOptions) => Promise<PairRarity | null>;

export interface ExpandDeps {
  sigma?: SigmaGraph | null;
  /** Pair rarity; default (undefined): the source's prevalence when it has one; null: none. */
  rarity?: RarityLookup | null;
  /** Lineage rules scored (default: the shipped pack). */
  rules?: () => CompiledRule[];
}

export interface ExpandRequest extends GraphRequest { expand: ExpandMode }

let pack: CompiledRule[] | null = null;
const shippedPack = (): CompiledRule[] => (pack ??= loadPack());

/** The graph around `req.guid`, its nodes chosen by suspicion; the answer carries `expansion`. */
export async function expandGraph(source: EventSource, req: ExpandRequest, ctx: QueryContext, deps: ExpandDeps = {}): Promise<GraphDocument> {
  const budget = req.nodeBudget ?? DEFAULT_EXPAND_BUDGET;
  const rarity = deps.rarity === undefined ? sourceRarity(source) : deps.rarity;
  const out: { expansion: Expansion | null } = { expansion: null };
  const planner = async (rows: ProcessRecord[], options: PlanOptions, base: BaseOptions): Promise<GraphPlan> => {
    if (req.expand === 'auto' && options.fetchComplete && rows.length <= AUTO_EXPAND_THRESHOLD) {
      return planGraph(rows, { ...options, down: req.down, nodeBudget: req.nodeBudget ?? 1000 });
    }
    const facts = await gatherFacts(source, rows, base, { ...deps, rarity });
    const scores = new Map<string, Suspicion>([...facts].map(([g, f]) => [g, scoreProcess(f)]));
    const x = expandBySuspicion(rows, { ...options, nodeBudget: budget }, scores);
    out.expansion = {
      mode: 'suspicion', auto: req.expand === 'auto', budget, opened: x.opened, truncated: x.truncated,
      considered: x.considered, hidden: x.hidden, rarity: facts.rarity,
    };
    return x.plan;
  };
  const doc = await investigate(source, { ...req, down: Infinity, nodeBudget: budget, fetchBudget: FETCH_BUDGET }, ctx, planner);
  return out.expansion ? { ...doc, expansion: out.expansion } : doc;
}

/** Everything the score reads, for every fetched process (see the module comment for the cost). */
export async function gatherFacts(source: EventSource, rows: ProcessRecord[], base: BaseOptions, deps: ExpandDeps): Promise<Map<string, SuspicionFacts> & { rarity: boolean }> {
  const byGuid = new Map(rows.map((r) => [r.guid, r]));
  const guids = [...byGuid.keys()];
  const facts = Object.assign(new Map<string, SuspicionFacts>(guids.map((g) => {
    const r = byGuid.get(g)!;
    return [g, { record: r, parent: r.parentGuid ? byGuid.get(r.parentGuid) ?? null : null }];
  })), { rarity: false });
  const counts = await source.countEvents(guids, base);
  for (const [g, c] of counts) { const f = facts.get(g); if (f) f.counts = c; }
  const crossFrom = guids.filter((g) => { const c = counts.get(g); return (c?.['remote-thread'] ?? 0) + (c?.['process-access'] ?? 0) > 0; });
  if (crossFrom.length) {
    for (const e of await source.getCrossEvents(crossFrom, base)) {
      const f = facts.get(e.guid);
      if (!f || !e.targetGuid || e.targetGuid === e.guid) continue; // a process opening itself is no injection
      const targetName = byGuid.get(e.targetGuid)?.name ?? basename(e.fields.TargetImage ?? '');
      (f.cross ??= []).push({ eventId: e.eventId, targetName: targetName || null, grantedAccess: e.fields.GrantedAccess ?? null, count: e.count ?? 1 });
    }
  }
  for (const h of ruleHits(rows, (deps.rules ?? shippedPack)())) {
    h.chain.forEach((g, i) => {
      const f = facts.get(g);
      if (!f) return;
      // One entry per rule and process: a leaf of one hit and a member of another's chain counts as the leaf.
      const leaf = i === h.chain.length - 1;
      const had = (f.rules ??= []).find((x) => x.id === h.rule.id);
      if (had) had.leaf ||= leaf;
      else f.rules.push({ id: h.rule.id, title: h.rule.title, severity: h.rule.severity, leaf });
    });
  }
  if (deps.sigma) await sigmaFacts(deps.sigma, rows, facts, base.ctx);
  if (deps.rarity) {
    // Rarity sharpens the score but is not needed for it: when prevalence fails, say so and go on.
    const pairs = await deps.rarity(rows, base).catch((err: unknown) => {
      if ((err as Error).name === 'AbortError') throw err;
      (base.ctx.stats.warnings ??= []).push(`prevalence unavailable, suspicion scored without rarity: ${(err as Error).message}`);
      return null;
    });
    for (const [g, pair] of pairs ?? []) { const f = facts.get(g); if (f) f.pair = pair; }
    facts.rarity = pairs !== null;
  }
  return facts;
}

/** Pair rarity from the source's prevalence (services/prevalence.ts; default baseline: 30 days before the window). */
export function sourceRarity(source: EventSource): RarityLookup | null {
  if (!source.prevalence) return null;
  return async (rows, base) => {
    const out: PairRarity = new Map();
    let known = false;
    const guids = [...new Set(rows.map((r) => r.guid))];
    for (let i = 0; i < guids.length; i += PREVALENCE_MAX_GUIDS) {
      const answer = await prevalence(source, { guids: guids.slice(i, i + PREVALENCE_MAX_GUIDS), window: base.range }, base.ctx);
      for (const [g, p] of Object.entries(answer.items)) {
        if (p.pair) out.set(g, { parentName: p.pair.parentImage, name: p.pair.image, hosts: p.pair.hosts, count: p.pair.count });
        known ||= (p.image?.hosts ?? 0) > 0 || (p.commandLine?.hosts ?? 0) > 0 || (p.pair?.hosts ?? 0) > 0;
      }
    }
    return known ? out : null;
  };
}

/** The lineage rules' hits on these rows alone (in memory; rules waiting on other events do not fire). */
function ruleHits(rows: ProcessRecord[], rules: CompiledRule[]) {
  const engine = new RuleEngine(rules);
  for (const r of [...rows].sort((a, b) => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0))) engine.addProcess(r);
  return engine.drain();
}

async function sigmaFacts(sigma: SigmaGraph, rows: ProcessRecord[], facts: Map<string, SuspicionFacts>, ctx: QueryContext): Promise<void> {
  const byHost = new Map<string, string[]>();
  for (const r of rows) { const l = byHost.get(r.host); if (l) l.push(r.guid); else byHost.set(r.host, [r.guid]); }
  let left = MAX_SIGMA_EVENTS;
  for (const [host, guids] of byHost) {
    if (left <= 0) break;
    const events = await sigma.events(guids, host, left, ctx);
    left -= events.length;
    for (const h of matchStored(sigma.engine, events)) {
      const f = h.guid ? facts.get(h.guid) : undefined;
      if (f) (f.sigma ??= []).push({ title: h.title, level: h.level });
    }
  }
}

const basename = (path: string): string => path.split(/[\\/]/).pop()!.toLowerCase();
