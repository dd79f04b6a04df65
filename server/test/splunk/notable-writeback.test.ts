/**
 * "Add to notable" (POST /api/notable-update) against the Splunk-protocol test server's model of ES's
 * /services/notable_update: the comment with the investigation link lands on the notable asked for, as
 * the analyst who is logged in; status/urgency/owner changes; refusal for a role without
 * edit_notable_events (Splunk's message passed on); input checks before anything reaches Splunk; and
 * no Splunk credential in any answer the browser gets.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createApp } from '../../src/api/app.js';
import { errorHandler } from '../../src/api/errors.js';
import { notableWritebackRouter } from '../../src/api/notable-writeback.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SessionStore } from '../../src/api/sessions.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';

const USERS = {
  alice: { password: 'alice-analyst-pw', roles: ['user', 'ess_analyst'] },
  bob: { password: 'bob-user-pw', roles: ['user'] },
};
const NOTABLES = [
  { event_id: 'AAAA1111@@notable@@0001', rule_name: 'Suspicious pcalua', dest: 'ws1.corp.example', process_guid: '{9d1ed712-fffd-623d-1b02-000000003b02}' },
  { event_id: 'BBBB2222@@notable@@0002', rule_name: 'Forfiles', dest: 'ws1.corp.example' },
];
const VIEW = '?src=splunk&guid={9d1ed712-fffd-623d-1b02-000000003b02}&host=ws1.corp.example&sel={9d1ed712-fffd-623d-1e02-000000003b02}';
const SUMMARY = '**Lineage** `cmd.exe` → `pcalua.exe` → `calc.exe` on ws1.corp.example\n1. cmd.exe 17:46:37Z — hit: Suspicious pcalua';

describe('Add to notable (ES notable_update as the analyst)', () => {
  let splunkd: SplunkdHandle;
  let store: SessionStore;
  let app: ReturnType<typeof createApp>;
  let aliceToken: string;
  const answers: request.Response[] = [];

  beforeAll(async () => {
    splunkd = await startSplunkd({ users: USERS, data: { notables: NOTABLES } });
    aliceToken = splunkd.createToken('alice');
    store = new SessionStore({ ...resolveConfig({ url: splunkd.url }), pollMs: 20, retryBaseMs: 20 });
    app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
  });
  afterAll(async () => { await store?.closeAll(); await splunkd?.stop(); });

  async function login(body: object): Promise<string> {
    const r = await request(app).post('/api/session').set('Content-Type', 'application/json').send(JSON.stringify(body));
    answers.push(r);
    expect(r.status).toBe(200);
    return String(r.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  }
  async function update(cookie: string | null, body: object, headers: Record<string, string> = { 'X-Lineage-Request': '1' }): Promise<request.Response> {
    let req = request(app).post('/api/notable-update').set('Content-Type', 'application/json');
    if (cookie) req = req.set('Cookie', cookie);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const r = await req.send(JSON.stringify(body));
    answers.push(r);
    return r;
  }
  /** The incident_review collection as an admin reads it over REST (independent of the handle). */
  async function reviewOver(): Promise<Array<Record<string, string | null>>> {
    const res = await fetch(`${splunkd.url}/servicesNS/nobody/SA-ThreatIntelligence/storage/collections/data/incident_review?output_mode=json`, {
      headers: { Authorization: `Basic ${Buffer.from('alice:alice-analyst-pw').toString('base64')}` },
    });
    return (await res.json()) as Array<Record<string, string | null>>;
  }

  it('writes the comment with the investigation link on the right notable, as the analyst, with status/urgency/owner', async () => {
    const cookie = await login({ token: aliceToken });
    const r = await update(cookie, { notables: [NOTABLES[1]!.event_id], view: VIEW, summary: SUMMARY, status: 2, urgency: 'high', owner: 'alice' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ notables: [NOTABLES[1]!.event_id], message: '1 event updated successfully', user: 'alice' });
    const host = new URL(`http://${r.request.url.split('/')[2]}`).host;
    expect(r.body.url).toBe(`http://${host}/${VIEW}`);
    const rows = await reviewOver();
    expect(rows.filter((x) => x.rule_id === NOTABLES[0]!.event_id)).toEqual([]);
    const mine = rows.filter((x) => x.rule_id === NOTABLES[1]!.event_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: '2', urgency: 'high', owner: 'alice', user: 'alice' });
    expect(mine[0]!.comment).toBe(`Investigated in Lineage: http://${host}/${VIEW}\n\n${SUMMARY}`);
    // Sent as alice's own token (Bearer), not as any service identity.
    const sent = splunkd.requests.filter((q) => q.path === '/services/notable_update');
    expect(sent.map((q) => [q.user, q.auth, q.status])).toEqual([['alice', 'Bearer', 200]]);
  });

  it('a comment alone changes nothing else; LINEAGE_PUBLIC_URL sets the link origin', async () => {
    const cookie = await login({ username: 'alice', password: 'alice-analyst-pw' });
    const configured = express();
    configured.use(express.json());
    configured.use('/api', notableWritebackRouter(store, 'https://lineage.corp.example:8443/'));
    configured.use(errorHandler);
    const r = await request(configured).post('/api/notable-update').set('Content-Type', 'application/json').set('Cookie', cookie).set('X-Lineage-Request', '1')
      .send(JSON.stringify({ notables: [NOTABLES[0]!.event_id], view: VIEW, summary: '' }));
    answers.push(r);
    expect(r.status).toBe(200);
    const rec = splunkd.review.forNotable(NOTABLES[0]!.event_id);
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ status: null, urgency: null, owner: null, user: 'alice' });
    expect(rec[0]!.comment).toBe(`Investigated in Lineage: https://lineage.corp.example:8443/${VIEW}`);
  });

  it('refuses a role without edit_notable_events with Splunk\'s message, and records nothing', async () => {
    const before = splunkd.review.records.length;
    const cookie = await login({ username: 'bob', password: 'bob-user-pw' });
    const r = await update(cookie, { notables: [NOTABLES[0]!.event_id], view: VIEW, summary: SUMMARY, status: 5 });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect(r.body.error.message).toContain('You (user=bob) do not have permission to perform this operation (requires capability: edit_notable_events).');
    expect(splunkd.review.records.length).toBe(before);
  });

  it('passes on ES\'s own refusal (an owner that does not exist)', async () => {
    const cookie = await login({ token: aliceToken });
    const r = await update(cookie, { notables: [NOTABLES[0]!.event_id], view: VIEW, summary: 'x', owner: 'nosuchuser' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('Enterprise Security refused the update: Invalid owner: nosuchuser');
  });

  it('checks input before anything reaches Splunk: ids, view, CSRF header, JSON, login, embedded mode', async () => {
    const cookie = await login({ token: aliceToken });
    const sentBefore = splunkd.requests.filter((q) => q.path === '/services/notable_update').length;
    const bad = [
      { notables: ['x" OR 1=1'], view: VIEW, summary: '' },
      { notables: [], view: VIEW, summary: '' },
      { notables: ['ok'], view: 'https://evil.example/?guid=x', summary: '' },
      { notables: ['ok'], view: VIEW, summary: 'x'.repeat(6_001) },
      { notables: ['ok'], view: VIEW, summary: '', status: 9 },
      { notables: ['ok'], view: VIEW, summary: '', extra: 1 },
    ];
    for (const b of bad) expect((await update(cookie, b)).status, JSON.stringify(b).slice(0, 60)).toBe(400);
    expect((await update(cookie, { notables: ['ok'], view: VIEW, summary: '' }, {})).status).toBe(403);
    const form = await request(app).post('/api/notable-update').set('Cookie', cookie).set('X-Lineage-Request', '1').type('form').send({ notables: 'ok' });
    expect(form.status).toBe(415);
    expect((await update(null, { notables: ['ok'], view: VIEW, summary: '' })).status).toBe(401);
    const embedded = createApp({ mode: 'embedded', version: 'test', sourceFor: () => null });
    const e = await request(embedded).post('/api/notable-update').set('Content-Type', 'application/json').set('X-Lineage-Request', '1').send('{}');
    expect(e.status).toBe(409);
    expect(splunkd.requests.filter((q) => q.path === '/services/notable_update').length).toBe(sentBefore);
  });

  it('no answer the browser got holds a Splunk credential', () => {
    expect(answers.length).toBeGreaterThan(10);
    const secrets = [aliceToken, aliceToken.split('.')[1]!, 'alice-analyst-pw', 'bob-user-pw'];
    for (const a of answers) {
      const seen = JSON.stringify(a.headers) + a.text;
      for (const s of secrets) expect(seen.includes(s), `${a.request.method} ${a.request.url}`).toBe(false);
      expect(seen).not.toMatch(/sessionKey|Authorization/i);
      // No live Splunk session key or token of the test server, whatever its name in the answer.
      for (const [candidate] of seen.matchAll(/[A-Za-z0-9_.-]{40,}/g)) {
        expect(splunkd.auth.sessionOwner(candidate), candidate).toBeNull();
        expect(splunkd.auth.tokens.has(candidate), candidate).toBe(false);
      }
    }
    expect(splunkd.auth.sessionCount).toBeGreaterThan(0);
  });
});
