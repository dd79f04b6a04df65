/**
 * Every supported file shape, from small fixtures of our own (server/test/fixtures/ingest). The
 * same five Sysmon events (cmd → powershell, its network connection, its lsass access, its exit)
 * plus one Security 4688 are written in each format; every format must give the same events.
 *
 *   explorer {…0001…}            (parent only, never logged)
 *   └── cmd.exe {…0002…}          EID 1, record 101
 *       └── powershell {…0003…}   EID 1 (102), EID 3 (103), EID 10 → lsass {…0004…} (104), EID 5 (105)
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/ingest/detect.js';
import { readEventsFromFile } from '../../src/ingest/read-file.js';
import { readHead } from '../../src/ingest/text-stream.js';
import { fixture, readNormalised, sorted, tempDir, withoutSystemKey } from './helpers.js';

const CMD = '{5d8a1c2b-0002-6630-0b00-000000000a00}';
const PS = '{5d8a1c2b-0003-6630-0c00-000000000a00}';
const EXPECTED = [
  { eventId: 1, category: 'process', recordId: 101, time: '2024-05-01T10:00:00.123Z', guid: CMD, targetGuid: null, parent: '{5d8a1c2b-0001-6630-0a00-000000000a00}', commandLine: 'cmd.exe /c "powershell -nop -c echo 1 > C:\\t.txt & whoami"' },
  { eventId: 1, category: 'process', recordId: 102, time: '2024-05-01T10:00:01.200Z', guid: PS, targetGuid: null, parent: CMD, commandLine: 'powershell -nop -c echo 1 > C:\\t.txt' },
  { eventId: 3, category: 'network', recordId: 103, time: '2024-05-01T10:00:02.000Z', guid: PS, targetGuid: null, parent: undefined, commandLine: undefined },
  { eventId: 10, category: 'process-access', recordId: 104, time: '2024-05-01T10:00:03.000Z', guid: PS, targetGuid: '{5d8a1c2b-0004-6630-0d00-000000000a00}', parent: undefined, commandLine: undefined },
  { eventId: 5, category: 'process', recordId: 105, time: '2024-05-01T10:00:04.000Z', guid: PS, targetGuid: null, parent: undefined, commandLine: undefined },
].map((e) => ({ host: 'ws01.corp.local', ...e }));

const FORMATS: [string, string, number][] = [
  // file, detected format, non-Sysmon records skipped
  ['xmlwineventlog.log', 'xml', 1],
  ['wevtutil-export.xml', 'xml', 1],
  ['flat.jsonl', 'json', 0],
  ['nested.jsonl', 'json', 0],
  ['winlogbeat.jsonl', 'json', 0],
  ['raw.csv', 'csv', 0],
  ['cim.csv', 'csv', 0],
  // JSON documents (json-document.ts): an array with a Security 4688 element, pretty-printed objects
  // one after another, Splunk REST results (CIM rows in `results`), an Elastic _search answer.
  ['array.json', 'json-document', 1],
  ['pretty-objects.json', 'json-document', 0],
  ['splunk-results.json', 'json-document', 0],
  ['elastic-hits.json', 'json-document', 0],
  // Splunk "Export → JSON": one {"preview":false,"result":{…}} per line, the XML event in `_raw`.
  ['splunk-export.json', 'json', 1],
];

describe('every format gives the same Sysmon events', () => {
  it.each(FORMATS)('%s', async (name, format, skipped) => {
    expect(detectFormat(await readHead(fixture(name)))).toBe(format);
    const r = await readNormalised(fixture(name));
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(skipped);
    const got = sorted(r.events).map((e) => ({
      host: e.host, eventId: e.eventId, category: e.category, recordId: e.recordId, time: e.time, guid: e.guid,
      targetGuid: e.targetGuid, parent: e.fields.ParentProcessGuid, commandLine: e.fields.CommandLine,
    }));
    expect(got).toEqual(EXPECTED);
    const ps = r.events.find((e) => e.eventId === 3)!;
    expect(ps.fields).toMatchObject({ DestinationIp: '203.0.113.7', DestinationPort: '443', Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' });
  });

  it('XML (both shapes) and all JSON shapes give identical events, field for field', async () => {
    // The System part (channel, TimeCreated) differs between these fixtures — some carry none — so
    // it is compared apart (identity.test.ts); everything else must be identical.
    const base = sorted((await readNormalised(fixture('xmlwineventlog.log'))).events).map(withoutSystemKey);
    for (const f of ['wevtutil-export.xml', 'flat.jsonl', 'nested.jsonl', 'winlogbeat.jsonl', 'array.json', 'pretty-objects.json', 'elastic-hits.json', 'splunk-export.json']) {
      expect(sorted((await readNormalised(fixture(f))).events).map(withoutSystemKey), f).toEqual(base);
    }
  });

  it('raw Sysmon names and Splunk CIM names give identical events', async () => {
    // cim.csv has no channel column, raw.csv has one: the System part is compared apart.
    const raw = (await readNormalised(fixture('raw.csv'))).events.map(withoutSystemKey);
    const cim = (await readNormalised(fixture('cim.csv'))).events.map(withoutSystemKey);
    expect(cim).toEqual(raw);
    // …and the same as the XML, except that a CSV cannot carry empty values (RuleName='').
    const xml = sorted((await readNormalised(fixture('xmlwineventlog.log'))).events).map(withoutSystemKey);
    expect(raw).toEqual(xml.map((e) => { const { RuleName: _r, ...fields } = e.fields; return { ...e, fields }; }));
  });

  it('NXLog JSON: the host is Hostname, not the collector in `host`; NXLog ProcessID is not the Sysmon ProcessId', async () => {
    const [first] = (await readNormalised(fixture('flat.jsonl'))).events;
    expect(first!.host).toBe('ws01.corp.local');
    expect(first!.fields.ProcessId).toBe('4242');
    expect(first!.fields).not.toHaveProperty('ProcessID');
    expect(first!.fields).not.toHaveProperty('Message');
  });
});

describe('bad input is reported with its line and everything good is kept', () => {
  it('XmlWinEventLog lines', async () => {
    const r = await readNormalised(fixture('malformed.log'));
    expect(r.rejected.map((x) => x.line)).toEqual([2, 4, 5, 8, 9, 11]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      expect.stringMatching(/truncated/), expect.stringMatching(/not an XML event/), expect.stringMatching(/mismatched end tag <\/Dat>/),
      'missing EventID', expect.stringMatching(/unparseable UtcTime/), expect.stringMatching(/truncated/),
    ]);
    expect(r.lines).toEqual([1, 3, 7, 10]);
    expect(r.events.map((e) => e.recordId)).toEqual([200, 202, 205, 299]);
  });

  it('JSON lines', async () => {
    const r = await readNormalised(fixture('malformed.jsonl'));
    expect(r.rejected).toEqual([
      { line: 2, reason: expect.stringMatching(/^invalid JSON/) },
      { line: 4, reason: 'not a JSON object' },
      { line: 7, reason: 'not a JSON object' },
      { line: 8, reason: 'missing UtcTime' },
    ]);
    expect(r.lines).toEqual([1, 3, 6]);
  });

  it('CSV rows, including a quoted cell spanning two lines', async () => {
    const r = await readNormalised(fixture('malformed.csv'));
    expect(r.rejected).toEqual([{ line: 3, reason: 'CSV row has 7 cells, header has 6' }]);
    expect(r.lines).toEqual([2, 4, 6]);
    expect(r.events[1]!.fields.CommandLine).toBe('c line one\r\nc line two');
  });

  it('a mixed Splunk container: classic WinEventLog text blocks and Security events are skipped, not errors', async () => {
    const r = await readNormalised(fixture('mixed.raw'));
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(3 + 1); // three classic blocks, one Security 4688
    expect(r.lines).toEqual([1, 13, 34]);
    const items = [];
    for await (const it of readEventsFromFile(fixture('mixed.raw'))) if (it.kind === 'skipped') items.push(it.line);
    expect(items).toEqual([2, 14, 24]);
  });
});

describe('reading is independent of chunking, encoding and file name', () => {
  const all = ['xmlwineventlog.log', 'wevtutil-export.xml', 'flat.jsonl', 'winlogbeat.jsonl', 'raw.csv', 'malformed.log', 'malformed.jsonl', 'malformed.csv', 'mixed.raw'];
  it.each(all)('%s read in 1-, 7- and 4099-byte chunks', async (name) => {
    const whole = await readNormalised(fixture(name));
    for (const chunkBytes of [1, 7, 4099]) expect(await readNormalised(fixture(name), { chunkBytes })).toEqual(whole);
  });

  it('UTF-16 (with BOM, as PowerShell writes) and UTF-8 with BOM', async () => {
    const dir = tempDir();
    const text = readFileSync(fixture('wevtutil-export.xml'), 'utf8').replaceAll('whoami', 'whoami caf\u00e9 \u4e2d\u6587 \u{1F600}');
    const plain = join(dir, 'export.xml');
    writeFileSync(plain, text);
    const u16 = join(dir, 'export-utf16.xml');
    writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const u8 = join(dir, 'export-bom.xml');
    writeFileSync(u8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const expected = await readNormalised(plain);
    expect(expected.events[0]!.fields.CommandLine).toBe('cmd.exe /c "powershell -nop -c echo 1 > C:\\t.txt & whoami caf\u00e9 \u4e2d\u6587 \u{1F600}"');
    expect(await readNormalised(u16)).toEqual(expected);
    expect(await readNormalised(u16, { chunkBytes: 7 })).toEqual(expected);
    expect(await readNormalised(u8)).toEqual(expected);
    expect(await readNormalised(plain, { chunkBytes: 1 })).toEqual(expected);
  });

  it('detects by content: JSON named .xml is JSON, XML named .csv is XML', async () => {
    const dir = tempDir();
    copyFileSync(fixture('flat.jsonl'), join(dir, 'events.xml'));
    copyFileSync(fixture('xmlwineventlog.log'), join(dir, 'events.csv'));
    expect((await readNormalised(join(dir, 'events.xml'))).events).toHaveLength(5);
    expect((await readNormalised(join(dir, 'events.csv'))).events).toHaveLength(5);
  });

  it('recognises evtx by its magic and reports unknown content as unsupported', async () => {
    expect(detectFormat(Buffer.from('ElfFile\0 rest of header', 'latin1'))).toBe('evtx');
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'just some notes\nnothing here\n');
    const items = [];
    for await (const it of readEventsFromFile(join(dir, 'notes.txt'))) items.push(it);
    expect(items).toEqual([{ kind: 'rejected', line: 0, reason: expect.stringMatching(/^unsupported format/) }]);
    // A pretty-printed JSON document is read as one record (not one rejection per line); one that
    // is not an event is parsed and then skipped as not Sysmon.
    writeFileSync(join(dir, 'meta.json'), '{\n  "host": "x",\n  "n": 1\n}\n');
    expect(detectFormat(await readHead(join(dir, 'meta.json')))).toBe('json-document');
    expect(await readNormalised(join(dir, 'meta.json'))).toEqual({ events: [], lines: [], rejected: [], skipped: 1 });
  });
});
