/**
 * Analyst identity over HTTP (POST/GET/DELETE /api/session) against the Splunk-protocol test server:
 * the cookie holds only our random id, every search runs as the analyst who logged in, logout ends the
 * Splunk session, an expired Splunk session becomes a 401 that sends the UI back to login.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SessionStore } from '../../src/api/sessions.js';
import { dataset, requireDatasets } from '../datasets.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';

const run = requireDatasets('Splunk sessions');
const FILE = 'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';
const USERS = { alice: { password: 'alice-pw', roles: ['user'] }, bob: { password: 'b0b"pw\\', roles: ['user'] } };

describe.runIf(run)('analyst sessions', () => {
  let splunkd: SplunkdHandle;
  let store: SessionStore;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    splunkd = await startSplunkd({ users: USERS, data: { sysmonFiles: [dataset(FILE)] } });
    store = new SessionStore({ ...resolveConfig({ url: splunkd.url, web: 'https://splunk.example:8000' }), pollMs: 20 });
    app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
  });
  afterAll(async () => { await store?.closeAll(); await splunkd?.stop(); });

  const login = (body: object) => request(app).post('/api/session').set('Content-Type', 'application/json').send(JSON.stringify(body));
  const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;

  it('health says Splunk mode and not logged in; data routes answer 401 until login', async () => {
    const h = await request(app).get('/api/health');
    expect(h.body).toMatchObject({ source: 'splunk', authenticated: false, splunk: { url: splunkd.url, web: 'https://splunk.example:8000', user: null } });
    const r = await request(app).get('/api/search?image=calc');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('not_authenticated');
    expect(splunkd.received).toHaveLength(0);
  });

  it('refuses bad credentials with 401 and sets no cookie', async () => {
    const r = await login({ username: 'alice', password: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.body.error.message).toMatch(/login failed/i);
  });

  it('is CSRF-safe: POST must be JSON, DELETE must carry the custom header', async () => {
    // The app-wide same-origin guard (api/guard.ts) refuses these before the route (was 415 from the route).
    const form = await request(app).post('/api/session').type('form').send({ username: 'alice', password: 'alice-pw' });
    expect([form.status, form.body.error.code]).toEqual([403, 'csrf']);
    const plain = await request(app).post('/api/session').set('Content-Type', 'text/plain').send('{"username":"alice","password":"alice-pw"}');
    expect([plain.status, plain.body.error.code]).toEqual([403, 'csrf']);
    const del = await request(app).delete('/api/session');
    expect(del.status).toBe(403);
    expect(store.size).toBe(0);
  });

  it('logs in with a password: httpOnly SameSite=Strict cookie with only our id; searches run as that analyst', async () => {
    const r = await login({ username: 'alice', password: 'alice-pw' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ mode: 'splunk', authenticated: true, user: 'alice' });
    const setCookie = String(r.headers['set-cookie']?.[0]);
    expect(setCookie).toMatch(/^lineage_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    // Nothing the browser got authenticates at splunkd.
    const id = cookieOf(r).split('=')[1]!;
    const probe = await fetch(`${splunkd.url}/services/server/info?output_mode=json`, { headers: { Authorization: `Splunk ${id}` } });
    expect(probe.status).toBe(401);
    expect(JSON.stringify(r.body) + JSON.stringify(r.headers)).not.toContain('alice-pw');

    const s = await request(app).get('/api/search?image=calc').set('Cookie', cookieOf(r));
    expect(s.status).toBe(200);
    expect(s.body.items.map((n: { name: string }) => n.name)).toEqual(['calc.exe', 'calc.exe', 'calc.exe']);
    // Provenance: the node names the exact SPL and job, with an "open in Splunk" link.
    const prov = s.body.items[0].provenance;
    expect(splunkd.received.find((x) => x.sid === prov.jobId)?.spl).toBe(prov.query);
    expect(splunkd.received.every((x) => x.user === 'alice')).toBe(true);
    const h = await request(app).get('/api/health').set('Cookie', cookieOf(r));
    expect(h.body).toMatchObject({ authenticated: true, splunk: { user: 'alice' } });
  });

  it('keeps two analysts apart, and accepts a token (sent as Bearer)', async () => {
    const a = await login({ username: 'alice', password: 'alice-pw' });
    const b = await login({ username: 'bob', password: 'b0b"pw\\' });
    expect(b.status).toBe(200);
    const before = splunkd.received.length;
    await request(app).get('/api/search?image=cmd').set('Cookie', cookieOf(b)).expect(200);
    await request(app).get('/api/search?image=cmd').set('Cookie', cookieOf(a)).expect(200);
    expect(splunkd.received.slice(before).map((x) => x.user)).toEqual(['bob', 'bob', 'alice', 'alice']);

    const token = splunkd.createToken('bob');
    const t = await login({ token });
    expect(t.body).toEqual({ mode: 'splunk', authenticated: true, user: 'bob' });
    const n = splunkd.requests.length;
    await request(app).get('/api/search?image=calc').set('Cookie', cookieOf(t)).expect(200);
    const authed = splunkd.requests.slice(n).filter((x) => x.auth !== null);
    expect(authed.length).toBeGreaterThan(0);
    expect(authed.every((x) => x.auth === 'Bearer' && x.user === 'bob')).toBe(true);
  });

  it('logout ends the Splunk session and our cookie', async () => {
    const r = await login({ username: 'alice', password: 'alice-pw' });
    const sessionsBefore = store.size;
    const splunkSessionsBefore = splunkd.auth.sessionCount;
    const n = splunkd.requests.length;
    const del = await request(app).delete('/api/session').set('Cookie', cookieOf(r)).set('X-Lineage-Request', '1');
    expect(del.status).toBe(204);
    expect(String(del.headers['set-cookie']?.[0])).toMatch(/^lineage_session=; .*Max-Age=0/);
    expect(store.size).toBe(sessionsBefore - 1);
    expect(splunkd.requests.slice(n).some((x) => x.method === 'DELETE' && x.path.includes('/authentication/httpauth-tokens/'))).toBe(true);
    // The Splunk session itself is over, not just forgotten by us.
    expect(splunkd.auth.sessionCount).toBe(splunkSessionsBefore - 1);
    const after = await request(app).get('/api/search?image=calc').set('Cookie', cookieOf(r));
    expect(after.status).toBe(401);
  });

  it('a Splunk session that expires mid-investigation becomes 401 "log in again", never a hang', async () => {
    const r = await login({ username: 'alice', password: 'alice-pw' });
    await request(app).get('/api/search?image=calc').set('Cookie', cookieOf(r)).expect(200);
    splunkd.faults.expireSessions();
    const s = await request(app).get('/api/search?image=cmd').set('Cookie', cookieOf(r));
    expect(s.status).toBe(401);
    expect(s.body.error).toMatchObject({ code: 'not_authenticated' });
    expect(s.body.error.message).toMatch(/log in again/);
    const h = await request(app).get('/api/session').set('Cookie', cookieOf(r));
    expect(h.body).toEqual({ mode: 'splunk', authenticated: false, user: null });
  });

  it('rejects malformed login bodies with 400', async () => {
    for (const body of [{}, { username: 'alice' }, { token: 'x' }, { username: 'a', password: 'b', extra: 1 }, { username: 7, password: 'x' }]) {
      const r = await login(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('embedded mode', () => {
  it('needs no login', async () => {
    const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => null });
    const r = await request(app).post('/api/session').set('Content-Type', 'application/json').send('{}');
    expect(r.body).toEqual({ mode: 'embedded', authenticated: true, user: null });
    const h = await request(app).get('/api/health');
    expect(h.body.authenticated).toBeUndefined();
  });
});
