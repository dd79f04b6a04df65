/**
 * A bounded memo of recent results by a string key, for pure per-value work: the literals the
 * prefilter finds in a field value (./field-index.ts), a regex item's result (./modifiers.ts). Event
 * values repeat heavily — the same images, parents, hashes, command lines — so most lookups hit.
 * Cleared when full; when fewer than half the lookups of a window hit (high-cardinality values), it
 * sits out the next 16 windows, so it costs little where it cannot help.
 */
export class ValueMemo<T> {
  private map = new Map<string, T>();
  private lookups = 0;
  private hits = 0;
  private pausedFor = 0;

  /** `size`: entries kept (and the window, in lookups, over which the hit rate is judged). */
  constructor(private readonly size: number) {}

  /** Whether to consult the memo for this lookup (false while it sits out). Counts the lookup. */
  active(): boolean {
    if (this.pausedFor > 0) { this.pausedFor--; return false; }
    if (++this.lookups === this.size) {
      if (this.hits * 2 < this.size) this.pausedFor = this.size * 16;
      this.lookups = 0; this.hits = 0;
    }
    return true;
  }

  /** A lookup answered without `get` (the caller found the entry otherwise): counts as a hit. */
  hit(): void { this.hits++; }

  get(key: string): T | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }

  /** Times the memo was cleared (full). */
  clears = 0;

  /** Entries held: a new entry's place among them is `held - 1` until the memo is cleared. */
  get held(): number { return this.map.size; }

  set(key: string, v: T): void {
    if (this.map.size >= this.size) { this.map.clear(); this.clears++; }
    this.map.set(key, v);
  }
}
