/**
 * The fetch phases of a rule run (run.ts orchestrates them), all feeding one engine: the plan's scans;
 * descendants of anchor steps a generation at a time (paged `getChildren`); missing ancestors of
 * candidates in ≤ the rules' reach + 1 rounds (batched `getProcesses`, or `processesAround` where the
 * source returns several generations per query: Splunk, docs/splunk.md); then the
 * `then:` events of the processes a candidate waits on. Rows arrive in any order; the engine verifies once.
 */
import type { TimeRange } from '@lineage/shared';
import type { CreateExtraField, EventSource, ProcessRecord, QueryContext } from '../../sources/event-source.js';
import type { RuleEngine } from '../engine/engine.js';
import type { EngineHit } from '../model.js';
import type { RulesRunStats as RunStats } from '@lineage/shared';
import type { ScanTerm } from './scan-plan.js';

/** What the phases read from the run's options. */
export interface PhaseOptions {
  ctx: QueryContext; range?: TimeRange | undefined; wideRange: TimeRange | undefined; host?: string | undefined; batchSize?: number | undefined;
  /** The source's scanFields the rules read (what the scans ask for). */
  scanFields: readonly CreateExtraField[];
}

/** Per-host sets of GUIDs. */
type ByHost<V> = Map<string, V>;

export class FetchPhases {
  readonly stats: RunStats;
  /** Missing parents of candidates, per host: the next generation to fetch. */
  private frontier: ByHost<Set<string>> = new Map();
  /** Anchors whose descendants must be walked, per host: guid → generations still to walk. */
  private below: ByHost<Map<string, number>> = new Map();

  constructor(private readonly source: EventSource, readonly engine: RuleEngine, private readonly o: PhaseOptions, pushedNames: string[] | null, counted: boolean) {
    this.stats = {
      scanned: 0, descendants: 0, ancestors: 0, events: 0, searches: 0, rows: 0, pushedNames, pushedFilters: 0, ancestorRounds: 0, scans: 0,
      childPages: 0, counted, ms: 0,
    };
  }

  private want(r: ProcessRecord): void {
    const pg = r.parentGuid;
    if (!pg || this.engine.hasProcess(r.host, pg)) return;
    let s = this.frontier.get(r.host);
    if (!s) { s = new Set(); this.frontier.set(r.host, s); }
    s.add(pg);
  }

  private addBelow(r: ProcessRecord, depth: number): void {
    let s = this.below.get(r.host);
    if (!s) { s = new Map(); this.below.set(r.host, s); }
    if ((s.get(r.guid) ?? 0) < depth) s.set(r.guid, depth);
  }

  /** One scan per plan term. */
  async scan(terms: ScanTerm[]): Promise<void> {
    const { ctx, host, batchSize, scanFields } = this.o;
    for (const term of terms) {
      // A leaf scan needs leaves in range only; an anchor above a leaf in range may be older.
      const anchored = term.descend > 0 || term.parentNames !== null;
      this.stats.scans++;
      if (term.filter && this.source.scanAppliesFilter) this.stats.pushedFilters++;
      for await (const batch of this.source.scanProcesses({
        ctx, range: anchored ? this.o.wideRange : this.o.range, host, names: term.names ?? undefined,
        parentNames: term.parentNames ?? undefined, filter: term.filter, fields: scanFields, batchSize,
      })) {
        for (const r of batch) {
          this.stats.scanned++;
          this.engine.addProcess(r);
          if (term.descend > 0) this.addBelow(r, term.descend);
          if (anchored || this.engine.isCandidate(r.name)) this.want(r);
        }
      }
    }
  }

  /** Descendants of anchors, a generation at a time (paged children queries). */
  async descendants(): Promise<void> {
    while (this.below.size > 0) {
      const parents = this.below;
      this.below = new Map();
      const guids = [...new Set([...parents.values()].flatMap((s) => [...s.keys()]))];
      let cursor: string | null = null;
      do {
        const page = await this.source.getChildren(guids, { ctx: this.o.ctx, range: this.o.wideRange, host: this.o.host, limit: 1000, cursor });
        this.stats.childPages++;
        for (const c of page.items) {
          const left = c.parentGuid ? parents.get(c.host)?.get(c.parentGuid) : undefined;
          if (left === undefined) continue;
          if (!this.engine.hasProcess(c.host, c.guid)) { this.stats.descendants++; this.engine.addProcess(c); }
          if (left > 1) this.addBelow(c, left - 1);
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
  }

  /** Missing ancestors of candidates, a generation per round. */
  async ancestors(): Promise<void> {
    const maxRounds = this.engine.maxReach() + 1;
    for (let round = 0; round < maxRounds && this.frontier.size > 0; round++) {
      // Parents already added by a previous round's walk through returned rows are not asked again.
      const asked = new Map([...this.frontier].map(([h, s]) => [h, new Set([...s].filter((g) => !this.engine.hasProcess(h, g)))] as const).filter(([, s]) => s.size > 0));
      const guids = [...new Set([...asked.values()].flatMap((s) => [...s]))];
      this.frontier = new Map();
      if (guids.length === 0) break;
      this.stats.ancestorRounds++;
      const o = { ctx: this.o.ctx, range: this.o.wideRange, host: asked.size === 1 ? [...asked.keys()][0] : undefined };
      // A source that returns older generations with the asked rows (Splunk: processesAround) saves rounds.
      const rows = this.source.processesAround ? await this.source.processesAround(guids, o) : await this.source.getProcesses(guids, o);
      const byKey = new Map(rows.map((r) => [`${r.host}|${r.guid}`, r]));
      for (const r of rows) {
        // A GUID can exist on two hosts: take only the one a candidate on that host asked for.
        if (!asked.get(r.host)?.has(r.guid) || this.engine.hasProcess(r.host, r.guid)) continue;
        // Its ancestors in the same rows, up to the generations the remaining rounds would have fetched.
        let cur: ProcessRecord | undefined = r;
        for (let left = maxRounds - round; cur && left > 0 && !this.engine.hasProcess(cur.host, cur.guid); left--) {
          this.stats.ancestors++;
          this.engine.addProcess(cur);
          this.want(cur);
          cur = cur.parentGuid ? byKey.get(`${cur.host}|${cur.parentGuid}`) : undefined;
        }
      }
    }
  }

  /** `then:` needs events of chain nodes: fetch only those of the processes a candidate waits on; the hits they complete. */
  async thenEvents(): Promise<EngineHit[]> {
    const waiting = this.engine.waitingForEvents();
    if (waiting.length === 0) return [];
    const guidsByHost: ByHost<Set<string>> = new Map();
    for (const w of waiting) {
      let s = guidsByHost.get(w.host);
      if (!s) { s = new Set(); guidsByHost.set(w.host, s); }
      s.add(w.guid);
    }
    const all = [...new Set(waiting.map((w) => w.guid))];
    let cursor: string | null = null;
    do {
      const page = await this.source.getEvents(all, { ctx: this.o.ctx, range: this.o.wideRange, limit: 5000, cursor });
      for (const e of page.items) {
        if (!guidsByHost.get(e.host)?.has(e.guid)) continue;
        this.stats.events++;
        this.engine.addEvent(e);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return this.engine.drain();
  }
}
