/**
 * Cancel during the ingest phase of an upload (docs/security.md "Uploads"): the client goes away
 * after it has seen two progress lines. What the store then holds must be exactly the batches
 * written before the cancel took effect (each batch is one store transaction: whole batches, never
 * part of one), the parser stops (no batch is written afterwards), the server's log line states the
 * number of events that stayed, that number is what the store holds, and the temp file is gone.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/errors.js';
import { uploadRouter } from '../../src/api/upload.js';
import { createLogger } from '../../src/app/logger.js';
import { EmbeddedStore } from '../../src/sources/embedded/index.js';

const EVENTS = 2000;
const BATCH = 100;

function body(): string {
  let s = '';
  for (let n = 1; n <= EVENTS; n++) {
    s += `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
      + `<EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>cancel-host</Computer></System><EventData>`
      + `<Data Name='UtcTime'>2024-05-01 10:00:00.000</Data><Data Name='ProcessGuid'>{5770385f-c22a-43e0-bf4c-${String(n).padStart(12, '0')}}</Data>`
      + `<Data Name='ProcessId'>${n}</Data><Data Name='Image'>C:\\x.exe</Data><Data Name='CommandLine'>x ${n}</Data></EventData></Event>\n`;
  }
  return s;
}

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'lineage-cancel-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an upload cancelled during its ingest', () => {
  it('keeps exactly the whole batches written before the cancel, writes none after it, and logs how many events stayed', async () => {
    const store = await EmbeddedStore.open(':memory:');
    const lines: Record<string, unknown>[] = [];
    const logSink = new Writable({ write(c: Buffer, _e, cb) { for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    const written: number[] = [];
    const app = express();
    app.locals.log = createLogger('info', logSink);
    app.use('/api', uploadRouter({
      // A store that takes 40 ms per batch, so the upload is still running when the client leaves.
      store: { writeEvents: async (b) => { await new Promise((r) => setTimeout(r, 40)); const r = await store.writeEvents(b); written.push(r.inserted); return r; } },
      tmpDir: dir, batchSize: BATCH,
    }));
    app.use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const text = body();
      const progress = await new Promise<number[]>((resolve, reject) => {
        const seen: number[] = [];
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload?name=c.xml', headers: { 'content-type': 'application/octet-stream', 'content-length': String(Buffer.byteLength(text)) } }, (res) => {
          let buf = '';
          res.on('data', (d: Buffer) => {
            buf += d.toString();
            for (const l of buf.split('\n').slice(0, -1)) {
              const m = JSON.parse(l) as { type: string; events?: number };
              if (m.type === 'progress' && !seen.includes(m.events!)) seen.push(m.events!);
              if (m.type === 'done') reject(new Error('the upload finished before the cancel'));
            }
            if (seen.length >= 2) { req.destroy(); resolve(seen); } // Cancel
          });
        });
        req.on('error', () => undefined);
        req.end(text);
      });
      expect(progress).toEqual([BATCH, 2 * BATCH]);
      // The server notices, lets a batch being written end, and stops.
      const stopped = (): Record<string, unknown> | undefined => lines.find((l) => /upload ingest stopped/.test(String(l.msg)));
      for (let i = 0; i < 100 && !stopped(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stopped()).toBeDefined();
      const afterStop = written.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(written.length).toBe(afterStop); // nothing written after the stop
      const stored = (await store.counts()).events;
      expect(stored).toBe(written.reduce((a, b) => a + b, 0));
      expect(stored % BATCH).toBe(0); // whole batches only
      expect(stored).toBeGreaterThanOrEqual(2 * BATCH); // what the client was told is stored…
      expect(stored).toBeLessThan(EVENTS); // …and the cancel cancelled the rest
      expect(stopped()).toMatchObject({ events: stored, msg: expect.stringMatching(/cancelled by the client/) });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      server.close();
      await store.close();
    }
  });
});
