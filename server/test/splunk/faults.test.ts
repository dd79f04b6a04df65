/**
 * Faults against the Splunk-protocol test server: each ends in a clear message or a successful retry
 * within a bounded time, never a hang, and never leaves a job running on splunkd.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { newContext } from '../../src/sources/event-source.js';
import { SplunkClient } from '../../src/sources/splunk/client.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SplunkError } from '../../src/sources/splunk/errors.js';
import { SessionStore } from '../../src/api/sessions.js';
import { dataset, requireDatasets } from '../datasets.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { loginSource } from './fixture.js';

const run = requireDatasets('Splunk faults');
const FILE = 'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';
const CMD = '{9d1ed712-fffd-623d-1b02-000000003b02}';
const HOST = 'win-dc-emcginnis-47905-664.attackrange.local';

async function caught(p: Promise<unknown>): Promise<SplunkError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(SplunkError); return e as SplunkError; }
  throw new Error('expected a SplunkError');
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return true; await new Promise((r) => setTimeout(r, 25)); }
  return cond();
}

describe.runIf(run)('Splunk faults', () => {
  let splunkd: SplunkdHandle;
  beforeAll(async () => { splunkd = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)] } }); });
  afterAll(async () => { await splunkd?.stop(); });

  it('a FAILED job becomes a clear search_failed error carrying Splunk\'s message', async () => {
    const src = await loginSource(splunkd);
    splunkd.faults.failNextJob('Error in \'search\' command: out of memory');
    const e = await caught(src.getProcesses([CMD], { ctx: newContext() }));
    expect(e.code).toBe('search_failed');
    expect(e.status).toBe(502);
    expect(e.message).toContain('out of memory');
  });

  it('a job slower than the search timeout is cancelled and reported as a timeout', async () => {
    const src = await loginSource(splunkd, { searchTimeoutMs: 400 });
    splunkd.faults.stallNextJob();
    const t0 = Date.now();
    const e = await caught(src.getProcesses([CMD], { ctx: newContext() }));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/did not finish within/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await until(() => splunkd.runningJobs().length === 0, 2_000)).toBe(true);
  });

  it('a connection reset while reading status or results is retried and the answer is complete', async () => {
    const src = await loginSource(splunkd);
    splunkd.faults.resetNextRequest(/\/results$/);
    const rows = await src.getProcesses([CMD], { ctx: newContext() });
    expect(rows.map((r) => r.name)).toEqual(['cmd.exe']);
    expect(splunkd.requests.some((r) => r.status === 'reset' && /\/results$/.test(r.path))).toBe(true);
    const n = splunkd.requests.length;
    splunkd.faults.resetNextRequest(/\/jobs\/[^/]+\/?$/);
    expect((await src.getProcesses([CMD], { ctx: newContext() })).map((r) => r.name)).toEqual(['cmd.exe']);
    expect(splunkd.requests.slice(n).filter((r) => r.status === 'reset')).toHaveLength(1);
  });

  it('a reset while dispatching is not repeated blindly (it may have created a job): clear error', async () => {
    const src = await loginSource(splunkd);
    const n = splunkd.requests.length;
    splunkd.faults.resetNextRequest(/\/jobs\/?$/);
    const e = await caught(src.getProcesses([CMD], { ctx: newContext() }));
    expect(splunkd.requests.slice(n).map((r) => r.status)).toEqual(['reset']);
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(/cannot reach splunkd/);
  });

  it('quota exhaustion (splunkd answers 503) is retried with backoff until a slot frees', async () => {
    const busy = await startSplunkd({ quota: 1, quotaMode: 'reject', latency: { dispatchMs: 150 }, data: { sysmonFiles: [dataset(FILE)] } });
    try {
      const a = await loginSource(busy);
      const b = await loginSource(busy);
      const ctx = newContext();
      const [x, y] = await Promise.all([a.getProcesses([CMD], { ctx }), b.getProcesses([CMD], { ctx })]);
      expect(x.map((r) => r.name)).toEqual(['cmd.exe']);
      expect(y.map((r) => r.name)).toEqual(['cmd.exe']);
      expect(busy.requests.some((r) => r.status === 503)).toBe(true);
      expect(ctx.stats.searches).toBe(2);
    } finally {
      await busy.stop();
    }
  });

  it('quota exhaustion that never clears ends in a clear "busy" error', async () => {
    const busy = await startSplunkd({ quota: 1, quotaMode: 'reject', data: { sysmonFiles: [dataset(FILE)] } });
    try {
      const hog = await loginSource(busy);
      busy.faults.stallNextJob();
      const held = hog.getProcesses([CMD], { ctx: newContext() }).catch(() => null);
      await until(() => busy.runningJobs().length === 1, 2_000);
      const other = await loginSource(busy, { retries: 3, retryBaseMs: 10 });
      const e = await caught(other.getProcesses([CMD], { ctx: newContext() }));
      expect(e.code).toBe('unavailable');
      expect(e.message).toMatch(/busy/);
      await hog.close();
      void held;
    } finally {
      await busy.stop();
    }
  });

  it('splunkd down: login and searches fail fast with "cannot reach splunkd"', async () => {
    const gone = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)] } });
    const src = await loginSource(gone, { retries: 2, retryBaseMs: 10 });
    const url = gone.url;
    await gone.stop();
    const t0 = Date.now();
    const e = await caught(src.getProcesses([CMD], { ctx: newContext() }));
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(/cannot reach splunkd/);
    const e2 = await caught(SplunkClient.login({ ...resolveConfig({ url }), retries: 0 }, { username: 'admin', password: 'changeme' }));
    expect(e2.code).toBe('unavailable');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a splunkd that accepts the connection but never answers hits the request deadline', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((sock) => { sockets.push(sock); });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
      const t0 = Date.now();
      const e = await caught(SplunkClient.login({ ...resolveConfig({ url }), requestTimeoutMs: 300, retries: 0 }, { username: 'admin', password: 'changeme' }));
      expect(e.code).toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });

  it('HTTPS: certificate verification is on by default and works with the CA given', async () => {
    const tls = await startSplunkd({ tls: true, data: { sysmonFiles: [dataset(FILE)] } });
    try {
      const e = await caught(SplunkClient.login(resolveConfig({ url: tls.url }), { username: 'admin', password: 'changeme' }));
      expect(e.code).toBe('unavailable');
      expect(e.message).toMatch(/certificate/i);
      const ok = await SplunkClient.login({ ...resolveConfig({ url: tls.url }), ca: tls.cert! }, { username: 'admin', password: 'changeme' });
      expect(ok.user).toBe('admin');
    } finally {
      await tls.stop();
    }
  });

  it("HTTPS with Splunk's default certificate (CN=SplunkServerDefaultCert, no SAN): verified against --ca with the expected server name", async () => {
    const d = await startSplunkd({ tls: 'splunk-default' });
    try {
      const base = { ...resolveConfig({ url: d.url }), ca: d.cert! };
      // The CA alone is not enough: the certificate does not name 127.0.0.1.
      const e = await caught(SplunkClient.login(base, { username: 'admin', password: 'changeme' }));
      expect(e.message).toMatch(/altnames|certificate/i);
      const wrong = await caught(SplunkClient.login({ ...base, serverName: 'splunk.corp' }, { username: 'admin', password: 'changeme' }));
      expect(wrong.message).toMatch(/SplunkServerDefaultCert|certificate/i);
      const ok = await SplunkClient.login({ ...resolveConfig({ url: d.url, serverName: 'SplunkServerDefaultCert' }), ca: d.cert! }, { username: 'admin', password: 'changeme' });
      expect(ok.user).toBe('admin');
      expect(() => resolveConfig({ url: d.url, serverName: 'a b' })).toThrow(/--splunk-server-name/);
    } finally {
      await d.stop();
    }
  });

  it('a closed browser tab (aborted HTTP request) leaves no running job', async () => {
    const slow = await startSplunkd({ latency: { dispatchMs: 1_500 }, data: { sysmonFiles: [dataset(FILE)] } });
    const store = new SessionStore({ ...resolveConfig({ url: slow.url }), pollMs: 20 });
    const app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const login = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'changeme' }) });
      const cookie = String(login.headers.get('set-cookie')).split(';')[0]!;
      const ac = new AbortController();
      const req = fetch(`${base}/api/graph?guid=${encodeURIComponent(CMD)}&host=${HOST}&up=1`, { headers: { Cookie: cookie }, signal: ac.signal }).catch((e: Error) => e.name);
      expect(await until(() => slow.runningJobs().length > 0, 3_000)).toBe(true);
      ac.abort();
      expect(await req).toBe('AbortError');
      expect(await until(() => slow.runningJobs().length === 0, 3_000)).toBe(true);
      expect(slow.received.length).toBeGreaterThan(0);
    } finally {
      server.close();
      await store.closeAll();
      await slow.stop();
    }
  });
});
