/**
 * Streaming text input for the parsers: a file read in fixed-size chunks, decoded (UTF-8, or UTF-16
 * when it starts with a byte-order mark, as Windows tools write), and cut into whole lines. Nothing
 * here holds more than one chunk plus one partial line, so memory stays flat on multi-GB files.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read per chunk: big enough to amortise per-chunk costs, small enough to keep RSS flat. */
export const CHUNK_BYTES = 1 << 20;

/** Text encodings we decode; chosen from the byte-order mark. */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/** The first bytes of a file, for content-based format detection. */
export async function readHead(path: string, bytes = 64 * 1024): Promise<Buffer> {
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

/** The file as decoded text chunks (BOM removed). */
export async function* readTextChunks(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<string> {
  const head = await readHead(path, 4);
  const { encoding, bomBytes } = sniffEncoding(head);
  const decoder = new StringDecoder(encoding === 'utf16be' ? 'utf16le' : encoding);
  let odd: Buffer | null = null; // utf16be: a byte left over from the previous chunk
  const stream = createReadStream(path, { start: bomBytes, highWaterMark: chunkBytes });
  for await (const raw of stream as AsyncIterable<Buffer>) {
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
  if (rest) yield rest;
}

/**
 * The file's bytes as latin1 strings (one char per byte, BOM skipped): for UTF-8 input whose
 * reader decodes only the values it extracts (see xml-scan.ts Latin1Utf8). Only for UTF-8 files.
 */
export async function* readLatin1Chunks(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<string> {
  for await (const raw of readByteChunks(path, chunkBytes)) yield raw.toString('latin1');
}

/** The file's bytes in chunks, a leading UTF-8/UTF-16 byte-order mark skipped (for UTF-8 files). */
export async function* readByteChunks(path: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const { bomBytes } = sniffEncoding(await readHead(path, 4));
  const stream = createReadStream(path, { start: bomBytes, highWaterMark: chunkBytes });
  for await (const raw of stream as AsyncIterable<Buffer>) yield raw;
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
