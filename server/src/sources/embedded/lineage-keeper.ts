/**
 * The EmbeddedSource's lineage index (lineage-index.ts) over time: built in the background, caught up
 * with the rows written since (LineageIndex.catchUp) as soon as a lookup finds it stale, handed out
 * only while it reflects the store as it is (docs/security.md "Reads during an upload").
 */
import type { EmbeddedStore } from './store.js';
import { LineageIndex } from './lineage-index.js';
import { EventCounts } from './event-counts.js';

/** A first build (no index yet) waits for writes to pause this long; a catch-up starts at once. */
const REBUILD_DELAY_MS = 1000;

/** Keeps one lineage index of a store current (option `lineageIndex` of the EmbeddedSource). */
export class LineageKeeper {
  /** The last index built (possibly stale: `current` checks). */
  private index: LineageIndex | null = null;
  /** Event counts per process of that index (event-counts.ts; possibly stale: `counts` checks). */
  private eventCounts: EventCounts | null = null;
  /** Full builds, catch-ups, and lookups that found the index stale (those go to SQL). */
  readonly stats = { builds: 0, catchUps: 0, stale: 0 };
  private building: Promise<void> | null = null;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private closing = false;

  /** `enabled` false: never builds, `current()` is always null. */
  constructor(private readonly store: EmbeddedStore, private readonly enabled: boolean) {
    if (enabled) this.build();
  }

  /** Resolves when the build started so far has ended; whether an index is current then. */
  async ready(): Promise<boolean> {
    if (this.index && this.index.version !== this.store.changes) this.build();
    while (this.building) await this.building;
    return this.current() !== null;
  }

  /** The index when it reflects the store as it is now; otherwise null (and a rebuild is scheduled). */
  current(): LineageIndex | null {
    const index = this.index;
    if (!index) return null;
    if (index.version === this.store.changes) return index;
    this.stats.stale += 1;
    this.scheduleRebuild();
    return null;
  }

  /** The event counts of the current index, when they reflect the store as it is now; otherwise null. */
  counts(): EventCounts | null {
    const c = this.eventCounts;
    return c && c.version === this.store.changes && c.index === this.index && c.index.version === c.version ? c : null;
  }

  /** Stops rebuilding and waits for a build in progress. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    while (this.building) await this.building;
  }

  private build(): void {
    if (this.building || this.closing) return;
    const started = performance.now();
    const cancelled = (): boolean => this.closing;
    // A stale index catches up with the rows written since (lineage-index.ts); else a full build.
    const prev = this.index;
    this.building = (prev ? prev.catchUp(this.store, cancelled) : Promise.resolve(null))
      .then(async (caught) => {
        if (caught) { this.stats.catchUps += 1; return caught; }
        const built = await LineageIndex.build(this.store, cancelled);
        if (built) this.stats.builds += 1;
        return built;
      })
      .then(async (index) => {
        if (!index) return;
        this.index = index;
        // One line per build on stderr (a server's log; benches wait for it).
        process.stderr.write(`lineage index: ${index.size} processes in ${Math.round(performance.now() - started)} ms${prev ? ' (catch-up)' : ''}\n`);
        // Then the event counts of its rows: caught up when they belong to this same index, else built anew.
        const t = performance.now();
        const had = this.eventCounts;
        // Same index: add the events written since (a store that moved on meanwhile is caught up next round).
        if (had?.index === index) { await had.catchUp(this.store, cancelled); return; }
        this.eventCounts = null;
        const counts = await EventCounts.build(this.store, index, cancelled);
        if (!counts) return;
        this.eventCounts = counts;
        process.stderr.write(`event counts: ${index.size} processes in ${Math.round(performance.now() - t)} ms\n`);
      })
      .catch((err: unknown) => { process.stderr.write(`lineage index not built: ${(err as Error).message}\n`); })
      .finally(() => {
        this.building = null;
        if (this.index?.version !== this.store.changes) this.scheduleRebuild();
      });
  }

  private scheduleRebuild(): void {
    if (!this.enabled || this.closing || this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      this.build();
    }, this.index ? 0 : REBUILD_DELAY_MS);
    this.rebuildTimer.unref();
  }
}
