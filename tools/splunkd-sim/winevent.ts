/**
 * What a forwarder sends: Windows events read from files, written for this simulator alone (it
 * shares no code with the product's ingest). Two shapes are read:
 *   - XmlWinEventLog text: `<Event …>…</Event>` records (renderXml=true), one or many per line,
 *     single- or double-quoted attributes — what a Universal Forwarder or a WEF collector indexes;
 *   - JSON lines (NXLog `im_msvistalog` / Mordor captures): flat objects, one per line.
 * Non-Sysmon records are counted as skipped; unreadable ones as rejected with a reason.
 */
import { readFile } from 'node:fs/promises';

/** The System part of a Windows event. */
export interface WinSystem {
  eventId: number | null;
  computer: string | null;
  recordId: number | null;
  channel: string | null;
  provider: string | null;
  /** TimeCreated/@SystemTime as written. */
  timeCreated: string | null;
}

/** One Windows event: System fields plus EventData `Data Name=…` pairs (names and values as written). */
export interface WinEvent { system: WinSystem; data: Record<string, string> }

export type WinItem =
  | { kind: 'event'; event: WinEvent; line: number }
  | { kind: 'skipped'; line: number; reason: string }
  | { kind: 'rejected'; line: number; reason: string };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!);
}

function tagText(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : null;
}

function attr(xml: string, tag: string, name: string): string | null {
  const m = new RegExp(`<${tag}\\s[^>]*?${name}=(['"])(.*?)\\1`).exec(xml);
  return m ? unescapeXml(m[2]!) : null;
}

function int(s: string | null): number | null {
  if (s === null || !/^\d+$/.test(s.trim())) return null;
  return Number(s.trim());
}

/** Parse one `<Event>` record. */
export function parseEventXml(xml: string): WinEvent {
  const sysEnd = xml.indexOf('</System>');
  const sys = sysEnd < 0 ? xml : xml.slice(0, sysEnd);
  const data: Record<string, string> = {};
  const body = sysEnd < 0 ? '' : xml.slice(sysEnd);
  const re = /<Data Name=(['"])(.*?)\1\s*(?:\/>|>([^<]*)<\/Data>)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) data[unescapeXml(m[2]!)] = unescapeXml(m[3] ?? '');
  return {
    system: {
      eventId: int(tagText(sys, 'EventID')), computer: tagText(sys, 'Computer'), recordId: int(tagText(sys, 'EventRecordID')),
      channel: tagText(sys, 'Channel'), provider: attr(sys, 'Provider', 'Name'), timeCreated: attr(sys, 'TimeCreated', 'SystemTime'),
    },
    data,
  };
}

/** NXLog / Mordor envelope keys: everything else in a JSON line is an EventData field. */
const JSON_ENVELOPE = new Set(['EventTime', 'Hostname', 'Keywords', 'EventType', 'SeverityValue', 'Severity', 'EventID', 'SourceName',
  'ProviderGuid', 'Version', 'Task', 'OpcodeValue', 'RecordNumber', 'ProcessID', 'ThreadID', 'Channel', 'Domain', 'AccountName',
  'UserID', 'AccountType', 'Message', 'Category', 'Opcode', 'EventReceivedTime', 'SourceModuleName', 'SourceModuleType',
  'ExecutionProcessID', 'host', 'port', 'tags', '@timestamp', '@version', 'Level', 'ActivityID', 'RelatedActivityID']);

function fromJson(o: Record<string, unknown>): WinEvent {
  const s = (v: unknown) => (v == null ? null : String(v));
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (!JSON_ENVELOPE.has(k) && v != null && typeof v !== 'object') data[k] = String(v);
  return {
    system: {
      eventId: int(s(o.EventID)), computer: s(o.Hostname ?? o.Computer), recordId: int(s(o.RecordNumber)),
      channel: s(o.Channel), provider: s(o.SourceName), timeCreated: null,
    },
    data,
  };
}

const SYSMON = /Microsoft-Windows-Sysmon/i;

function classify(ev: WinEvent, line: number): WinItem {
  if (!SYSMON.test(ev.system.provider ?? '') && !SYSMON.test(ev.system.channel ?? '')) return { kind: 'skipped', line, reason: 'not a Sysmon event' };
  if (ev.system.eventId === null) return { kind: 'rejected', line, reason: 'no EventID' };
  if (!ev.system.computer) return { kind: 'rejected', line, reason: 'no Computer' };
  return { kind: 'event', event: ev, line };
}

/** Every record of a file (UTF-8 or UTF-16 with BOM). */
export async function* readWinEvents(path: string): AsyncGenerator<WinItem> {
  const buf = await readFile(path);
  const text = buf[0] === 0xff && buf[1] === 0xfe ? buf.subarray(2).toString('utf16le')
    : buf[0] === 0xfe && buf[1] === 0xff ? Buffer.from(buf.subarray(2)).swap16().toString('utf16le')
      : buf.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.trimStart()[0];
  if (first === '{') {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      let o: unknown;
      try { o = JSON.parse(l); } catch (e) { yield { kind: 'rejected', line: i + 1, reason: `not JSON: ${(e as Error).message}` }; continue; }
      if (!o || typeof o !== 'object' || Array.isArray(o)) { yield { kind: 'rejected', line: i + 1, reason: 'not a JSON object' }; continue; }
      yield classify(fromJson(o as Record<string, unknown>), i + 1);
    }
    return;
  }
  const re = /<Event[\s>][\s\S]*?<\/Event>/g;
  let line = 1;
  let last = 0;
  let found = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    found++;
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    yield classify(parseEventXml(m[0]), line);
  }
  if (found === 0) yield { kind: 'rejected', line: 0, reason: 'neither XmlWinEventLog records nor JSON lines' };
}
