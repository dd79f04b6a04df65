/**
 * `npm run bench -- tree [--hosts 200] [--pph 10000] [--samples 200]`: investigation latency over HTTP
 * against a `lineage serve` child process on a generated demo store (default ≈ 2M processes,
 * ≈ 7–10M events, 200 hosts; cached under .tmp/bench/). Measures, client side, per request:
 *   - ancestors + children of a random process (`/api/graph?up=1&down=1`), target p95 ≤ 20 ms;
 *   - a whole subtree of ~1,000 processes (`/api/graph?down=all&budget=2000&group=1000000`, no sibling folding), target ≤ 150 ms;
 *   - an events page (`/api/processes/G/events?limit=100`), target p95 ≤ 20 ms;
 * the server's CPU time per request (all its threads; steadier than latency on a shared machine),
 * and its peak RSS (VmHWM). `--prof DIR` writes a V8 CPU profile of the server. JSON lines on stdout, a summary on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDemo } from '../server/src/demo/generate.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Target { guid: string; host: string }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function ensureStore(path: string, hosts: number, pph: number): Promise<void> {
  if (existsSync(path)) return;
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  rmSync(`${partial}.wal`, { force: true });
  console.error(`[bench] generating ${hosts} hosts × ${pph} processes/day into ${path} (cached for later runs)…`);
  const store = await EmbeddedStore.open(partial);
  let last = 0;
  const summary = await writeDemo(store, { hosts, processesPerHostDay: pph }, (n) => {
    if (n - last >= 1_000_000) { last = n; console.error(`[bench]   ${(n / 1e6).toFixed(1)}M events`); }
  });
  await store.close();
  renameSync(partial, path);
  console.error(`[bench] generated ${summary.events} events, ${summary.processes} processes in ${(summary.ms / 1000).toFixed(0)} s`);
}

/** Random processes, processes with many events, and subtree roots of ~1,000 descendants. */
async function pickTargets(path: string, samples: number): Promise<{ random: Target[]; eventful: Target[]; subtrees: { t: Target; size: number }[]; counts: { events: number; processes: number; hosts: number } }> {
  const store = await EmbeddedStore.open(path, { readOnly: true });
  const conn = await store.acquire();
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  try {
    const counts = await store.counts();
    const random = (await rows(`SELECT guid, host FROM processes USING SAMPLE reservoir(${samples} ROWS) REPEATABLE (42)`))
      .map((r) => ({ guid: String(r.guid), host: String(r.host) }));
    // Processes with events, sampled by GUID hash (deterministic, ~0.5 % of them).
    const eventful = (await rows(`SELECT guid, host FROM events WHERE guid IS NOT NULL AND event_id <> 1 AND hash(guid) % 1000 < 5
        GROUP BY guid, host ORDER BY hash(guid), host LIMIT ${samples}`))
      .map((r) => ({ guid: String(r.guid), host: String(r.host) }));
    // Candidate roots: the busiest parents; keep those whose whole subtree is 500–2,000 processes.
    const parents = (await rows(`SELECT parent_guid AS guid, host, count(*) n FROM processes WHERE parent_guid IS NOT NULL
        GROUP BY parent_guid, host HAVING n BETWEEN 20 AND 1500 ORDER BY hash(parent_guid), host LIMIT 400`)).map((r) => ({ guid: String(r.guid), host: String(r.host) }));
    store.release(conn);
    const source = new EmbeddedSource(store);
    const subtrees: { t: Target; size: number }[] = [];
    for (const t of parents) {
      const tree = await source.getTree(t.guid, { ctx: newContext(), host: t.host, up: false, down: Infinity, nodeBudget: 2500 });
      const size = tree.processes.length;
      if (tree.complete && size >= 500 && size <= 2000 && tree.processes.some((p) => p.guid === t.guid)) subtrees.push({ t, size });
      if (subtrees.length >= 20) break;
    }
    return { random, eventful, subtrees, counts };
  } finally {
    await store.close();
  }
}

async function startServer(db: string, profDir: string | undefined): Promise<{ child: ChildProcess; base: string }> {
  // --prof DIR: a V8 CPU profile of the server, written when it exits (open in Chrome DevTools).
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(profDir)] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(ROOT, 'bench', '_serve.ts'), 'serve', '--db', db, '--port', '0', '--listen', '127.0.0.1'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let buf = '';
  const base = await new Promise<string>((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /on (http:\/\/[^\s/]+:\d+)\//.exec(buf);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`server exited (${code}): ${buf}`)));
  });
  // The server builds its lineage index in the background (SQL answers until then): measure after it.
  const indexed = await new Promise<string>((res) => {
    const timer = setTimeout(() => res('lineage index: not ready after 120 s'), 120_000);
    const look = (): void => {
      const m = /lineage index: [^\n]*/.exec(buf);
      if (m) { clearTimeout(timer); res(m[0]); } else setTimeout(look, 50);
    };
    look();
  });
  console.error(`[bench] ${indexed}`);
  return { child, base };
}

/** CPU time (user + system, all threads) the process has used, in ms: load-independent cost per request. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function timeAll(base: string, urls: string[], check: (body: unknown) => number): Promise<{ ms: number[]; sizes: number[]; serverMs: number[]; searches: number[] }> {
  const ms: number[] = [];
  const sizes: number[] = [];
  const serverMs: number[] = [];
  const searches: number[] = [];
  for (const u of urls) {
    const t0 = performance.now();
    const res = await fetch(base + u);
    const body = await res.json();
    const dt = performance.now() - t0;
    if (!res.ok) throw new Error(`${u}: ${res.status} ${JSON.stringify(body)}`);
    ms.push(dt);
    sizes.push(check(body));
    const stats = (body as { stats?: { ms: number; searches: number } }).stats;
    if (stats) { serverMs.push(stats.ms); searches.push(stats.searches); }
  }
  return { ms, sizes, serverMs, searches };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    hosts: { type: 'string', default: '200' }, pph: { type: 'string', default: '10000' }, samples: { type: 'string', default: '200' },
    prof: { type: 'string' },
  } });
  const hosts = Number(values.hosts);
  const pph = Number(values.pph);
  const samples = Number(values.samples);
  const db = join(ROOT, '.tmp', 'bench', `tree-${hosts}x${pph}.duckdb`);
  await ensureStore(db, hosts, pph);
  const targets = await pickTargets(db, samples);
  // The server child inherits LINEAGE_DUCKDB_THREADS: small lookups cost less CPU single-threaded on a busy box.
  const threads = process.env.LINEAGE_DUCKDB_THREADS ?? 'auto';
  console.error(`[bench] store: ${targets.counts.events} events, ${targets.counts.processes} processes, ${targets.counts.hosts} hosts; `
    + `${targets.subtrees.length} subtree roots of 500–2,000 processes; DuckDB threads ${threads}; load ${os.loadavg()[0]!.toFixed(1)}`);

  const { child, base } = await startServer(db, values.prof);
  try {
    const enc = encodeURIComponent;
    const nodes = (b: unknown) => (b as { nodes: unknown[] }).nodes.length;
    // Warm-up: first statements compile plans and fault pages in.
    await timeAll(base, targets.random.slice(0, 10).map((t) => `/api/graph?guid=${enc(t.guid)}&host=${enc(t.host)}&up=1&down=1`), nodes);
    const cases = [
      { name: 'ancestors+children', target: 20, stat: 'p95',
        urls: targets.random.map((t) => `/api/graph?guid=${enc(t.guid)}&host=${enc(t.host)}&up=1&down=1`), size: nodes },
      { name: 'subtree ~1000', target: 150, stat: 'p50',
        urls: targets.subtrees.map(({ t }) => `/api/graph?guid=${enc(t.guid)}&host=${enc(t.host)}&down=all&budget=2000&group=1000000`), size: nodes },
      { name: 'events page', target: 20, stat: 'p95',
        urls: targets.eventful.map((t) => `/api/processes/${enc(t.guid)}/events?host=${enc(t.host)}&limit=100`),
        size: (b: unknown) => (b as { items: unknown[] }).items.length },
    ];
    for (const c of cases) {
      if (c.urls.length === 0) { console.error(`[bench] ${c.name}: no targets`); continue; }
      const cpu0 = cpuMs(child.pid!);
      const { ms, sizes, serverMs, searches } = await timeAll(base, c.urls, c.size);
      const cpuPerRequest = +((cpuMs(child.pid!) - cpu0) / ms.length).toFixed(1);
      const s = [...ms].sort((a, b) => a - b);
      const z = [...sizes].sort((a, b) => a - b);
      const sv = [...serverMs].sort((a, b) => a - b);
      const q = [...searches].sort((a, b) => a - b);
      const row = {
        bench: 'tree', case: c.name, n: ms.length, p50: +pct(s, 50).toFixed(1), p95: +pct(s, 95).toFixed(1), max: +s[s.length - 1]!.toFixed(1),
        medianSize: pct(z, 50), serverP50: sv.length ? pct(sv, 50) : null, searchesP50: q.length ? pct(q, 50) : null,
        serverCpuMs: cpuPerRequest, targetMs: c.target, ok: pct(s, c.stat === 'p95' ? 95 : 50) <= c.target, threads, loadavg: +os.loadavg()[0]!.toFixed(1),
      };
      console.log(JSON.stringify(row));
      console.error(`[bench] ${c.name.padEnd(20)} n=${row.n} p50 ${row.p50} ms  p95 ${row.p95} ms  max ${row.max} ms  (median ${row.medianSize} items, server ${row.serverP50} ms, ${row.serverCpuMs} ms CPU, ${row.searchesP50} statements; target ${c.stat} ≤ ${c.target} ms: ${row.ok ? 'met' : 'MISSED'})`);
    }
    const rss = peakRssMb(child.pid!);
    console.log(JSON.stringify({ bench: 'tree', case: 'server peak RSS', mb: Math.round(rss) }));
    console.error(`[bench] server peak RSS ${Math.round(rss)} MB`);
  } finally {
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await exited; // a --prof profile is written on exit
  }
}
