/**
 * Uploads give way to analysts' reads (docs/security.md "Uploads"). Before each stored batch the
 * upload waits until no read statement runs or waits — but at most long enough that, while
 * analysts keep reading, the upload's writes take about `share` of the store's time: after a batch
 * that took `t` ms to store, the next one waits up to `t × (1 − share) / share` (bounded by
 * `maxWaitMs`). A server nobody reads from stores the batches back to back.
 */

/** Stores one batch; what the upload route calls. */
export type WriteBatch<B, R> = (batch: B) => Promise<R>;

export interface PaceOptions {
  /** The upload's share of the store's time while readers are busy (0 < share ≤ 1). */
  share: number;
  /** Longest wait before a batch, whatever the last one cost (ms). */
  maxWaitMs: number;
  /** Wait before the first batch, whose cost is not known yet (ms). */
  firstWaitMs: number;
  /** Resolves once readers are quiet, or after `maxMs` (ReadPool.whenQuiet). */
  whenQuiet(maxMs: number): Promise<unknown>;
  /** Clock (tests). */
  now?: () => number;
}

/** `write`, paced as in the module comment. */
export function pacedWrites<B, R>(write: WriteBatch<B, R>, o: PaceOptions): WriteBatch<B, R> {
  if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`upload share must be in (0, 1], got ${o.share}`);
  const now = o.now ?? (() => performance.now());
  let wait = o.firstWaitMs;
  return async (batch) => {
    await o.whenQuiet(wait);
    const started = now();
    const r = await write(batch);
    wait = Math.min(o.maxWaitMs, ((now() - started) * (1 - o.share)) / o.share);
    return r;
  };
}
