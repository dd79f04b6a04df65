/**
 * Uploads give way to analysts' reads (docs/security.md "Uploads"). While analysts read, an upload's
 * batches take about `share` of the time: after a batch that took `t` ms to store, the next one
 * waits `t × (1 − share) / share` (at most `maxWaitMs`) — unless the readers fall silent, i.e. no
 * read statement runs or waits for `idleMs` without a break, when it goes at once. A server nobody
 * reads from therefore stores the batches back to back. (A momentary gap between two analysts'
 * statements is not silence: with 50 analysts there is one every few milliseconds.)
 */

/** Stores one batch; what the upload route calls. */
export type WriteBatch<B, R> = (batch: B) => Promise<R>;

export interface PaceOptions {
  /** The upload's share of the time while readers are busy (0 < share ≤ 1). */
  share: number;
  /** Longest wait before a batch, whatever the last one cost (ms). */
  maxWaitMs: number;
  /** Longest wait before the first batch, whose cost is not known yet (ms). */
  firstWaitMs: number;
  /** Readers silent this long without a break: the batch goes at once (ms). */
  idleMs: number;
  /** Whether a read statement runs or waits now (the read pool's `active + queued`). */
  readersBusy(): boolean;
  /** Clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** How often the readers are looked at while a batch waits (ms). */
const POLL_MS = 20;

/** `write`, paced as in the module comment. */
export function pacedWrites<B, R>(write: WriteBatch<B, R>, o: PaceOptions): WriteBatch<B, R> {
  if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`upload share must be in (0, 1], got ${o.share}`);
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const waitTurn = async (maxMs: number): Promise<void> => {
    const start = now();
    let silentSince: number | null = null;
    for (;;) {
      const t = now();
      if (o.readersBusy()) silentSince = null;
      else silentSince ??= t;
      if (silentSince !== null && t - silentSince >= o.idleMs) return;
      if (t - start >= maxMs) return;
      await sleep(Math.min(POLL_MS, Math.max(1, maxMs - (t - start))));
    }
  };
  let wait = o.firstWaitMs;
  return async (batch) => {
    await waitTurn(wait);
    const started = now();
    const r = await write(batch);
    wait = Math.min(o.maxWaitMs, ((now() - started) * (1 - o.share)) / o.share);
    return r;
  };
}
