/**
 * `lineage serve`: API and built client on one port, SPA fallback, and the real CLI process
 * (started with tsx, stopped by its own pid).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { PROJECT_ROOT } from '../datasets.js';

let dir: string;

const ZERO = '{00000000-0000-0000-0000-000000000000}';
const PARENT = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const CHILD = '{5770385f-c22a-43e0-bf4c-06f5698ffbda}';

/** One Splunk XmlWinEventLog line: a Sysmon process create. */
function sysmon1(guid: string, parent: string, image: string, record: number): string {
  const data = { UtcTime: `2024-05-01 10:00:0${record}.000`, ProcessGuid: guid, ProcessId: String(100 + record), Image: image, CommandLine: image,
    User: 'CORP\\alice', ParentProcessGuid: parent, ParentProcessId: String(99 + record), ParentImage: 'C:\\x.exe', ParentCommandLine: 'x' };
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
    + `<EventRecordID>${record}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws1.corp</Computer></System><EventData>`
    + Object.entries(data).map(([k, v]) => `<Data Name='${k}'>${v}</Data>`).join('') + '</EventData></Event>';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-serve-'));
  mkdirSync(join(dir, 'client', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'client', 'index.html'), '<!doctype html><title>Lineage</title><div id="root"></div>');
  writeFileSync(join(dir, 'client', 'assets', 'app-1234.js'), 'console.log("lineage")');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built client is served beside the API', () => {
  const app = () => createApp({ mode: 'embedded', version: 't', sourceFor: () => null, clientDir: join(dir, 'client') });

  it('serves index.html at / and assets by path', async () => {
    const home = await request(app()).get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<title>Lineage</title>');
    const js = await request(app()).get('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
  });

  it('answers a deep link with index.html (the client router takes it from there)', async () => {
    const res = await request(app()).get('/investigate/ws-0001/{f4d7b599-57cf-84bc-7c17-7a2e21994a7e}').set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div id="root">');
  });

  it('never answers an API path with the client', async () => {
    const res = await request(app()).get('/api/nothing-here').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('without a session source, API routes say to log in', async () => {
    const res = await request(app()).get('/api/graph?guid={f4d7b599-57cf-84bc-7c17-7a2e21994a7e}');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('not_authenticated');
  });
});

describe('lineage serve (the real process)', () => {
  it('listens on the given port and answers health and graph requests until stopped', async () => {
    const db = join(dir, 'empty.duckdb');
    const store = await EmbeddedStore.open(db);
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', '_serve.ts'), 'serve', '--db', db, '--port', '0', '--listen', '127.0.0.1'], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stderr.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /on (http:\/\/[^\s/]+:\d+)\//.exec(buf);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${buf}`)));
      });
      const health = await fetch(`${base}/api/health`);
      expect(await health.json()).toMatchObject({ source: 'embedded' });
      const missing = await fetch(`${base}/api/graph?guid=${encodeURIComponent('{11111111-2222-3333-4444-555555555555}')}`);
      expect(missing.status).toBe(404);
      // Upload reaches the same store the graph reads: a two-process chain becomes investigable.
      const up = await fetch(`${base}/api/upload?name=two.xml`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1' }, body: [sysmon1(PARENT, ZERO, 'C:\\Windows\\explorer.exe', 1), sysmon1(CHILD, PARENT, 'C:\\Windows\\System32\\cmd.exe', 2)].join('\n'),
      });
      expect(up.status).toBe(200);
      expect(await up.text()).toMatch(/"type":"done"/);
      const g = await fetch(`${base}/api/graph?guid=${encodeURIComponent(PARENT)}`);
      const doc = await g.json() as { edges: { source: string; target: string }[] };
      expect(doc.edges).toContainEqual(expect.objectContaining({ source: PARENT, target: CHILD }));
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // The store was closed cleanly: it opens again.
    const again = new EmbeddedSource(await EmbeddedStore.open(db, { readOnly: true }));
    await again.close();
  });

  it('refuses bad options with usage and exit code 2', async () => {
    const { run } = await import('../../src/cli/serve.js');
    const err: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
    try {
      expect(await run(['--db', 'x.duckdb', '--port', '99999'])).toBe(2);
      expect(await run(['--nope'])).toBe(2);
      expect(await run([])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(err.join('')).toMatch(/--port \(or LINEAGE_PORT\) must be 0…65535/);
  });
});
