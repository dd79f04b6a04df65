/**
 * Upload pacing (upload-pace.ts): with readers busy, the wait before each batch is the previous
 * batch's store time × (1 − share) / share, bounded; the first batch waits `firstWaitMs`; the writes'
 * results and errors pass through. A fake clock: each write "takes" the time the test says.
 */
import { describe, expect, it } from 'vitest';
import { pacedWrites } from './upload-pace.js';

describe('pacedWrites', () => {
  it('asks the readers for a quiet moment of 3× the last write at share 0.25, at most maxWaitMs', async () => {
    let clock = 0;
    const asked: number[] = [];
    const costs = [100, 400, 4000, 10];
    const write = pacedWrites(async (n: number) => { clock += costs[n]!; return n * 2; }, {
      share: 0.25, maxWaitMs: 5000, firstWaitMs: 250, now: () => clock,
      whenQuiet: async (ms) => { asked.push(ms); },
    });
    const results = [];
    for (let i = 0; i < costs.length; i++) results.push(await write(i));
    await write(0);
    // first: 250; then 3 × 100, 3 × 400, min(5000, 3 × 4000), 3 × 10
    expect(asked).toEqual([250, 300, 1200, 5000, 30]);
    expect(results).toEqual([0, 2, 4, 6]);
  });

  it('share 1 never waits after the first batch; a failing write passes its error on', async () => {
    const asked: number[] = [];
    const write = pacedWrites(async (fail: boolean) => { if (fail) throw new Error('disk full'); return 1; }, {
      share: 1, maxWaitMs: 5000, firstWaitMs: 0, whenQuiet: async (ms) => { asked.push(ms); },
    });
    await write(false);
    await write(false);
    await expect(write(true)).rejects.toThrow('disk full');
    expect(asked).toEqual([0, 0, 0]);
    expect(() => pacedWrites(async () => 1, { share: 0, maxWaitMs: 1, firstWaitMs: 0, whenQuiet: async () => undefined })).toThrow(/share/);
  });
});
