/**
 * The HEC sender against the test server's HEC: a refused token is a clear error without the token in
 * it; events go in batches by count and by size; 503 "Server is busy" is retried (and gives up after the
 * retries); acknowledgement is waited for; the events arrive complete and searchable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { batchEvents, HecError, hecConfig, sendToHec, type HecConfig, type HecEvent } from './hec.js';

describe('HEC sender', () => {
  let h: SplunkdHandle;
  const cfg = (over: Partial<HecConfig> = {}): HecConfig => hecConfig(
    { url: h.url, token: 'tok-plain-0123456789', index: 'lineage' },
    { retryBaseMs: 5, ackPollMs: 5, ...over },
  )!;
  const events = (n: number, tag: string): HecEvent[] => Array.from({ length: n }, (_, i) => ({ time: 1_700_000_000 + i, host: 'ws1', event: { tag, n: i } }));
  const stored = (tag: string) => h.store.events().filter((r) => r.index === 'lineage' && r.tag === tag);

  beforeAll(async () => {
    h = await startSplunkd({
      hecTokens: {
        'tok-plain-0123456789': { name: 'lineage', index: 'lineage' },
        'tok-ack-0123456789': { name: 'lineage-ack', index: 'lineage', ack: true },
      },
    });
  });
  afterAll(async () => { await h?.stop(); });

  it('a refused token is a HecError naming HEC\'s reason and the setting, never the token', async () => {
    const err = await sendToHec(cfg({ token: 'wrong-secret-token-value' }), events(1, 'bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HecError);
    expect((err as HecError).message).toBe('batch 1/1: HEC refused the token: Invalid token (HEC code 4) — check LINEAGE_HEC_TOKEN');
    expect((err as HecError).status).toBe(403);
    expect(stored('bad')).toHaveLength(0);
  });

  it('batches by event count and by bytes; every event arrives once, in order', async () => {
    const before = h.hec.batches.length;
    const r = await sendToHec(cfg({ batchEvents: 500 }), events(1_200, 'count'));
    expect(r).toEqual({ events: 1_200, batches: 3, retries: 0, acknowledged: false });
    expect(h.hec.batches.slice(before)).toEqual([500, 500, 200]);
    expect(stored('count').map((x) => Number(x.n)).sort((a, b) => a - b)).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    // Each serialised event is ~110 bytes: 1 KiB batches hold 9.
    const line = JSON.stringify({ source: 'lineage', sourcetype: 'lineage:rule_hit', index: 'lineage', ...events(1, 'bytes')[0] });
    const per = Math.floor(1024 / (Buffer.byteLength(line) + 1));
    const b2 = h.hec.batches.length;
    await sendToHec(cfg({ batchBytes: 1024 }), events(20, 'bytes'));
    expect(h.hec.batches.slice(b2)).toEqual([per, per, 20 - 2 * per].filter((n) => n > 0));
    expect(stored('bytes')).toHaveLength(20);
  });

  it('batchEvents: limits by count and size, never drops or splits an event', () => {
    const lines = ['aaaa', 'bb', 'cccccc', 'd', 'ee'];
    expect(batchEvents(lines, 2, 1_000)).toEqual([['aaaa', 'bb'], ['cccccc', 'd'], ['ee']]);
    expect(batchEvents(lines, 10, 8)).toEqual([['aaaa', 'bb'], ['cccccc'], ['d', 'ee']]);
    expect(batchEvents(['x'.repeat(50)], 10, 8)).toEqual([['x'.repeat(50)]]);
  });

  it('retries while HEC answers 503 busy, without duplicating events; gives up with a message after the retries', async () => {
    h.hec.busy(2);
    const r = await sendToHec(cfg(), events(3, 'busy'));
    expect(r.retries).toBe(2);
    expect(stored('busy')).toHaveLength(3);
    h.hec.busy(10);
    const err = await sendToHec(cfg({ retries: 2 }), events(1, 'busy2')).catch((e: unknown) => e) as HecError;
    expect(err.message).toBe('batch 1/1: HEC stayed busy after 2 retries: Server is busy (HEC code 9)');
    expect(stored('busy2')).toHaveLength(0);
    h.hec.busy(-7); // clear what is left of the fault
  });

  it('waits for indexer acknowledgement on its channel', async () => {
    h.hec.ackAfterPolls = 2;
    const r = await sendToHec(cfg({ token: 'tok-ack-0123456789', ack: true, batchEvents: 4 }), events(10, 'ack'));
    expect(r).toMatchObject({ batches: 3, acknowledged: true });
    expect(stored('ack')).toHaveLength(10);
    // Acknowledgement expected but the token has it off: HEC's own error is passed on, not a hang.
    const err = await sendToHec(cfg({ ack: true }), events(1, 'noack')).catch((e: unknown) => e) as HecError;
    expect(err.message).toMatch(/answered without an ackId/);
    // A token with ack on, sent without a channel: HEC's code 10.
    const err2 = await sendToHec(cfg({ token: 'tok-ack-0123456789', ack: false }), events(1, 'nochan')).catch((e: unknown) => e) as HecError;
    expect(err2.message).toBe('batch 1/1: HEC refused it: Data channel is missing (HEC code 10)');
  });

  it('an unreachable HEC is an error, not a hang; settings are checked', async () => {
    const err = await sendToHec(cfg({ url: new URL('http://127.0.0.1:1'), retries: 1 }), events(1, 'x')).catch((e: unknown) => e) as HecError;
    expect(err.message).toMatch(/cannot reach HEC at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    expect(hecConfig({})).toBeNull();
    expect(() => hecConfig({ url: 'http://x:8088' })).toThrow(/LINEAGE_HEC_TOKEN is required/);
    expect(() => hecConfig({ url: 'ftp://x', token: 't' })).toThrow(/must be http/);
    expect(() => hecConfig({ url: 'http://x', token: 't', index: 'a b' })).toThrow(/not an index name/);
  });
});
