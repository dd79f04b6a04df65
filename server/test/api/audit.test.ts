/**
 * The request log and audit trail (docs/security.md): one `request` line per request with method, path
 * and status; one `audit` line per search, login and upload saying what was asked and how it ended;
 * a refused request is one warn line with its code and no stack.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/app/logger.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';

type Line = Record<string, unknown> & { msg: string; level: number };

describe('request and audit log', () => {
  it('writes a request line per request, an audit line per search and upload, and one line per refusal', async () => {
    const lines: Line[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line); cb(); } });
    const store = await EmbeddedStore.open(':memory:');
    const source = new EmbeddedSource(store);
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, store, log: createLogger('info', sink) });
    try {
      await request(app).get('/api/search').query({ q: 'mimikatz', host: 'ws1' });
      await request(app).post('/api/upload?name=evil.xml').set('Content-Type', 'text/plain').send('x');
      await request(app).get('/api/health');
    } finally {
      await source.close();
    }
    const requests = lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.path, l.status]);
    expect(requests).toEqual([['GET', '/api/search', 200], ['POST', '/api/upload', 403], ['GET', '/api/health', 200]]);
    const audits = lines.filter((l) => l.msg === 'audit');
    expect(audits.map((a) => [a.audit, a.status])).toEqual([['search', 200], ['upload', 403]]);
    expect(audits[0]!.query).toEqual({ q: 'mimikatz', host: 'ws1' });
    expect((audits[1]!.query as { name: string }).name).toBe('evil.xml');
    const refusals = lines.filter((l) => l.level === 40);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ code: 'csrf', status: 403 });
    expect(JSON.stringify(lines)).not.toMatch(/\bat .*\.ts:\d+/); // no stack traces
  });
});
