/**
 * Upload pacing (upload-pace.ts) on a fake clock: with readers busy, the wait before each batch is
 * the previous batch's store time × (1 − share) / share, bounded; readers silent for `idleMs`
 * without a break let the batch go at once, a momentary gap does not; results and errors pass
 * through.
 */
import { describe, expect, it } from 'vitest';
import { pacedWrites, type PaceOptions } from './upload-pace.js';

/** A fake clock; `busy(t)` says whether readers are busy at time t. Records each wait's length. */
function harness(busy: (t: number) => boolean, over: Partial<PaceOptions> = {}) {
  let clock = 0;
  const waits: number[] = [];
  let waitStart = -1;
  const opts: PaceOptions = {
    share: 0.25, maxWaitMs: 5000, firstWaitMs: 250, idleMs: 100, ...over,
    readersBusy: () => busy(clock), now: () => clock, sleep: async (ms) => { clock += ms; },
  };
  return {
    opts, waits,
    at: () => clock,
    /** A write that takes `ms` on the clock. */
    write: (ms: number) => { waits.push(waitStart < 0 ? 0 : clock - waitStart); clock += ms; return ms; },
    mark: () => { waitStart = clock; },
  };
}

describe('pacedWrites', () => {
  it('with readers always busy: waits 3× the last write at share 0.25, bounded by maxWaitMs', async () => {
    const h = harness(() => true);
    const write = pacedWrites(async (ms: number) => h.write(ms), h.opts);
    const results = [];
    for (const ms of [100, 400, 4000, 10, 0]) { h.mark(); results.push(await write(ms)); }
    // first: 250; then 3 × 100, 3 × 400, min(5000, 3 × 4000), 3 × 10
    expect(h.waits).toEqual([250, 300, 1200, 5000, 30]);
    expect(results).toEqual([100, 400, 4000, 10, 0]);
  });

  it('readers silent for idleMs let the batch go at once; short gaps between statements do not', async () => {
    // Busy except a 40 ms gap every 100 ms (too short to count as silence).
    const gappy = harness((t) => t % 100 >= 40);
    const w1 = pacedWrites(async (ms: number) => gappy.write(ms), gappy.opts);
    gappy.mark(); await w1(1000);
    gappy.mark(); await w1(0);
    expect(gappy.waits[0]).toBeGreaterThanOrEqual(250); // the whole first wait (one poll step over at most)
    expect(gappy.waits[0]).toBeLessThan(250 + 20);
    expect(gappy.waits[1]).toBe(3000);
    // Nobody reading: each batch waits only idleMs of silence.
    const idle = harness(() => false);
    const w2 = pacedWrites(async (ms: number) => idle.write(ms), idle.opts);
    for (const ms of [1000, 1000, 1000]) { idle.mark(); await w2(ms); }
    expect(idle.waits).toEqual([100, 100, 100]);
  });

  it('share 1 never waits for busy readers; a failing write passes its error on; a bad share is refused', async () => {
    const h = harness(() => true, { share: 1, firstWaitMs: 0 });
    const write = pacedWrites(async (fail: boolean) => { if (fail) throw new Error('disk full'); h.write(50); return 1; }, h.opts);
    h.mark(); await write(false);
    h.mark(); await write(false);
    await expect(write(true)).rejects.toThrow('disk full');
    expect(h.waits).toEqual([0, 0]);
    expect(() => pacedWrites(async () => 1, { ...h.opts, share: 0 })).toThrow(/share/);
  });
});
