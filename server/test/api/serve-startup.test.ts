/**
 * `lineage serve` start-up and limits (docs/security.md): the one config schema, loopback bind by
 * default and a warning naming what `--host` exposes, TLS, the store-lock message printed once while
 * serve waits, crashed runs' temp files removed, per-request deadlines that reach the source, the
 * concurrency limit (503 + Retry-After), and the upload limit with Cancel storing nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import express from 'express';
import { errorHandler } from '../../src/api/errors.js';
import { cleanStaleUploads, uploadRouter } from '../../src/api/upload.js';
import { compose } from '../../src/app/compose.js';
import { readServeConfig, type ServeConfig } from '../../src/app/config.js';
import { createLogger, type Logger } from '../../src/app/logger.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import type { EventSource, QueryContext } from '../../src/sources/event-source.js';
import { PROJECT_ROOT } from '../datasets.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'lineage-startup-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[], env: NodeJS.ProcessEnv = {}): ServeConfig {
  const r = readServeConfig(argv, env);
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

/** A logger whose lines land in `lines` (parsed). */
function capture(): { log: Logger; lines: { msg: string; level: number }[] } {
  const lines: { msg: string; level: number }[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); cb(); } });
  return { log: createLogger('info', sink), lines };
}

describe('config: flags + LINEAGE_* env through one schema', () => {
  it('defaults to loopback, lets flags beat env, names the bad setting', () => {
    const c = config(['--db', 'x.duckdb']);
    expect([c.host, c.port, c.tls, c.maxUploads]).toEqual(['127.0.0.1', 8080, null, 2]);
    expect(config(['--db', 'x', '--port', '9000'], { LINEAGE_PORT: '7000', LINEAGE_HOST: '0.0.0.0' })).toMatchObject({ port: 9000, host: '0.0.0.0' });
    const bad = readServeConfig(['--db', 'x'], { LINEAGE_PORT: 'eighty' });
    expect(bad.ok ? '' : bad.message).toMatch(/--port \(or LINEAGE_PORT\) must be a whole number/);
    const tls = readServeConfig(['--db', 'x', '--tls-cert', 'c.pem']);
    expect(tls.ok ? '' : tls.message).toMatch(/--tls-cert and --tls-key go together/);
    expect(readServeConfig(['--db', 'x'], { LINEAGE_PROT: '1' }).warnings).toEqual(['unknown environment variable LINEAGE_PROT (ignored)']);
    expect(config(['--db', 'x', '--max-upload-mb', '10']).maxUploadBytes).toBe(10 * 1024 * 1024);
  });
});

describe('compose: bind, warning, TLS, cleanup', () => {
  it('binds 127.0.0.1 by default, sizes the request timeout to the upload limit, and removes <db>.tmp', async () => {
    const db = join(dir, 'a.duckdb');
    mkdirSync(`${db}.tmp`, { recursive: true });
    writeFileSync(join(`${db}.tmp`, 'duckdb_temp_storage-0.tmp'), 'left by a crash');
    const { log, lines } = capture();
    const running = (await compose(config(['--db', db, '--port', '0']), log))!;
    try {
      const addr = running.server.address();
      expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
      // 2 GiB at the slowest accepted rate (256 KiB/s) = 8192 s, far above Node's default 300 s.
      expect(running.server.requestTimeout).toBe(8_192_000);
      expect(existsSync(`${db}.tmp`)).toBe(false);
      expect(lines.some((l) => l.level >= 40)).toBe(false);
    } finally {
      await running.close();
    }
  });

  it('--host 0.0.0.0 warns that the evidence and uploads become reachable without a login', async () => {
    const db = join(dir, 'b.duckdb');
    const { log, lines } = capture();
    const running = (await compose(config(['--db', db, '--port', '0', '--host', '0.0.0.0']), log))!;
    await running.close();
    const warn = lines.filter((l) => l.level === 40).map((l) => l.msg).join('\n');
    expect(warn).toMatch(/reachable from other machines/);
    expect(warn).toContain(db);
    expect(warn).toMatch(/NO login/);
    expect(warn).toMatch(/not encrypted/);
  });

  it('serves HTTPS with --tls-cert/--tls-key and sends HSTS', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
    expect(made.status, String(made.stderr)).toBe(0);
    const running = (await compose(config(['--db', join(dir, 'c.duckdb'), '--port', '0', '--tls-cert', cert, '--tls-key', key]), capture().log))!;
    try {
      expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
        httpsRequest(`${running.url}api/health`, { rejectUnauthorized: false }, (r) => { r.resume(); resolve({ status: r.statusCode!, hsts: r.headers['strict-transport-security'] }); })
          .on('error', reject).end();
      });
      expect(res).toEqual({ status: 200, hsts: 'max-age=31536000' });
    } finally {
      await running.close();
    }
  });

  it('removes upload temp dirs of servers that are gone, not those of a live one', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(String(child.stdout));
    const t = mkdtempSync(join(tmpdir(), 'lineage-stale-'));
    mkdirSync(join(t, `lineage-upload-${deadPid}-abc`));
    writeFileSync(join(t, `lineage-upload-${deadPid}-abc`, 'upload'), 'half a file');
    mkdirSync(join(t, `lineage-upload-${process.pid}-def`));
    expect(await cleanStaleUploads(t)).toEqual([`lineage-upload-${deadPid}-abc`]);
    expect(readdirSync(t)).toEqual([`lineage-upload-${process.pid}-def`]);
    rmSync(t, { recursive: true, force: true });
  });
});

describe('serve while an ingest holds the store lock', () => {
  it('explains once that DuckDB allows no reader beside a writer, waits, and starts when the lock is gone', async () => {
    const db = join(dir, 'locked.duckdb');
    const holder = await EmbeddedStore.open(db);
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', '_serve.ts'), 'serve', '--db', db, '--port', '0'], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    try {
      await waitFor(() => /is locked by another process/.test(err), 60_000);
      await new Promise((r) => setTimeout(r, 2500)); // two more retries: still one message
      expect(err.match(/is locked by another process/g)).toHaveLength(1);
      expect(err).toMatch(/not even read-only/);
      await holder.close();
      await waitFor(() => /on http:\/\/127\.0\.0\.1:\d+\//.test(err), 30_000);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('deadlines and the concurrency limit', () => {
  /** A source whose searches run until their context is aborted (records that it was). */
  function hangingSource() {
    const aborted: unknown[] = [];
    const src = {
      findSeeds: (_q: unknown, o: { ctx: QueryContext }) => new Promise((_res, rej) => {
        o.ctx.signal?.addEventListener('abort', () => { aborted.push(o.ctx.signal?.reason); rej(Object.assign(new Error('interrupted'), { name: 'AbortError' })); });
      }),
    } as unknown as EventSource;
    return { src, aborted };
  }

  it('a request past its deadline is stopped at the source and answered 503 deadline_exceeded', async () => {
    const { src, aborted } = hangingSource();
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => src, requestTimeoutMs: 300 });
    const res = await request(app).get('/api/search').query({ host: 'h' });
    expect([res.status, res.body.error.code, res.headers['retry-after']]).toEqual([503, 'deadline_exceeded', '2']);
    expect(aborted).toHaveLength(1);
  });

  it('beyond the limit: 503 busy with Retry-After at once, and /api/health still answers', async () => {
    const { src } = hangingSource();
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => src, requestTimeoutMs: 3000, maxConcurrent: 2 });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const slow = [1, 2].map(() => fetch(`http://127.0.0.1:${port}/api/search?host=h`));
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      const busy = await fetch(`http://127.0.0.1:${port}/api/search?host=h`);
      expect([busy.status, busy.headers.get('retry-after'), ((await busy.json()) as { error: { code: string } }).error.code]).toEqual([503, '2', 'busy']);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      expect((await Promise.all(slow)).map((r) => r.status)).toEqual([503, 503]);
    } finally {
      server.close();
    }
  });
});

describe('upload limits', () => {
  const ev = (n: number) => `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
    + `<EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>up-host</Computer></System><EventData>`
    + `<Data Name='UtcTime'>2024-05-01 10:00:00.000</Data><Data Name='ProcessGuid'>{5770385f-c22a-43e0-bf4c-0000000${String(n).padStart(5, '0')}}</Data>`
    + `<Data Name='ProcessId'>${n}</Data><Data Name='Image'>C:\\x.exe</Data><Data Name='CommandLine'>x</Data></EventData></Event>\n`;

  it('a second upload beyond --max-uploads is 503 busy; a cancelled upload stores nothing and leaves no temp file', async () => {
    const store = await EmbeddedStore.open(':memory:');
    const source = new EmbeddedSource(store);
    const tmpBefore = readdirSync(tmpdir()).filter((n) => n.startsWith(`lineage-upload-${process.pid}-`)).length;
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, store, maxUploads: 1 });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const first = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload?name=a.xml', headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1', 'content-length': '1000000' } });
      first.on('error', () => undefined);
      first.write(ev(1) + ev(2));
      await new Promise((r) => setTimeout(r, 300));
      const second = await fetch(`http://127.0.0.1:${port}/api/upload?name=b.xml`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1' }, body: ev(3) });
      expect([second.status, ((await second.json()) as { error: { code: string } }).error.code]).toEqual([503, 'busy']);
      first.destroy(); // Cancel
      await new Promise((r) => setTimeout(r, 500));
      const found = await request(app).get('/api/search').query({ host: 'up-host' });
      expect(found.body.items).toEqual([]);
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`lineage-upload-${process.pid}-`)).length).toBe(tmpBefore);
      // The slot is free again.
      const third = await fetch(`http://127.0.0.1:${port}/api/upload?name=c.xml`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1' }, body: ev(4) });
      expect(third.status).toBe(200);
      expect(await third.text()).toMatch(/"type":"done"/);
    } finally {
      server.close();
      await source.close();
    }
  });

  it('a body that stalls is dropped after the idle time (408 upload_stalled), nothing stored', async () => {
    const writes: number[] = [];
    const app = express();
    app.use('/api', uploadRouter({ store: { writeEvents: async (b) => { writes.push(b.length); return { inserted: b.length, duplicates: 0 }; } }, idleMs: 400 }));
    app.use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload?name=slow.xml', headers: { 'content-type': 'application/octet-stream', 'content-length': '100000' } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => { body += d.toString(); });
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.write(ev(1)); // then nothing more
      });
      expect(answer.status).toBe(408);
      expect(answer.body).toContain('upload_stalled');
      expect(writes).toEqual([]);
    } finally {
      server.close();
    }
  });
});
