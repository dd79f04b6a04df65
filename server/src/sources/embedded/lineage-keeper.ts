/**
 * The EmbeddedSource's lineage index (lineage-index.ts) over time: built in the background, rebuilt
 * once writes pause after the store changed, handed out only while it reflects the store as it is.
 */
import type { EmbeddedStore } from './store.js';
import { LineageIndex } from './lineage-index.js';

/** A rebuild waits for writes to pause this long (an upload writes batch after batch). */
const REBUILD_DELAY_MS = 1000;

/** Keeps one lineage index of a store current (option `lineageIndex` of the EmbeddedSource). */
export class LineageKeeper {
  private index: LineageIndex | null = null;
  private building: Promise<void> | null = null;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private closing = false;

  /** `enabled` false: never builds, `current()` is always null. */
  constructor(private readonly store: EmbeddedStore, private readonly enabled: boolean) {
    if (enabled) this.build();
  }

  /** Resolves when the build started so far has ended; whether an index is current then. */
  async ready(): Promise<boolean> {
    while (this.building) await this.building;
    return this.current() !== null;
  }

  /** The index when it reflects the store as it is now; otherwise null (and a rebuild is scheduled). */
  current(): LineageIndex | null {
    const index = this.index;
    if (!index) return null;
    if (index.version === this.store.changes) return index;
    this.index = null;
    this.scheduleRebuild();
    return null;
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
    this.building = LineageIndex.build(this.store, () => this.closing)
      .then((index) => {
        if (!index) return;
        this.index = index;
        // One line per build on stderr (a server's log; benches wait for it).
        process.stderr.write(`lineage index: ${index.size} processes in ${Math.round(performance.now() - started)} ms\n`);
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
    }, REBUILD_DELAY_MS);
    this.rebuildTimer.unref();
  }
}
