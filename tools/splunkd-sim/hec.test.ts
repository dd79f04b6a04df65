/**
 * The test server's HTTP Event Collector and ES notable_update, over raw HTTP: HEC's documented status
 * codes (token missing / malformed / unknown / disabled, no data, bad JSON, missing or blank event,
 * wrong index, busy, channel and ack), batches of concatenated events becoming searchable, and
 * notable_update's form parameters and capability check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from './index.js';

const CHANNEL = '0aecf3e4-3b49-4c3a-8e7f-1d7c3c0f8f11';

describe('HTTP Event Collector', () => {
  let h: SplunkdHandle;
  beforeAll(async () => {
    h = await startSplunkd({
      users: { admin: { password: 'changeme', roles: ['admin'] }, alice: { password: 'pw', roles: ['ess_analyst'] }, bob: { password: 'pw', roles: ['user'] } },
      hecTokens: {
        't-plain': { name: 'lineage', index: 'lineage' },
        't-ack': { name: 'lineage-ack', index: 'lineage', ack: true },
        't-off': { name: 'old', disabled: true },
      },
    });
  });
  afterAll(async () => { await h?.stop(); });

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${h.url}${path}`, { method: 'POST', body, headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const ev = (path: string, body: string, token = 't-plain', extra: Record<string, string> = {}) => post(path, body, { Authorization: `Splunk ${token}`, ...extra });

  it('answers the documented token errors', async () => {
    expect(await post('/services/collector/event', '{"event":"x"}')).toEqual({ status: 401, body: { text: 'Token is required', code: 2 } });
    expect(await post('/services/collector/event', '{"event":"x"}', { Authorization: 'Bearer' })).toEqual({ status: 401, body: { text: 'Invalid authorization', code: 3 } });
    expect(await ev('/services/collector/event', '{"event":"x"}', 'nope')).toEqual({ status: 403, body: { text: 'Invalid token', code: 4 } });
    expect(await ev('/services/collector/event', '{"event":"x"}', 't-off')).toEqual({ status: 403, body: { text: 'Token disabled', code: 1 } });
  });

  it('indexes a batch of concatenated events, searchable by their JSON fields', async () => {
    const body = '{"time":1700000000,"host":"h1","event":{"rule":"r1","dest":"h1"}}{"event":{"rule":"r2"}}\n{"event":"plain text","sourcetype":"custom"}';
    expect(await ev('/services/collector/event', body)).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(h.hec.batches.at(-1)).toBe(3);
    const rows = h.store.events().filter((r) => r.index === 'lineage');
    expect(rows.map((r) => r.rule ?? r._raw).sort()).toEqual(['plain text', 'r1', 'r2']);
    const r1 = rows.find((r) => r.rule === 'r1')!;
    expect(r1).toMatchObject({ _time: '1700000000.000', host: 'h1', source: 'http:lineage', sourcetype: 'httpevent', dest: 'h1' });
  });

  it('refuses bad data with its code and the bad event number, indexing none of the request', async () => {
    const before = h.store.size;
    expect(await ev('/services/collector/event', '  ')).toEqual({ status: 400, body: { text: 'No data', code: 5 } });
    expect(await ev('/services/collector/event', '{"event":"a"}{"event": nope}')).toEqual({ status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 } });
    expect(await ev('/services/collector/event', '{"event":"a"}{"host":"x"}')).toEqual({ status: 400, body: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 } });
    expect(await ev('/services/collector/event', '{"event":""}')).toEqual({ status: 400, body: { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': 0 } });
    expect(await ev('/services/collector/event', '{"event":"a","index":"main"}')).toEqual({ status: 400, body: { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 } });
    expect(h.store.size).toBe(before);
  });

  it('answers 503 code 9 while busy', async () => {
    h.hec.busy(1);
    expect(await ev('/services/collector/event', '{"event":"a"}')).toEqual({ status: 503, body: { text: 'Server is busy', code: 9 } });
    expect((await ev('/services/collector/event', '{"event":"a"}')).status).toBe(200);
  });

  it('acknowledgement: a channel is required, ack ids count up per channel, /ack reports indexing', async () => {
    expect(await ev('/services/collector/event', '{"event":"a"}', 't-ack')).toEqual({ status: 400, body: { text: 'Data channel is missing', code: 10 } });
    expect(await ev('/services/collector/event', '{"event":"a"}', 't-ack', { 'X-Splunk-Request-Channel': 'not-a-guid' })).toEqual({ status: 400, body: { text: 'Invalid data channel', code: 11 } });
    h.hec.ackAfterPolls = 1;
    const a0 = await ev('/services/collector/event', '{"event":"a"}', 't-ack', { 'X-Splunk-Request-Channel': CHANNEL });
    const a1 = await ev(`/services/collector/event?channel=${CHANNEL}`, '{"event":"b"}', 't-ack');
    expect([a0.body.ackId, a1.body.ackId]).toEqual([0, 1]);
    const ack = (ids: number[]) => ev('/services/collector/ack', JSON.stringify({ acks: ids }), 't-ack', { 'X-Splunk-Request-Channel': CHANNEL });
    expect((await ack([0, 1, 7])).body).toEqual({ acks: { 0: false, 1: false, 7: false } });
    expect((await ack([0, 1])).body).toEqual({ acks: { 0: true, 1: true } });
    expect(await ev('/services/collector/ack', '{"acks":[0]}', 't-plain', { 'X-Splunk-Request-Channel': CHANNEL })).toEqual({ status: 400, body: { text: 'ACK is disabled', code: 14 } });
  });

  it('notable_update takes repeated ruleUIDs as a form, checks the capability and its values', async () => {
    const basic = (u: string) => `Basic ${Buffer.from(`${u}:pw`).toString('base64')}`;
    const form = (u: string, p: string) => fetch(`${h.url}/services/notable_update`, { method: 'POST', body: p, headers: { Authorization: basic(u), 'Content-Type': 'application/x-www-form-urlencoded' } });
    const ok = await form('alice', 'ruleUIDs=A%40%40notable%40%401&ruleUIDs=B&comment=see+https%3A%2F%2Fl%2F%3Fguid%3D1&status=3');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ success: true, message: '2 events updated successfully', details: {}, failure_count: 0 });
    expect(h.review.records.map((r) => [r.rule_id, r.comment, r.status, r.user])).toEqual([['A@@notable@@1', 'see https://l/?guid=1', '3', 'alice'], ['B', 'see https://l/?guid=1', '3', 'alice']]);
    const denied = await form('bob', 'ruleUIDs=A&comment=x');
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('You (user=bob) do not have permission to perform this operation (requires capability: edit_notable_events).');
    expect((await form('alice', 'ruleUIDs=A&status=9')).status).toBe(400);
    expect((await form('alice', 'comment=x')).status).toBe(400);
    expect((await fetch(`${h.url}/services/notable_update`, { headers: { Authorization: basic('alice') } })).status).toBe(405);
    expect((await fetch(`${h.url}/services/notable_update`, { method: 'POST', body: 'ruleUIDs=A&comment=x' })).status).toBe(401);
    expect(h.review.records).toHaveLength(2);
  });
});
