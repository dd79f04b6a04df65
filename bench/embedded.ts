/**
 * `npm run bench -- embedded [--events N] [--batch B]`: the embedded store's write path.
 *   1. staging only, on the same events: the store's column-wise chunks through the DuckDB appender
 *      (stage.ts) vs an NDJSON file read by read_json vs a quote-less TSV file read by read_csv with an
 *      explicit schema (why the store appends);
 *   2. `EmbeddedStore.writeEvents` end to end (stage + dedupe + events + processes + commit), events/s;
 *   3. the same events again (all duplicates), events/s;
 *   4. `optimize()` time, and peak RSS.
 * Events come from the demo generator (generated before timing). Wall and CPU time are both
 * reported: on a shared machine CPU time is the steadier figure. JSON lines on stdout.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateDemo } from '../server/src/demo/generate.js';
import type { SysmonEvent } from '../server/src/ingest/record.js';
import { EmbeddedStore } from '../server/src/sources/embedded/store.js';
import { CREATE_STAGE, StageAppender } from '../server/src/sources/embedded/stage.js';

interface Timing { wallMs: number; cpuMs: number }

async function timed(f: () => Promise<void>): Promise<Timing> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const d = process.cpuUsage(c);
  return { wallMs: performance.now() - t, cpuMs: (d.user + d.system) / 1000 };
}

function report(name: string, n: number, t: Timing): void {
  const line = { bench: 'embedded', name, events: n, wallMs: Math.round(t.wallMs), cpuMs: Math.round(t.cpuMs),
    eventsPerSecWall: Math.round(n / (t.wallMs / 1000)), eventsPerCpuSec: Math.round(n / (t.cpuMs / 1000)) };
  console.log(JSON.stringify(line));
  console.error(`${name.padEnd(22)} ${String(line.eventsPerSecWall).padStart(8)} ev/s wall  ${String(line.eventsPerCpuSec).padStart(8)} ev/cpu-s`);
}

const COLS = `{ord:'INTEGER',guid:'VARCHAR',target_guid:'VARCHAR',event_id:'INTEGER',category:'VARCHAR',time:'VARCHAR',host:'VARCHAR',record_id:'DOUBLE',fields:'VARCHAR'}`;
/** The file alternatives stage every value as text (the store's stage_raw types time and category; stage.ts). */
const CREATE_TEXT_STAGE = `CREATE TEMP TABLE stage_text (ord INTEGER, guid VARCHAR, target_guid VARCHAR, event_id INTEGER, category VARCHAR,
  time VARCHAR, host VARCHAR, record_id DOUBLE, fields VARCHAR)`;

/** The alternative measured against the appender: a TSV by string concatenation (`\\N` NULLs, no quoting). */
function writeTsv(events: SysmonEvent[], path: string): void {
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    events.forEach((e, i) => {
      buf += `${i}\t${e.guid || '\\N'}\t${e.targetGuid || '\\N'}\t${e.eventId}\t${e.category}\t${e.time}\t${e.host}\t${e.recordId ?? '\\N'}\t${JSON.stringify(e.fields)}\n`;
      if (buf.length >= 1 << 20) { writeSync(fd, buf); buf = ''; }
    });
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

async function stagingComparison(events: SysmonEvent[], dir: string): Promise<void> {
  const inst = await DuckDBInstance.create(join(dir, 'staging.duckdb'), { threads: '1' });
  const conn = await inst.connect();
  await conn.run(CREATE_STAGE);
  await conn.run(CREATE_TEXT_STAGE);
  // The store's own staging code (stage.ts).
  report('stage:appender', events.length, await timed(async () => {
    const stager = await StageAppender.open(conn);
    for (const e of events) stager.add(e);
    stager.close();
  }));
  const ndjson = join(dir, 'stage.ndjson');
  report('stage:read_json', events.length, await timed(async () => {
    writeFileSync(ndjson, events.map((e, i) => JSON.stringify({ ord: i, guid: e.guid, target_guid: e.targetGuid, event_id: e.eventId,
      category: e.category, time: e.time, host: e.host, record_id: e.recordId, fields: JSON.stringify(e.fields) })).join('\n'));
    await conn.run(`INSERT INTO stage_text SELECT * FROM read_json($1, format='newline_delimited', columns=${COLS})`, [ndjson]);
  }));
  await conn.run('DELETE FROM stage_text');
  const tsv = join(dir, 'stage.tsv');
  report('stage:tsv+read_csv', events.length, await timed(async () => {
    writeTsv(events, tsv);
    await conn.run(`INSERT INTO stage_text SELECT * FROM read_csv($1, columns=${COLS}, header=false, delim='\t', quote='', escape='',
      nullstr='\\N', auto_detect=false, force_not_null=['category', 'time', 'host', 'fields'])`, [tsv]);
  }));
  conn.closeSync();
  inst.closeSync();
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '50000' } } });
  const want = Number(values.events);
  const batch = Number(values.batch);
  // ≈ 4.5 events per process-create in the demo fleet.
  const hosts = Math.max(1, Math.ceil(want / 45_000));
  const events: SysmonEvent[] = [];
  for (const b of generateDemo({ hosts, processesPerHostDay: 10_000 })) {
    for (const e of b) events.push(e);
    if (events.length >= want) break;
  }
  events.length = Math.min(events.length, want);
  console.error(`[bench] ${events.length} demo events, batches of ${batch}`);
  const dir = mkdtempSync(join(tmpdir(), 'lineage-bench-'));
  try {
    await stagingComparison(events.slice(0, 200_000), dir);
    const store = await EmbeddedStore.open(join(dir, 'store.duckdb'));
    report('writeEvents', events.length, await timed(async () => {
      for (let i = 0; i < events.length; i += batch) await store.writeEvents(events.slice(i, i + batch));
    }));
    report('writeEvents:duplicates', events.length, await timed(async () => {
      for (let i = 0; i < events.length; i += batch) await store.writeEvents(events.slice(i, i + batch));
    }));
    report('optimize', events.length, await timed(() => store.optimize()));
    console.log(JSON.stringify({ bench: 'embedded', counts: await store.counts(), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
