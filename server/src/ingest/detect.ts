/**
 * File format detection from content (the first bytes), never from the file name: Splunk and
 * wevtutil exports arrive as .log, .txt, .raw or no extension at all.
 */
import { decodeHead } from './text-stream.js';

/** Formats `readEventsFromFile` understands (or recognises, for evtx). */
export type FileFormat = 'evtx' | 'xml' | 'json' | 'csv' | 'json-document' | 'unknown';

/** The magic at offset 0 of every .evtx file. */
const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** Decide the format from the first bytes of a file (64 KiB is plenty). */
export function detectFormat(head: Buffer): FileFormat {
  if (head.length >= 8 && head.subarray(0, 8).equals(EVTX_MAGIC)) return 'evtx';
  const text = decodeHead(head);
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (i === text.length) return 'unknown';
  const c = text[i];
  const nl0 = text.indexOf('\n', i);
  const first = text.slice(i, nl0 < 0 ? undefined : nl0).trim();
  // A pretty-printed object or an array is one JSON document, not JSON lines (one event per line).
  if (c === '[' || first === '{') return 'json-document';
  if (c === '{') return 'json';
  // XML files may open with a declaration, the <Events> wrapper or — in mixed Splunk exports — a
  // classic text block before the first <Event>.
  if (c === '<' || /<Event[\s>]/.test(text)) return 'xml';
  const nl = text.indexOf('\n', i);
  const firstLine = text.slice(i, nl < 0 ? undefined : nl);
  if (firstLine.includes(',') && !/\0/.test(firstLine)) return 'csv';
  return 'unknown';
}
