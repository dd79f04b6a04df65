/**
 * Reading the records of one 64 KiB chunk, on real (dirty) files.
 *
 * Policy (documented in ./README.md):
 * - A chunk whose header checksum holds is trusted for its free-space offset and record-id range.
 *   Records are read from 512 to the free-space offset; bytes beyond it are slack space (stale copies
 *   of older records) and are never read.
 * - A bad records checksum (typical of the last chunk of a live copy) is a warning, not a skip: every
 *   record is still validated on its own (magic, size, repeated size, increasing id, Binary XML).
 * - A chunk whose header is damaged (bad magic or header checksum) is scanned record by record from
 *   512 while records validate and ids increase; the stop is silent (slack space looks the same).
 * - A damaged record is skipped and reported with its offset; reading resynchronises on the next
 *   8-byte-aligned valid record with a higher id. A truncated chunk reports the lost tail.
 * - `strict` skips any chunk whose checksums fail instead.
 */
import type { ParseItem } from '../record.js';
import { ChunkBinXml } from './binxml.js';
import { EventExtractor } from './extract.js';
import { CHUNK_DATA_START, CHUNK_SIZE, isZero, parseChunkHeader, RECORD_HEADER_SIZE, recordAt } from './format.js';

/** A problem found while reading: a warning (records still read) or skipped data. */
export interface EvtxIssue {
  /** Byte offset in the file where the problem is. */
  offset: number;
  /** 0-based chunk index; null for the file header or the file as a whole. */
  chunk: number | null;
  /** True when data was not read (it is also yielded as a `rejected` ParseItem). */
  skipped: boolean;
  reason: string;
}

/** What reading one chunk produced: items in file order, and every issue (warnings and skips). */
export interface ChunkResult {
  items: ParseItem[];
  issues: EvtxIssue[];
  /** False for an unused (all-zero) or unreadable block. */
  isChunk: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Read the chunk held in `c` (a 64 KiB buffer whose first `available` bytes are real; fewer when the
 * file is truncated). `index` and `fileOffset` locate it for reports.
 */
export function readChunk(c: Buffer, available: number, index: number, fileOffset: number, strict = false): ChunkResult {
  const items: ParseItem[] = [];
  const issues: EvtxIssue[] = [];
  const at = (pos: number): number => fileOffset + pos;
  const skip = (pos: number, line: number, reason: string): void => {
    issues.push({ offset: at(pos), chunk: index, skipped: true, reason });
    items.push({ kind: 'rejected', line, reason, offset: at(pos) });
  };
  const warn = (pos: number, reason: string): void => { issues.push({ offset: at(pos), chunk: index, skipped: false, reason }); };

  if (available < CHUNK_DATA_START) {
    if (!isZero(c, available)) skip(0, 0, `chunk ${index} at ${hex(at(0))}: file truncated inside the chunk header (${available} bytes); chunk skipped`);
    return { items, issues, isChunk: false };
  }
  const h = parseChunkHeader(c, available);
  const trusted = h.magicOk && h.headerChecksumOk && h.freeSpaceOffset >= CHUNK_DATA_START && h.freeSpaceOffset <= CHUNK_SIZE;
  let end: number;
  if (trusted) {
    end = Math.min(h.freeSpaceOffset, available);
    if (h.dataChecksumOk === false) {
      if (strict) { skip(0, h.firstRecordId, `chunk ${index} at ${hex(at(0))}: records checksum mismatch; chunk skipped (strict)`); return { items, issues, isChunk: true }; }
      warn(0, `chunk ${index} at ${hex(at(0))}: records checksum mismatch; records validated one by one`);
    }
  } else {
    if (!h.magicOk && isZero(c, available)) return { items, issues, isChunk: false };
    const why = h.magicOk ? 'header checksum mismatch' : 'bad chunk signature';
    if (!h.magicOk && recordAt(c, CHUNK_DATA_START, available) === 0) {
      skip(0, 0, `chunk ${index} at ${hex(at(0))}: ${why} and no record at offset 512; chunk skipped`);
      return { items, issues, isChunk: false };
    }
    if (strict) { skip(0, 0, `chunk ${index} at ${hex(at(0))}: ${why}; chunk skipped (strict)`); return { items, issues, isChunk: true }; }
    warn(0, `chunk ${index} at ${hex(at(0))}: ${why}; records found by scanning`);
    end = available;
  }

  const bx = new ChunkBinXml(c);
  const extractor = new EventExtractor(bx);
  // Ids increase within a chunk; a lower one is a stale slack copy or garbage.
  let lastId = trusted ? h.firstRecordId - 1 : -1;
  const maxId = trusted ? h.lastRecordId : Number.MAX_SAFE_INTEGER;
  const valid = (pos: number): number => {
    const size = recordAt(c, pos, end);
    if (size === 0) return 0;
    const id = Number(c.readBigUInt64LE(pos + 8));
    return id > lastId && id <= maxId ? size : 0;
  };

  let pos = CHUNK_DATA_START;
  while (pos < end) {
    let size = valid(pos);
    if (size === 0) {
      if (!trusted) break; // end of the used area (or damage we cannot tell from slack)
      let next = pos + 8;
      while (next < end && valid(next) === 0) next += 8;
      if (next >= end) {
        if (h.freeSpaceOffset > available) break; // the truncation report below covers it
        skip(pos, lastId + 1, `chunk ${index}: damaged record at ${hex(at(pos))}; rest of chunk (${end - pos} bytes, records up to ${h.lastRecordId}) skipped`);
        break;
      }
      skip(pos, lastId + 1, `chunk ${index}: damaged record data at ${hex(at(pos))} (${next - pos} bytes) skipped`);
      pos = next;
      size = valid(pos);
    }
    const id = Number(c.readBigUInt64LE(pos + 8));
    try {
      const event = extractor.extract(pos + RECORD_HEADER_SIZE, size - RECORD_HEADER_SIZE - 4);
      if (event.system.recordId === null) event.system.recordId = id;
      items.push({ kind: 'event', event, line: id });
    } catch (e) {
      skip(pos, id, `record ${id} at ${hex(at(pos))}: ${(e as Error).message}`);
    }
    lastId = id;
    pos += size;
  }
  if (trusted && h.freeSpaceOffset > available) {
    skip(available, lastId + 1, `chunk ${index}: file truncated at ${hex(at(available))}; records after ${lastId} (up to ${h.lastRecordId}) lost`);
  }
  return { items, issues, isChunk: true };
}
