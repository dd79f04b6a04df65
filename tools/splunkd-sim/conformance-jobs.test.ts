/**
 * splunk-protocol.md §8 items 12–20 (search jobs) through the real splunk-sdk 2.0.2 client:
 * create/oneshot, 400s, the job entry, the state walk, FAILED jobs, quota, 404s, control actions,
 * DELETE, TTL and auto_cancel.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from './index.js';
import { BASIC, raw, rejection, service, trackDone, type SdkJob, type SdkService } from './sdk-client.js';
import type { Row } from './spl/values.js';

/** 250 events in index=main, hosts h0..h4, n = 0..249, newest first by n. */
const ROWS: Row[] = Array.from({ length: 250 }, (_, i) => ({ _time: String(1_700_000_000 + i), index: 'main', host: `h${i % 5}`, _raw: `event ${i}`, n: String(i) }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('§8 jobs (items 12–20)', () => {
  let h: SplunkdHandle;
  let svc: SdkService;
  beforeAll(async () => {
    h = await startSplunkd();
    h.store.addRows(ROWS.map((r) => ({ ...r })));
    svc = service(h);
    await svc.login();
  });
  afterAll(() => h.stop());
  afterEach(() => {
    // Settings a test changed go back to the defaults.
    Object.assign(h.jobSettings, { walkPolls: 0, first204: false, quota: 3, quotaMode: 'queue', defaultTtlSec: 600, latency: { dispatchMs: 0, perEventMs: 0 } });
    for (const j of h.runningJobs()) h.jobs.remove(j);
  });

  it('12: create answers 201 {sid}; id is honoured; blocking returns after completion', async () => {
    const r = await raw(h, '/services/search/v2/jobs?output_mode=json', { body: 'search=search index%3Dmain&id=my_sid-1', headers: BASIC });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text)).toEqual({ sid: 'my_sid-1' });
    const tooLong = await raw(h, '/services/search/v2/jobs?output_mode=json', { body: `search=search+x&id=${'a'.repeat(151)}`, headers: BASIC });
    expect(tooLong.status).toBe(400);
    h.jobSettings.latency.dispatchMs = 150;
    const t = Date.now();
    const b = await raw(h, '/services/search/jobs?output_mode=json', { body: 'search=search index%3Dmain&exec_mode=blocking', headers: BASIC });
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    const job = await svc.getJob(JSON.parse(b.text).sid as string);
    expect(job.properties()).toMatchObject({ dispatchState: 'DONE', isDone: true, resultCount: 250 });
  });

  it('12: oneshot honours count, offset, f and output_mode', async () => {
    const data = await svc.oneshotSearch('search index=main | sort 0 n', { output_mode: 'json', count: 3, offset: 2, f: 'n' });
    expect(data.results).toEqual([{ n: '2' }, { n: '3' }, { n: '4' }]);
    const rows = await svc.oneshotSearch('search index=main | stats count by host', {});
    expect(rows).toEqual({ preview: false, init_offset: 0, messages: [], fields: ['host', 'count'], rows: [['h0', '50'], ['h1', '50'], ['h2', '50'], ['h3', '50'], ['h4', '50']] });
  });

  it('13: invalid SPL and a missing search are 400 with a FATAL message', async () => {
    const err = await rejection(svc.jobs().create('search index=main | nosuchcommand', {}));
    expect(err.status).toBe(400);
    expect(err.data).toEqual({ messages: [{ type: 'FATAL', text: "Unknown search command 'nosuchcommand'." }] });
    const missing = await raw(h, '/services/search/jobs?output_mode=json', { body: 'exec_mode=normal', headers: BASIC });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).messages[0].type).toBe('FATAL');
    expect(h.received.at(-1)).toMatchObject({ spl: 'search index=main | nosuchcommand', error: "Unknown search command 'nosuchcommand'." });
    const badTime = await rejection(svc.jobs().create('search index=main', { earliest_time: 'yesterday' }));
    expect(badTime.status).toBe(400);
    expect(badTime.data).toEqual({ messages: [{ type: 'FATAL', text: "Invalid earliest_time: 'yesterday'." }] });
  });

  it('14: the job entry has the §2.4 shape', async () => {
    const spl = 'search index=main n=1* | head 5';
    const job = await trackDone(await svc.jobs().create(spl, { earliest_time: '0', auto_cancel: 60 }));
    const r = JSON.parse((await raw(h, `/services/search/v2/jobs/${job.sid}?output_mode=json`, { headers: BASIC })).text);
    expect(r.generator).toEqual({ build: expect.any(String), version: '9.2.1' });
    expect(r.paging).toEqual({ total: 1, perPage: 0, offset: 0 });
    const e = r.entry[0];
    expect(e.name).toBe(spl);
    expect(e.links.results).toBe(`/services/search/v2/jobs/${job.sid}/results`);
    expect(e.content).toMatchObject({
      sid: job.sid, dispatchState: 'DONE', isDone: true, isFailed: false, isFinalized: false, isPaused: false, isZombie: false,
      doneProgress: 1, resultCount: 5, eventCount: 5, ttl: 600, defaultTTL: '600', defaultSaveTTL: '604800', search: spl,
      messages: [], request: { search: spl, earliest_time: '0', auto_cancel: '60' }, runtime: { auto_cancel: '60', auto_pause: '0' },
    });
    // n=1* matches 1, 10–19, 100–199 = 111 events; head 5 keeps the 5 newest.
    expect(e.content.eventSearch).toBe('search index=main n=1*');
    expect(e.content.reportSearch).toBe('head 5');
    expect(e.acl).toMatchObject({ owner: 'admin', ttl: '600' });
  });

  it('14: without output_mode the job entry is Atom XML with typed s:key values', async () => {
    const job = await trackDone(await svc.jobs().create('search index=main | head 2', {}));
    const r = await raw(h, `/services/search/jobs/${job.sid}`, { headers: BASIC });
    expect(r.type).toMatch(/^text\/xml/);
    expect(r.text).toContain('<title>search index=main | head 2</title>');
    expect(r.text).toContain('<s:key name="dispatchState">DONE</s:key>');
    expect(r.text).toContain('<s:key name="isDone">1</s:key>');
    expect(r.text).toContain(`<s:key name="sid">${job.sid}</s:key>`);
  });

  it('15: the state walks QUEUED → PARSING → RUNNING → DONE over polls; the first poll may be 204', async () => {
    Object.assign(h.jobSettings, { walkPolls: 1, first204: true });
    const job = await svc.jobs().create('search index=main', {});
    const seen: unknown[] = [];
    await new Promise((resolve, reject) => {
      void job.track({ period: 5 }, {
        progress: ((j: SdkJob) => { seen.push(j.properties().dispatchState); }) as (a: never) => unknown,
        done: resolve as (a: never) => unknown, failed: reject as (a: never) => unknown, error: reject as (a: never) => unknown,
      });
    });
    const polls = h.requests.filter((r) => r.path === `/services/search/v2/jobs/${job.sid}/`);
    expect(polls[0]!.status).toBe(204);
    // The 204 poll makes track() report ready/progress with empty properties (§9 pitfall 11).
    expect(seen).toEqual([undefined, 'RUNNING', 'DONE']);
    // The states before ready are seen through fetch (track only reports progress once ready).
    const walk: unknown[] = [];
    const j2 = await svc.jobs().create('search index=main', {});
    for (let i = 0; i < 6; i++) { const f = await j2.fetch(); walk.push(f.properties().dispatchState); }
    expect(walk).toEqual([undefined, 'QUEUED', 'PARSING', 'RUNNING', 'DONE', 'DONE']);
  });

  it('16: a failed job is FAILED, isDone, isFailed, with FATAL messages; results carry them', async () => {
    h.faults.failNextJob('Error in search peer: boom');
    const job = await svc.jobs().create('search index=main', {});
    const failed = await trackDone(job).then(() => null, (j: SdkJob) => j);
    expect(failed!.properties()).toMatchObject({ dispatchState: 'FAILED', isDone: true, isFailed: true, messages: [{ type: 'FATAL', text: 'Error in search peer: boom' }] });
    const [data] = await job.results({ output_mode: 'json' });
    expect(data).toMatchObject({ results: [], messages: [{ type: 'FATAL', text: 'Error in search peer: boom' }] });
  });

  it('17: beyond the per-user quota jobs stay QUEUED until a slot frees; reject mode answers 503', async () => {
    h.jobSettings.quota = 2;
    h.faults.stallNextJob();
    h.faults.stallNextJob();
    const a = await svc.jobs().create('search index=main', {});
    const b = await svc.jobs().create('search index=main', {});
    const c = await svc.jobs().create('search index=main', {});
    expect((await a.fetch()).properties().dispatchState).toMatch(/PARSING|RUNNING/);
    expect((await c.fetch()).properties().dispatchState).toBe('QUEUED');
    await a.cancel();
    expect((await trackDone(c)).properties().resultCount).toBe(250);
    h.jobSettings.quotaMode = 'reject';
    h.faults.stallNextJob();
    await svc.jobs().create('search index=main', {});
    const err = await rejection(svc.jobs().create('search index=main', {}));
    expect(err.status).toBe(503);
    expect((err.data as { messages: { text: string }[] }).messages[0]!.text).toMatch(/maximum number of concurrent historical searches/);
    await b.cancel();
  });

  it('18: unknown, cancelled and deleted sids are 404', async () => {
    const err = await rejection(svc.getJob('1234.567'));
    expect(err.status).toBe(404);
    expect(err.data).toEqual({ messages: [{ type: 'FATAL', text: 'Unknown sid.' }] });
    const job = await trackDone(await svc.jobs().create('search index=main', {}));
    await job.remove();
    expect((await rejection(job.fetch())).status).toBe(404);
  });

  it('19: control actions: pause/unpause/finalize/touch/setttl/setpriority/preview; cancel and DELETE answer INFO', async () => {
    h.jobSettings.latency = { dispatchMs: 0, perEventMs: 4 }; // 250 events → 1 s
    const job = await svc.jobs().create('search index=main | stats count', {});
    await job.pause();
    expect((await job.fetch()).properties()).toMatchObject({ dispatchState: 'PAUSED', isPaused: true });
    await job.unpause();
    await job.setPriority(7);
    await job.setTTL(1234);
    await job.disablePreview();
    let p = (await job.fetch()).properties();
    expect(p).toMatchObject({ priority: 7, ttl: 1234, isPreviewEnabled: false, isDone: false });
    await job.enablePreview();
    await job.touch();
    await sleep(200);
    await job.finalize();
    p = (await job.fetch()).properties();
    expect(p).toMatchObject({ dispatchState: 'DONE', isDone: true, isFinalized: true });
    // Finalized early: the count covers only the events scanned so far.
    const [data] = await job.results({ output_mode: 'json' });
    const count = Number((data.results as { count: string }[])[0]!.count);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(250);
    const c = await svc.jobs().create('search index=main', {});
    expect((await c.cancel()).data).toEqual({ messages: [{ type: 'INFO', text: 'Search job cancelled.' }] });
    const d = await svc.jobs().create('search index=main', {});
    const del = await raw(h, `/services/search/v2/jobs/${d.sid}?output_mode=json`, { method: 'DELETE', headers: BASIC });
    expect(JSON.parse(del.text)).toEqual({ messages: [{ type: 'INFO', text: 'Search job cancelled.' }] });
  });

  it('20: a done job expires after its ttl without polls; polls refresh it; auto_cancel kills an idle running job', async () => {
    h.jobSettings.defaultTtlSec = 0.3;
    const idle = await trackDone(await svc.jobs().create('search index=main', {}));
    const polled = await trackDone(await svc.jobs().create('search index=main', {}));
    for (let i = 0; i < 4; i++) { await sleep(120); await polled.fetch(); }
    expect((await rejection(idle.fetch())).status).toBe(404);
    expect((await polled.fetch()).properties().isDone).toBe(true);
    h.faults.stallNextJob();
    const orphan = await svc.jobs().create('search index=main', { auto_cancel: 0.2 });
    expect(h.runningJobs().map((j) => j.sid)).toContain(orphan.sid);
    await sleep(350);
    expect(h.runningJobs().map((j) => j.sid)).not.toContain(orphan.sid);
  });

  it('lists jobs on GET search/jobs as Splunk does (feed with paging, search filter)', async () => {
    const mine = await trackDone(await svc.jobs().create('search index=main n=42', {}));
    const jobs = await svc.jobs().fetch();
    expect(jobs.list().map((j) => j.sid)).toContain(mine.sid);
    const r = JSON.parse((await raw(h, '/services/search/jobs?output_mode=json&count=1&search=n%3D42', { headers: BASIC })).text);
    expect(r.paging).toMatchObject({ perPage: 1, offset: 0 });
    expect(r.entry).toHaveLength(1);
    expect(r.entry[0].content.sid).toBe(mine.sid);
    const atom = await raw(h, '/services/search/jobs?count=0', { headers: BASIC });
    expect(atom.type).toMatch(/^text\/xml/);
    expect(atom.text).toContain(`<s:key name="sid">${mine.sid}</s:key>`);
    expect(atom.text).toMatch(/<opensearch:totalResults>\d+<\/opensearch:totalResults>/);
  });
});
