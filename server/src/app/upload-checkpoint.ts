/**
 * Memory of uploaded rows (docs/security.md "Uploads"). The store keeps DuckDB's WAL up to 1 GB
 * before it checkpoints (store.ts: right for a bulk `lineage ingest`); until then every row written
 * lives uncompressed in memory. A server would thus grow by ≈ 2 MiB per MB uploaded until 1 GB of
 * WAL — and a store closed without a checkpoint replays it all into memory at the next start. So
 * the server checkpoints itself: once an upload (or several) has stored `everyEvents` events since
 * the last checkpoint, before the next batch; and `idleMs` after the last batch. A failed checkpoint
 * (another write in its way) is logged and tried again at the next occasion.
 */

export interface CheckpointOptions {
  /** Events stored since the last checkpoint that make the next batch checkpoint first. */
  everyEvents: number;
  /** Checkpoint this long after the last stored batch (ms). */
  idleMs: number;
  /** Runs DuckDB's CHECKPOINT. */
  checkpoint(): Promise<void>;
  /** A checkpoint that failed (logged by the caller). */
  onError(err: unknown): void;
}

/** What an upload store needs to write. */
type Write<B> = (batch: B) => Promise<{ inserted: number; duplicates: number }>;

/** `write` with checkpoints as in the module comment; `close()` cancels the idle one and waits for one running. */
export function checkpointedWrites<B>(write: Write<B>, o: CheckpointOptions): { write: Write<B>; close(): Promise<void> } {
  let since = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const checkpoint = (): Promise<void> => {
    running ??= o.checkpoint().then(() => { since = 0; }, o.onError).finally(() => { running = null; });
    return running;
  };
  return {
    write: async (batch) => {
      if (timer) { clearTimeout(timer); timer = null; }
      if (since >= o.everyEvents) await checkpoint();
      else if (running) await running;
      const r = await write(batch);
      since += r.inserted;
      if (since > 0) {
        timer = setTimeout(() => { timer = null; void checkpoint(); }, o.idleMs);
        timer.unref();
      }
      return r;
    },
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
