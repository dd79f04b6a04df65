/**
 * splunk-protocol.md §8 items 1–11 (auth and transport) exercised through the real splunk-sdk
 * 2.0.2 client against the test server; raw HTTP only where the SDK cannot express the request.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from './index.js';
import { BASIC, raw, rejection, service, trackDone } from './sdk-client.js';

const FIXTURE = [{ _time: '1700000000', index: 'main', _raw: 'hello world', host: 'h1', n: '1' }];

describe('§8 auth (items 1–5)', () => {
  let h: SplunkdHandle;
  beforeAll(async () => {
    h = await startSplunkd({ tokens: { 'tok-analyst-1': 'admin' } });
    h.store.addRows(FIXTURE.map((r) => ({ ...r })));
  });
  afterAll(() => h.stop());

  it('1: login answers JSON for output_mode=json and XML otherwise; cookie=1 sets splunkd_<port>', async () => {
    const svc = service(h);
    expect(await svc.login()).toBe(true);
    expect(svc.sessionKey).toMatch(/^[\w-]{40,}$/);
    expect(Object.keys(svc.http._cookieStore)).toEqual([`splunkd_${h.port}`]);
    const xml = await raw(h, '/services/auth/login', { body: 'username=admin&password=changeme' });
    expect(xml.status).toBe(200);
    expect(xml.text).toMatch(/<response>\s*<sessionKey>[\w-]+<\/sessionKey>/);
    expect(xml.headers.get('set-cookie')).toBeNull();
    const viaBody = await raw(h, '/services/auth/login', { body: 'username=admin&password=changeme&output_mode=json' });
    expect(JSON.parse(viaBody.text).sessionKey).toEqual(expect.any(String));
  });

  it('2: a wrong password is 401 with WARN "Login failed"', async () => {
    const err = await rejection(service(h, { password: 'nope' }).login());
    expect(err.status).toBe(401);
    expect(err.data).toEqual({ messages: [{ type: 'WARN', text: 'Login failed' }] });
  });

  it('3: accepts Splunk session keys, Bearer tokens, Basic and the session cookie; nothing else', async () => {
    const svc = service(h);
    await svc.login();
    const key = svc.sessionKey;
    const info = (headers: Record<string, string>) => raw(h, '/services/server/info?output_mode=json', { headers });
    expect((await info({ Authorization: `Splunk ${key}` })).status).toBe(200);
    expect((await info(BASIC)).status).toBe(200);
    expect((await info({ Cookie: `splunkd_${h.port}=${encodeURIComponent(key)}` })).status).toBe(200);
    // A token through the SDK, as the adapter sends it (§9: authorization "Bearer").
    const bearer = service(h, { username: undefined, password: undefined, sessionKey: 'tok-analyst-1', authorization: 'Bearer' });
    const job = await bearer.jobs().create('search index=main hello', {});
    expect((await trackDone(job)).properties().resultCount).toBe(1);
    expect(h.requests.filter((r) => r.auth === 'Bearer').length).toBeGreaterThan(0);
    for (const bad of <Record<string, string>[]>[{}, { Authorization: 'Bearer wrong' }, { Authorization: `Splunk ${key}x` }, { Authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }, { Authorization: `Digest ${key}` }, { Cookie: `splunkd_1=${key}` }]) {
      const r = await info(bad);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text)).toEqual({ messages: [{ type: 'WARN', text: 'call not properly authenticated' }] });
    }
  });

  it('4: after sessions expire the SDK logs in once more and retries the call', async () => {
    const svc = service(h);
    await svc.login();
    const job = await svc.jobs().create('search index=main', {});
    await trackDone(job);
    const logins = () => h.requests.filter((r) => r.path === '/services/auth/login').length;
    const before = logins();
    h.faults.expireSessions();
    const [data] = await job.results({ count: 10, output_mode: 'json' });
    expect(logins()).toBe(before + 1);
    expect(data.results).toHaveLength(1);
    const statuses = h.requests.slice(-4).map((r) => `${r.path.split('/').pop()} ${r.status}`);
    expect(statuses).toEqual(['results 401', 'login 200', 'info 200', 'results 200']);
  });

  it('logout: DELETE authentication/httpauth-tokens/<key> ends the session', async () => {
    const svc = service(h, { autologin: false });
    await svc.login();
    const key = svc.sessionKey;
    const del = await raw(h, `/services/authentication/httpauth-tokens/${encodeURIComponent(key)}?output_mode=json`, { method: 'DELETE', headers: { Authorization: `Splunk ${key}` } });
    expect(del.status).toBe(200);
    expect((await raw(h, '/services/server/info?output_mode=json', { headers: { Authorization: `Splunk ${key}` } })).status).toBe(401);
  });

  it('4b: sessions also expire after the configured inactivity timeout', async () => {
    const short = await startSplunkd({ sessionTimeoutMs: 150 });
    try {
      const svc = service(short, { autologin: false });
      await svc.login();
      expect((await raw(short, '/services/server/info?output_mode=json', { headers: { Authorization: `Splunk ${svc.sessionKey}` } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect((await raw(short, '/services/server/info?output_mode=json', { headers: { Authorization: `Splunk ${svc.sessionKey}` } })).status).toBe(401);
    } finally { await short.stop(); }
  });

  it('5: server/info carries generator.version; the SDK picks v2 for 9.x and v1 for 8.x', async () => {
    const info = JSON.parse((await raw(h, '/services/server/info?output_mode=json', { headers: BASIC })).text);
    expect(info.generator).toEqual({ build: expect.any(String), version: '9.2.1' });
    const v2 = service(h, { version: 'default' });
    await v2.login();
    expect(v2.version).toBe('9.2.1');
    await trackDone(await v2.jobs().create('search index=main', {}));
    expect(h.requests.at(-1)!.path).toMatch(/^\/services\/search\/v2\/jobs\/[\d.]+\/$/);
    h.settings.version = '8.2.12';
    try {
      const v1 = service(h, { version: 'default' });
      await v1.login();
      expect(v1.version).toBe('8.2.12');
      const job = await trackDone(await v1.jobs().create('search index=main', {}));
      await job.results({ count: 1 });
      expect(h.requests.at(-1)!.path).toMatch(/^\/services\/search\/jobs\/[\d.]+\/results$/);
      expect(h.requests.at(-1)!.method).toBe('GET');
    } finally { h.settings.version = '9.2.1'; }
  });
});

describe('§8 transport (items 6–11)', () => {
  let h: SplunkdHandle;
  beforeAll(async () => {
    h = await startSplunkd({ tls: true });
    h.store.addRows(FIXTURE.map((r) => ({ ...r })));
  });
  afterAll(() => h.stop());

  it('11: serves HTTPS with a self-signed certificate; the SDK connects, a verifying client needs the CA', async () => {
    expect(h.url).toMatch(/^https:/);
    const svc = service(h);
    await svc.login();
    const data = await svc.oneshotSearch('search index=main', { output_mode: 'json', count: 0 });
    expect((data.results as unknown[]).length).toBe(1);
    const get = (ca?: string) => new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${h.url}/services/server/info`, { ca, headers: BASIC }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    await expect(get()).rejects.toThrow(/self[- ]signed/i);
    expect(await get(h.cert!)).toBe(200);
  });

  it('6/7: JSON bodies are application/json; charset=UTF-8; query output_mode wins over the body', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const r = await raw(h, '/services/search/jobs?output_mode=json', { body: 'search=search index%3Dmain&output_mode=xml&exec_mode=oneshot', headers: BASIC });
      expect(r.type).toBe('application/json; charset=UTF-8');
      expect(JSON.parse(r.text).results).toHaveLength(1);
      const x = await raw(h, '/services/search/jobs', { body: 'search=search+index%3Dmain&output_mode=xml&exec_mode=oneshot', headers: BASIC });
      expect(x.type).toMatch(/^text\/xml/);
      expect(x.text).toContain("<field k='_raw'>");
    } finally { delete process.env.NODE_TLS_REJECT_UNAUTHORIZED; }
  });

  it('8: decodes + and %20 in form bodies and keeps repeated keys (f=a&f=b)', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const body = 'search=search+index%3Dmain%20hello&exec_mode=oneshot&f=host&f=n&output_mode=json';
      const r = JSON.parse((await raw(h, '/services/search/v2/jobs', { body, headers: BASIC })).text);
      expect(r.results).toEqual([{ host: 'h1', n: '1' }]);
      expect(h.received.at(-1)!.spl).toBe('search index=main hello');
    } finally { delete process.env.NODE_TLS_REJECT_UNAUTHORIZED; }
  });

  it('9: trailing slashes and /servicesNS/<owner>/<app>/ prefixes reach the same endpoints', async () => {
    const svc = service(h, { owner: 'admin', app: 'search' });
    await svc.login();
    const job = await trackDone(await svc.jobs().create('search index=main', {}));
    expect(h.requests.some((r) => r.path.startsWith('/servicesNS/admin/search/search/v2/jobs/'))).toBe(true);
    const [data] = await job.results({ count: 0, output_mode: 'json' });
    expect(data.results).toHaveLength(1);
  });

  it('10: both job families work; disableV1 makes v1 results answer 404 like Splunk 10', async () => {
    // login() replaces the SDK's version with server/info's, so the server must claim 8.x for v1.
    h.settings.version = '8.2.12';
    const v1 = service(h);
    await v1.login();
    h.settings.version = '9.2.1';
    const job = await trackDone(await v1.jobs().create('search index=main', {}));
    expect(h.requests.at(-1)!.path).toMatch(/^\/services\/search\/jobs\/[\d.]+\/$/);
    expect((await job.results({ count: 0 }))[0].rows).toEqual([expect.any(Array)]);
    h.settings.disableV1 = true;
    try {
      const err = await rejection(job.results({ count: 0 }));
      expect(err.status).toBe(404);
      const v2 = service(h);
      await v2.login();
      const j2 = await trackDone(await v2.jobs().create('search index=main', {}));
      expect((await j2.results({ count: 0 }))[0].rows).toHaveLength(1);
    } finally { h.settings.disableV1 = false; }
  });
});
