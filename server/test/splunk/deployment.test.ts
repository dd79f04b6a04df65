/**
 * The adapter against Splunk as deployed (docs/splunk.md): Universal-Forwarder, FQDN-host and WEF
 * shaped data; job hygiene (every job deleted once read; a full disk quota shows Splunk's words);
 * partial results and queued jobs reported in Splunk's words.
 *
 * Facts from the T1202 capture (read off the file with grep): every event's Computer is
 * win-dc-emcginnis-47905-664.attackrange.local; cmd {…1B02…} has the pcalua children {…1D02…}, {…1F02…}.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { investigate } from '../../src/graph/investigate.js';
import { newContext } from '../../src/sources/event-source.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SessionStore } from '../../src/api/sessions.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { dataset, requireDatasets } from '../datasets.js';
import { loginSource } from './fixture.js';

const run = requireDatasets('Splunk as deployed');
const FILE = 'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';
const FQDN = 'win-dc-emcginnis-47905-664.attackrange.local';
const SHORT = 'win-dc-emcginnis-47905-664';
const CMD = '{9d1ed712-fffd-623d-1b02-000000003b02}';
const PCALUAS = ['{9d1ed712-fffd-623d-1d02-000000003b02}', '{9d1ed712-fffd-623d-1f02-000000003b02}'];

describe.runIf(run)('one machine, one identity: UF short host, FQDN host, WEF', () => {
  const shapes = [
    { name: 'Universal Forwarder (host = short name)', deployment: { host: 'short' as const }, source: undefined },
    { name: 'FQDN host', deployment: { host: 'fqdn' as const, sourcetype: 'legacy' as const }, source: undefined },
    { name: 'WEF (host = collector, ForwardedEvents)', deployment: { host: 'wef' as const, collector: 'wec01' }, source: 'XmlWinEventLog:ForwardedEvents' },
  ];
  for (const shape of shapes) {
    it(`${shape.name}: short host, FQDN and dest all find the process; the graph names the machine once`, async () => {
      const h = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)], deployment: shape.deployment } });
      try {
        for (const fieldStyle of ['raw', 'cim'] as const) {
          const src = await loginSource(h, { fieldStyle, ...(shape.source ? { source: shape.source } : {}) });
          for (const name of [SHORT, FQDN, FQDN.toUpperCase()]) {
            const [p] = await src.findSeeds({ guid: CMD, host: name }, { ctx: newContext(), limit: 5 });
            expect(p?.guid, `${fieldStyle} ${name}`).toBe(CMD);
            expect(p?.host).toBe(FQDN);
            const doc = await investigate(src, { guid: CMD, host: name, up: true, down: Infinity, events: true }, newContext());
            expect(new Set(doc.nodes.map((n) => n.host))).toEqual(new Set([FQDN]));
            expect(doc.nodes.map((n) => n.guid)).toEqual(expect.arrayContaining([CMD, ...PCALUAS]));
            // Counts come from the same machine name: cmd's process-access events are counted.
            expect(doc.nodes.find((n) => n.guid === CMD)?.eventCounts['process-access']).toBeGreaterThan(0);
          }
        }
        const ts = await loginSource(h, { tstats: true, ...(shape.source ? { source: shape.source } : {}) });
        const doc = await investigate(ts, { guid: CMD, host: SHORT, up: true, down: Infinity }, newContext());
        expect(doc.nodes.map((n) => n.guid)).toEqual(expect.arrayContaining([CMD, ...PCALUAS]));
        expect(doc.nodes.find((n) => n.guid === CMD)?.eventCounts['process-access']).toBeGreaterThan(0);
      } finally { await h.stop(); }
    });
  }
});

describe.runIf(run)('job hygiene and Splunk states', () => {
  let h: SplunkdHandle;
  beforeAll(async () => { h = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)] } }); });
  afterAll(async () => { await h?.stop(); });

  it('after 100 investigations no job (no artifact) of ours is left on the server', async () => {
    const src = await loginSource(h);
    let searches = 0;
    for (let i = 0; i < 100; i++) {
      const ctx = newContext();
      await investigate(src, { guid: i % 2 ? CMD : PCALUAS[0]!, host: i % 3 ? SHORT : null, up: true, down: Infinity, events: i % 5 === 0 }, ctx);
      searches += ctx.stats.searches;
    }
    expect(searches).toBeGreaterThanOrEqual(200);
    expect(h.jobs.all().filter((j) => j.owner === 'admin')).toEqual([]);
    expect(h.jobs.diskUsage('admin')).toBe(0);
  });

  it('a full disk quota answers with Splunk\'s own refusal, not retried, shown by the API', async () => {
    const store = new SessionStore({ ...resolveConfig({ url: h.url }), pollMs: 20, retryBaseMs: 20 });
    const app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
    const r = await request(app).post('/api/session').set('Content-Type', 'application/json').send({ username: 'admin', password: 'changeme' });
    const cookie = String(r.headers['set-cookie']?.[0]).split(';')[0]!;
    const old = h.jobSettings.diskQuotaBytes;
    h.jobSettings.diskQuotaBytes = 0;
    try {
      const before = h.requests.length;
      const res = await request(app).get(`/api/graph?guid=${encodeURIComponent(CMD)}&host=${SHORT}`).set('Cookie', cookie);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/role-based disk usage quota of search artifacts for user "admin" has been reached/);
      // The tree and the counts are dispatched together; each is refused once, neither is retried.
      const posts = h.requests.slice(before).filter((x) => x.method === 'POST' && /\/jobs\/?$/.test(x.path));
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(posts.length).toBeLessThanOrEqual(2);
    } finally {
      h.jobSettings.diskQuotaBytes = old;
      await store.closeAll();
    }
  });

  it('a DONE job with a warning (peer down) marks the graph partial, in Splunk\'s words', async () => {
    const src = await loginSource(h);
    h.faults.warnNextJob();
    const doc = await investigate(src, { guid: CMD, host: SHORT, up: true, down: Infinity }, newContext());
    expect(doc.stats.warnings).toEqual([expect.stringMatching(/Unable to distribute to peer named idx-02.*Search results might be incomplete!/)]);
    const clean = await investigate(src, { guid: CMD, host: SHORT, up: true, down: Infinity }, newContext());
    expect(clean.stats.warnings).toBeUndefined();
  });

  it('a job QUEUED behind the role\'s concurrency quota times out saying so, in Splunk\'s words', async () => {
    const src = await loginSource(h, { searchTimeoutMs: 600 });
    const hog = await loginSource(h);
    const oldQuota = h.jobSettings.quota;
    h.jobSettings.quota = 1;
    h.faults.stallNextJob();
    const stalled = hog.findSeeds({ guid: CMD }, { ctx: newContext(), limit: 1 }).catch((e: unknown) => e);
    try {
      await new Promise((r) => setTimeout(r, 100));
      const e = await src.findSeeds({ guid: CMD }, { ctx: newContext(), limit: 1 }).catch((x: unknown) => x as Error);
      expect((e as Error).message).toMatch(/still QUEUED by Splunk: The maximum number of concurrent historical searches/);
    } finally {
      h.jobSettings.quota = oldQuota;
      for (const j of h.runningJobs()) h.jobs.remove(j);
      await stalled;
    }
  });
});
