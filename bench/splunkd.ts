/**
 * `npm run bench -- splunkd [--events 100000] [--hosts 20] [--runs 5] [--in 500]`
 *
 * The Splunk-protocol test server's own cost, so Splunk benchmarks know how much of their wall time
 * is the modelled latency and how much the emulator. Indexes synthetic Sysmon (process trees plus
 * network/file events per process) and times, median of `runs`, with zero modelled latency:
 *   - index: events indexed per second (SplunkStore.addSysmon);
 *   - the adapter's query shapes evaluated in-process (runSearch): children of an `--in`-GUID
 *     IN-list, whole-host `stats earliest(…) by host ProcessGuid`, tstats on Endpoint.Processes,
 *     event counts `stats count by host lineage_guid EventCode` over one host;
 *   - one end-to-end job through HTTP + splunk-sdk (create, poll, page results).
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type { ParsedEvent } from '../server/src/ingest/record.js';
import { startSplunkd } from '../tools/splunkd-sim/index.js';
import { compileSearch, runSearch } from '../tools/splunkd-sim/spl/execute.js';
import { SplunkStore } from '../tools/splunkd-sim/store.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const guid = (h: number, n: number) => `{C${String(h).padStart(7, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}}`;

function synth(events: number, hosts: number): { list: ParsedEvent[]; guids: string[][] } {
  const list: ParsedEvent[] = [];
  const guids: string[][] = Array.from({ length: hosts }, () => []);
  let i = 0;
  while (list.length < events) {
    const h = i % hosts;
    const n = Math.floor(i / hosts);
    const g = guid(h, n);
    const parent = n === 0 ? guid(h, 0) : guid(h, Math.floor((n - 1) / 3));
    const t = T0 + i * 10;
    const system = (eventId: number) => ({ eventId, computer: `host${h}.corp.local`, recordId: list.length + 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: new Date(t).toISOString() });
    const utc = new Date(t).toISOString().replace('T', ' ').replace('Z', '');
    list.push({ system: system(1), data: { UtcTime: utc, ProcessGuid: g, ProcessId: String(1000 + n), Image: `C:\\Windows\\System32\\p${n % 50}.exe`, CommandLine: `p${n % 50}.exe /x`, User: 'CORP\\alice', ParentProcessGuid: parent, ParentImage: 'C:\\Windows\\explorer.exe' } });
    list.push({ system: system(3), data: { UtcTime: utc, ProcessGuid: g, Image: `C:\\Windows\\System32\\p${n % 50}.exe`, DestinationIp: '10.0.0.1', DestinationPort: '443' } });
    list.push({ system: system(11), data: { UtcTime: utc, ProcessGuid: g, Image: `C:\\Windows\\System32\\p${n % 50}.exe`, TargetFilename: `C:\\Temp\\f${n}.tmp` } });
    guids[h]!.push(g);
    i++;
  }
  return { list, guids };
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }

/** Bench entry. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string' }, hosts: { type: 'string' }, runs: { type: 'string' }, in: { type: 'string' } } });
  const total = Number(values.events ?? 100_000);
  const hosts = Number(values.hosts ?? 20);
  const runs = Number(values.runs ?? 5);
  const inSize = Number(values.in ?? 500);
  const { list, guids } = synth(total, hosts);
  const store = new SplunkStore();
  let t = performance.now();
  store.addSysmon(list);
  store.events();
  const indexMs = performance.now() - t;
  const out: Record<string, unknown> = { bench: 'splunkd', events: store.size, hosts, runs, index_events_per_s: Math.round(store.size / (indexMs / 1000)) };

  const base = 'search index=sysmon source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"';
  const inList = guids[0]!.slice(0, inSize).map((g) => `"${g}"`).join(', ');
  const queries: Record<string, string> = {
    children_in: `${base} EventCode=1 ParentProcessGuid IN (${inList}) | fields _time host ProcessGuid ParentProcessGuid Image | stats values(ProcessGuid) as child_guids by ParentProcessGuid`,
    host_tree: `${base} EventCode=1 host="host0.corp.local" | eval ProcessGuid=lower(ProcessGuid) | eval host=lower(host) | stats earliest(ParentProcessGuid) as ParentProcessGuid earliest(Image) as Image earliest(CommandLine) as CommandLine earliest(_time) as start by host ProcessGuid | sort 0 start ProcessGuid`,
    tstats_host: '| tstats summariesonly=false values(Processes.process_guid) as g from datamodel=Endpoint.Processes where Processes.dest="host0.corp.local" by Processes.parent_process_guid | rename Processes.* as *',
    event_counts: `${base} NOT EventCode=1 host="host0.corp.local" | eval lineage_guid=lower(ProcessGuid) | eval host=lower(host) | stats count by host lineage_guid EventCode`,
  };
  for (const [name, spl] of Object.entries(queries)) {
    const compiled = compileSearch(spl);
    const times: number[] = [];
    let rows = 0;
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      rows = runSearch(compiled, store, { nowSec: Date.now() / 1000, defaultIndexes: ['main'] }).results.length;
      times.push(performance.now() - t);
    }
    out[`${name}_ms`] = Number(median(times).toFixed(1));
    out[`${name}_rows`] = rows;
  }

  const h = await startSplunkd({ store });
  try {
    process.env.LOG_LEVEL = 'NONE';
    const require = createRequire(import.meta.url);
    const splunkjs = require('splunk-sdk') as { Service: new (p: Record<string, unknown>) => { login(): Promise<boolean>; jobs(): { create(q: string, p: Record<string, unknown>): Promise<{ track(o: object, c: object): Promise<unknown>; results(p: Record<string, unknown>): Promise<[{ rows: unknown[] }]> }> } } };
    const svc = new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port: h.port, username: 'admin', password: 'changeme', version: '9.2.1', timeout: 10_000 });
    await svc.login();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      const job = await svc.jobs().create(queries.host_tree!, {});
      await new Promise((resolve, reject) => { void job.track({ period: 50 }, { done: resolve, failed: reject, error: reject }); });
      const [page] = await job.results({ count: 50_000, output_mode: 'json_rows' });
      if (page.rows.length === 0) throw new Error('no rows');
      times.push(performance.now() - t);
    }
    out.sdk_host_tree_job_ms = Number(median(times).toFixed(1));
  } finally { await h.stop(); }
  console.log(JSON.stringify(out));
  console.error(`[splunkd] ${store.size} events: index ${out.index_events_per_s} ev/s; children_in(${inSize}) ${out.children_in_ms} ms; host_tree ${out.host_tree_ms} ms; tstats ${out.tstats_host_ms} ms; event_counts ${out.event_counts_ms} ms; SDK job end-to-end ${out.sdk_host_tree_job_ms} ms (50 ms poll period)`);
}
