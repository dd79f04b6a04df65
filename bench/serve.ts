/**
 * `npm run bench -- serve [--db FILE] [--hosts N] [--per-host-day P] [--clients 50] [--think-ms 1000]
 *   [--seconds 60] [--upload-mb M] [--upload-delay-s 10] [--read-connections N] [--direct] [--dist]`: N analysts at once against a real `lineage serve` process (embedded store).
 * Each analyst loops: search a host's processes (`/api/search?host=…&image=…`), open the graph of one
 * result (`/api/graph`), open its children page, then thinks `--think-ms` between requests.
 * Reports p50/p95/p99 per request kind, errors (non-2xx or network) and the server's peak RSS
 * (VmHWM), plus the load average before and after (the machine is shared). JSON lines on stdout.
 * With `--upload-mb M`, one M MB upload (generated Sysmon XML, new events) starts `--upload-delay-s`
 * (default 10) after the analysts, and its rate, the server's peak RSS before and after it, and the
 * reads that started during it vs the others are reported: reads must stay responsive during an upload.
 * `--direct`: no server — the same requests answered in the bench's own process by the functions the
 * routes call (bench/_serve-direct.ts), to show the ceiling the store itself sets; "server CPU" is then
 * this process's.
 * `--dist`: run the built server (server/bin/lineage.js, after `npm run build`) instead of the sources
 * through tsx — the production path (e.g. the upload's parse worker then loads compiled JavaScript).
 * Without `--db`, a demo store of `hosts × per-host-day × ≈5` events is built first (not timed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDemo } from '../server/src/demo/generate.js';
import { EmbeddedStore } from '../server/src/sources/embedded/store.js';
import { openDirect } from './_serve-direct.js';

const ROOT = join(import.meta.dirname, '..');

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}

/** Peak resident memory of a process, MiB (Linux /proc). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** CPU seconds a process has used (user + system; Linux /proc, 100 ticks per second). */
function cpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface IndexWork { builds: number; catchUps: number; ms: number }

async function startServer(db: string, extra: string[], dist: boolean): Promise<{ base: string; pid: number; index: IndexWork; stop(): Promise<void> }> {
  // --dist: the built server (`npm run build`), as `npm start` runs it; otherwise the sources through tsx.
  const entry = dist ? [join(ROOT, 'server', 'bin', 'lineage.js')] : ['--import', 'tsx', join(ROOT, 'bench', '_serve.ts')];
  const child = spawn(process.execPath, [...entry, 'serve', '--db', db, '--port', '0', '--log-level', 'info', '--max-concurrent', '256', ...extra], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Listening, then the lineage index built (the steady state a long-running server is in).
  // Lineage index work after start (one stderr line each): full builds and catch-ups, and their wall time.
  const index = { builds: 0, catchUps: 0, ms: 0 };
  let tail = '';
  const countIndex = (d: Buffer): void => {
    const lines = (tail + d.toString()).split('\n');
    tail = lines.pop() ?? '';
    for (const l of lines) {
      const m = /lineage index: \d+ processes in (\d+) ms( \(catch-up\))?/.exec(l);
      if (m) { if (m[2]) index.catchUps += 1; else index.builds += 1; index.ms += Number(m[1]); }
    }
  };
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    let url = '';
    let countsBy: number | undefined;
    const onData = (d: Buffer): void => {
      buf += d.toString();
      url ||= /on (http:\/\/[^\s/]+:\d+)\//.exec(buf)?.[1] ?? '';
      // …and the event counts built after it (event-counts.ts), or 120 s at most after the index.
      if (url && /lineage index: \d+ processes/.test(buf)) countsBy ??= Date.now() + 120_000;
      if (url && (/lineage index not built|event counts: \d+ processes/.test(buf) || (countsBy !== undefined && Date.now() > countsBy))) {
        child.stderr.off('data', onData); child.stderr.on('data', countIndex); resolve(url);
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${buf}`)));
  });
  return {
    base, pid: child.pid!, index,
    stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

/** One request: its kind, latency, outcome and when it started (ms, performance.now()). */
interface Sample { kind: string; ms: number; ok: boolean; at: number }

/**
 * About `mb` MB of Sysmon process creates in XML, on a host of their own, named per run (all new to
 * the store, also when an earlier run uploaded into the same file; each is a child of the one before,
 * so graphs of the uploaded host have lineage).
 */
function uploadBody(mb: number): Buffer {
  const computer = `bench-upload-${Date.now().toString(36)}`;
  const parts: string[] = [];
  let size = 0;
  for (let n = 1; size < mb * 1e6; n++) {
    const guid = `{b0b0b0b0-0000-4000-8000-${n.toString(16).padStart(12, '0')}}`;
    const line = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>`
      + `<EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${computer}</Computer></System><EventData>`
      + `<Data Name='UtcTime'>2026-03-02 10:00:00.000</Data><Data Name='ProcessGuid'>${guid}</Data><Data Name='ProcessId'>${n}</Data>`
      + `<Data Name='ParentProcessGuid'>{b0b0b0b0-0000-4000-8000-${(n - 1).toString(16).padStart(12, '0')}}</Data>`
      + `<Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd.exe /c echo ${n}</Data></EventData></Event>\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''));
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    db: { type: 'string' }, hosts: { type: 'string', default: '20' }, 'per-host-day': { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' }, 'upload-mb': { type: 'string', default: '0' }, 'think-ms': { type: 'string', default: '1000' }, seconds: { type: 'string', default: '60' },
    'read-connections': { type: 'string' }, direct: { type: 'boolean', default: false }, dist: { type: 'boolean', default: false }, 'upload-delay-s': { type: 'string', default: '10' },
  } });
  const clients = Number(values.clients);
  const thinkMs = Number(values['think-ms']);
  const seconds = Number(values.seconds);
  let db = values.db;
  let tmp: string | null = null;
  if (!db || !existsSync(db)) {
    // Kept when --db names a file, so later runs reuse the store.
    if (!db) { tmp = mkdtempSync(join(tmpdir(), 'lineage-bench-serve-')); db = join(tmp, 'bench.duckdb'); }
    const store = await EmbeddedStore.open(db);
    const s = await writeDemo(store, { hosts: Number(values.hosts), processesPerHostDay: Number(values['per-host-day']) });
    await store.close();
    console.error(`[serve] built ${db}: ${s.events} events, ${s.processes} processes in ${Math.round(s.ms / 1000)} s`);
  }
  const loadBefore = loadavg().map((x) => x.toFixed(2));
  const rc = values['read-connections'];
  // --direct: the same requests answered in this process, without HTTP (the ceiling; _serve-direct.ts).
  const direct = values.direct ? await openDirect(db, rc ? Number(rc) : undefined) : null;
  const server = direct ? { base: '', pid: process.pid, index: null, stop: () => direct.close() } : await startServer(db, rc ? ['--read-connections', rc] : [], values.dist);
  const samples: Sample[] = [];
  const H = { 'x-lineage-request': '1' };
  const get = async (kind: string, path: string): Promise<unknown> => {
    const t = performance.now();
    try {
      if (direct) {
        const body = await direct.get(path);
        samples.push({ kind, ms: performance.now() - t, ok: true, at: t });
        return JSON.parse(JSON.stringify(body)) as unknown;
      }
      const r = await fetch(`${server.base}${path}`, { headers: H });
      const body = await r.json();
      samples.push({ kind, ms: performance.now() - t, ok: r.ok, at: t });
      return r.ok ? body : null;
    } catch {
      samples.push({ kind, ms: performance.now() - t, ok: false, at: t });
      return null;
    }
  };
  try {
    const hosts = Number(values.hosts);
    const images = ['cmd.exe', 'powershell.exe', 'svchost.exe', 'chrome.exe', 'rundll32.exe', 'conhost.exe'];
    const until = Date.now() + seconds * 1000;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const analyst = async (i: number): Promise<void> => {
      let n = i;
      await sleep(Math.random() * thinkMs); // stagger the start
      while (Date.now() < until) {
        n += 7;
        const host = `ws-${String((n % hosts) + 1).padStart(4, '0')}.corp.example`;
        const found = await get('search', `/api/search?host=${host}&image=${images[n % images.length]}&limit=20`) as { items?: { guid: string }[] } | null;
        await sleep(thinkMs);
        const guid = found?.items?.[n % Math.max(1, found.items.length)]?.guid;
        if (!guid) continue;
        await get('graph', `/api/graph?guid=${encodeURIComponent(guid)}&host=${host}&up=1&down=2`);
        await sleep(thinkMs);
        await get('children', `/api/processes/${encodeURIComponent(guid)}/children?host=${host}&limit=50`);
        await sleep(thinkMs);
      }
    };
    const uploadMb = Number(values['upload-mb']);
    // The upload starts once the analysts are in their steady state; the reads that start during it
    // are reported apart from those before and after it (the same run, the same load).
    let window: { from: number; to: number; rssBefore: number } | null = null;
    const upload = uploadMb > 0 ? (async () => {
      const body = uploadBody(uploadMb);
      await sleep(Number(values['upload-delay-s']) * 1000);
      const rssBefore = direct ? 0 : peakRssMiB(server.pid);
      const t = performance.now();
      const r = await fetch(`${server.base}/api/upload?name=bench.xml`, { method: 'POST', headers: { ...H, 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });
      const text = await r.text();
      window = { from: t, to: performance.now(), rssBefore };
      const s2 = (window.to - t) / 1000;
      const line = { bench: 'serve', kind: 'upload', mb: Math.round(body.length / 1e6), status: r.status, done: /"type":"done"/.test(text), seconds: Math.round(s2 * 10) / 10, mbPerSec: Math.round((body.length / 1e6 / s2) * 10) / 10,
        serverPeakRssBeforeMiB: rssBefore, serverPeakRssAfterMiB: direct ? 0 : peakRssMiB(server.pid) };
      console.log(JSON.stringify(line));
      console.error(`upload    ${line.mb} MB in ${line.seconds} s (${line.mbPerSec} MB/s), status ${line.status}, done ${line.done}; server peak RSS ${line.serverPeakRssBeforeMiB} MiB before it, ${line.serverPeakRssAfterMiB} MiB after`);
    })() : Promise.resolve();
    const cpu0 = process.cpuUsage();
    const serverCpu0 = cpuSec(server.pid);
    const wall0 = performance.now();
    await Promise.all([...Array.from({ length: clients }, (_, i) => analyst(i)), upload]);
    const cpu = process.cpuUsage(cpu0);
    // Above 100 %: the server used more than one core (DuckDB statements run off the event loop).
    const serverCpuSec = cpuSec(server.pid) - serverCpu0;
    const serverCpuPct = Math.round((serverCpuSec / ((performance.now() - wall0) / 1000)) * 100);
    // CPU per request: what the load costs whatever share of the cores the server got (the machine is shared).
    const serverCpuMsPerRequest = Math.round((serverCpuSec * 1000) / Math.max(1, samples.length) * 10) / 10;
    const rss = peakRssMiB(server.pid);
    const loadAfter = loadavg().map((x) => x.toFixed(2));
    for (const kind of ['search', 'graph', 'children', 'all']) {
      const of = samples.filter((s) => kind === 'all' || s.kind === kind);
      const ms = of.map((s) => s.ms).sort((a, b) => a - b);
      const line = { bench: 'serve', kind, clients, thinkMs, seconds, requests: of.length, errors: of.filter((s) => !s.ok).length,
        p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99), serverPeakRssMiB: rss, serverCpuPct, serverCpuMsPerRequest, loadBefore, loadAfter, benchClientCpuMs: Math.round((cpu.user + cpu.system) / 1000) };
      console.log(JSON.stringify(line));
      console.error(`${kind.padEnd(9)} n=${String(line.requests).padStart(5)} err=${line.errors}  p50 ${line.p50} ms  p95 ${line.p95} ms  p99 ${line.p99} ms`);
    }
    const w = window as { from: number; to: number } | null;
    if (w) {
      for (const [phase, inPhase] of [['during-upload', (s: Sample) => s.at >= w.from && s.at < w.to], ['outside-upload', (s: Sample) => s.at < w.from || s.at >= w.to]] as const) {
        for (const kind of ['graph', 'all']) {
          const ms = samples.filter((s) => inPhase(s) && (kind === 'all' || s.kind === kind)).map((s) => s.ms).sort((a, b) => a - b);
          const line = { bench: 'serve', kind: `${kind}-${phase}`, requests: ms.length, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99) };
          console.log(JSON.stringify(line));
          console.error(`${line.kind.padEnd(24)} n=${String(line.requests).padStart(5)}  p50 ${line.p50} ms  p95 ${line.p95} ms  p99 ${line.p99} ms`);
        }
      }
    }
    if (server.index) {
      console.log(JSON.stringify({ bench: 'serve', kind: 'lineage-index', ...server.index }));
      console.error(`lineage index after start: ${server.index.builds} full builds, ${server.index.catchUps} catch-ups, ${server.index.ms} ms wall in all`);
    }
    console.error(`server peak RSS ${rss} MiB, server CPU ${serverCpuPct} % of one core (${serverCpuMsPerRequest} ms per request); load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
  } finally {
    await server.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
