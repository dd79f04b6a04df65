/**
 * Embedded-mode notables (contracts.md `/api/notables`): the notables stored with the data (demo
 * alerts) plus the hits of the shipped rule pack over the requested range, each hit carrying its
 * chain so the client highlights it. Running the pack scans the store, so hits are cached per store
 * generation and range; an ingest (the upload `afterIngest` hook) bumps the generation.
 */
import type { Notable, RuleHit, TimeRange } from '@lineage/shared';
import { loadPack } from '../rules/pack.js';
import { runRules } from '../rules/run.js';
import type { CompiledRule } from '../rules/model.js';
import { newContext, type EventSource, type QueryContext } from '../sources/event-source.js';

/** Ranges whose pack hits are kept per generation (the client asks for very few distinct ones). */
const MAX_CACHED_RANGES = 16;

const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

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

/** Pack hits per (generation, range), shared by every request of an embedded server. */
export class RuleNotables {
  private generation = 0;
  private readonly cache = new Map<string, Promise<Notable[]>>();
  private pack: CompiledRule[] | null = null;

  /** @param rules the rules to run (default: the shipped pack, loaded once). */
  constructor(private readonly rules?: () => CompiledRule[]) {}

  /** The store changed (an ingest finished): the next request runs the pack again. */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }

  /** How many times the store has changed since start (for tests and logs). */
  get storeGeneration(): number { return this.generation; }

  /** Stored notables plus pack hits in `range` (all time when null), filtered by host, most severe first. */
  async list(source: EventSource, o: { ctx: QueryContext; range: TimeRange | null; host?: string; limit: number }): Promise<Notable[]> {
    const [stored, hits] = await Promise.all([
      source.notables({ ctx: o.ctx, limit: o.limit, ...(o.range ? { range: o.range } : {}), ...(o.host ? { host: o.host } : {}) }),
      this.hits(source, o.range),
    ]);
    const ids = new Set(stored.map((n) => n.id));
    const host = o.host?.toLowerCase();
    const extra = hits.filter((n) => !ids.has(n.id) && (!host || n.host === host));
    return [...stored, ...extra].sort(byNotableOrder).slice(0, o.limit);
  }

  private hits(source: EventSource, range: TimeRange | null): Promise<Notable[]> {
    const key = `${this.generation}|${range?.from ?? ''}|${range?.to ?? ''}`;
    let p = this.cache.get(key);
    if (!p) {
      if (this.cache.size >= MAX_CACHED_RANGES) this.cache.delete(this.cache.keys().next().value as string);
      p = this.run(source, range);
      // A failed run is not cached: the next request tries again.
      p.catch(() => { if (this.cache.get(key) === p) this.cache.delete(key); });
      this.cache.set(key, p);
    }
    return p;
  }

  private async run(source: EventSource, range: TimeRange | null): Promise<Notable[]> {
    const rules = this.rules ? this.rules() : (this.pack ??= loadPack());
    const titles = new Map(rules.map((r) => [r.id, r.title]));
    // Its own context: the run is shared by every request of this generation, so one client going
    // away must not cancel it for the others.
    const result = await runRules(source, rules, { ctx: newContext(), ...(range ? { range } : {}) });
    return foldContinuations(result.hits).map((h) => hitNotable(h, titles.get(h.rule) ?? h.rule));
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
