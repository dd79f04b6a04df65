/**
 * POST /api/upload end to end over HTTP: a real capture streamed into a real EmbeddedStore (DuckDB in
 * a temp dir), the NDJSON progress/report stream, duplicates on re-upload, other channels skipped,
 * damaged files reported, limits answered with 413, Splunk mode with 409, temp files removed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadMessageSchema, type UploadMessage, type UploadReport } from '@lineage/shared';
import { dataset, requireDatasets } from '../../test/datasets.js';
import { newContext } from '../sources/event-source.js';
import { EmbeddedSource } from '../sources/embedded/source.js';
import { EmbeddedStore } from '../sources/embedded/store.js';
import { errorHandler } from './errors.js';
import { uploadRouter } from './upload.js';

const run = requireDatasets('upload API');
const CAPATTACK = 'splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx';
const MALDOC = 'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/Other/maldoc_mshta_via_shellbrowserwind_rundll32.evtx';

function appWith(store: EmbeddedStore | null, tmpDir: string, maxBytes?: number): express.Express {
  const app = express();
  app.use(express.json({ limit: '1mb' })); // as in createApp: uploads must not be swallowed by it
  app.use('/api', uploadRouter({ store, tmpDir, maxBytes, batchSize: 100 }));
  app.use(errorHandler);
  return app;
}

function messages(text: string): UploadMessage[] {
  return text.split('\n').filter(Boolean).map((l) => UploadMessageSchema.parse(JSON.parse(l)));
}

function reportOf(ms: UploadMessage[]): UploadReport {
  const done = ms.at(-1);
  if (done?.type !== 'done') throw new Error(`no report: ${JSON.stringify(ms.at(-1))}`);
  return done.report;
}

async function upload(app: express.Express, bytes: Buffer, name: string) {
  const res = await request(app).post('/api/upload').query({ name }).set('content-type', 'application/octet-stream')
    .buffer(true).parse((r, cb) => { let s = ''; r.setEncoding('utf8'); r.on('data', (d: string) => { s += d; }); r.on('end', () => cb(null, s)); })
    .send(bytes);
  return { status: res.status, type: res.headers['content-type'] as string, body: res.body as string };
}

describe.runIf(run)('POST /api/upload (embedded)', () => {
  let dir = '';
  let tmp = '';
  let store: EmbeddedStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-upload-test-'));
    tmp = join(dir, 'tmp');
    await import('node:fs').then((fs) => fs.mkdirSync(tmp));
    store = await EmbeddedStore.open(join(dir, 'db.duckdb'));
  });
  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams an .evtx into the store and answers with progress, then the report; a re-upload is all duplicates', async () => {
    const bytes = readFileSync(dataset(CAPATTACK));
    const app = appWith(store, tmp);
    const first = await upload(app, bytes, 'Microsoft-Windows-Sysmon%4Operational.evtx');
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/application\/x-ndjson/);
    const ms = messages(first.body);
    expect(ms[0]).toEqual({ type: 'received', bytes: 1118208 });
    const progress = ms.filter((m) => m.type === 'progress');
    // 429 events in batches of 100 → five store writes, running totals.
    expect(progress.map((m) => m.type === 'progress' && m.events)).toEqual([100, 200, 300, 400, 429]);
    expect(reportOf(ms)).toEqual({
      file: 'Microsoft-Windows-Sysmon%4Operational.evtx', bytes: 1118208, events: 429, duplicates: 0, skipped: 0, rejected: [], rejectedTotal: 0,
      // A copy of a live log: its header says dirty and still lists one chunk (13 are read).
      warnings: [
        { offset: 0, reason: expect.stringMatching(/^file header marked dirty/) },
        { offset: 0, reason: 'file header lists 1 chunks; 13 found' },
      ],
      warningsTotal: 2,
    });
    expect((await store.counts()).events).toBe(429);
    // The procdump chain is queryable: procdump64.exe's parent is procdump.exe.
    const src = new EmbeddedSource(store);
    const [pd64] = await src.findSeeds({ image: 'procdump64.exe' }, { ctx: newContext(), limit: 5 });
    expect(pd64).toBeDefined();
    const [parent] = await src.getProcesses([pd64!.parentGuid!], { ctx: newContext() });
    expect(parent!.name).toBe('procdump.exe');

    const again = reportOf(messages((await upload(app, bytes, 'copy.evtx')).body));
    expect(again).toMatchObject({ file: 'copy.evtx', events: 0, duplicates: 429 });
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('counts records of other channels as skipped (maldoc: 5 Sysmon + 6 Security)', async () => {
    const report = reportOf(messages((await upload(appWith(store, tmp), readFileSync(dataset(MALDOC)), 'maldoc.evtx')).body));
    expect(report).toMatchObject({ events: 5, duplicates: 0, skipped: 6, rejectedTotal: 0 });
  });

  it('reports what a truncated .evtx lost, with byte offsets, and stores what it could read', async () => {
    const bytes = readFileSync(dataset(CAPATTACK)).subarray(0, 4096 + 65536 + 30000);
    const report = reportOf(messages((await upload(appWith(store, tmp), bytes, 'cut.evtx')).body));
    // Chunk 0 (54 records) and the records of chunk 1 that end before the cut: all already stored above.
    expect(report.events).toBe(0);
    expect(report.duplicates).toBeGreaterThan(54);
    expect(report.rejectedTotal).toBe(1);
    expect(report.rejected[0]!.reason).toMatch(/file truncated at 0x18530/);
  });

  it('reports reader warnings (a chunk checksum mismatch, with chunk and offset) apart from rejections; every record is read', async () => {
    const bytes = Buffer.from(readFileSync(dataset(CAPATTACK)));
    const chunk3 = 4096 + 3 * 65536;
    bytes[chunk3 + 124] = bytes[chunk3 + 124]! ^ 0xff; // chunk 3's header checksum
    const report = reportOf(messages((await upload(appWith(store, tmp), bytes, 'damaged.evtx')).body));
    expect(report).toMatchObject({ events: 0, duplicates: 429, rejectedTotal: 0, warningsTotal: 3 });
    expect(report.warnings).toContainEqual({ chunk: 3, offset: chunk3, reason: 'chunk 3 at 0x31000: header checksum mismatch; records found by scanning' });
  });

  it('a file that is no event format is reported, not stored', async () => {
    const report = reportOf(messages((await upload(appWith(store, tmp), Buffer.from('hello\nworld\n'), 'notes.txt')).body));
    expect(report).toMatchObject({ events: 0, rejectedTotal: 1 });
    expect(report.rejected[0]!.reason).toMatch(/unsupported format/);
  });

  it('answers 413 with a clear message above the limit (declared length), before storing anything', async () => {
    const before = (await store.counts()).events;
    const res = await request(appWith(store, tmp, 1000)).post('/api/upload').query({ name: 'big.evtx' })
      .set('content-type', 'application/octet-stream').send(Buffer.alloc(5000));
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'too_large', message: expect.stringMatching(/^big\.evtx \(5000 bytes\) is larger than the upload limit of 1000 bytes/) });
    expect((await store.counts()).events).toBe(before);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('answers 413 for a chunked body that grows past the limit, and removes the partial temp file', async () => {
    const app = appWith(store, tmp, 100_000);
    const server: Server = await new Promise((res) => { const s = app.listen(0, '127.0.0.1', () => res(s)); });
    try {
      const port = (server.address() as { port: number }).port;
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload?name=stream.evtx', headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
          let s = '';
          res.on('data', (d: Buffer) => { s += d.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
        });
        req.on('error', reject);
        for (let i = 0; i < 30; i++) req.write(Buffer.alloc(8192, 1));
        req.end();
      });
      expect(status).toBe(413);
      expect(JSON.parse(body).error.message).toMatch(/larger than the upload limit of 100000 bytes/);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('without an embedded store (Splunk mode) uploads answer 409; the limit is published', async () => {
    const app = appWith(null, tmp, 12345);
    const res = await request(app).post('/api/upload').set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('upload_unavailable');
    expect((await request(app).get('/api/upload/limits')).body).toEqual({ maxBytes: 12345 });
  });

  it('an empty body is refused with 400', async () => {
    const res = await request(appWith(store, tmp)).post('/api/upload').set('content-type', 'application/octet-stream').send(Buffer.alloc(0));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('empty_upload');
    expect(statSync(tmp).isDirectory()).toBe(true);
  });
});
