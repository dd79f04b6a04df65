/**
 * JSON lines: one object per line, Sysmon fields flat (OTRF/Mordor, NXLog), nested under
 * `EventData`/`event_data`, or Winlogbeat/ECS (`winlog.event_data.*`). The shapes are flattened and
 * mapped to raw Sysmon names by ../sysmon/fields.ts; this module only splits, parses and numbers lines, and
 * unwraps export envelopes (`jsonObjectToItem`, shared with ./json-document.ts).
 */
import { flattenSysmonJson, fromFlat } from '../sysmon/fields.js';
import type { ParseItem } from './record.js';
import { MAX_LINE_CHARS, readLineBatches } from './text-stream.js';
import { scanEvent } from './xml-scan.js';

/**
 * A parsed JSON value → an item. Envelopes are unwrapped first: Splunk export rows
 * (`{"preview":false,"result":{…}}`) and Elastic hits (`{"_index":…,"_source":{…}}`). When the
 * record carries `_raw` holding the event itself (Splunk keeps the original text there), that is
 * the record, as in CSV exports: XML is scanned, a JSON object is used instead of the row's
 * extracted fields (Splunk names those `Event.EventData.Image`…). A `_raw` that does not parse
 * leaves the row's own fields in use, so nothing is lost.
 */
export function jsonObjectToItem(value: unknown, line: number): ParseItem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'rejected', line, reason: 'not a JSON object' };
  let obj = value as Record<string, unknown>;
  const inner = obj.result ?? obj._source;
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) obj = inner as Record<string, unknown>;
  const raw = obj._raw;
  if (typeof raw === 'string') {
    const s = raw.trim();
    if (s.startsWith('<Event')) {
      const r = scanEvent(s, 0, s.length);
      return r.ok ? { kind: 'event', event: r.event, line } : { kind: 'rejected', line, reason: `_raw: ${r.reason}` };
    }
    if (s.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(s);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) obj = parsed as Record<string, unknown>;
      } catch {
        // keep the row's extracted fields
      }
    }
  }
  return { kind: 'event', event: fromFlat(flattenSysmonJson(obj)), line };
}

/**
 * One JSON line → an item (blank lines yield nothing). Blank means JSON whitespace only (space, tab,
 * CR): a line of NUL bytes (a zero-filled block, e.g. a log copied while being written) is data
 * lost, and reported.
 */
export function parseJsonLine(text: string, line: number): ParseItem | null {
  let start = 0;
  let c = 0;
  while (start < text.length && ((c = text.charCodeAt(start)) === 32 || c === 9 || c === 13)) start++;
  if (start === text.length) return null;
  if (c !== 123 /* { */) {
    return { kind: 'rejected', line, reason: c === 0 ? nulReason(text) : 'not a JSON object' };
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { kind: 'rejected', line, reason: `invalid JSON: ${(e as Error).message}` };
  }
  return jsonObjectToItem(obj, line);
}

/** The reason for a line that starts with NUL bytes. */
export function nulReason(text: string): string {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0) n++;
  return n === text.length ? `line of ${n} NUL bytes (zero-filled data)` : `NUL bytes (${n} of ${text.length} characters): not a JSON object`;
}

/**
 * True when text read as latin1 holds a byte ≥ 0x80 (part of a multi-byte UTF-8 sequence): its UTF-8
 * length then exceeds its length. Why not `/[\x80-\xff]/.test`: Node counts UTF-8 bytes about four
 * times faster than the regex scans (≈ 0.3 vs 1.4 µs per 1 KB line, measured), and every line is tested.
 */
function hasHighBytes(latin1: string): boolean {
  return Buffer.byteLength(latin1, 'utf8') !== latin1.length;
}

/**
 * Parse JSON lines from text chunks; one array of items per chunk. With `latin1`, the chunks are
 * UTF-8 bytes read as latin1 (text-stream.ts readLatin1Chunks): a line holding only ASCII bytes is
 * the same text either way and is parsed as it is; only lines with a byte ≥ 0x80 are UTF-8-decoded.
 * Why: decoding the whole stream as UTF-8 was ≈ 7 % of the JSON ingest profile (StringDecoder),
 * and real exports are mostly ASCII. Newlines never occur inside a UTF-8 sequence, so lines split
 * the same way.
 */
export async function* readJsonLines(chunks: AsyncIterable<string>, maxLine = MAX_LINE_CHARS, latin1 = false): AsyncGenerator<ParseItem[]> {
  for await (const { lines, firstLine, overlong } of readLineBatches(chunks, maxLine)) {
    const out: ParseItem[] = [];
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i]!;
      if (latin1 && hasHighBytes(text)) text = Buffer.from(text, 'latin1').toString('utf8');
      const item = parseJsonLine(text, firstLine + i);
      if (item) out.push(item);
    }
    for (const line of overlong ?? []) out.push({ kind: 'rejected', line, reason: `line longer than ${maxLine} characters` });
    if (out.length) yield out;
  }
}
