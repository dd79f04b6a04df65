/**
 * Embedded-mode notables (docs/api.md `GET /api/notables`): the notables stored with the data (demo
 * alerts) plus the hits of the shipped rule pack, each hit carrying its chain so the client highlights
 * it. Running the pack scans the store, so its hits are kept and reused:
 *  - one run over all time per store state; a request's range and host only filter those hits (a new
 *    from/to runs nothing);
 *  - after an ingest, only the hosts it wrote are run again when they are known (`trackWrites` wraps the
 *    upload store and records them); an ingest with unknown hosts runs the whole pack again.
 * Hits per host depend only on that host's events (lineage never crosses hosts), so replacing one
 * host's hits with a fresh run of that host gives what a whole run would.
 */
import type { Notable, RuleHit, TimeRange } from '@lineage/shared';
import { loadPack } from '../rules/pack.js';
import { runRules } from '../rules/run/run.js';
import type { CompiledRule } from '../rules/model.js';
import type { SysmonEvent } from '../ingest/record.js';
import type { EventSource, QueryContext } from '../sources/event-source.js';
import { DEFAULT_RULE_BUDGET_MS, RuleBudgetError, withinBudget } from './rule-budget.js';

const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** What an upload writes to (api/upload.ts UploadStore). */
export interface WriteTarget {
  writeEvents(batch: readonly SysmonEvent[]): Promise<{ inserted: number; duplicates: number }>;
}

/** A rule hit as a notable: the leaf is the process to open, the chain is what to highlight, in the hit's window. */
export function hitNotable(hit: RuleHit, title: string): Notable {
  const leaf = hit.chain[hit.chain.length - 1] ?? null;
  return {
    id: `rule:${hit.rule}:${hit.host}:${leaf ?? ''}`,
    title: `Rule: ${title}`,
    host: hit.host,
    time: hit.time,
    severity: hit.severity ?? 'medium',
    guid: leaf,
    image: hit.images[hit.images.length - 1] ?? null,
    source: 'rule',
    chain: hit.chain,
    ...(hit.tags ? { tags: hit.tags } : {}),
    // The window the hit's link opens (whole chain drawn, no origin lookup), when the hit has one.
    ...(hit.from && hit.to ? { from: hit.from, to: hit.to } : {}),
  };
}

/** Most severe first, then newest, then id — the order the embedded store lists its own notables in. */
export function byNotableOrder(a: Notable, b: Notable): number {
  const s = (SEVERITY_ORDER[a.severity] ?? 4) - (SEVERITY_ORDER[b.severity] ?? 4);
  if (s !== 0) return s;
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Pack hits of the whole store, shared by every request of an embedded server. */
export class RuleNotables {
  private generation = 0;
  /** Notables of the last whole or per-host runs, by host (lowercase). */
  private byHost: Promise<Map<string, Notable[]>> | null = null;
  /** Hosts written since the last run (null: unknown, the whole pack runs again). */
  private dirty: Set<string> | null = new Set();
  /** Hosts the tracked store wrote since the last invalidate; null once an untracked write is suspected. */
  private written = new Set<string>();
  private pack: CompiledRule[] | null = null;
  private runCount = 0;
  /** The budget error of this store state: kept until the store changes, so requests do not re-run a pack that cannot finish. */
  private spent: RuleBudgetError | null = null;
  private readonly budgetMs: number;

  /**
   * @param rules the rules to run (default: the shipped pack, loaded once).
   * @param o.budgetMs the time budget of one run (whole pack, or one host after an ingest).
   */
  constructor(private readonly rules?: () => CompiledRule[], o: { budgetMs?: number } = {}) {
    this.budgetMs = o.budgetMs ?? DEFAULT_RULE_BUDGET_MS;
  }

  /**
   * The store changed (an ingest finished). `hosts`: the hosts it wrote; default those the tracked
   * store saw, and when it saw none (the writes did not go through `trackWrites`) the whole pack runs again.
   */
  invalidate(hosts?: Iterable<string>): void {
    this.generation++;
    this.spent = null;
    const changed = new Set([...(hosts ?? this.written)].map((h) => h.toLowerCase()));
    this.written = new Set();
    if (changed.size === 0 || this.dirty === null) this.dirty = null;
    else for (const h of changed) this.dirty.add(h);
  }

  /** Wrap an upload store so `invalidate()` knows which hosts an ingest wrote. */
  trackWrites<T extends WriteTarget>(store: T): WriteTarget {
    return {
      writeEvents: async (batch) => {
        const out = await store.writeEvents(batch);
        for (const e of batch) this.written.add(e.host);
        return out;
      },
    };
  }

  /** How many times the store has changed since start (for tests and logs). */
  get storeGeneration(): number { return this.generation; }

  /** How many rule runs (whole or per host) have started (for tests and logs). */
  get runs(): number { return this.runCount; }

  /** Stored notables plus pack hits in `range` (all time when null), filtered by host, most severe first. */
  async list(source: EventSource, o: { ctx: QueryContext; range: TimeRange | null; host?: string; limit: number }): Promise<Notable[]> {
    const [stored, byHost] = await Promise.all([
      source.notables({ ctx: o.ctx, limit: o.limit, ...(o.range ? { range: o.range } : {}), ...(o.host ? { host: o.host } : {}) }),
      this.hits(source),
    ]);
    const ids = new Set(stored.map((n) => n.id));
    const host = o.host?.toLowerCase();
    const from = o.range ? Date.parse(o.range.from) : -Infinity;
    const to = o.range ? Date.parse(o.range.to) : Infinity;
    const pool = host ? byHost.get(host) ?? [] : [...byHost.values()].flat();
    const extra = pool.filter((n) => !ids.has(n.id) && Date.parse(n.time) >= from && Date.parse(n.time) <= to);
    return [...stored, ...extra].sort(byNotableOrder).slice(0, o.limit);
  }

  private hits(source: EventSource): Promise<Map<string, Notable[]>> {
    if (this.spent) return Promise.reject(this.spent);
    const dirty = this.dirty;
    if (this.byHost && dirty !== null && dirty.size === 0) return this.byHost;
    this.dirty = new Set();
    const previous = this.byHost;
    const p = previous && dirty !== null ? this.rerunHosts(source, previous, [...dirty]) : this.run(source, null);
    // A failed run is not kept: the next request tries again (the whole pack, to be safe).
    p.catch((err: unknown) => {
      if (this.byHost !== p) return;
      this.byHost = null;
      this.dirty = null;
      if (err instanceof RuleBudgetError) this.spent = err;
    });
    this.byHost = p;
    return p;
  }

  private async rerunHosts(source: EventSource, previous: Promise<Map<string, Notable[]>>, hosts: string[]): Promise<Map<string, Notable[]>> {
    const merged = new Map(await previous);
    for (const h of hosts) merged.delete(h);
    for (const h of hosts) for (const [k, v] of await this.run(source, h)) merged.set(k, v);
    return merged;
  }

  private async run(source: EventSource, host: string | null): Promise<Map<string, Notable[]>> {
    this.runCount++;
    const rules = this.rules ? this.rules() : (this.pack ??= loadPack());
    const titles = new Map(rules.map((r) => [r.id, r.title]));
    // Its own context: the run is shared by every request, so one client going away must not cancel it
    // for the others; its budget stops it.
    const what = `the rule pack's run for notables${host ? ` (host ${host})` : ''}`;
    const result = await withinBudget(this.budgetMs, what, undefined, (ctx) => runRules(source, rules, { ctx, ...(host ? { host } : {}) }));
    const out = new Map<string, Notable[]>();
    for (const h of foldContinuations(result.hits)) {
      const key = h.host.toLowerCase();
      const list = out.get(key) ?? [];
      list.push(hitNotable(h, titles.get(h.rule) ?? h.rule));
      out.set(key, list);
    }
    return out;
  }
}

/**
 * One notable per attack, not per matching process: a hit whose chain passes through the leaf of another
 * hit of the same rule on the same host (procdump → procdump64 both matching "shell descendant dumps
 * LSASS") continues that hit and is folded into it — opening the ancestor's notable draws the
 * continuation below it. The rules API and `lineage detect` still list every hit.
 */
export function foldContinuations(hits: RuleHit[]): RuleHit[] {
  const leaves = new Set(hits.map((h) => `${h.rule}|${h.host}|${h.chain[h.chain.length - 1] ?? ''}`));
  return hits.filter((h) => !h.chain.slice(0, -1).some((g) => leaves.has(`${h.rule}|${h.host}|${g}`)));
}
