/**
 * Windows event XML in any of its file shapes: Splunk XmlWinEventLog (one `<Event>` per line),
 * wevtutil / Event Viewer exports (`<Events>` wrapper, events on one line or pretty-printed over many),
 * and mixed Splunk exports where classic multi-line WinEventLog text blocks sit between XML lines.
 *
 * The splitter works on the text stream, not on lines, so an event may span lines and a line may hold
 * several events; line numbers are counted alongside so every item names the line its record starts on.
 * Text between events is classified line by line: blank lines and the XML wrapper are ignored, a
 * classic WinEventLog block counts once as skipped, anything else is rejected with its line number.
 */
import type { ParseItem } from './record.js';
import { Latin1Utf8, scanEvent } from './xml-scan.js';

/** An event that never closes is given up after this many characters (and rejected). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** `Date Time AM/PM` header line that starts a classic WinEventLog text block in Splunk exports. */
const CLASSIC_HEADER = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2}(?: [AP]M)?$/;
const CLASSIC_REASON = 'not XML: classic WinEventLog text block';

/**
 * Index of the next `<Event` start tag (not `<Events>`, `<EventData>`, …) at or after `from`, or -1.
 * A `<Event` at the very end of the text is not reported (its next character is still unknown).
 */
export function findEventStart(s: string, from: number): number {
  let at = s.indexOf('<Event', from);
  while (at >= 0) {
    const c = s.charCodeAt(at + 6);
    if (c === 32 || c === 62 || c === 9 || c === 10 || c === 13 || c === 47) return at;
    at = s.indexOf('<Event', at + 6);
  }
  return -1;
}

/** True when `s[from, to)` holds only ASCII whitespace (what `trim()` would empty, for the short gaps). */
function isLineBreak(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9) return false;
  }
  return true;
}

/** State carried across chunks. */
class XmlSplitter {
  private buf = '';
  private pos = 0;
  /** 1-based line number of `buf[pos]`. */
  private line = 1;
  /** Inside a classic text block (until the next XML event). */
  private inClassic = false;
  /** Dropping the rest of an overlong line between events (rejected once) up to its newline. */
  private skippingLine = false;
  /** Dropping the rest of an overlong event (rejected once) up to its `</Event>`. */
  private skipping = false;
  /** Items produced by the current `push`. */
  private out: ParseItem[] = [];
  /** Set when the text is UTF-8 bytes read as latin1 (see Latin1Utf8). */
  private readonly utf8: Latin1Utf8 | null;

  constructor(latin1: boolean) {
    this.utf8 = latin1 ? new Latin1Utf8() : null;
  }

  /** The bytes behind `buf` when fed by pushLatin1 (one byte per char, so `pos` indexes both). */
  private bytes: Buffer = Buffer.alloc(0);

  push(chunk: string, eof: boolean): ParseItem[] {
    return this.scan(this.pos < this.buf.length ? this.buf.slice(this.pos) + chunk : chunk, eof);
  }

  /**
   * `push` for UTF-8 bytes read as latin1. The unread tail is joined to the new chunk as bytes, so
   * the text is one flat string: a string joined with `+` is a rope that every character read must
   * unwrap first (measured ≈ 10 % slower scanning).
   */
  pushLatin1(raw: Buffer, eof: boolean): ParseItem[] {
    const tail = this.bytes.subarray(this.pos);
    this.bytes = tail.length > 0 ? Buffer.concat([tail, raw]) : raw;
    return this.scan(this.bytes.toString('latin1'), eof);
  }

  private scan(buf: string, eof: boolean): ParseItem[] {
    this.buf = buf;
    this.pos = 0;
    this.nl = -1;
    this.utf8?.reset(this.buf);
    this.out = [];
    this.drain(eof);
    return this.out;
  }

  private drain(eof: boolean): void {
    const s = this.buf;
    if (this.skippingLine) {
      // The rest of an overlong line of text between events (rejected once): dropped to its end.
      const nl = s.indexOf('\n', this.pos);
      if (nl < 0) { this.advance(s.length); return; }
      this.skippingLine = false;
      this.advance(nl + 1);
    }
    if (this.skipping) {
      // The rest of an event already rejected as too long: dropped up to its </Event>, never
      // reported a second time (its tail is not "text between events").
      const close = s.indexOf('</Event>', this.pos);
      const next = findEventStart(s, this.pos);
      if (next >= 0 && (close < 0 || next < close)) {
        // It never ended: the next event starts first.
        this.skipping = false;
        this.advance(next);
      } else if (close < 0) {
        // Keep the last 7 characters: `</Event>` may be cut by the chunk end.
        if (!eof && s.length - this.pos > 7) this.advance(s.length - 7);
        if (eof) this.advance(s.length);
        return;
      } else {
        this.skipping = false;
        this.advance(close + 8);
      }
    }
    let st = findEventStart(s, this.pos);
    for (;;) {
      if (st < 0) {
        // No start tag left: classify whole gap lines, keep a partial last line (it may be the
        // beginning of a start tag).
        const upTo = eof ? s.length : s.lastIndexOf('\n') + 1;
        if (upTo > this.pos) this.gap(this.pos, upTo);
        if (!eof && s.length - this.pos > MAX_EVENT_CHARS) {
          // A partial line this long is not the start of a tag: reported once, then dropped (held,
          // it would be joined to every later chunk and re-scanned).
          this.reject(this.line, `line longer than ${MAX_EVENT_CHARS} characters between events (not an XML event)`);
          this.skippingLine = true;
          this.advance(s.length);
        }
        return;
      }
      if (st > this.pos) this.gap(this.pos, st);
      const startLine = this.line;
      // The scanner finds the end itself: one pass over the event text.
      const r = scanEvent(s, st, s.length, this.utf8);
      if (r.ok) {
        this.out.push({ kind: 'event', event: r.event, line: startLine });
        this.inClassic = false;
        this.advance(r.end);
        st = findEventStart(s, r.end);
        continue;
      }
      // Failed: if another event starts before this one's </Event>, this one was cut short and
      // reading resumes at the next one.
      const close = s.indexOf('</Event>', st);
      const next = findEventStart(s, st + 6);
      if (next >= 0 && (close < 0 || next < close)) {
        this.reject(startLine, 'truncated XML event (next <Event> before </Event>)');
        this.advance(next);
        st = next;
        continue;
      }
      if (close < 0 && !eof) {
        // Wait for more text: either the event completes, or (malformed) we learn where it ends.
        if (s.length - st > MAX_EVENT_CHARS) {
          this.reject(startLine, `XML event longer than ${MAX_EVENT_CHARS} characters without </Event>`);
          this.skipping = true;
          this.advance(s.length);
        }
        return;
      }
      this.reject(startLine, r.reason);
      const resume = close >= 0 ? close + 8 : s.length;
      this.inClassic = false;
      this.advance(resume);
      st = findEventStart(s, resume);
    }
  }

  /** Position of the first newline at or after `pos` (cached: events are usually newline-free). */
  private nl = -1;

  /** Move `pos` to `to`, counting newlines. */
  private advance(to: number): void {
    const s = this.buf;
    let nl = this.nl >= this.pos ? this.nl : s.indexOf('\n', this.pos);
    while (nl >= 0 && nl < to) {
      this.line++;
      nl = s.indexOf('\n', nl + 1);
    }
    this.nl = nl < 0 ? s.length + 1 : nl;
    this.pos = to;
  }

  /** Classify the text between events, line by line. */
  private gap(from: number, to: number): void {
    const s = this.buf;
    // Fast path: the newline (LF or CRLF) between two one-per-line events, checked without a slice.
    if (to - from <= 2 && isLineBreak(s, from, to)) { this.advance(to); return; }
    let a = from;
    while (a < to) {
      let b = s.indexOf('\n', a);
      if (b < 0 || b >= to) b = to;
      const raw = s.slice(a, b).trim();
      const text = this.utf8 ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
      if (text !== '') this.classifyLine(text, this.line);
      this.advance(b < to ? b + 1 : to);
      a = b + 1;
    }
  }

  private classifyLine(text: string, line: number): void {
    if (text.startsWith('<?xml') || text === '<Events>' || text === '</Events>' || text.startsWith('<Events ')
      || (text.startsWith('<!--') && text.endsWith('-->'))) return;
    if (CLASSIC_HEADER.test(text)) {
      this.out.push({ kind: 'skipped', line, reason: CLASSIC_REASON });
      this.inClassic = true;
      return;
    }
    if (text.startsWith('LogName=') && !this.inClassic) {
      this.out.push({ kind: 'skipped', line, reason: CLASSIC_REASON });
      this.inClassic = true;
      return;
    }
    if (this.inClassic) return;
    this.reject(line, `not an XML event: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`);
  }

  private reject(line: number, reason: string): void {
    this.out.push({ kind: 'rejected', line, reason });
  }
}

/**
 * Parse Windows event XML from decoded text chunks (UTF-16 files, strings); one array of items per
 * chunk. UTF-8 files go through `readXmlEventsUtf8`.
 */
export async function* readXmlEvents(chunks: AsyncIterable<string>): AsyncGenerator<ParseItem[]> {
  const splitter = new XmlSplitter(false);
  for await (const chunk of chunks) {
    const items = splitter.push(chunk, false);
    if (items.length) yield items;
  }
  const tail = splitter.push('', true);
  if (tail.length) yield tail;
}

/**
 * Parse Windows event XML from the raw bytes of a UTF-8 file (readByteChunks); one array of items per
 * chunk: scanned as latin1, values decoded as they are extracted (Latin1Utf8), the unread tail joined
 * as bytes (see pushLatin1).
 */
export async function* readXmlEventsUtf8(chunks: AsyncIterable<Buffer>): AsyncGenerator<ParseItem[]> {
  const splitter = new XmlSplitter(true);
  for await (const chunk of chunks) {
    const items = splitter.pushLatin1(chunk, false);
    if (items.length) yield items;
  }
  const tail = splitter.pushLatin1(Buffer.alloc(0), true);
  if (tail.length) yield tail;
}
