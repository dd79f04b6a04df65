/**
 * `npm run bench -- prevalence [--db FILE] [--copy-to FILE] [--runs 5] [--nodes 500] [--latency-ms 1000] [--only embedded|splunk]`
 *
 * Fleet prevalence (POST /api/prevalence, services/prevalence.ts) of a `nodes`-process graph:
 *   - embedded: a copy of the 10M-event store (`--db`, default /work/bench-data/demo-10m.duckdb, never
 *     written; copied to `--copy-to` unless that exists) is upgraded in place (its prevalence tables
 *     built: time and creates keyed — a figure of its own), then the graph's prevalence over the default
 *     baseline, median of `runs` — statements and wall time;
 *   - splunk: the demo fleet (20 hosts, 7 days of history) in the splunkd test server with a per-job
 *     dispatch latency (default 1 s): first answer (process rows + one stats search) and cached answer.
 * The graph: the `nodes` earliest processes of the last day on one host (diverse images and pairs).
 */
import { copyFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { SysmonEvent } from '../server/src/ingest/record.js';
import type { WinEvent as ParsedEvent } from '../tools/splunkd-sim/winevent.js';
import { generateDemo } from '../server/src/demo/generate.js';
import { prevalence } from '../server/src/services/prevalence.js';
import { catchUpPrevalence } from '../server/src/sources/embedded/prevalence-index.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';
import { SplunkClient } from '../server/src/sources/splunk/client.js';
import { resolveConfig, type SplunkConfig } from '../server/src/sources/splunk/config.js';
import { SplunkSource } from '../server/src/sources/splunk/source.js';
import { startSplunkd } from '../tools/splunkd-sim/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** The `n` earliest creates of the store's last day on its first host, and that day as the window. */
async function graphOf(store: EmbeddedStore, n: number): Promise<{ guids: string[]; window: { from: string; to: string } }> {
  const conn = await store.acquire();
  try {
    const [last] = (await conn.runAndReadAll(`SELECT strftime(date_trunc('day', max(start_time)), '%Y-%m-%dT%H:%M:%SZ') AS d, min(host) AS h FROM processes`)).getRowObjectsJS();
    const day = String(last!.d);
    const rows = (await conn.runAndReadAll(`SELECT guid FROM processes WHERE host = $1 AND start_time >= CAST($2 AS TIMESTAMP) ORDER BY start_time LIMIT ${n}`, [String(last!.h), day])).getRowObjectsJS();
    return { guids: rows.map((r) => String(r.guid)), window: { from: day, to: new Date(Date.parse(day) + 86_400_000).toISOString() } };
  } finally {
    store.release(conn);
  }
}

async function embedded(db: string, copyTo: string, nodes: number, runs: number): Promise<void> {
  if (!existsSync(copyTo)) {
    const t = performance.now();
    copyFileSync(db, copyTo);
    console.error(`[bench] copied ${db} → ${copyTo} in ${Math.round(performance.now() - t)} ms`);
  }
  const store = await EmbeddedStore.open(copyTo, { memoryLimit: '4GB' });
  try {
    const t = performance.now();
    const keyed = await catchUpPrevalence(store);
    const upgradeMs = Math.round(performance.now() - t);
    const counts = await store.counts();
    const source = new EmbeddedSource(store);
    const g = await graphOf(store, nodes);
    const ms: number[] = [];
    let searches = 0;
    for (let r = 0; r < runs; r++) {
      const ctx = newContext();
      const t1 = performance.now();
      const a = await prevalence(source, { guids: g.guids, window: g.window }, ctx);
      ms.push(performance.now() - t1);
      searches = a.stats.searches;
      if (Object.keys(a.items).length !== g.guids.length) throw new Error(`expected ${g.guids.length} items, got ${Object.keys(a.items).length}`);
    }
    const res = { bench: 'prevalence', source: 'embedded', events: counts.events, processes: counts.processes, upgrade: { keyed, ms: upgradeMs }, nodes: g.guids.length, searches, medianMs: Math.round(median(ms)), runs, load: load() };
    console.log(JSON.stringify(res));
    console.error(`[bench] embedded ${counts.events} events: upgrade in place keyed ${keyed} creates in ${upgradeMs} ms; ${g.guids.length}-node prevalence ${res.searches} statement(s), median ${res.medianMs} ms of ${runs} (load ${res.load})`);
  } finally {
    await store.close();
  }
}

function toWin(e: SysmonEvent): ParsedEvent {
  return {
    system: { eventId: e.eventId, computer: e.host, recordId: e.recordId ?? 0, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: e.time },
    data: e.fields,
  };
}

async function splunk(nodes: number, runs: number, latency: number): Promise<void> {
  const events = [...generateDemo({ hosts: 20, historyPerHostDay: 40 })].flat();
  const day0 = events.filter((e) => e.eventId === 1 && e.host === events[0]!.host && e.time >= '2026-03-02');
  const guids = [...new Set(day0.map((e) => e.guid!))].slice(0, nodes);
  const splunkd = await startSplunkd({ latency: { dispatchMs: latency, perEventMs: 0 }, quota: 10, data: { sysmonEvents: events.map(toWin) } });
  try {
    const config: SplunkConfig = { ...resolveConfig({ url: splunkd.url }), pollMs: 100 };
    const first: { ms: number; searches: number }[] = [];
    const cached: { ms: number; searches: number }[] = [];
    const window = { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' };
    for (let r = 0; r < runs; r++) {
      // A fresh login per run: a new source, so the first answer is not from the cache.
      const src = new SplunkSource(await SplunkClient.login(config, { username: 'admin', password: 'changeme' }), config);
      for (const into of [first, cached]) {
        const ctx = newContext();
        const t = performance.now();
        await prevalence(src, { guids, window }, ctx);
        into.push({ ms: performance.now() - t, searches: ctx.stats.searches });
      }
      await src.close();
    }
    const res = {
      bench: 'prevalence', source: 'splunk', latencyMs: latency, events: events.length, nodes: guids.length, runs, load: load(),
      first: { searches: first[0]!.searches, medianMs: Math.round(median(first.map((x) => x.ms))) },
      cached: { searches: cached[0]!.searches, medianMs: Math.round(median(cached.map((x) => x.ms))) },
    };
    console.log(JSON.stringify(res));
    console.error(`[bench] splunk at ${latency} ms dispatch latency, ${events.length} events: ${guids.length}-node prevalence first ${res.first.searches} searches ${res.first.medianMs} ms, cached ${res.cached.searches} searches ${res.cached.medianMs} ms (median of ${runs}, load ${res.load})`);
  } finally {
    await splunkd.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: '/work/bench-data/demo-10m.duckdb' }, 'copy-to': { type: 'string', default: '.tmp/prevalence-10m.duckdb' },
      runs: { type: 'string', default: '5' }, nodes: { type: 'string', default: '500' }, 'latency-ms': { type: 'string', default: '1000' },
      only: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const nodes = Number(values.nodes);
  if (values.only !== 'splunk') await embedded(String(values.db), String(values['copy-to']), nodes, runs);
  if (values.only !== 'embedded') await splunk(nodes, runs, Number(values['latency-ms']));
}
