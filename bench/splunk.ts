/**
 * `npm run bench -- splunk [--latency-ms 1000] [--runs 3] [--fanout 2] [--noise 2000] [--depths 2,4,6,8]`
 *
 * Lineage's whole-tree strategy vs the per-generation loop an analyst writes today, against the
 * Splunk-protocol test server with a per-job dispatch latency (default 1 s, as on a real deployment).
 * For each depth D, one host holds a tree of D generations below its root (each process with
 * `fanout` children) plus `noise` unrelated processes, and every process has a network and a file
 * event. Measured, per depth (median of `runs`):
 *   - ours: SplunkSource.getTree(root, up, all the way down) + countEvents(tree) — searches and wall time;
 *   - graph: the whole graph document, investigate() with host + window (tree, counts, cross edges,
 *     planning and assembly) — what GET /api/graph costs;
 *   - loop: one search for the root, one per generation for the children of the previous one (the
 *     whole frontier in one IN list) until a generation is empty, then one search for the event counts.
 * Targets: ours ≤ 2 searches at every depth; ≤ 0.3× the loop's wall time at D = 6.
 * Also (UF-shaped data: host = short name, dest = FQDN): GUID-only pivot on the deepest leaf
 * (no host, no window) ≤ 2 searches; notable pivot (read the notables, open one) ≤ 3; no job left.
 * Last, the shipped rule pack over every host (searches, median wall time, scans, ancestor rounds).
 */
import { parseArgs } from 'node:util';
import type { WinEvent as ParsedEvent } from '../tools/splunkd-sim/winevent.js';
import { investigate } from '../server/src/graph/investigate.js';
import { newContext } from '../server/src/sources/event-source.js';
import { SplunkClient } from '../server/src/sources/splunk/client.js';
import { resolveConfig, type SplunkConfig } from '../server/src/sources/splunk/config.js';
import { SplunkSource } from '../server/src/sources/splunk/source.js';
import { batches, SplBuilder, timeParams } from '../server/src/sources/splunk/spl.js';
import { startSplunkd } from '../tools/splunkd-sim/index.js';
import { loadPack } from '../server/src/rules/pack.js';
import { runRules } from '../server/src/rules/run/run.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

/** A Sysmon-shaped ProcessGuid: machine part, then the start second's low and high 16 bits (guid-time.ts). */
function guid(host: number, n: number, tMs = T0): string {
  const sec = Math.floor(tMs / 1000).toString(16).padStart(8, '0');
  return `{b${String(host).padStart(7, '0')}-${sec.slice(4)}-${sec.slice(0, 4)}-8000-${n.toString(16).padStart(12, '0')}}`;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Sysmon events of one host: a tree of `depth` generations with `fanout`, plus `noise` other processes. */
function hostEvents(hostNo: number, depth: number, fanout: number, noise: number): { events: ParsedEvent[]; root: string; leaf: string; host: string; processes: number } {
  const host = `bench-d${depth}.corp.local`;
  const events: ParsedEvent[] = [];
  let n = 0;
  let rec = 1;
  const add = (eventId: number, t: number, data: Record<string, string>) => {
    events.push({
      system: { eventId, computer: host, recordId: rec++, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: new Date(t).toISOString() },
      data: { UtcTime: utc(t), ...data },
    });
  };
  const proc = (g: string, parent: string, pid: number, image: string, t: number) => {
    add(1, t, {
      ProcessGuid: g, ProcessId: String(pid), Image: image, CommandLine: `${image} /x ${pid}`, CurrentDirectory: 'C:\\',
      User: 'CORP\\alice', LogonGuid: '{b0000000-0000-4000-8000-00000000beef}', IntegrityLevel: 'Medium', Hashes: 'SHA256=00',
      ParentProcessGuid: parent, ParentProcessId: '4', ParentImage: 'C:\\Windows\\explorer.exe', ParentCommandLine: 'explorer.exe',
    });
    add(3, t + 5, { ProcessGuid: g, ProcessId: String(pid), Image: image, DestinationIp: '10.0.0.1', DestinationPort: '443', Protocol: 'tcp' });
    add(11, t + 7, { ProcessGuid: g, ProcessId: String(pid), Image: image, TargetFilename: `C:\\tmp\\${pid}.txt` });
  };
  const root = guid(hostNo, ++n, T0);
  proc(root, '{00000000-0000-0000-0000-000000000000}', 1000, 'C:\\Windows\\System32\\cmd.exe', T0);
  let frontier = [root];
  for (let level = 1; level <= depth; level++) {
    const next: string[] = [];
    for (const p of frontier) {
      for (let k = 0; k < fanout; k++) {
        const t = T0 + level * 60_000 + n + 1;
        const g = guid(hostNo, ++n, t);
        proc(g, p, 1000 + n, k % 2 ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', t);
        next.push(g);
      }
    }
    frontier = next;
  }
  const leaf = frontier[frontier.length - 1]!;
  const processes = n;
  for (let i = 0; i < noise; i++) {
    const t = T0 + (i * 37_000) % 3_600_000;
    const g = guid(hostNo, ++n, t);
    proc(g, guid(hostNo, 900_000 + (i % 50)), 50_000 + i, 'C:\\Windows\\System32\\svchost.exe', t);
  }
  return { events, root, leaf, host, processes };
}

/** GUID-only pivot (a workflow action with just the GUID): the deepest leaf, no host, no window, graph to the root. */
async function guidPivot(src: SplunkSource, leaf: string, depth: number) {
  const ctx = newContext();
  const t = performance.now();
  const doc = await investigate(src, { guid: leaf, host: null, up: true, down: Infinity }, ctx);
  return { searches: ctx.stats.searches, ms: performance.now() - t, ok: doc.nodes.filter((n) => !n.placeholder).length >= depth + 1 };
}

/** Notable pivot: read the open notables (ES `notable` macro), then open the first one's process (dest = FQDN). */
async function notablePivot(src: SplunkSource, title: string, range: { from: string; to: string }, depth: number) {
  const ctx = newContext();
  const t = performance.now();
  const list = await src.notables({ ctx, limit: 50, range });
  const n = list.find((x) => x.title === title);
  if (!n?.guid) throw new Error(`notable ${title} not found or without a process`);
  const doc = await investigate(src, { guid: n.guid, host: n.host, up: true, down: Infinity }, ctx);
  return { searches: ctx.stats.searches, ms: performance.now() - t, ok: doc.nodes.filter((x) => !x.placeholder).length >= depth + 1 };
}

/** The per-generation loop, run with the same client and SPL builder as Lineage. */
async function loop(client: SplunkClient, spl: SplBuilder, root: string, host: string, range: { from: string; to: string }) {
  const ctx = newContext();
  const params = timeParams(range);
  const t = performance.now();
  const found = [root];
  await client.search(spl.processesByGuid([root], host), { ctx, ...params });
  let frontier = [root];
  while (frontier.length > 0) {
    const r = await client.search(spl.childrenOf(frontier, host), { ctx, ...params });
    frontier = r.rows.map((x) => String(x.ProcessGuid));
    found.push(...frontier);
  }
  for (const b of batches(found, 100_000)) await client.search(spl.countsByGuid(b, host), { ctx, ...params });
  return { searches: ctx.stats.searches, ms: performance.now() - t, processes: found.length };
}

async function ours(src: SplunkSource, root: string, host: string, range: { from: string; to: string }) {
  const ctx = newContext();
  const t = performance.now();
  const tree = await src.getTree(root, { ctx, host, range, up: true, down: Infinity, nodeBudget: 1_000_000 });
  const counts = await src.countEvents(tree.processes.map((p) => p.guid), { ctx, host, range });
  return { searches: ctx.stats.searches, ms: performance.now() - t, processes: tree.processes.length, counted: counts.size };
}

async function graph(src: SplunkSource, root: string, host: string, range: { from: string; to: string }) {
  const ctx = newContext();
  const t = performance.now();
  const doc = await investigate(src, { guid: root, host, range, up: true, down: Infinity, nodeBudget: 100_000 }, ctx);
  return { searches: ctx.stats.searches, ms: performance.now() - t, processes: doc.nodes.filter((n) => !n.placeholder).length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'latency-ms': { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' },
      fanout: { type: 'string', default: '2' }, noise: { type: 'string', default: '2000' }, depths: { type: 'string', default: '2,4,6,8,10' },
    },
  });
  const latency = Number(values['latency-ms']);
  const runs = Number(values.runs);
  const fanout = Number(values.fanout);
  const noise = Number(values.noise);
  const depths = String(values.depths).split(',').map(Number);
  const hosts = depths.map((d, i) => ({ depth: d, ...hostEvents(i + 1, d, fanout, noise) }));
  // UF-shaped data (host = short name, Computer/dest = FQDN); one ES notable per tree, on its deepest leaf.
  const notables = hosts.map((h) => ({ rule_name: `bench notable d${h.depth}`, dest: h.host, process_guid: h.leaf, _time: new Date(T0 + 3_600_000).toISOString() }));
  const splunkd = await startSplunkd({ latency: { dispatchMs: latency, perEventMs: 0 }, quota: 10, data: { sysmonEvents: hosts.flatMap((h) => h.events), notables, deployment: { host: 'short' } } });
  const range = { from: new Date(T0 - 3_600_000).toISOString(), to: new Date(T0 + 24 * 3_600_000).toISOString() };
  try {
    const config: SplunkConfig = { ...resolveConfig({ url: splunkd.url }), pollMs: 100 };
    const client = await SplunkClient.login(config, { username: 'admin', password: 'changeme' });
    const src = new SplunkSource(client, config);
    const spl = new SplBuilder(config);
    const summary: string[] = [];
    for (const h of hosts) {
      const a: Awaited<ReturnType<typeof ours>>[] = [];
      const b: Awaited<ReturnType<typeof loop>>[] = [];
      const c: Awaited<ReturnType<typeof graph>>[] = [];
      const g: Awaited<ReturnType<typeof guidPivot>>[] = [];
      const nt: Awaited<ReturnType<typeof notablePivot>>[] = [];
      for (let r = 0; r < runs; r++) {
        a.push(await ours(src, h.root, h.host, range));
        c.push(await graph(src, h.root, h.host, range));
        b.push(await loop(client, spl, h.root, h.host, range));
        g.push(await guidPivot(src, h.leaf, h.depth));
        nt.push(await notablePivot(src, `bench notable d${h.depth}`, range, h.depth));
      }
      if (g.some((x) => !x.ok) || nt.some((x) => !x.ok)) throw new Error(`depth ${h.depth}: a pivot did not reach the root`);
      if (a.some((x) => x.processes !== h.processes) || b.some((x) => x.processes !== h.processes)) {
        throw new Error(`depth ${h.depth}: expected ${h.processes} processes, ours ${a[0]!.processes}, loop ${b[0]!.processes}`);
      }
      const res = {
        bench: 'splunk', depth: h.depth, fanout, treeProcesses: h.processes, hostProcesses: h.processes + noise, latencyMs: latency, runs,
        ours: { searches: a[0]!.searches, medianMs: Math.round(median(a.map((x) => x.ms))) },
        loop: { searches: b[0]!.searches, medianMs: Math.round(median(b.map((x) => x.ms))) },
        graph: { searches: c[0]!.searches, medianMs: Math.round(median(c.map((x) => x.ms))), nodes: c[0]!.processes },
        guidPivot: { searches: g[0]!.searches, medianMs: Math.round(median(g.map((x) => x.ms))) },
        notablePivot: { searches: nt[0]!.searches, medianMs: Math.round(median(nt.map((x) => x.ms))) },
        jobsLeft: splunkd.jobs.all().length,
      };
      const ratio = res.ours.medianMs / res.loop.medianMs;
      console.log(JSON.stringify({ ...res, ratio: Number(ratio.toFixed(3)) }));
      summary.push(`D=${h.depth}: ours ${res.ours.searches} searches ${res.ours.medianMs} ms | loop ${res.loop.searches} searches ${res.loop.medianMs} ms | ratio ${ratio.toFixed(2)} | graph ${res.graph.searches} searches ${res.graph.medianMs} ms`
        + ` | GUID pivot ${res.guidPivot.searches} searches ${res.guidPivot.medianMs} ms | notable pivot ${res.notablePivot.searches} searches ${res.notablePivot.medianMs} ms | jobs left ${res.jobsLeft}`);
    }
    // The shipped rule pack over every bench host (UF-shaped), the window holding every tree.
    const rr: { searches: number; ms: number; hits: number; rounds: number; scans: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const ctx = newContext();
      const t = performance.now();
      const out = await runRules(src, loadPack(), { ctx, range });
      rr.push({ searches: ctx.stats.searches, ms: performance.now() - t, hits: out.hits.length, rounds: out.stats.ancestorRounds, scans: out.stats.scans });
    }
    const rulePack = { bench: 'splunk', rulePack: { searches: rr[0]!.searches, medianMs: Math.round(median(rr.map((x) => x.ms))), hits: rr[0]!.hits, scans: rr[0]!.scans, ancestorRounds: rr[0]!.rounds }, jobsLeft: splunkd.jobs.all().length };
    console.log(JSON.stringify(rulePack));
    summary.push(`rule pack: ${rulePack.rulePack.searches} searches ${rulePack.rulePack.medianMs} ms (${rulePack.rulePack.scans} scans, ${rulePack.rulePack.ancestorRounds} ancestor rounds, ${rulePack.rulePack.hits} hits) | jobs left ${rulePack.jobsLeft}`);
    console.error(`[bench] splunk, dispatch latency ${latency} ms, fan-out ${fanout}, ${noise} other processes per host, median of ${runs}:\n  ${summary.join('\n  ')}`);
    await src.close();
  } finally {
    await splunkd.stop();
  }
}
