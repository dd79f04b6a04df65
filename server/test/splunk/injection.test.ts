/**
 * SPL injection end to end: ≥ 200 hostile values sent through the HTTP API as image / command-line /
 * host search terms. Each is either refused with 400, or every SPL string the test server received for
 * it holds the value inside exactly one quoted term and has the same structure as a benign search.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { splunkSourceFor } from '../../src/api/session.js';
import { resolveConfig } from '../../src/sources/splunk/config.js';
import { SessionStore } from '../../src/api/sessions.js';
import { dataset, requireDatasets } from '../datasets.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { hostileCorpus, lexSpl, skeleton } from './hostile.js';

const run = requireDatasets('Splunk SPL injection');
const FILE = 'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';

describe.runIf(run)('hostile search values through the API', () => {
  let splunkd: SplunkdHandle;
  let store: SessionStore;
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  const corpus = hostileCorpus();

  beforeAll(async () => {
    splunkd = await startSplunkd({ data: { sysmonFiles: [dataset(FILE)] } });
    store = new SessionStore({ ...resolveConfig({ url: splunkd.url }), pollMs: 10 });
    app = createApp({ mode: 'splunk', version: 'test', sourceFor: splunkSourceFor(store), sessions: store });
    const r = await request(app).post('/api/session').set('Content-Type', 'application/json').send({ username: 'admin', password: 'changeme' });
    cookie = String(r.headers['set-cookie']?.[0]).split(';')[0]!;
  });
  afterAll(async () => { await store?.closeAll(); await splunkd?.stop(); });

  /** Run one API search; return 'rejected' (400) or the SPL strings splunkd received for it. */
  async function send(param: 'image' | 'q' | 'host', value: string): Promise<'rejected' | string[]> {
    const before = splunkd.received.length;
    const r = await request(app).get('/api/search').query({ [param]: value }).set('Cookie', cookie);
    // 400 from validation; 431 when Node refuses an over-long URL before any route runs.
    if (r.status === 400 || r.status === 431) {
      expect(splunkd.received.length, 'a refused value must not reach splunkd').toBe(before);
      return 'rejected';
    }
    expect(r.status, `${param}=${JSON.stringify(value).slice(0, 80)} → ${JSON.stringify(r.body).slice(0, 200)}`).toBe(200);
    return splunkd.received.slice(before).map((x) => x.spl);
  }

  it.each([
    ['image', (v: string) => `*${v}*`],
    ['q', (v: string) => `*${v}*`],
  ] as const)('%s: refused with 400 or one quoted term in the SPL splunkd received', async (param, content) => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    const benign = await send(param, 'benign');
    expect(benign).not.toBe('rejected');
    const benignSkeleton = skeleton((benign as string[])[0]!, (c) => c === content('benign'));
    let quoted = 0;
    for (const v of corpus) {
      const got = await send(param, v);
      if (got === 'rejected') continue;
      quoted++;
      expect(got.length).toBeGreaterThan(0);
      const spl = got[0]!;
      expect(lexSpl(spl).filter((t) => t.quoted && t.value === content(v)), spl.slice(0, 300)).toHaveLength(1);
      expect(skeleton(spl, (c) => c === content(v))).toBe(benignSkeleton);
    }
    expect(quoted).toBeGreaterThan(100);
  });

  it('host: refused with 400 or a plain host name inside quoted terms', async () => {
    // A machine is matched as named, and by its FQDN / short-name counterpart (`name.*` or the first label).
    const machineTerms = (spl: string) => {
      const t = lexSpl(spl);
      return t.filter((x, k) => k >= 2 && t[k - 2]!.value === 'Computer' && t[k - 1]!.value === '=' && x.quoted).map((x) => x.value);
    };
    const isUser = (h: string) => (c: string) => c === h || c === `${h}.*` || c === h.split('.')[0];
    const benignShort = skeleton(((await send('host', 'benign')) as string[])[0]!, isUser('benign'));
    const benignFqdn = skeleton(((await send('host', 'benign.corp')) as string[])[0]!, isUser('benign.corp'));
    for (const v of corpus) {
      const got = await send('host', v);
      if (got === 'rejected') continue;
      const spl = got[0]!;
      const [h, ...rest] = machineTerms(spl);
      expect(h).toMatch(/^[a-z0-9._:-]+$/);
      for (const r of rest) expect(r).toMatch(/^[a-z0-9_-]+(\.\*)?$/);
      if (h!.includes(':') || /^[\d.]+$/.test(h!)) continue;
      expect(skeleton(spl, isUser(h!))).toBe(h!.includes('.') ? benignFqdn : benignShort);
    }
  });
});
