/**
 * A scanner specialised to the Windows event XML shape (`<Event><System>…</System><EventData>
 * <Data Name=…>…</Data>…</EventData></Event>`). Why not a general XML parser: measured on Sysmon lines,
 * fast-xml-parser reads ~11k events/s and htmlparser2 ~47k, far below the 200k/s ingest target; this
 * scanner jumps between tags with `indexOf` and only builds the strings a ParsedEvent needs.
 *
 * It is still a real (if narrow) XML reader: both attribute quote styles, the five predefined
 * entities and numeric character references (decimal and hex), CDATA sections, comments and
 * processing instructions, empty elements (`<Data Name='x'/>`), whitespace between tags
 * (pretty-printed exports), and an element stack so truncated or mis-nested records are rejected.
 * Its output equals a full XML parser's on every real capture (xml-scan.equivalence.test.ts).
 */
import type { ParsedEvent, SystemFields } from './record.js';

/**
 * For text read as latin1 (each UTF-8 byte one char — several times cheaper than UTF-8 decoding,
 * and the markup is ASCII either way): decodes UTF-8 only in the values that hold non-ASCII bytes.
 * Tracks the next non-ASCII position so the common all-ASCII value costs one comparison.
 */
export class Latin1Utf8 {
  private s = '';
  private next = -1;
  private static readonly HIGH = /[\x80-\xff]/g;

  /** Use with a new buffer string. */
  reset(s: string): void {
    this.s = s;
    this.next = -1;
  }

  /** `s.slice(a, b)` as proper Unicode. */
  slice(a: number, b: number): string {
    if (this.next < a) this.next = this.find(a);
    const v = this.s.slice(a, b);
    if (this.next >= b) return v;
    this.next = this.find(b);
    return Buffer.from(v, 'latin1').toString('utf8');
  }

  /**
   * First non-ASCII position at or after `from`. All-ASCII blocks are skipped by comparing their UTF-8
   * byte count with their length (Node counts bytes several times faster than the regex scans, measured);
   * the regex only runs inside a block known to hold a high byte.
   */
  private find(from: number): number {
    const s = this.s;
    const n = s.length;
    let a = from;
    while (a < n) {
      const b = a + Latin1Utf8.BLOCK < n ? a + Latin1Utf8.BLOCK : n;
      if (Buffer.byteLength(s.slice(a, b), 'utf8') !== b - a) {
        const re = Latin1Utf8.HIGH;
        re.lastIndex = a;
        const m = re.exec(s);
        return m ? m.index : Number.MAX_SAFE_INTEGER;
      }
      a = b;
    }
    return Number.MAX_SAFE_INTEGER;
  }

  private static readonly BLOCK = 1024;
}

/** The decoder of the scan in progress (scanEvent is synchronous, so module state is safe). */
let hi: Latin1Utf8 | null = null;

/** A value from the markup: plain slice, or UTF-8 decoded when reading latin1 text. */
function text(s: string, a: number, b: number): string {
  return hi === null ? s.slice(a, b) : hi.slice(a, b);
}

/**
 * The last value read at one place (Provider name, Channel): files repeat them event after event, so
 * the raw text is compared in place and the same string handed out again — no slice, and consumers
 * comparing it with the previous event's value (normalise) meet the same string object.
 */
class LastValue {
  private raw = '';
  private value = '';
  private latin1 = false;

  /** `decodeEntities(text(s, a, b))`. */
  read(s: string, a: number, b: number): string {
    if (b - a === this.raw.length && (hi !== null) === this.latin1 && matchAt(s, a, this.raw)) return this.value;
    const v = decodeEntities(text(s, a, b));
    if (b - a <= 256) {
      this.raw = internalise(s.slice(a, b));
      this.value = internalise(v);
      this.latin1 = hi !== null;
    }
    return v;
  }
}
const lastProvider = new LastValue();
const lastChannel = new LastValue();

/**
 * Outcome of scanning one `<Event>` element: the event and the index just past `</Event>`, or why it
 * is not well-formed. `incomplete` means the text ran out before `</Event>` (more may follow).
 */
export type ScanResult =
  | { ok: true; event: ParsedEvent; end: number }
  | { ok: false; reason: string; incomplete: boolean };

const fail = (reason: string): ScanResult => ({ ok: false, reason, incomplete: false });
const INCOMPLETE: ScanResult = { ok: false, reason: 'truncated XML event (no </Event>)', incomplete: true };

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode XML entity and character references. Unknown named entities are kept as written
 * (Windows never emits them; keeping them loses nothing).
 */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0) break;
    const name = s.slice(amp + 1, semi);
    let rep: string | undefined;
    if (name.charCodeAt(0) === 35 /* # */) {
      const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88; // x / X
      const digits = hex ? name.slice(2) : name.slice(1);
      const valid = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
      const code = valid ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (code >= 0 && code <= 0x10ffff) rep = String.fromCodePoint(code);
    } else {
      rep = NAMED_ENTITIES[name];
    }
    if (rep !== undefined) {
      out += s.slice(last, amp) + rep;
      last = semi + 1;
      amp = s.indexOf('&', last);
    } else {
      amp = s.indexOf('&', amp + 1);
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

function isNameEnd(c: number): boolean {
  // whitespace, '/', '>'
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Where the scanner is: which part of the event the current element belongs to. */
const enum Section { Other, System, EventData }

/**
 * Scan the `<Event …>…</Event>` element starting at `s[start]` (which must be `<Event`), reading no
 * further than `limit`. Pure and allocation-light; never throws.
 */
export function scanEvent(s: string, start: number, limit = s.length, utf8: Latin1Utf8 | null = null): ScanResult {
  hi = utf8;
  if (!matchAt(s, start, '<Event')) return fail('not an <Event> element');
  const system: SystemFields = {
    eventId: null, computer: null, recordId: null, channel: null, provider: null, timeCreated: null,
  };
  const data: Record<string, string> = {};
  const stack: string[] = [];
  let section = Section.Other;
  let i = start;
  // Data-name cache of this event's EventID (set once EventID is read) and the Data position.
  let names: string[] | null = null;
  let dataIndex = 0;

  // Start tags of this event read through the general path, in order: indexes tagSeq (see there).
  let ordinal = 0;

  for (;;) {
    // One-line events put each tag right after the previous one: no search needed.
    let lt = i;
    if (i >= limit || s.charCodeAt(i) !== 60 /* < */) {
      lt = s.indexOf('<', i);
      if (lt < 0 || lt >= limit) return INCOMPLETE;
    }
    const c1 = s.charCodeAt(lt + 1);

    // Hot path, ~2/3 of all tags: <Data Name='n'>text</Data> or <Data Name='n'/> inside EventData.
    if (section === Section.EventData && c1 === 68 /* D */ && isDataName(s, lt + 1)) {
      const q = s.charCodeAt(lt + 11);
      const qe = q === 39 ? s.indexOf("'", lt + 12) : q === 34 ? s.indexOf('"', lt + 12) : -1;
      if (qe > 0 && qe + 2 < limit) {
        const after = s.charCodeAt(qe + 1);
        // Events of one EventID repeat the same names in the same order: reuse the previous
        // event's (internalised) name string instead of slicing and hashing a new one.
        const guess = names !== null ? names[dataIndex] : undefined;
        let key = '';
        if (guess !== undefined && qe - (lt + 12) === guess.length) {
          // matchAt written out: the hottest comparison (one per Data element), and V8 stops
          // inlining calls into this large function.
          const n = guess.length;
          let k = 0;
          while (k < n && s.charCodeAt(lt + 12 + k) === guess.charCodeAt(k)) k++;
          if (k === n) key = guess;
        }
        if (key === '') {
          const rawName = text(s, lt + 12, qe);
          key = rawName.indexOf('<') < 0 && rawName.indexOf('&') < 0 ? rawName : '';
          if (key !== '' && names !== null && dataIndex < MAX_NAMES) names[dataIndex] = internalise(key);
        }
        if (key !== '') {
          if (after === 62 /* > */) {
            const te = s.indexOf('<', qe + 2);
            if (te > 0 && te + 7 <= limit && isDataEnd(s, te)) {
              data[key] = decodeEntities(text(s, qe + 2, te));
              dataIndex++;
              i = te + 7;
              continue;
            }
          } else if (after === 47 /* / */ && s.charCodeAt(qe + 2) === 62) {
            data[key] = '';
            dataIndex++;
            i = qe + 3;
            continue;
          }
        }
      }
      // Anything unusual (CDATA, comments, whitespace, more attributes): the general path below.
    }

    if (c1 === 47 /* / */) {
      const open = stack[stack.length - 1];
      if (open === undefined) return fail('end tag without a start tag');
      let p = lt + 2 + open.length;
      if (cutShort(s, lt + 2, limit, open)) return INCOMPLETE;
      if (!matchAt(s, lt + 2, open) || (p < limit && !isNameEnd(s.charCodeAt(p)))) {
        const gt = s.indexOf('>', lt);
        return fail(`mismatched end tag </${s.slice(lt + 2, gt < 0 ? lt + 40 : Math.min(gt, lt + 40))}> (open: <${open}>)`);
      }
      while (p < limit && isSpace(s.charCodeAt(p))) p++;
      if (p >= limit) return INCOMPLETE;
      if (s.charCodeAt(p) !== 62) return fail(`malformed end tag </${open}>`);
      stack.pop();
      if (stack.length === 1 && (open === 'System' || open === 'EventData')) section = Section.Other;
      i = p + 1;
      if (stack.length === 0) return { ok: true, event: { system, data }, end: i };
      continue;
    }
    if (c1 === 33 /* ! */ || c1 === 63 /* ? */) {
      const skip = skipMarkup(s, lt, limit);
      if (skip < 0) return INCOMPLETE;
      i = skip;
      continue;
    }
    // Start tag: name, then attributes. The name is first guessed from the previous event's tag at
    // this position (a guess holds no name-end character, so a match ends exactly where a scan would).
    let p: number;
    let name: string;
    const guess = ordinal < MAX_SEQ ? tagSeq[ordinal] : undefined;
    if (guess !== undefined && matchAt(s, lt + 1, guess) && (p = lt + 1 + guess.length) < limit && isNameEnd(s.charCodeAt(p))) {
      name = guess;
    } else {
      p = lt + 1;
      while (p < limit && !isNameEnd(s.charCodeAt(p))) p++;
      if (p >= limit) return INCOMPLETE;
      name = tagName(s, lt + 1, p);
      if (name === '') return fail('malformed tag');
      if (ordinal < MAX_SEQ && isCachedTag(name)) tagSeq[ordinal] = name;
    }
    ordinal++;
    if (stack.length === 0 && name !== 'Event') return fail(`root element is <${name}>, not an <Event>`);
    // A start tag of another event inside this one: this one was cut short.
    if (name === 'Event' && stack.length > 0) return fail('truncated XML event (next <Event> before </Event>)');
    // Attributes of this start tag that we care about (others are parsed and dropped).
    let attrName: string | null = null;
    let attrSystemTime: string | null = null;
    let selfClosing = false;
    // First '<' after the name, found once per tag: an earlier one would sit in an attribute name or
    // value already checked, so it is also the first '<' after each attribute's opening quote.
    let nextLt = -2;
    for (;;) {
      while (p < limit && isSpace(s.charCodeAt(p))) p++;
      if (p >= limit) return INCOMPLETE;
      const c = s.charCodeAt(p);
      if (c === 62 /* > */) { p++; break; }
      if (c === 47 /* / */) {
        if (p + 1 >= limit) return INCOMPLETE;
        if (s.charCodeAt(p + 1) !== 62) return fail(`malformed tag <${name}>`);
        selfClosing = true;
        p += 2;
        break;
      }
      const eq = s.indexOf('=', p);
      if (eq < 0 || eq >= limit) return INCOMPLETE;
      // The attribute name is [p, ae) — compared in place, sliced only for messages (hot path:
      // the System section's ~8 attributes per event would otherwise cost two strings each).
      let ae = eq;
      while (ae > p && isSpace(s.charCodeAt(ae - 1))) ae--;
      if (ae === p || hasAngle(s, p, ae)) return fail(`malformed attribute in <${name}>`);
      let q = eq + 1;
      while (q < limit && isSpace(s.charCodeAt(q))) q++;
      if (q >= limit) return INCOMPLETE;
      const quote = s.charCodeAt(q);
      if (quote !== 39 && quote !== 34) return fail(`unquoted attribute ${s.slice(p, ae)} in <${name}>`);
      const close = s.indexOf(quote === 39 ? "'" : '"', q + 1);
      if (close < 0 || close >= limit) return INCOMPLETE;
      // '<' is not allowed in attribute values: seeing one means the record was cut inside a value.
      if (nextLt === -2) nextLt = s.indexOf('<', p);
      if (nextLt >= 0 && nextLt < close) return fail(`'<' in attribute ${s.slice(p, ae)} of <${name}> (record cut short?)`);
      const an = ae - p;
      if (an === 4 && matchAt(s, p, 'Name')) attrName = name === 'Provider' ? lastProvider.read(s, q + 1, close) : decodeEntities(text(s, q + 1, close));
      else if (an === 10 && matchAt(s, p, 'SystemTime')) attrSystemTime = decodeEntities(text(s, q + 1, close));
      p = close + 1;
    }
    i = p;

    if (section === Section.EventData && name === 'Data') {
      let value = '';
      if (!selfClosing) {
        const t = readText(s, i, limit);
        if (t === null) return INCOMPLETE;
        value = t.text;
        i = t.next;
        // Child elements inside <Data> do not occur in Windows events; they go through the generic path.
        if (cutShort(s, i, limit, '</Data')) return INCOMPLETE;
        if (!matchAt(s, i, '</Data')) { stack.push(name); continue; }
        let g = i + 6;
        while (g < limit && isSpace(s.charCodeAt(g))) g++;
        if (g >= limit) return INCOMPLETE;
        if (s.charCodeAt(g) !== 62) return fail('malformed </Data>');
        i = g + 1;
      }
      if (attrName !== null) data[attrName] = value;
      continue;
    }
    if (section === Section.System) {
      if (name === 'Provider') { if (attrName !== null) system.provider = attrName; }
      else if (name === 'TimeCreated') { if (attrSystemTime !== null) system.timeCreated = attrSystemTime; }
    }
    // Shortcut for the common `<Name>plain text</Name>` (most of the System section): the element is
    // read whole, as the general path would read it (push, text, matching end tag, pop).
    if (!selfClosing && stack.length > 0) {
      const te = i < limit && s.charCodeAt(i) === 60 ? i : s.indexOf('<', i);
      const n = name.length;
      if (te >= 0 && te + 2 + n < limit && s.charCodeAt(te + 1) === 47 && matchAt(s, te + 2, name) && s.charCodeAt(te + 2 + n) === 62) {
        if (section === Section.System && isSystemText(name)) {
          setSystemText(system, name, name === 'Channel' ? lastChannel.read(s, i, te) : decodeEntities(text(s, i, te)));
          if (name === 'EventID') names = namesFor(system.eventId);
        }
        i = te + 3 + n;
        continue;
      }
    }
    if (section === Section.System && !selfClosing && isSystemText(name)) {
      const t = readText(s, i, limit);
      if (t === null) return INCOMPLETE;
      i = t.next;
      setSystemText(system, name, t.text);
      if (name === 'EventID') names = namesFor(system.eventId);
    }
    if (selfClosing) {
      if (stack.length === 0) return { ok: true, event: { system, data }, end: i };
      continue;
    }
    stack.push(name);
    if (stack.length === 2) {
      if (name === 'System') section = Section.System;
      else if (name === 'EventData') section = Section.EventData;
    }
  }
}

/** True when `s[a, b)` holds '<' or '>'. */
function hasAngle(s: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) { const c = s.charCodeAt(k); if (c === 60 || c === 62) return true; }
  return false;
}

/**
 * Tag names seen so far, by length and first character: the same ~20 names make up every event,
 * so the name is compared in place and the cached string reused (no slice per tag).
 */
const tagNames = new Map<number, string[]>();

function tagName(s: string, a: number, b: number): string {
  const n = b - a;
  if (n === 0) return '';
  const key = n * 256 + (s.charCodeAt(a) & 255);
  let list = tagNames.get(key);
  if (list !== undefined) for (const t of list) if (matchAt(s, a, t)) return t;
  const name = s.slice(a, b);
  // Bounded: hostile input with endless distinct names must not grow this forever.
  if (n <= 64 && tagNames.size < 4096) {
    if (list === undefined) { list = []; tagNames.set(key, list); }
    if (list.length < 8) list.push(internalise(name));
  }
  return name;
}

/**
 * The start-tag names of the last events, by position in the event (general path only): events of one
 * file repeat the same System layout, so the name at each position is checked in place first.
 */
const MAX_SEQ = 64;
const tagSeq: (string | undefined)[] = [];

/** True when `name` is the cached (flat, internalised) string tagName hands out. */
function isCachedTag(name: string): boolean {
  const list = tagNames.get(name.length * 256 + (name.charCodeAt(0) & 255));
  return list !== undefined && list.includes(name);
}

/** Store the text of a System element `isSystemText` accepted (both the shortcut and the general path). */
function setSystemText(system: SystemFields, name: string, value: string): void {
  if (name === 'EventID') system.eventId = toInt(value);
  else if (name === 'EventRecordID') system.recordId = toInt(value);
  else if (name === 'Channel') system.channel = value;
  else system.computer = value;
}

/** The System elements whose text we keep. */
function isSystemText(name: string): boolean {
  return name === 'EventID' || name === 'EventRecordID' || name === 'Channel' || name === 'Computer';
}

/** Cached Data names per EventID (bounded: EventIDs are few, names per event are few). */
const MAX_NAMES = 64;
const namesByEventId = new Map<number, string[]>();

function namesFor(eventId: number | null): string[] | null {
  if (eventId === null) return null;
  let n = namesByEventId.get(eventId);
  if (!n) {
    if (namesByEventId.size >= 256) return null;
    n = [];
    namesByEventId.set(eventId, n);
  }
  return n;
}

/** A flat, internalised copy of a name (so it does not pin the big chunk string it was sliced from). */
function internalise(name: string): string {
  const o: Record<string, true> = { [name]: true };
  return Object.keys(o)[0]!;
}

/**
 * `s.startsWith(lit, pos)`, written out: V8 runs this charCode loop several times faster than the
 * builtin in the hot path (measured with --cpu-prof).
 */
function matchAt(s: string, pos: number, lit: string): boolean {
  const n = lit.length;
  if (pos + n > s.length) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(pos + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** `Data Name=` at `p`, spelled out for the hot path (see matchAt). */
function isDataName(s: string, p: number): boolean {
  return s.charCodeAt(p) === 68 && s.charCodeAt(p + 1) === 97 && s.charCodeAt(p + 2) === 116 && s.charCodeAt(p + 3) === 97
    && s.charCodeAt(p + 4) === 32 && s.charCodeAt(p + 5) === 78 && s.charCodeAt(p + 6) === 97 && s.charCodeAt(p + 7) === 109
    && s.charCodeAt(p + 8) === 101 && s.charCodeAt(p + 9) === 61;
}

/** `</Data>` at `p`. */
function isDataEnd(s: string, p: number): boolean {
  return s.charCodeAt(p) === 60 && s.charCodeAt(p + 1) === 47 && s.charCodeAt(p + 2) === 68 && s.charCodeAt(p + 3) === 97
    && s.charCodeAt(p + 4) === 116 && s.charCodeAt(p + 5) === 97 && s.charCodeAt(p + 6) === 62;
}

/** True when the text ends (at `limit`) inside what could still become `expected`. */
function cutShort(s: string, at: number, limit: number, expected: string): boolean {
  return limit - at < expected.length && expected.startsWith(s.slice(at, limit));
}

/** Integer text (EventID, EventRecordID) or null when not a plain non-negative integer. */
function toInt(text: string): number | null {
  // Fast path: plain digits, as Windows writes them (same result as the general check below).
  const n = text.length;
  if (n > 0 && n <= 15) {
    let k = 0;
    while (k < n) { const c = text.charCodeAt(k); if (c < 48 || c > 57) break; k++; }
    if (k === n) return Number(text);
  }
  const t = text.trim();
  if (!/^[0-9]{1,15}$/.test(t)) return null;
  return Number(t);
}

/** Past a comment, CDATA section, PI or declaration starting at `lt`; -1 when unterminated. */
function skipMarkup(s: string, lt: number, end: number): number {
  let close: string;
  if (matchAt(s, lt, '<!--')) close = '-->';
  else if (matchAt(s, lt, '<![CDATA[')) close = ']]>';
  else if (s.charCodeAt(lt + 1) === 63) close = '?>';
  else close = '>';
  const at = s.indexOf(close, lt + 2);
  return at < 0 || at + close.length > end ? -1 : at + close.length;
}

/**
 * Character data from `from` up to the next tag: entity-decoded text, CDATA sections verbatim,
 * comments dropped. `next` is the index of the `<` of the tag that ended the text.
 */
function readText(s: string, from: number, end: number): { text: string; next: number } | null {
  let lt = s.indexOf('<', from);
  if (lt < 0 || lt >= end) return null;
  // Fast path: plain text straight up to the end tag.
  const c1 = s.charCodeAt(lt + 1);
  if (c1 !== 33 /* ! */) return { text: decodeEntities(text(s, from, lt)), next: lt };
  let out = decodeEntities(text(s, from, lt));
  for (;;) {
    if (matchAt(s, lt, '<![CDATA[')) {
      const close = s.indexOf(']]>', lt + 9);
      if (close < 0 || close + 3 > end) return null;
      out += text(s, lt + 9, close);
      from = close + 3;
    } else if (matchAt(s, lt, '<!--')) {
      const close = s.indexOf('-->', lt + 4);
      if (close < 0 || close + 3 > end) return null;
      from = close + 3;
    } else {
      return { text: out, next: lt };
    }
    lt = s.indexOf('<', from);
    if (lt < 0 || lt >= end) return null;
    out += decodeEntities(text(s, from, lt));
  }
}
