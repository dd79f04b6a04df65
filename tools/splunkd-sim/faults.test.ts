/**
 * Fault injection as the adapter's fault tests will use it, observed through splunk-sdk: a reset
 * connection, a job stalled past the client's patience, a server that is down, and a client that
 * goes away mid-request — each ends in an error or a cleaned-up job, never a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from './index.js';
import { BASIC, rejection, service, trackDone, type SdkService } from './sdk-client.js';

describe('fault hooks', () => {
  let h: SplunkdHandle;
  let svc: SdkService;
  beforeAll(async () => {
    h = await startSplunkd();
    h.store.addRows([{ _time: '1700000000', index: 'main', _raw: 'one', n: '1' }]);
    svc = service(h);
    await svc.login();
  });
  afterAll(() => h.stop());

  it('resetNextRequest drops the matching connection: the SDK call rejects, the next one works', async () => {
    const job = await trackDone(await svc.jobs().create('search index=main', {}));
    h.faults.resetNextRequest(/\/results$/);
    const err = await rejection(job.results({ output_mode: 'json' }));
    expect(err.status).toBe(600); // splunk-sdk's code for a transport error (§1.3)
    expect(String((err.error as Error).message ?? err.error)).toMatch(/socket hang up|ECONNRESET/);
    expect(h.requests.at(-1)).toMatchObject({ status: 'reset' });
    expect((await job.results({ output_mode: 'json' }))[0].results).toHaveLength(1);
  });

  it('a stalled job stays RUNNING until the client gives up and cancels it; nothing is left running', async () => {
    h.faults.stallNextJob();
    const job = await svc.jobs().create('search index=main', {});
    const deadline = new Promise((resolve) => setTimeout(() => resolve('timeout'), 300));
    const outcome = await Promise.race([trackDone(job), deadline]);
    expect(outcome).toBe('timeout');
    expect((await job.fetch()).properties()).toMatchObject({ dispatchState: 'RUNNING', isDone: false });
    await job.cancel();
    expect(h.runningJobs()).toEqual([]);
    // track() may still be polling: its next poll meets the 404 and ends, no hang.
  });

  it('a blocking or oneshot request whose client disconnects leaves no job behind', async () => {
    h.jobSettings.latency = { dispatchMs: 2000, perEventMs: 0 };
    try {
      for (const mode of ['blocking', 'oneshot']) {
        const ac = new AbortController();
        const req = fetch(`${h.url}/services/search/v2/jobs?output_mode=json`, { method: 'POST', signal: ac.signal, headers: { ...BASIC, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `search=search+index%3Dmain&exec_mode=${mode}` });
        await new Promise((r) => setTimeout(r, 150));
        expect(h.runningJobs()).toHaveLength(1);
        ac.abort();
        await req.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        expect(h.runningJobs()).toEqual([]);
      }
    } finally { h.jobSettings.latency = { dispatchMs: 0, perEventMs: 0 }; }
  });

  it('a server that is down makes SDK calls reject promptly', async () => {
    const gone = await startSplunkd();
    const client = service(gone);
    await client.login();
    await gone.stop();
    const t = Date.now();
    const err = await rejection(client.jobs().create('search index=main', {}));
    expect(err.status).toBe(600);
    expect(String((err.error as Error).message ?? err.error)).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
