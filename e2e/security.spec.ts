/**
 * Cross-origin attacks in real Chromium (docs/security.md): a page on another origin (an attacker's
 * server on another port, same machine) tries to plant evidence through POST /api/upload — the
 * `fetch(…, {mode: 'no-cors', Content-Type: text/plain})` attack, a form post, and a CORS fetch with
 * our header — and to read the API. None may store an event or read a byte. Our own page, under its
 * CSP, must still load and work with no CSP violation.
 */
import { expect, test } from '@playwright/test';
import { createServer, type Server } from 'node:http';

const PLANTED_HOST = 'planted-by-attacker';

/** One Sysmon process create on PLANTED_HOST, in the XML form `lineage ingest` reads. */
const EVENT = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
  + `<EventRecordID>1</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${PLANTED_HOST}</Computer></System><EventData>`
  + `<Data Name='UtcTime'>2024-05-01 10:00:00.000</Data><Data Name='ProcessGuid'>{5770385f-c22a-43e0-bf4c-06f5698ffbd9}</Data>`
  + `<Data Name='ProcessId'>1</Data><Data Name='Image'>C:\\evil.exe</Data><Data Name='CommandLine'>evil</Data></EventData></Event>`;

let attacker: Server;
let attackerUrl = '';

test.beforeAll(async () => {
  attacker = createServer((_req, res) => { res.setHeader('Content-Type', 'text/html'); res.end('<!doctype html><title>attacker</title><form id="f" method="POST" enctype="text/plain"></form>'); });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}/`;
});
test.afterAll(async () => { await new Promise((r) => attacker.close(r)); });

async function plantedCount(request: import('@playwright/test').APIRequestContext): Promise<number> {
  const res = await request.get(`/api/search?host=${PLANTED_HOST}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

test('a page on another origin cannot plant events through /api/upload or read the API', async ({ page, request, baseURL }) => {
  const target = `${baseURL}/api/upload?name=planted.xml`;
  const seen: { status: number; site: string | undefined; origin: string | undefined }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (r) => {
    // POSTs only: Chromium may also report the CORS preflight (OPTIONS), which carries no body.
    if (!r.url().startsWith(`${baseURL}/api/`) || r.request().method() !== 'POST') return;
    pending.push(r.request().allHeaders().then((h) => { seen.push({ status: r.status(), site: h['sec-fetch-site'], origin: h.origin }); }));
  });
  await page.goto(attackerUrl);
  const outcome = await page.evaluate(async ({ target, body, api }) => {
    const out: string[] = [];
    // 1. The no-cors text/plain fetch (needs no preflight; it is sent, its answer is opaque — or, with our
    //    Cross-Origin-Resource-Policy, refused to the page). What matters is what the server did with it.
    await fetch(target, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }).catch(() => undefined);
    out.push('no-cors done');
    // 2. A CORS fetch with our header: the browser must ask first (preflight), and we never grant it.
    await fetch(target, { method: 'POST', headers: { 'X-Lineage-Request': '1', 'Content-Type': 'application/octet-stream' }, body })
      .then(() => out.push('cors ok'), () => out.push('cors blocked'));
    // 3. Reading the API cross-origin.
    await fetch(api).then((r) => r.text()).then(() => out.push('read ok'), () => out.push('read blocked'));
    return out;
  }, { target, body: EVENT, api: `${baseURL}/api/search?host=ws-0001` });
  expect(outcome).toEqual(['no-cors done', 'cors blocked', 'read blocked']);
  // 4. A plain form post (top-level navigation, cookies included).
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${baseURL}/api/upload`)),
    page.evaluate((t) => { const f = document.getElementById('f') as HTMLFormElement; f.action = t; const i = document.createElement('input'); i.name = 'x'; i.value = 'y'; f.append(i); f.submit(); }, target),
  ]);
  expect(await page.content()).toContain('csrf');

  // The browser did send the no-cors and form requests — and the server refused them as foreign.
  await Promise.all(pending);
  const posts = seen.filter((s) => s.origin);
  expect(posts.length).toBeGreaterThanOrEqual(1);
  for (const p of posts) {
    expect(p.status).toBe(403);
    expect(p.site).toBe('same-site');
  }
  expect(await plantedCount(request)).toBe(0);
});

test('our own page loads under its CSP with no violation, and is refused inside a frame', async ({ page, baseURL }) => {
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  const res = await page.goto('/');
  expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('button', { name: 'Upload Sysmon files' })).toBeVisible();
  expect(violations).toEqual([]);

  // Framed by another origin: Chromium refuses to render it (clickjacking).
  await page.goto(attackerUrl);
  const blocked = new Promise<boolean>((resolve) => {
    page.on('console', (m) => { if (/frame-ancestors/i.test(m.text())) resolve(true); });
    setTimeout(() => resolve(false), 10_000);
  });
  await page.evaluate((src) => { const f = document.createElement('iframe'); f.src = src; document.body.append(f); }, `${baseURL}/`);
  expect(await blocked).toBe(true);
});

test('the served client has no source maps: no sourceMappingURL in its scripts, no .map beside them', async ({ request }) => {
  const html = await (await request.get('/')).text();
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<link[^>]+href="([^"]+\.css)"/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  for (const asset of [...scripts, ...styles]) {
    const body = await (await request.get(asset)).text();
    expect(body.length, asset).toBeGreaterThan(0);
    expect(body, asset).not.toMatch(/sourceMappingURL=/);
    // Lazily loaded chunks named in the entry script are checked too.
    for (const chunk of asset.endsWith('.js') ? [...body.matchAll(/assets\/[\w-]+\.js/g)].map((m) => `/${m[0]}`) : []) {
      expect(await (await request.get(chunk)).text(), chunk).not.toMatch(/sourceMappingURL=/);
    }
    // As a debugger asks for it (JSON, so the SPA fallback does not answer with index.html).
    const map = await request.get(`${asset}.map`, { headers: { accept: 'application/json' } });
    expect(map.status(), `${asset}.map`).toBe(404);
  }
});
