/**
 * Every .evtx in the shared datasets gives exactly the records of the XML rendering beside it
 * (made with libevtx's `evtxexport -f xml`, parsed here with fast-xml-parser, an independent parser):
 * same count, same order, and for every record the same EventID, record id, time, host, channel,
 * provider and every EventData field (GUIDs, hex, times as rendered).
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { DATASETS, SIGMAHQ, dataset, requireDatasets, requireSigmaHQ } from '../../../test/datasets.js';
import type { ParsedEvent } from '../record.js';
import { ingestPaths } from '../pipeline.js';
import type { SysmonEvent } from '../record.js';
import { readEvtxFile, type EvtxIssue, type FileHeader } from './index.js';

const run = requireDatasets('evtx reader vs XML renderings');

function findEvtx(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findEvtx(p));
    else if (name.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out.sort();
}

/** The XML rendering stored beside an .evtx (two layouts in the datasets). */
function renderingOf(evtx: string): string {
  const beside = evtx.replace(/\.evtx$/i, '.xml.log');
  if (existsSync(beside)) return beside;
  return evtx.replace(/\/evtx\//, '/xml/').replace(/\.evtx$/i, '.xml.log');
}

const xml = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false,
  trimValues: false, htmlEntities: true, isArray: (name) => name === 'Data',
});

type XmlNode = Record<string, unknown>;
const str = (v: unknown): string | null => (v == null ? null : typeof v === 'object' ? String((v as XmlNode)['#text'] ?? '') : String(v));

/** One `<Event>` line → the ParsedEvent shape, from the XML. */
function fromXmlLine(line: string): ParsedEvent {
  const ev = (xml.parse(line) as { Event: XmlNode }).Event;
  const sys = ev.System as XmlNode;
  const data: Record<string, string> = {};
  const datas = ((ev.EventData as XmlNode | undefined)?.Data as XmlNode[] | undefined) ?? [];
  let unnamed = 0;
  for (const d of datas) {
    const node = typeof d === 'object' ? d : { '#text': d };
    data[String(node['@_Name'] ?? `Data${++unnamed}`)] = String(node['#text'] ?? '');
  }
  // UserData (e.g. WMI-Activity 5858): the one provider element's children are the fields.
  const user = ev.UserData as XmlNode | undefined;
  for (const item of Object.values(user ?? {})) {
    if (!item || typeof item !== 'object') continue;
    for (const [k, v] of Object.entries(item as XmlNode)) if (!k.startsWith('@_')) data[k] = str(v) ?? '';
  }
  const num = (v: unknown): number | null => { const s = str(v); return s == null || s === '' ? null : Number(s); };
  return {
    system: {
      eventId: num(sys.EventID),
      computer: str(sys.Computer),
      recordId: num(sys.EventRecordID),
      channel: str(sys.Channel),
      provider: str((sys.Provider as XmlNode)['@_Name']),
      timeCreated: str((sys.TimeCreated as XmlNode)['@_SystemTime']),
    },
    data,
  };
}

async function readAll(path: string): Promise<{ events: ParsedEvent[]; lines: number[]; rejected: number; issues: EvtxIssue[]; header: FileHeader | null }> {
  const events: ParsedEvent[] = [];
  const issues: EvtxIssue[] = [];
  let header: FileHeader | null = null;
  const lines: number[] = [];
  let rejected = 0;
  for await (const item of readEvtxFile(path, { onIssue: (i) => issues.push(i), onHeader: (h) => { header = h; } })) {
    if (item.kind === 'event') {
      lines.push(item.line);
      events.push(item.event);
    } else rejected++;
  }
  return { events, lines, rejected, issues, header };
}

describe.runIf(run)('evtx reader on the real captures', () => {
  const files = run ? findEvtx(DATASETS) : [];

  it('finds every .evtx in the datasets, each with its XML rendering', () => {
    expect(files.length).toBe(23);
    for (const f of files) expect(existsSync(renderingOf(f)), relative(DATASETS, f)).toBe(true);
  });

  it.each(files.map((f) => [relative(DATASETS, f), f]))('%s matches its XML rendering record for record', async (_name, file) => {
    const expected = readFileSync(renderingOf(file), 'utf8').split('\n').filter((l) => l.trim() !== '').map(fromXmlLine);
    const { events, rejected } = await readAll(file);
    expect(rejected).toBe(0);
    expect(events.length).toBe(expected.length);
    for (let i = 0; i < events.length; i++) {
      expect(events[i], `record #${i} (${expected[i]!.system.recordId})`).toEqual(expected[i]);
    }
  });

  it('sbousseaden samples hold 1,316 records in all (the README count)', async () => {
    let total = 0;
    for (const f of files.filter((p) => p.includes('sbousseaden'))) total += (await readAll(f)).events.length;
    expect(total).toBe(1316);
  });

  it('the dirty capattack capture: wrong header counts are reported, not trusted; all 429 records read', async () => {
    const { events, lines, issues, header } = await readAll(dataset('splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx'));
    expect(header).toMatchObject({ magicOk: true, dirty: true, chunkCount: 1 });
    expect(events.length).toBe(429);
    expect(events[0]!.system.recordId).toBe(40892314);
    expect(events.at(-1)!.system.recordId).toBe(40892742);
    // Record ids are contiguous: nothing lost between chunks, and no stale slack copies (chunks 8 and 9
    // hold copies of records 40892612–40892615 past their free-space offset).
    events.forEach((e, i) => expect(e.system.recordId).toBe(40892314 + i));
    // In a log written by Windows itself the record header's number is the EventRecordID.
    expect(lines).toEqual(events.map((e) => e.system.recordId));
    expect(issues.map((i) => i.reason)).toEqual([
      expect.stringMatching(/marked dirty/),
      'file header lists 1 chunks; 13 found',
    ]);
    expect(issues.every((i) => !i.skipped)).toBe(true);
    // The procdump chain from the README: cmd → procdump.exe → procdump64.exe.
    const creates = events.filter((e) => e.system.eventId === 1);
    const pd64 = creates.find((e) => /procdump64\.exe$/i.test(e.data.Image ?? ''))!;
    const pd = creates.find((e) => e.data.ProcessGuid === pd64.data.ParentProcessGuid)!;
    expect(pd.data.Image).toMatch(/procdump\.exe$/i);
    expect(pd64.data.ParentProcessGuid).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
  });

  it('`ingestPaths` on the sbousseaden evtx folder stores every Sysmon record and skips the 6 Security ones', async () => {
    const stored: SysmonEvent[] = [];
    const report = await ingestPaths([dataset('sbousseaden-EVTX-ATTACK-SAMPLES/evtx')], {
      write: async (batch) => { stored.push(...batch); return { inserted: batch.length, duplicates: 0 }; },
    });
    expect(report).toMatchObject({ files: 22, events: 1310, skipped: 6, rejectedTotal: 0 });
    // Normalised: canonical GUIDs, ISO time from UtcTime, lower-case host.
    const ppid = stored.find((e) => e.eventId === 10 && e.host === 'msedgewin10' && /powershell\.exe$/i.test(e.fields.SourceImage ?? ''));
    expect(ppid?.guid).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(stored.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.time))).toBe(true);
  });
});

describe.runIf(requireSigmaHQ('evtx reader vs the SigmaHQ regression captures'))('evtx reader on the SigmaHQ regression captures', () => {
  const dir = join(SIGMAHQ, 'regression_data');
  const files = existsSync(dir) ? findEvtx(dir) : [];

  it('finds the 148 captures, each with its evtxexport XML rendering beside it', () => {
    expect(files.length).toBe(148);
    for (const f of files) expect(existsSync(f.replace(/\.evtx$/i, '.xml.log')), relative(SIGMAHQ, f)).toBe(true);
  });

  it.each(files.map((f) => [relative(dir, f), f]))('%s matches its XML rendering record for record', async (_name, file) => {
    const expected = readFileSync(file.replace(/\.evtx$/i, '.xml.log'), 'utf8').split('\n').filter((l) => l.trim() !== '').map(fromXmlLine);
    const { events, rejected } = await readAll(file);
    expect(rejected).toBe(0);
    expect(events.length).toBe(expected.length);
    for (let i = 0; i < events.length; i++) {
      expect(events[i], `record #${i} (${expected[i]!.system.recordId})`).toEqual(expected[i]);
    }
  });
});
