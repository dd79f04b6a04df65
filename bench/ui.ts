/**
 * `npm run bench -- ui [--runs 5] [--sizes 200,2000,5000] [--dist DIR] [--profile]` (`--profile`: self time per function
 *   of one open at the first size, from a CDP CPU profile; build with `--minify false` for readable names): the investigation UI in headless Debian Chromium.
 *   - URL open → interactive graph (laid out, the first view's elements in Cytoscape and painted: the
 *     client's `lineage:interactive` mark) for 200, 2,000 and 5,000 visible processes, target ≤ 1.0 s at
 *     2,000; and → complete (every element in Cytoscape, off-screen ones streamed in: `lineage:complete`),
 *     target ≤ 2.0 s at 2,000. The process tree list is shown beside the graph (the default view);
 *   - expanding a node with 100 children: Enter → first page (25 + "75 more") drawn, and → all 100
 *     drawn after paging through "N more".
 * The e2e build of the client (client/dist, `npm run build:e2e -w client`: the only build with the
 * `window.__lineage` probe this bench reads, client/src/lib/probes.ts) is served by a small HTTP server here whose
 * /api answers with synthetic random process trees (seeded; realistic labels and badges), so the figures
 * are the client's own cost — server latency is measured by `npm run bench -- tree`. Each run uses a
 * fresh browser context (cold HTTP cache). JSON lines on stdout, a summary on stderr.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import type { GraphDocument, ProcessNode } from '../shared/src/schemas.js';
import { mulberry32 as prng } from '../server/src/demo/prng.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The built client served to the browser; `--dist DIR` serves another build (A/B against an older commit). */
let DIST = join(ROOT, 'client', 'dist');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NAMES = ['svchost.exe', 'cmd.exe', 'powershell.exe', 'conhost.exe', 'rundll32.exe', 'explorer.exe', 'chrome.exe', 'winword.exe', 'taskhostw.exe', 'wmiprvse.exe'];
const CATS = ['file', 'network', 'registry', 'dns', 'image', 'process-access'];

const guid = (tree: number, i: number) => `{${tree.toString(16).padStart(8, '0')}-${(i >>> 16).toString(16).padStart(4, '0')}-${(i & 0xffff).toString(16).padStart(4, '0')}-0000-000000000000}`;

function node(g: string, parent: string | null, i: number, rnd: () => number, t0: number): ProcessNode {
  const name = NAMES[Math.floor(rnd() * NAMES.length)]!;
  const counts: Record<string, number> = {};
  for (const c of CATS) if (rnd() < 0.35) counts[c] = 1 + Math.floor(rnd() * 40);
  const start = new Date(t0 + i * 1500 + Math.floor(rnd() * 1000)).toISOString();
  return {
    guid: g, kind: 'process', host: 'bench-ws', pid: 1000 + i, image: `C:\\Windows\\System32\\${name}`, name,
    commandLine: `${name} /arg ${i}`, user: 'CORP\\analyst', startTime: start, endTime: rnd() < 0.5 ? new Date(Date.parse(start) + 60_000).toISOString() : null,
    parentGuid: parent, parentPid: null, parentImage: '', integrityLevel: 'Medium', hashes: 'SHA256=00', currentDirectory: 'C:\\',
    logonGuid: '', placeholder: false, placeholderReason: null, searchWider: null, state: 'running', eventCounts: counts,
    depth: 0, group: null, provenance: null,
  };
}

/** A random recursive tree of `n` processes (node i's parent drawn among the earlier ones, biased to recent). */
function randomTree(tree: number, n: number): GraphDocument {
  const rnd = prng(tree * 7919 + n);
  const t0 = Date.UTC(2026, 2, 2, 9);
  const nodes: ProcessNode[] = [node(guid(tree, 0), null, 0, rnd, t0)];
  const edges: GraphDocument['edges'] = [];
  for (let i = 1; i < n; i++) {
    const p = Math.max(0, i - 1 - Math.floor(rnd() * Math.min(i, 40)));
    nodes.push(node(guid(tree, i), guid(tree, p), i, rnd, t0));
    edges.push({ source: guid(tree, p), target: guid(tree, i), kind: 'spawn', deltaMs: 1500, count: 1 });
  }
  return { origin: guid(tree, 0), range: { from: '2026-03-02T08:00:00.000Z', to: '2026-03-03T09:00:00.000Z' }, nodes, edges, truncated: {}, stats: { searches: 1, rows: n, ms: 1 } };
}

/** Tree 1: the origin with one child that has 100 unlisted children (truncation limit 0). */
const WIDE_TREE = 1;
function wideDoc(): GraphDocument {
  const rnd = prng(42);
  const t0 = Date.UTC(2026, 2, 2, 9);
  const root = node(guid(WIDE_TREE, 0), null, 0, rnd, t0);
  const parent = node(guid(WIDE_TREE, 1), root.guid, 1, rnd, t0);
  return {
    origin: root.guid, range: { from: '2026-03-02T08:00:00.000Z', to: '2026-03-03T09:00:00.000Z' }, nodes: [root, parent],
    edges: [{ source: root.guid, target: parent.guid, kind: 'spawn', deltaMs: 10, count: 1 }],
    truncated: { [`children:${parent.guid}`]: { limit: 0, cursor: '0', remaining: 100 } }, stats: { searches: 1, rows: 2, ms: 1 },
  };
}
const wideChildren = (() => { const rnd = prng(43); return Array.from({ length: 100 }, (_, i) => node(guid(WIDE_TREE, 100 + i), guid(WIDE_TREE, 1), 100 + i, rnd, Date.UTC(2026, 2, 2, 9))); })();

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

function serve(docs: Map<string, GraphDocument>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url.pathname === '/api/health') return json({ source: 'embedded', version: 'bench' });
    if (url.pathname === '/api/notables') return json({ items: [], nextCursor: null });
    if (url.pathname === '/api/graph') {
      const d = docs.get(url.searchParams.get('guid') ?? '');
      if (!d) { res.writeHead(404, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such process' } })); }
      return json(d);
    }
    const m = /^\/api\/processes\/([^/]+)\/children$/.exec(url.pathname);
    if (m) {
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const items = decodeURIComponent(m[1]!) === guid(WIDE_TREE, 1) ? wideChildren.slice(from, from + limit) : [];
      return json({ items, nextCursor: from + limit < 100 && items.length ? String(from + limit) : null });
    }
    if (url.pathname.startsWith('/api/')) return json({ items: [], nextCursor: null });
    const file = join(DIST, url.pathname === '/' || !extname(url.pathname) ? 'index.html' : url.pathname);
    if (!file.startsWith(DIST) || !existsSync(file)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: (server.address() as { port: number }).port })));
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

interface OpenResult { interactiveMs: number; completeMs: number; cpuMs: number; nodes: number; marks: Record<string, number> }

/** Self time per function of a CPU profile (CDP Profiler), largest first. */
function topSelf(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] }, n: number): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

async function openGraph(browser: Browser, base: string, doc: GraphDocument, profile = false): Promise<OpenResult> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 950 } });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  if (profile) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
  await page.goto(`${base}/?guid=${doc.origin}&down=50`);
  // Interactive = the first view painted; complete = every element in Cytoscape (the rest streams in).
  await page.waitForFunction(() => performance.getEntriesByName('lineage:complete').length > 0, null, { timeout: 60_000 });
  // A string, not a function: tsx's keep-names helper (__name) does not exist in the page.
  const r = await page.evaluate(`(() => {
    const at = (n) => Math.round(performance.getEntriesByName(n)[0]?.startTime ?? -1);
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      interactiveMs: performance.getEntriesByName('lineage:interactive')[0].startTime,
      nodes: window.__lineage.state().nodes.length,
      completeMs: performance.getEntriesByName('lineage:complete')[0].startTime,
      marks: {
        domContentLoaded: Math.round(nav?.domContentLoadedEventEnd ?? -1),
        graphRequest: Math.round(performance.getEntriesByType('resource').find((e) => e.name.includes('/api/graph'))?.startTime ?? -1),
        graphResponse: Math.round(performance.getEntriesByType('resource').find((e) => e.name.includes('/api/graph'))?.responseEnd ?? -1),
        fetched: at('lineage:fetched:/api/graph'), parsed: at('lineage:parsed:/api/graph'), data: at('lineage:data'), layoutStart: at('lineage:layout-start'),
        layoutEnd: at('lineage:layout-end'), cyStart: at('lineage:cy-start'), cyEnd: at('lineage:cy-end'), interactive: at('lineage:interactive'), complete: at('lineage:complete'),
      },
    };
  })()`) as OpenResult;
  // The renderer main thread's CPU time up to "complete": far less sensitive to other load than wall time.
  const metrics = (await cdp.send('Performance.getMetrics')).metrics;
  r.cpuMs = Math.round(1000 * (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN));
  if (profile) console.error(topSelf((await cdp.send('Profiler.stop')).profile as never, 30).join('\n'));
  await ctx.close();
  return r;
}

/** Waits in the page, frame by frame, until `pred(state)` holds; returns ms since `t0` (page clock). */
const untilDrawn = `(pred) => new Promise((ok, fail) => { const t0 = window.__t0; const tick = () => { const s = window.__lineage.state(); if (s.ready && !s.animating && pred(s)) ok(performance.now() - t0); else if (performance.now() - t0 > 30000) fail(new Error('not drawn in 30 s: ' + JSON.stringify({ ...s, nodes: s.nodes.length }))); else requestAnimationFrame(tick); }; tick(); })`;

async function expandWide(browser: Browser, base: string): Promise<{ firstPageMs: number; allMs: number; drawn: number }> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 950 } });
  const page = await ctx.newPage();
  const parent = guid(WIDE_TREE, 1);
  await page.goto(`${base}/?guid=${guid(WIDE_TREE, 0)}&sel=${encodeURIComponent(parent)}`);
  await page.waitForFunction((p) => window.__lineage?.state().ready && window.__lineage.state().selected === p, parent);
  await page.getByRole('application', { name: /Process graph/ }).focus();
  await page.evaluate(() => { (window as unknown as { __t0: number }).__t0 = performance.now(); });
  await page.keyboard.press('Enter');
  const more = `more:${parent}`;
  const firstPageMs = await page.evaluate(`(${untilDrawn})((s) => s.nodes.includes(${JSON.stringify(more)}))`) as number;
  // Page through "N more" (click = the adapter's own tap handler on the canvas) until it is gone.
  for (let i = 0; i < 10; i++) {
    const st = await page.evaluate(() => window.__lineage!.state());
    if (!st.nodes.includes(more)) break;
    await page.waitForFunction(() => !window.__lineage!.state().animating);
    // The "more" node ends a column that can run below the canvas (left-to-right layout): centre it first.
    await page.evaluate((id) => window.__lineage!.reveal(id), more);
    const pos = await page.evaluate((id) => window.__lineage!.nodePosition(id), more);
    if (!pos) break;
    await page.mouse.click(pos.x, pos.y);
    await page.waitForFunction((n) => window.__lineage!.state().nodes.length !== n && window.__lineage!.state().ready, st.nodes.length, { timeout: 5000 })
      .catch(() => undefined); // a click during a camera move can miss: look again
  }
  const allMs = await page.evaluate(`(${untilDrawn})((s) => s.nodes.filter((n) => n.startsWith('{')).length >= 102)`) as number;
  const drawn = await page.evaluate(() => window.__lineage!.state().nodes.filter((n) => n.startsWith('{')).length);
  await ctx.close();
  return { firstPageMs, allMs, drawn };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '5' }, sizes: { type: 'string', default: '200,2000,5000' }, dist: { type: 'string' }, profile: { type: 'boolean', default: false } } });
  if (values.dist) DIST = resolve(values.dist);
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('client/dist missing: run `npm run build:e2e -w client` first');
  const bundle = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(DIST, 'assets', f), 'utf8')).join('');
  if (!bundle.includes('__lineage')) throw new Error(`${DIST} is a production build without test probes: run \`npm run build:e2e -w client\` first`);
  const runs = Number(values.runs);
  const sizes = values.sizes!.split(',').map(Number);
  const docs = new Map<string, GraphDocument>();
  const bySize = new Map<number, GraphDocument>();
  sizes.forEach((n, i) => { const d = randomTree(10 + i, n); docs.set(d.origin, d); bySize.set(n, d); });
  const wide = wideDoc();
  docs.set(wide.origin, wide);
  const { server, port } = await serve(docs);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  try {
    await openGraph(browser, base, bySize.get(sizes[0]!)!); // warm-up (browser process, disk cache of the OS)
    if (values.profile) { await openGraph(browser, base, bySize.get(sizes[0]!)!, true); return; } // CPU profile of one open (self time per function)
    for (const n of sizes) {
      const times: number[] = [];
      const complete: number[] = [];
      const cpu: number[] = [];
      let drawn = 0;
      let marks: Record<string, number> = {};
      for (let r = 0; r < runs; r++) {
        const o = await openGraph(browser, base, bySize.get(n)!);
        times.push(o.interactiveMs);
        complete.push(o.completeMs);
        cpu.push(o.cpuMs);
        drawn = o.nodes;
        if (o.interactiveMs === median([...times])) marks = o.marks;
      }
      const line = { bench: 'ui', metric: 'open-to-interactive', visibleNodes: n, drawn, runs, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)), completeMedianMs: Math.round(median(complete)), mainThreadCpuMedianMs: median(cpu), marksOfARun: marks };
      console.log(JSON.stringify(line));
      console.error(`[ui] ${n} nodes: URL open → interactive median ${line.medianMs} ms (min ${line.minMs}, max ${line.maxMs}); all ${line.drawn} in Cytoscape at ${line.completeMedianMs} ms; renderer main-thread CPU to complete ${line.mainThreadCpuMedianMs} ms; ms since navigation: ${JSON.stringify(marks)}${n === 2000 ? `${line.medianMs <= 1000 ? '  ✓ interactive ≤ 1.0 s' : '  ✗ interactive > 1.0 s'}${line.completeMedianMs <= 2000 ? ' ✓ complete ≤ 2.0 s' : ' ✗ complete > 2.0 s'}` : ''}`);
    }
    const first: number[] = [], all: number[] = [];
    let drawn = 0;
    for (let r = 0; r < runs; r++) { const e = await expandWide(browser, base); first.push(e.firstPageMs); all.push(e.allMs); drawn = e.drawn; }
    const line = { bench: 'ui', metric: 'expand-100-children', runs, firstPageMedianMs: Math.round(median(first)), allPagesMedianMs: Math.round(median(all)), drawnProcesses: drawn };
    console.log(JSON.stringify(line));
    console.error(`[ui] expand a node with 100 children: first page (25 + "75 more") ${line.firstPageMedianMs} ms; Enter → all 100 drawn via 3× "N more" ${line.allPagesMedianMs} ms (includes the clicks)`);
  } finally {
    await browser.close();
    server.close();
  }
}
