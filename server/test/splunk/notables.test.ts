/**
 * ES notables (index=notable) → Lineage notables mapped to their processes: by GUID field when the
 * correlation search output one, else by host + time + process name (one search for all of them).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { newContext } from '../../src/sources/event-source.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SessionStore } from '../../src/sources/splunk/sessions.js';
import { dataset, requireDatasets } from '../datasets.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { loginSource } from './fixture.js';

const run = requireDatasets('Splunk notables');
const FILE = 'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';
const HOST = 'win-dc-emcginnis-47905-664.attackrange.local';

// Process starts in the capture (UtcTime): pcalua 1D02 at 17:46:37.480, pcalua 1F02 at .576,
// forfiles 2302 at .787, cmd 2102 at .753.
const NOTABLES = [
  { event_id: 'n1', rule_name: 'Indirect command execution via pcalua', urgency: 'high', dest: HOST, process_guid: '{9D1ED712-FFFD-623D-1D02-000000003B02}', _time: '2022-03-25T17:46:40Z' },
  { event_id: 'n2', rule_name: 'Forfiles execution', severity: 'medium', dest: HOST.toUpperCase(), process_name: 'forfiles.exe', _time: '2022-03-25T17:46:38Z' },
  { event_id: 'n3', rule_name: 'pcalua between the two', urgency: 'low', dest: HOST, process: 'C:\\Windows\\System32\\pcalua.exe -a calc.exe', _time: '2022-03-25T17:46:37.550Z' },
  { event_id: 'n4', rule_name: 'Originating GUID only', dest: HOST, orig_process_guid: '{9D1ED712-FFFD-623D-2102-000000003B02}', _time: '2022-03-25T17:46:39Z' },
  { event_id: 'n5', rule_name: 'No process at all', dest: 'other-host', _time: '2022-03-25T17:46:36Z' },
];

describe.runIf(run)('Splunk ES notables', () => {
  let splunkd: SplunkdHandle;
  beforeAll(async () => { splunkd = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)], notables: NOTABLES } }); });
  afterAll(async () => { await splunkd?.stop(); });

  it('maps each notable to its process, newest first, in 2 searches', async () => {
    const src = await loginSource(splunkd);
    const ctx = newContext();
    const got = await src.notables({ ctx, limit: 50 });
    expect(got.map((n) => [n.id, n.guid, n.host])).toEqual([
      ['n1', '{9d1ed712-fffd-623d-1d02-000000003b02}', HOST],
      ['n4', '{9d1ed712-fffd-623d-2102-000000003b02}', HOST],
      ['n2', '{9d1ed712-fffd-623d-2302-000000003b02}', HOST],
      ['n3', '{9d1ed712-fffd-623d-1d02-000000003b02}', HOST],
      ['n5', null, 'other-host'],
    ]);
    expect(got[0]).toMatchObject({ title: 'Indirect command execution via pcalua', severity: 'high', source: 'splunk-es', time: '2022-03-25T17:46:40.000Z' });
    expect(got.find((n) => n.id === 'n2')?.image).toBe('C:\\Windows\\System32\\forfiles.exe');
    expect(ctx.stats.searches).toBe(2);
  });

  it('serves /api/notables to a logged-in analyst', async () => {
    const store = new SessionStore({ ...resolveConfig({ url: splunkd.url }), pollMs: 20 });
    const app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
    const r = await request(app).post('/api/session').set('Content-Type', 'application/json').send({ username: 'admin', password: 'changeme' });
    const cookie = String(r.headers['set-cookie']?.[0]).split(';')[0]!;
    const res = await request(app).get('/api/notables?limit=2').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual(['n1', 'n4']);
    await store.closeAll();
  });
});
