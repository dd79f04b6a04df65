/**
 * splunk-protocol.md §8 items 21–27 (results, events, preview, post-process, export) through the
 * real splunk-sdk 2.0.2 client; export through fetch, since the SDK has no streaming API (§9.13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplunkd, type SplunkdHandle } from './index.js';
import { BASIC, raw, rejection, service, trackDone, type SdkService } from './sdk-client.js';
import type { Row } from './spl/values.js';

/** 50,010 events in index=big (more than one 50,000-row page) plus a few with multivalue fields. */
const BIG = 50_010;
function fixture(): Row[] {
  const rows: Row[] = Array.from({ length: BIG }, (_, i) => ({ _time: String(1_700_000_000 + i), index: 'big', host: 'h', _raw: `e${i}`, n: String(i) }));
  rows.push({ _time: '1700000000', index: 'small', host: 'a', _raw: 'x1', tag: ['p', 'q'], v: '1' });
  rows.push({ _time: '1700000001', index: 'small', host: 'b', _raw: 'x2', tag: 'q', v: '2' });
  return rows;
}

describe('§8 results (items 21–26)', () => {
  let h: SplunkdHandle;
  let svc: SdkService;
  beforeAll(async () => {
    h = await startSplunkd();
    h.store.addRows(fixture());
    svc = service(h);
    await svc.login();
  });
  afterAll(() => h.stop());

  it('21: count defaults to 100, 0 means all up to 50,000, larger counts are capped; offset may be negative', async () => {
    const job = await trackDone(await svc.jobs().create('search index=big | fields n', {}));
    expect(job.properties().resultCount).toBe(BIG);
    expect((await job.results({}))[0].rows).toHaveLength(100);
    const all = (await job.results({ count: 0 }))[0];
    expect(all.rows).toHaveLength(50_000);
    expect((await job.results({ count: 60_000 }))[0].rows).toHaveLength(50_000);
    // Newest first: the first row is the largest n; page 2 has the last 10 rows.
    const fields = all.fields as string[];
    const nAt = fields.indexOf('n');
    expect((all.rows as string[][])[0]![nAt]).toBe(String(BIG - 1));
    const page2 = (await job.results({ count: 50_000, offset: 50_000 }))[0];
    expect((page2.rows as string[][]).map((r) => r[nAt])).toEqual(Array.from({ length: 10 }, (_, i) => String(9 - i)));
    expect(page2.init_offset).toBe(50_000);
    const tail = (await job.results({ count: 3, offset: -3, output_mode: 'json' }))[0];
    expect((tail.results as { n: string }[]).map((r) => r.n)).toEqual(['2', '1', '0']);
    const ev = (await job.events({ count: 2, output_mode: 'json' }))[0];
    expect((ev.results as { _raw: string }[]).map((r) => r._raw)).toEqual([`e${BIG - 1}`, `e${BIG - 2}`]);
    // /events stops at max_count (REST default 10,000); a larger max_count on create lifts it.
    expect(job.properties().eventAvailableCount).toBe(10_000);
    expect((await job.events({ count: 10, offset: 9_995 }))[0].rows).toHaveLength(5);
    const wide = await trackDone(await svc.jobs().create('search index=big | fields n', { max_count: 500_000 }));
    expect(wide.properties().eventAvailableCount).toBe(BIG);
    expect((await wide.events({ count: 10, offset: 50_005 }))[0].rows).toHaveLength(5);
  });

  it('22: json payload: string values, multivalue arrays, fields objects with groupby_rank, highlighted, post_process_count', async () => {
    const job = await trackDone(await svc.jobs().create('search index=small | stats values(tag) as tag sum(v) as total by host', {}));
    const [data] = await job.results({ output_mode: 'json' });
    expect(data).toEqual({
      preview: false, init_offset: 0, messages: [],
      fields: [{ name: 'host', groupby_rank: '0' }, { name: 'tag' }, { name: 'total' }],
      results: [{ host: 'a', tag: ['p', 'q'], total: '1' }, { host: 'b', tag: 'q', total: '2' }],
      highlighted: {},
    });
    const [pp] = await job.results({ output_mode: 'json', search: 'search host=b' });
    expect(pp.post_process_count).toBe(1);
    expect(pp.results).toEqual([{ host: 'b', tag: 'q', total: '2' }]);
    const ev = await trackDone(await svc.jobs().create('search index=small', {}));
    const [events] = await ev.results({ output_mode: 'json', count: 1 });
    expect((events.results as Row[])[0]).toMatchObject({ _time: '2023-11-14T22:13:21.000+00:00', _raw: 'x2', index: 'small', _si: ['lineage-splunkd', 'small'] });
  });

  it('23/24: an empty result has no fields key in json, and fields:[] rows:[] in json_rows', async () => {
    const job = await trackDone(await svc.jobs().create('search index=small host=nobody', {}));
    const [json] = await job.results({ output_mode: 'json' });
    expect(json).toEqual({ preview: false, init_offset: 0, messages: [], results: [], highlighted: {} });
    const [rows] = await job.results({});
    expect(rows).toEqual({ preview: false, init_offset: 0, messages: [], fields: [], rows: [] });
  });

  it('json_cols and csv output modes', async () => {
    const job = await trackDone(await svc.jobs().create('search index=small | stats values(tag) as tag by host', {}));
    const [cols] = await job.results({ output_mode: 'json_cols' });
    expect(cols).toEqual({ preview: false, init_offset: 0, messages: [], fields: ['host', 'tag'], columns: [['a', 'b'], [['p', 'q'], 'q']] });
    const csv = await raw(h, `/services/search/v2/jobs/${job.sid}/results?output_mode=csv`, { headers: BASIC });
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text).toBe('host,tag\na,"p\nq"\nb,q\n');
    const bad = await rejection(job.results({ output_mode: 'yaml' }));
    expect(bad.status).toBe(400);
  });

  it('25: results of an unfinished job are 204; results_preview returns partial rows with preview:true', async () => {
    h.jobSettings.latency = { dispatchMs: 0, perEventMs: 0.02 }; // 50,010 events → 1 s
    try {
      const job = await svc.jobs().create('search index=big | stats count', {});
      await new Promise((r) => setTimeout(r, 300));
      const r = await raw(h, `/services/search/v2/jobs/${job.sid}/results?output_mode=json`, { headers: BASIC });
      expect(r.status).toBe(204);
      const [preview] = await job.preview({ output_mode: 'json' });
      expect(preview.preview).toBe(true);
      const partial = Number((preview.results as { count: string }[])[0]!.count);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(BIG);
      await trackDone(job);
      expect((await job.results({ output_mode: 'json' }))[0].results).toEqual([{ count: String(BIG) }]);
    } finally { h.jobSettings.latency = { dispatchMs: 0, perEventMs: 0 }; }
  });

  it('26: a v2 post-process search with a risky command is 403 unless check_risky_command=false', async () => {
    const job = await trackDone(await svc.jobs().create('search index=small', {}));
    const err = await rejection(job.results({ output_mode: 'json', search: '| delete' }));
    expect(err.status).toBe(403);
    const off = await rejection(job.results({ output_mode: 'json', search: '| delete', check_risky_command: false }));
    // With the check off, splunkd would run it; the emulator refuses the command itself (400), never silently.
    expect(off.status).toBe(400);
  });
});

describe('§8 export (item 27)', () => {
  let h: SplunkdHandle;
  beforeAll(async () => {
    h = await startSplunkd();
    h.store.addRows(fixture().slice(-2).concat(Array.from({ length: 500 }, (_, i) => ({ _time: String(1_700_000_000 + i), index: 'mid', _raw: `m${i}`, n: String(i) }))));
  });
  afterAll(() => h.stop());

  async function exportLines(body: string): Promise<{ lines: Record<string, unknown>[]; chunks: number; type: string }> {
    const res = await fetch(`${h.url}/services/search/v2/jobs/export?output_mode=json`, { method: 'POST', headers: { ...BASIC, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) { chunks++; text += decoder.decode(c, { stream: true }); }
    return { lines: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>), chunks, type: res.headers.get('content-type') ?? '' };
  }

  it('streams NDJSON with offset, lastrow and a trailing {"preview":false,"lastrow":true}', async () => {
    const { lines, chunks, type } = await exportLines('search=search index%3Dmid | fields n');
    expect(type).toBe('application/json; charset=UTF-8');
    expect(lines).toHaveLength(501);
    expect(lines[0]).toEqual({ preview: false, offset: 0, result: { n: '499', _time: '2023-11-14T22:21:39.000+00:00', _raw: 'm499' } });
    expect(lines[499]).toMatchObject({ preview: false, offset: 499, lastrow: true });
    expect(lines[500]).toEqual({ preview: false, lastrow: true });
    expect(chunks).toBeGreaterThan(1);
    expect(h.received.at(-1)).toMatchObject({ spl: 'search index=mid | fields n', endpoint: '/services/search/v2/jobs/export' });
    // Export leaves no job behind.
    expect(h.jobs.all()).toHaveLength(0);
  });

  it('transforming searches stream preview rows first when the job takes time', async () => {
    h.jobSettings.latency = { dispatchMs: 0, perEventMs: 0.6 };
    try {
      const { lines } = await exportLines('search=search index%3Dmid | stats count');
      expect(lines.some((l) => l.preview === true)).toBe(true);
      expect(lines.filter((l) => l.preview === false && l.result)).toEqual([{ preview: false, offset: 0, lastrow: true, result: { count: '500' } }]);
    } finally { h.jobSettings.latency = { dispatchMs: 0, perEventMs: 0 }; }
  });

  it('can inject a mid-stream FATAL messages line', async () => {
    h.faults.exportFatalAfter(3);
    const { lines } = await exportLines('search=search index%3Dmid');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual({ preview: false, messages: [{ type: 'FATAL', text: 'Search auto-canceled' }] });
  });

  it('splunk-sdk can read export only as one buffered string (§9.13)', async () => {
    const svc = service(h);
    await svc.login();
    const res = await svc.post('search/v2/jobs/export', { search: 'search index=mid | head 2 | fields n', output_mode: 'json' });
    expect(typeof res.data).toBe('string');
    expect((res.data as string).trim().split('\n')).toHaveLength(3);
  });
});
