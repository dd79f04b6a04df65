/**
 * The Rules page's "Send to Splunk" routes: GET /api/hec says whether HEC is set up (never the token);
 * POST /api/hec/hits sends schema-checked hits to the test server's HEC as events with an absolute
 * Lineage link, refuses without the same-origin header, without a source, without HEC, and turns a HEC
 * refusal into a 502 with HEC's reason.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleHit } from '@lineage/shared';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import type { EventSource } from '../sources/event-source.js';
import { hecConfig } from '../sinks/hec.js';
import { createApp } from './app.js';

const TOKEN = 'route-hec-token-0123456789';
const HIT: RuleHit = {
  rule: 'lin-office-shell', host: 'ws1.corp.example', chain: ['{00000001-0000-0000-0000-000000000000}', '{00000002-0000-0000-0000-000000000000}'],
  images: ['C:\\Program Files\\Office\\WINWORD.EXE', 'C:\\Windows\\System32\\cmd.exe'], time: '2026-03-02T09:00:04.000Z',
  url: '/?guid={00000002-0000-0000-0000-000000000000}&highlight={00000001-0000-0000-0000-000000000000},{00000002-0000-0000-0000-000000000000}', severity: 'high',
};

describe('/api/hec', () => {
  let h: SplunkdHandle;
  let app: ReturnType<typeof createApp>;
  const source = {} as EventSource; // the routes only ask whether the request has a source
  beforeAll(async () => {
    h = await startSplunkd({ hecTokens: { [TOKEN]: { name: 'lineage', index: 'lineage' } } });
    const hec = hecConfig({ url: h.url, token: TOKEN, index: 'lineage' }, { retryBaseMs: 5 });
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source, hec });
  });
  afterAll(async () => { await h?.stop(); });
  const post = (a: typeof app, body: unknown, header = true) => {
    const r = request(a).post('/api/hec/hits').set('Content-Type', 'application/json');
    return (header ? r.set('X-Lineage-Request', '1') : r).send(JSON.stringify(body));
  };

  it('says HEC is configured, without the token or URL', async () => {
    const r = await request(app).get('/api/hec');
    expect(r.body).toEqual({ configured: true, index: 'lineage', ack: false });
    expect(r.text).not.toContain(TOKEN);
  });

  it('sends the hits as events with the CIM fields and an absolute Lineage link', async () => {
    const r = await post(app, { hits: [HIT, { ...HIT, host: 'ws2.corp.example' }] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sent: 2, batches: 1, retries: 0, acknowledged: false });
    const rows = h.store.events().filter((x) => x.index === 'lineage');
    expect(rows.map((x) => x.dest).sort()).toEqual(['ws1.corp.example', 'ws2.corp.example']);
    expect(rows[0]).toMatchObject({ rule: 'lin-office-shell', severity: 'high', process_guid: HIT.chain[1], parent_process_guid: HIT.chain[0], process_name: 'cmd.exe', sourcetype: 'lineage:rule_hit', _time: '1772442004.000' });
    expect(String(rows[0]!.lineage_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?guid=/);
  });

  it('refuses without the header, bad hits, no source, no HEC; a HEC refusal is a 502 with its reason', async () => {
    const before = h.store.size;
    expect((await post(app, { hits: [HIT] }, false)).status).toBe(403);
    expect((await post(app, { hits: [] })).status).toBe(400);
    expect((await post(app, { hits: [{ ...HIT, chain: 'x' }] })).status).toBe(400);
    const noSource = createApp({ mode: 'splunk', version: 'test', sourceFor: () => null, hec: null });
    expect((await post(noSource, { hits: [HIT] })).status).toBe(401);
    const off = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source, hec: null });
    expect((await request(off).get('/api/hec')).body).toEqual({ configured: false, index: null, ack: false });
    expect((await post(off, { hits: [HIT] })).body.error.code).toBe('hec_not_configured');
    const wrong = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source, hec: hecConfig({ url: h.url, token: 'wrong-token' }) });
    const r = await post(wrong, { hits: [HIT] });
    expect(r.status).toBe(502);
    expect(r.body.error.message).toBe('batch 1/1: HEC refused the token: Invalid token (HEC code 4) — check LINEAGE_HEC_TOKEN');
    expect(h.store.size).toBe(before);
  });
});
