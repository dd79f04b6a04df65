/**
 * Event identity (issue 13 §1, docs/ingest.md "Event identity"): every real capture stores exactly
 * its distinct events. The expected counts are computed HERE from the files with an independent
 * reading — fast-xml-parser for XML (fxp-reference.ts), JSON.parse for JSON lines — and an
 * independent identity: host, channel, record id, EventID, System/TimeCreated and the event data,
 * without pipeline metadata (Logstash/NXLog `@timestamp`, `EventReceivedTime`…). Then every file is
 * ingested twice into a store: the second time stores nothing (idempotent).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedStore } from '../../src/sources/embedded/store.js';
import { dataset, requireDatasets } from '../datasets.js';
import { referenceParse } from './fxp-reference.js';
import { tempDir } from './helpers.js';

const run = requireDatasets('event identity on real captures');

/** Keys a log pipeline adds or rewrites on the way (not the Windows event). */
const PIPELINE = new Set(['@timestamp', '@version', 'EventReceivedTime', 'host', 'port', 'tags', 'SourceModuleName', 'SourceModuleType']);
/** JSON keys that are System fields (part of the identity on their own). */
const JSON_SYSTEM = new Set(['Hostname', 'Computer', 'Channel', 'SourceName', 'EventID', 'RecordNumber', 'EventRecordID', 'TimeCreated']);

/** `…T…` with the fraction cut/padded to 100 ns, written independently of fields.ts. */
function time100ns(t: string | null | undefined): string {
  if (!t) return '';
  const [whole, frac = ''] = t.replace(' ', 'T').replace(/Z$/, '').split('.');
  return `${whole}.${(frac + '0000000').slice(0, 7)}`;
}

/** Data in a canonical order, GUID values lower-cased (the store keeps one spelling of a GUID). */
function dataKey(data: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(data).sort().map((k) => [k, /guid$/i.test(k) ? String(data[k]).toLowerCase() : String(data[k])]));
}

/** Distinct Sysmon events of an XML capture (one `<Event>` per line). */
export function distinctXml(file: string): { total: number; distinct: number } {
  const keys = new Set<string>();
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('<Event')) continue;
    const { system: s, data } = referenceParse(line.trimEnd());
    if (!/sysmon/i.test(`${s.channel ?? ''} ${s.provider ?? ''}`)) continue;
    total++;
    keys.add([s.computer?.toLowerCase(), s.channel, s.recordId, s.eventId, time100ns(s.timeCreated), dataKey(data)].join('|'));
  }
  return { total, distinct: keys.size };
}

/** Distinct Sysmon events of a JSON-lines capture (OTRF / NXLog flat objects). */
function distinctJson(file: string): { total: number; distinct: number } {
  const keys = new Set<string>();
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (!/sysmon/i.test(`${String(o.Channel ?? '')} ${String(o.SourceName ?? '')}`)) continue;
    total++;
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!PIPELINE.has(k) && !JSON_SYSTEM.has(k)) data[k] = v;
    const host = String(o.Computer ?? o.Hostname ?? '').toLowerCase();
    keys.add([host, o.Channel, o.RecordNumber ?? o.EventRecordID ?? '', o.EventID, time100ns(o.TimeCreated as string | undefined), dataKey(data)].join('|'));
  }
  return { total, distinct: keys.size };
}

/** Ingest `files` into a fresh in-memory store twice; the events stored and the second run's report. */
async function ingestTwice(files: string[]): Promise<{ stored: number; first: { events: number; duplicates: number }; again: { events: number; duplicates: number } }> {
  const store = await EmbeddedStore.open(':memory:');
  try {
    const sink = { write: (b: Parameters<EmbeddedStore['writeEvents']>[0]) => store.writeEvents(b), begin: () => store.beginBatch() };
    const first = await ingestPaths(files, sink);
    const again = await ingestPaths(files, sink);
    return { stored: (await store.counts()).events, first, again };
  } finally {
    await store.close();
  }
}

function captures(dir: string, re: RegExp): string[] {
  return (readdirSync(dataset(dir), { recursive: true }) as string[]).filter((f) => re.test(f)).map((f) => join(dataset(dir), f)).sort();
}

const XML = run ? [
  ...captures('sbousseaden-EVTX-ATTACK-SAMPLES/xml', /\.xml\.log$/),
  ...captures('splunk-attack_data/xmlwineventlog', /\.(log|raw)$/),
  ...captures('splunk-attack_data/capattack_T1003.001_procdump', /\.xml\.log$/),
] : [];
const JSONL = run ? [
  ...captures('OTRF-Security-Datasets', /\.json$/),
  dataset('splunk-attack_data/nxlog-json/T1027_atomic_red_team/attack_data.txt'),
] : [];
const name = (f: string): string => f.slice(f.indexOf('datasets/') + 9);

describe.runIf(run)('every real capture stores exactly its distinct events', () => {
  it('finds the 27 XML and 5 JSON captures', () => {
    expect(XML).toHaveLength(27);
    expect(JSONL).toHaveLength(5);
  });

  it.each(XML.map((f) => [name(f), f]))('XML %s', async (_n, file) => {
    const want = distinctXml(file);
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(want.distinct);
    expect(got.first).toMatchObject({ events: want.distinct, duplicates: want.total - want.distinct });
    expect(got.again).toMatchObject({ events: 0, duplicates: want.total });
  });

  it.each(JSONL.map((f) => [name(f), f]))('JSON %s', async (_n, file) => {
    const want = distinctJson(file);
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(want.distinct);
    expect(got.first).toMatchObject({ events: want.distinct, duplicates: want.total - want.distinct });
    expect(got.again).toMatchObject({ events: 0, duplicates: want.total });
  });

  it.each(run ? captures('sbousseaden-EVTX-ATTACK-SAMPLES/evtx', /\.evtx$/).map((f) => [name(f), f]) : [])('.evtx %s stores what its XML export holds, and folds with it', async (_n, file) => {
    const twin = file.replace('/evtx/', '/xml/').replace(/\.evtx$/, '.xml.log');
    const want = distinctXml(twin);
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(want.distinct);
    // The same events read from the XML export are the same events: nothing more is stored.
    const both = await ingestTwice([file, twin]);
    expect(both.stored).toBe(want.distinct);
  });
});

/** Rows of `sql` on a fresh store holding `files`. */
async function storedRows(files: string[], sql: string): Promise<unknown[][]> {
  const store = await EmbeddedStore.open(':memory:');
  try {
    await ingestPaths(files, { write: (b) => store.writeEvents(b), begin: () => store.beginBatch() });
    const conn = await store.acquire();
    try { return (await conn.runAndReadAll(sql)).getRowsJS(); } finally { store.release(conn); }
  } finally {
    await store.close();
  }
}

describe.runIf(run)('the collisions issue 13 names are distinct events', () => {
  it('T1649: record 3206406 is an EventID 1 and an EventID 11, 13 minutes apart — both stored, the create too', async () => {
    const file = dataset('splunk-attack_data/xmlwineventlog/T1649_certify_abuse__certify_esc1_abuse_sysmon.log');
    // From the file: the lines carrying that record id, read by the reference parser.
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('<EventRecordID>3206406<'));
    const ids = lines.map((l) => referenceParse(l.trimEnd()).system.eventId).sort();
    expect(ids).toEqual([1, 11]);
    const rows = await storedRows([file], `SELECT event_id FROM events WHERE record_id = 3206406 ORDER BY event_id`);
    expect(rows.map((r) => Number(r[0]))).toEqual(ids);
    const creates = await storedRows([file], `SELECT count(*) FROM processes`);
    expect(Number(creates[0]![0])).toBe(distinctCreates([file]));
  });

  it('two captures of one host concatenated, the second renumbered onto the first\'s record ids (a reverted VM)', async () => {
    const SB = 'sbousseaden-EVTX-ATTACK-SAMPLES/xml';
    const a = readFileSync(dataset(`${SB}/Credential Access/babyshark_mimikatz_powershell.xml.log`), 'utf8').split('\n').filter((l) => l.startsWith('<Event'));
    const b = readFileSync(dataset(`${SB}/Persistence/sysmon_13_1_persistence_via_winlogon_shell.xml.log`), 'utf8').split('\n').filter((l) => l.startsWith('<Event'));
    const aIds = a.map((l) => /<EventRecordID>(\d+)</.exec(l)![1]);
    expect(new Set(a.map((l) => /<Computer>([^<]*)</.exec(l)![1]))).toEqual(new Set(['IEWIN7']));
    expect(new Set(b.map((l) => /<Computer>([^<]*)</.exec(l)![1]))).toEqual(new Set(['IEWIN7']));
    const renumbered = b.map((l, i) => l.replace(/<EventRecordID>\d+</, `<EventRecordID>${aIds[i % aIds.length]!}<`));
    const file = join(tempDir(), 'iewin7-concatenated.xml.log');
    writeFileSync(file, `${[...a, ...renumbered].join('\n')}\n`);
    const want = distinctXml(file);
    expect(want.distinct).toBe(a.length + b.length); // the data says: no two lines are one event
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(want.distinct);
    expect(got.first.duplicates).toBe(0);
    const creates = await storedRows([file], `SELECT count(*) FROM processes`);
    expect(Number(creates[0]![0])).toBe(distinctCreates([file]));
  });

  const otrf = (over: Record<string, string>): string => JSON.stringify({
    '@timestamp': '2020-10-22T02:58:09.001Z', TimeCreated: '2020-10-22T02:58:08.517Z', Hostname: 'WORKSTATION5',
    Channel: 'Microsoft-Windows-Sysmon/Operational', SourceName: 'Microsoft-Windows-Sysmon', EventID: 13,
    UtcTime: '2020-10-22 02:58:08.516', ProcessGuid: '{39e4a257-f70b-5f90-2d00-000000000400}', Image: 'C:\\Windows\\system32\\svchost.exe',
    EventType: 'SetValue', TargetObject: 'HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\x', Details: 'Binary Data',
    ...over,
  });

  it('OTRF-style JSON without record ids: same UtcTime and data but another TimeCreated is another event; a re-shipped copy (new @timestamp) folds', async () => {
    const file = join(tempDir(), 'otrf-burst.json');
    writeFileSync(file, [
      otrf({}),
      otrf({ TimeCreated: '2020-10-22T02:58:08.518Z' }), // the next registry write of the burst
      otrf({ TimeCreated: '2020-10-22T02:58:08.519Z' }),
      otrf({ '@timestamp': '2020-10-22T03:14:00.000Z', EventReceivedTime: '2020-10-22 03:14:00' }), // the first, shipped again
    ].join('\n') + '\n');
    const want = distinctJson(file);
    expect(want).toEqual({ total: 4, distinct: 3 });
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(3);
    expect(got.first).toMatchObject({ events: 3, duplicates: 1 });
    expect(got.again).toMatchObject({ events: 0, duplicates: 4 });
  });

  it('an exact copy of an XML line folds; the same record id with another EventID or data does not', async () => {
    const src = readFileSync(dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log'), 'utf8').split('\n').filter((l) => l.startsWith('<Event'));
    const line = src[0]!;
    const file = join(tempDir(), 'copies.log');
    const otherData = line.replace(/<Data Name='GrantedAccess'>[^<]*</, "<Data Name='GrantedAccess'>0x1<");
    expect(otherData).not.toBe(line);
    writeFileSync(file, [line, line, otherData, line.replace('<EventID>10<', '<EventID>8<')].join('\n') + '\n');
    expect(distinctXml(file)).toEqual({ total: 4, distinct: 3 });
    const got = await ingestTwice([file]);
    expect(got.stored).toBe(3);
  });
});

describe.runIf(run)('a copy re-shipped with its keys in another order folds (docs/ingest.md "Event identity")', () => {
  it('JSON lines: every object of a real capture again with its keys reversed stores nothing new', async () => {
    const src = dataset('OTRF-Security-Datasets/cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json');
    const lines = readFileSync(src, 'utf8').split('\n').filter((l) => l.trim());
    const reversed = lines.map((l) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(l) as Record<string, unknown>).reverse())));
    expect(reversed[0]).not.toBe(lines[0]);
    const file = join(tempDir(), 'reordered.json');
    writeFileSync(file, [...lines, ...reversed].join('\n') + '\n');
    const want = distinctJson(src);
    expect(distinctJson(file)).toEqual({ total: 2 * want.total, distinct: want.distinct });
    const got = await ingestTwice([src, file]);
    expect(got.stored).toBe(want.distinct);
  });

  it('XML: a capture with the <Data> elements of every event in reverse order folds with the original', async () => {
    const src = dataset('splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log');
    const lines = readFileSync(src, 'utf8').split('\n').filter((l) => l.startsWith('<Event'));
    const reversed = lines.map((l) => l.replace(/(<EventData>)(.*)(<\/EventData>)/, (_m, a: string, body: string, b: string) =>
      a + (body.match(/<Data Name='[^']*'>[^<]*<\/Data>|<Data Name='[^']*'\/>/g) ?? []).reverse().join('') + b));
    expect(reversed.filter((l, i) => l !== lines[i]).length).toBe(lines.length);
    const file = join(tempDir(), 'reordered.log');
    writeFileSync(file, reversed.join('\n') + '\n');
    const want = distinctXml(src);
    expect(distinctXml(file)).toEqual(want);
    const got = await ingestTwice([src, file]);
    expect(got.stored).toBe(want.distinct);
    expect(got.again).toMatchObject({ events: 0, duplicates: 2 * want.total });
  });
});

/** Distinct process creates (EventID 1 with a ProcessGuid) in XML files, read by the reference parser. */
function distinctCreates(files: string[]): number {
  const guids = new Set<string>();
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.startsWith('<Event')) continue;
      const { system: s, data } = referenceParse(line.trimEnd());
      if (s.eventId === 1 && /sysmon/i.test(`${s.channel ?? ''}`) && data.ProcessGuid) guids.add(`${s.computer?.toLowerCase()}|${data.ProcessGuid.toLowerCase()}`);
    }
  }
  return guids.size;
}
