/**
 * Streaming text input for the parsers: a file read in fixed-size chunks, decoded (UTF-8, or UTF-16
 * when it starts with a byte-order mark, as Windows tools write), and cut into whole lines. Nothing
 * here holds more than one chunk plus one partial line, so memory stays flat on multi-GB files.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read per chunk: big enough to amortise per-chunk costs, small enough to keep RSS flat. */
export const CHUNK_BYTES = 1 << 20;

/** Text encodings we decode; chosen from the byte-order mark. */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * A file to read: its path (streamed in chunks), or its whole content already in memory (a small
 * file, `readSmallFile`).
 */
export type FileSource = string | Buffer;

/** Files up to this size are read whole, in one synchronous call (`readSmallFile`). */
export const SMALL_FILE_BYTES = 4 << 20;

/**
 * The whole content of `path` when it is at most `max` bytes, else null (stream it). One open, fstat,
 * read and close, all synchronous: a small file costs no round trips through libuv's thread pool,
 * each of which waits for a core on a busy machine (docs/ingest.md "Many small files").
 */
export function readSmallFile(path: string, max = SMALL_FILE_BYTES): Buffer | null {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > max) return null;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The file's raw bytes from `start` in chunks of about `chunkBytes`. */
async function* rawChunks(src: FileSource, start: number, chunkBytes: number): AsyncGenerator<Buffer> {
  if (typeof src !== 'string') {
    for (let at = start; at < src.length; at += chunkBytes) yield src.subarray(at, Math.min(src.length, at + chunkBytes));
    return;
  }
  yield* createReadStream(src, { start, highWaterMark: chunkBytes }) as AsyncIterable<Buffer>;
}

/** The first bytes of a file, for content-based format detection. */
export async function readHead(path: FileSource, bytes = 64 * 1024): Promise<Buffer> {
  if (typeof path !== 'string') return path.subarray(0, bytes);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Encoding and BOM length from the first bytes. */
export function sniffEncoding(head: Buffer): { encoding: TextEncoding; bomBytes: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomBytes: 2 };
  return { encoding: 'utf8', bomBytes: 0 };
}

/** Decode a head buffer to text (for detection only; a split multi-byte char at the end is harmless). */
export function decodeHead(head: Buffer): string {
  const { encoding, bomBytes } = sniffEncoding(head);
  const body = head.subarray(bomBytes);
  if (encoding === 'utf16be') return swap16(body).toString('utf16le');
  return body.toString(encoding);
}

function swap16(buf: Buffer): Buffer {
  const even = buf.subarray(0, buf.length - (buf.length % 2));
  return Buffer.from(even).swap16();
}

/**
 * Invalid UTF-8 in a file read as UTF-8: what became U+FFFD (docs/ingest.md "Malformed input").
 * `first`: byte offset of the first bad sequence in the file; `count`: bad sequences.
 */
export interface InvalidUtf8 { first: number; count: number }

/**
 * Watches the bytes of a UTF-8 file chunk by chunk for invalid sequences. The fast path is Node's
 * `isUtf8` (simdutf) per chunk — a sequence cut by the chunk end is carried to the next; only a
 * chunk that fails is walked byte by byte to find and count the bad sequences.
 */
export class Utf8Watch {
  private carry: Buffer | null = null;
  /** File offset of the next byte fed. */
  private offset: number;
  first = -1;
  count = 0;

  constructor(startOffset = 0) { this.offset = startOffset; }

  feed(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.offset - (this.carry?.length ?? 0);
    this.offset += chunk.length;
    const cut = incompleteTail(buf);
    this.carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : null;
    const body = buf.subarray(0, cut);
    if (!isUtf8(body)) this.walk(body, base);
  }

  /** The result at end of input (a sequence cut by the end of the file is invalid too). */
  end(): InvalidUtf8 | null {
    if (this.carry) { this.walk(this.carry, this.offset - this.carry.length); this.carry = null; }
    return this.count > 0 ? { first: this.first, count: this.count } : null;
  }

  private walk(b: Buffer, base: number): void {
    let i = 0;
    while (i < b.length) {
      const n = validSequenceLength(b, i);
      if (n > 0) { i += n; continue; }
      if (this.first < 0) this.first = base + i;
      this.count++;
      i++;
    }
  }
}

/** Where a multi-byte sequence that the buffer's end cuts short starts (else the length). */
function incompleteTail(b: Buffer): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k]!;
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > k ? b.length - k : b.length;
    }
  }
  return b.length;
}

/** Length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The file as decoded text chunks (BOM removed). `onInvalidUtf8`: see readByteChunks. */
export async function* readTextChunks(path: FileSource, chunkBytes = CHUNK_BYTES, onInvalidUtf8?: (r: InvalidUtf8) => void): AsyncGenerator<string> {
  const head = await readHead(path, 4);
  const { encoding, bomBytes } = sniffEncoding(head);
  const decoder = new StringDecoder(encoding === 'utf16be' ? 'utf16le' : encoding);
  let odd: Buffer | null = null; // utf16be: a byte left over from the previous chunk
  const watch = encoding === 'utf8' && onInvalidUtf8 ? new Utf8Watch(bomBytes) : null;
  for await (const raw of rawChunks(path, bomBytes, chunkBytes)) {
    watch?.feed(raw);
    let chunk = raw;
    if (encoding === 'utf16be') {
      const joined: Buffer = odd ? Buffer.concat([odd, chunk]) : chunk;
      const usable = joined.length - (joined.length % 2);
      odd = usable < joined.length ? joined.subarray(usable) : null;
      chunk = Buffer.from(joined.subarray(0, usable)).swap16();
    }
    const text = decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  const bad = watch?.end();
  if (bad && onInvalidUtf8) onInvalidUtf8(bad);
  if (rest) yield rest;
}

/**
 * The file's bytes as latin1 strings (one char per byte, BOM skipped): for UTF-8 input whose
 * reader decodes only the values it extracts (see xml-scan.ts Latin1Utf8). Only for UTF-8 files.
 */
export async function* readLatin1Chunks(path: FileSource, chunkBytes = CHUNK_BYTES, onInvalidUtf8?: (r: InvalidUtf8) => void): AsyncGenerator<string> {
  for await (const raw of readByteChunks(path, chunkBytes, onInvalidUtf8)) yield raw.toString('latin1');
}

/**
 * The file's bytes in chunks, a leading UTF-8/UTF-16 byte-order mark skipped (for UTF-8 files).
 * `onInvalidUtf8` is called once, after the last chunk, when the bytes were not all valid UTF-8
 * (the readers then show U+FFFD for them).
 */
export async function* readByteChunks(path: FileSource, chunkBytes = CHUNK_BYTES, onInvalidUtf8?: (r: InvalidUtf8) => void): AsyncGenerator<Buffer> {
  const { bomBytes } = sniffEncoding(await readHead(path, 4));
  const watch = onInvalidUtf8 ? new Utf8Watch(bomBytes) : null;
  for await (const raw of rawChunks(path, bomBytes, chunkBytes)) {
    watch?.feed(raw);
    yield raw;
  }
  const bad = watch?.end();
  if (bad && onInvalidUtf8) onInvalidUtf8(bad);
}

/** A run of complete lines from one chunk; `firstLine` is the 1-based number of `lines[0]`. */
export interface LineBatch {
  lines: string[];
  firstLine: number;
  /** Lines dropped for exceeding MAX_LINE_CHARS (their numbers), reported by the caller. */
  overlong?: number[];
}

/** A line longer than this is dropped (and reported) instead of being held in memory. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Whole lines, batched per chunk (so callers pay one await per chunk, not per line). Line ends may
 * be LF or CRLF (mixed in one file is fine); the terminator is removed. A final line without a
 * newline is still returned.
 */
export async function* readLineBatches(chunks: AsyncIterable<string>, maxLine = MAX_LINE_CHARS): AsyncGenerator<LineBatch> {
  let carry = '';
  let lineNo = 1;
  /** Inside an overlong line: drop text until its newline. */
  let dropping = false;
  for await (const chunk of chunks) {
    let text = chunk;
    let overlong: number[] | undefined;
    if (dropping) {
      const nl = text.indexOf('\n');
      if (nl < 0) continue;
      text = text.slice(nl + 1);
      lineNo++;
      dropping = false;
    } else if (carry) {
      text = carry + chunk;
    }
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    if (carry.length > maxLine) {
      overlong = [lineNo + lines.length];
      carry = '';
      dropping = true;
    }
    if (lines.length === 0 && !overlong) continue;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    yield overlong ? { lines, firstLine: lineNo, overlong } : { lines, firstLine: lineNo };
    lineNo += lines.length;
  }
  if (carry) {
    if (carry.charCodeAt(carry.length - 1) === 13) carry = carry.slice(0, -1);
    yield { lines: [carry], firstLine: lineNo };
  }
}
