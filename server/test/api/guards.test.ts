/**
 * The HTTP guards of docs/security.md over the real app: Host check (DNS rebinding), same-origin proof
 * on state-changing routes, security headers, 400s with a code for hostile input (malformed cookie,
 * forged cursor, impossible dates, invalid UTF-8 path, YAML alias bomb), login rate limiting, and a
 * catastrophic-backtracking rule that must neither hang the run nor stop /api/health from answering.
 * Expected statuses and header values come from the promises in docs/security.md, not from the code.
 */
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import type { SessionStore } from '../../src/api/sessions.js';
import { createLogger, type Logger } from '../../src/app/logger.js';
import { writeDemo } from '../../src/demo/generate.js';
import { normalise } from '../../src/sysmon/fields.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { SplunkError } from '../../src/sources/splunk/errors.js';

const GUID = '{5c0ffee0-1111-2222-3333-444400000bad}';
/** A command line the rule below would take ~2^n steps on with a backtracking engine. */
const LONG_LINE = `cmd.exe /c ${'a'.repeat(30_000)}`;

let store: EmbeddedStore;
let source: EmbeddedSource;
let app: Express;

beforeAll(async () => {
  store = await EmbeddedStore.open(':memory:');
  await writeDemo(store, { hosts: 2 });
  const ev = normalise({
    system: { eventId: 1, computer: 'redos-host', recordId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: '2026-03-04T06:30:00.000Z' },
    data: { UtcTime: '2026-03-04 06:30:00.000', ProcessGuid: GUID, ProcessId: '77', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: LONG_LINE,
      User: 'CORP\\mallory', ParentProcessGuid: '{00000000-0000-0000-0000-000000000000}', ParentProcessId: '4', ParentImage: 'System', ParentCommandLine: '' },
  });
  if (ev.kind !== 'event') throw new Error(ev.reason);
  await store.writeEvents([ev.event]);
  source = new EmbeddedSource(store);
  app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, store: { writeEvents: (b) => store.writeEvents(b) } });
});
afterAll(async () => { await source?.close(); });

describe('Host header (DNS rebinding)', () => {
  it('answers loopback names and refuses any other name with 421', async () => {
    expect((await request(app).get('/api/health').set('Host', '127.0.0.1:8080')).status).toBe(200);
    expect((await request(app).get('/api/health').set('Host', 'localhost')).status).toBe(200);
    const evil = await request(app).get('/api/health').set('Host', 'attacker.example:8080');
    expect([evil.status, evil.body.error.code]).toEqual([421, 'unknown_host']);
  });
  it('answers extra names given with --allow-host only', async () => {
    const named = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, allowedHosts: ['lineage.corp'] });
    expect((await request(named).get('/api/health').set('Host', 'lineage.corp:443')).status).toBe(200);
    expect((await request(named).get('/api/health').set('Host', 'localhost')).status).toBe(421);
  });
});

describe('same-origin proof on state-changing routes', () => {
  const body = '<Event/>';
  it('refuses an upload without our header (the no-cors text/plain attack) and stores nothing', async () => {
    const before = (await request(app).get('/api/search').query({ host: 'redos-host' })).body.items.length;
    for (const type of ['text/plain', 'application/octet-stream']) {
      const res = await request(app).post('/api/upload?name=x.xml').set('Content-Type', type).send(body);
      expect([res.status, res.body.error.code]).toEqual([403, 'csrf']);
    }
    expect((await request(app).get('/api/search').query({ host: 'redos-host' })).body.items.length).toBe(before);
  });
  it('refuses a request a browser marks cross-site even with the header or a JSON body', async () => {
    const site = await request(app).post('/api/upload').set('X-Lineage-Request', '1').set('Sec-Fetch-Site', 'cross-site').send(body);
    expect(site.status).toBe(403);
    const origin = await request(app).post('/api/rules/validate').set('Origin', 'https://attacker.example').send({ rules: 'a.exe -> b.exe' });
    expect(origin.status).toBe(403);
    const nullOrigin = await request(app).delete('/api/session').set('X-Lineage-Request', '1').set('Origin', 'null');
    expect(nullOrigin.status).toBe(403);
  });
  it('lets our own client through (header, or JSON from the same origin)', async () => {
    const json = await request(app).post('/api/rules/validate').set('Host', '127.0.0.1:9').set('Origin', 'http://127.0.0.1:9')
      .set('Sec-Fetch-Site', 'same-origin').send({ rules: 'a.exe -> b.exe' });
    expect(json.status).toBe(200);
    const empty = await request(app).post('/api/upload').set('X-Lineage-Request', '1').set('Content-Type', 'application/octet-stream').send('');
    expect([empty.status, empty.body.error.code]).toEqual([400, 'empty_upload']);
  });
});

describe('response headers', () => {
  it('sends CSP with frame-ancestors none, no-referrer, nosniff, and no-store on the API', async () => {
    const res = await request(app).get('/api/health');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const err = await request(app).get('/api/nothing');
    expect(err.headers['cache-control']).toBe('no-store');
  });
});

describe('hostile input is a 400 with a code', () => {
  it('impossible dates', async () => {
    for (const from of ['2024-99-99', '2024-02-30', '2024-05-01T24:00:00Z', '2023-02-29T10:00:00Z']) {
      const res = await request(app).get('/api/search').query({ host: 'redos-host', from });
      expect([from, res.status, res.body.error.code]).toEqual([from, 400, 'invalid_request']);
    }
    expect((await request(app).get('/api/search').query({ host: 'redos-host', from: '2024-02-29' })).status).toBe(200);
  });
  it('a forged cursor whose window is not a time', async () => {
    for (const r of [{ from: 'garbage', to: '2024-01-01T00:00:00Z' }, { from: '2024-01-01T00:00:00Z', to: "x' OR 1=1 --" }]) {
      const cursor = Buffer.from(JSON.stringify({ k: 'children', p: GUID, h: null, key: null, x: [], s: null, skip: 0, r })).toString('base64url');
      const res = await request(app).get(`/api/processes/${encodeURIComponent(GUID)}/children`).query({ cursor });
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_cursor']);
    }
  });
  it('invalid UTF-8 or a lone % in the path', async () => {
    for (const path of ['/api/processes/%FF%FE', '/api/processes/%E0%A4%A', '/%C0%AF']) {
      const res = await request(app).get(path);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 400, 'invalid_path']);
    }
  });
  it('a YAML alias bomb in rule text', async () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]'].join('\n');
    for (const path of ['/api/rules/validate', '/api/rules/run']) {
      const res = await request(app).post(path).send({ rules: bomb });
      expect(res.status, path).toBeLessThan(500);
      expect(JSON.stringify(res.body), path).toMatch(/alias/i);
    }
  });
});

describe('catastrophic regex in a lineage rule', () => {
  it('finishes promptly (linear-time engine) while /api/health keeps answering', async () => {
    const rule = 'title: redos\nchain:\n  - match: {CommandLine|re: "^(.+)+!$"}\n';
    const started = performance.now();
    const run = request(app).post('/api/rules/run').send({ rules: rule }).then((r) => ({ r, ms: performance.now() - started }));
    const health = await request(app).get('/api/health');
    expect(health.status).toBe(200);
    const { r, ms } = await run;
    expect(r.status).toBe(200);
    expect(r.body.hits).toEqual([]);
    // A backtracking engine needs ~2^30000 steps here; the budget below is generous for a loaded machine.
    expect(ms).toBeLessThan(20_000);
    // And the same regex does match a line it should (the engine is not simply skipping it).
    const yes = 'title: redos-yes\nchain:\n  - match: {CommandLine|re: "^(.+)+a$"}\n';
    const hit = await request(app).post('/api/rules/run').send({ rules: yes, host: 'redos-host' });
    expect(hit.body.hits.map((h: { chain: string[] }) => h.chain)).toContainEqual([GUID]);
  });
  it('refuses backreferences and lookaround with a positioned rule error', async () => {
    const res = await request(app).post('/api/rules/validate').send({ rules: 'title: t\nchain:\n  - match: {CommandLine|re: "(a)\\\\1"}\n' });
    expect(res.body.errors[0].message).toMatch(/RE2/);
  });
});

describe('Splunk-mode session cookie and login limiting', () => {
  /** A SessionStore stand-in: counts logins; the password "right" works, anything else is Splunk's 401. */
  function fakeSessions() {
    const calls: string[] = [];
    const sessions = new Map<string, { id: string; user: string; source: never; lastUsed: number }>();
    const store = {
      config: { url: new URL('https://splunk.example:8089'), web: null },
      calls,
      async login(c: { username?: string; password?: string }) {
        calls.push(c.username ?? 'token');
        if (c.password !== 'right') throw new SplunkError('not_authenticated', 'Login failed');
        const s = { id: 'A'.repeat(43), user: c.username!, source: null as never, lastUsed: Date.now() };
        sessions.set(s.id, s);
        return s;
      },
      get: (id: string | null) => (id ? sessions.get(id) ?? null : null),
      async logout(id: string | null) { if (id) sessions.delete(id); },
      async closeAll() { sessions.clear(); },
    };
    return store;
  }
  const splunkApp = (store: ReturnType<typeof fakeSessions>, trustProxy = 0, log?: Logger) => createApp({
    mode: 'splunk', version: 't', sessions: store as unknown as SessionStore, trustProxy, ...(log ? { log } : {}),
    sourceFor: splunkSourceFor(store as unknown as SessionStore),
  });

  it('a malformed cookie is a 400 that clears it; login still works and replaces it', async () => {
    const store = fakeSessions();
    const a = splunkApp(store);
    const bad = await request(a).get('/api/graph').query({ guid: GUID }).set('Cookie', 'lineage_session=%E0%A4%A');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_cookie']);
    expect(String(bad.headers['set-cookie'])).toMatch(/lineage_session=;.*Max-Age=0/);
    const login = await request(a).post('/api/session').set('Cookie', 'lineage_session=%E0%A4%A').send({ username: 'alice', password: 'right' });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toContain(`lineage_session=${'A'.repeat(43)}`);
    expect((await request(a).get('/api/health').set('Cookie', 'lineage_session="x y"')).status).toBe(200);
  });

  it('a burst of wrong passwords reaches Splunk at most 3 times (below its lockout of 5), then 429', async () => {
    const store = fakeSessions();
    const a = splunkApp(store);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await request(a).post('/api/session').send({ username: 'Alice', password: `guess${i}` });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'] as string;
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect(store.calls.filter((u) => u.toLowerCase() === 'alice')).toHaveLength(3);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password waits: the limiter cannot tell the analyst from the attacker.
    expect((await request(a).post('/api/session').send({ username: 'alice', password: 'right' })).status).toBe(429);
    // Another analyst is not affected.
    expect((await request(a).post('/api/session').send({ username: 'bob', password: 'right' })).status).toBe(200);
  });

  it('each login leaves one audit line with the user name and outcome, never the password', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    const a = splunkApp(fakeSessions(), 0, createLogger('info', sink));
    await request(a).post('/api/session').send({ username: 'alice', password: 'wrong-secret' });
    await request(a).post('/api/session').send({ username: 'alice', password: 'right' });
    expect(lines.filter((l) => l.audit === 'login').map((l) => [l.user, l.status])).toEqual([['alice', 401], ['alice', 200]]);
    expect(JSON.stringify(lines)).not.toMatch(/wrong-secret|"right"/);
  });

  it('behind a trusted proxy, the Origin is compared with X-Forwarded-Host (and only then)', async () => {
    const login = (a: Express) => request(a).post('/api/session').set('Host', '127.0.0.1:8080').set('X-Forwarded-Host', 'lineage.corp')
      .set('Origin', 'https://lineage.corp').set('Sec-Fetch-Site', 'same-origin').send({ username: 'a', password: 'right' });
    expect((await login(splunkApp(fakeSessions(), 1))).status).toBe(200);
    expect((await login(splunkApp(fakeSessions(), 0))).status).toBe(403);
  });

  it('behind a TLS proxy (--trust-proxy) the session cookie is Secure; on plain HTTP it is not', async () => {
    const viaProxy = await request(splunkApp(fakeSessions(), 1)).post('/api/session').set('X-Forwarded-Proto', 'https').send({ username: 'a', password: 'right' });
    expect(String(viaProxy.headers['set-cookie'])).toMatch(/; Secure/);
    const plain = await request(splunkApp(fakeSessions(), 0)).post('/api/session').set('X-Forwarded-Proto', 'https').send({ username: 'a', password: 'right' });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
  });
});
