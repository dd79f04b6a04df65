/**
 * EVTX container layout: a 4 KiB file header followed by 64 KiB chunks. Each chunk has a 512-byte
 * header (128 bytes of fields, then the string and template hash tables) and event records from
 * offset 512 up to its free-space offset. Both headers carry CRC32 checksums.
 */
import { crc32 } from 'node:zlib';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
/** Records start here; the bytes before are the chunk header and its string/template tables. */
export const CHUNK_DATA_START = 512;
/** A record starts with `**\0\0`. */
export const RECORD_MAGIC = 0x00002a2a;
/** Record header (magic, size, id, written time) before its Binary XML; the size is repeated after. */
export const RECORD_HEADER_SIZE = 24;

const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1');
const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');

/** The file header's claims. Informational only: chunks are found by scanning, never by these counts. */
export interface FileHeader {
  magicOk: boolean;
  checksumOk: boolean;
  majorVersion: number;
  minorVersion: number;
  chunkCount: number;
  nextRecordId: number;
  /** Flag 0x1: the log was not closed cleanly (typical of a copy of a live log). */
  dirty: boolean;
  /** Flag 0x2: the log is full. */
  full: boolean;
}

export function parseFileHeader(b: Buffer): FileHeader {
  const have = b.length >= 128;
  return {
    magicOk: b.length >= 8 && b.subarray(0, 8).equals(FILE_MAGIC),
    checksumOk: have && crc32(b.subarray(0, 120)) === b.readUInt32LE(124),
    majorVersion: have ? b.readUInt16LE(38) : 0,
    minorVersion: have ? b.readUInt16LE(36) : 0,
    chunkCount: have ? b.readUInt16LE(42) : 0,
    nextRecordId: have ? Number(b.readBigUInt64LE(24)) : 0,
    dirty: have && (b.readUInt32LE(120) & 1) !== 0,
    full: have && (b.readUInt32LE(120) & 2) !== 0,
  };
}

/** A chunk header's fields and whether its checksums hold. */
export interface ChunkHeader {
  magicOk: boolean;
  firstRecordId: number;
  lastRecordId: number;
  freeSpaceOffset: number;
  /** CRC32 over header bytes 0–120 and 128–512. */
  headerChecksumOk: boolean;
  /** CRC32 over the records, 512 up to the free-space offset; null when that range is not all present. */
  dataChecksumOk: boolean | null;
}

/** Parse the header of the chunk in `c` (which holds `available` real bytes, ≥ 512). */
export function parseChunkHeader(c: Buffer, available: number): ChunkHeader {
  const free = c.readUInt32LE(48);
  const headerChecksumOk = crc32(c.subarray(128, CHUNK_DATA_START), crc32(c.subarray(0, 120))) === c.readUInt32LE(124);
  const dataRangeOk = free >= CHUNK_DATA_START && free <= Math.min(available, CHUNK_SIZE);
  return {
    magicOk: c.subarray(0, 8).equals(CHUNK_MAGIC),
    firstRecordId: Number(c.readBigUInt64LE(24)),
    lastRecordId: Number(c.readBigUInt64LE(32)),
    freeSpaceOffset: free,
    headerChecksumOk,
    dataChecksumOk: dataRangeOk ? crc32(c.subarray(CHUNK_DATA_START, free)) === c.readUInt32LE(52) : null,
  };
}

const ZEROS = Buffer.alloc(CHUNK_SIZE);

/** True when the first `n` bytes of `b` are all zero (an unused, pre-allocated chunk). */
export function isZero(b: Buffer, n: number): boolean {
  return b.compare(ZEROS, 0, n, 0, n) === 0;
}

/** True when a plausible record starts at `pos`: magic, size within `end`, size repeated at its end. */
export function recordAt(c: Buffer, pos: number, end: number): number {
  if (pos + RECORD_HEADER_SIZE + 4 > end) return 0;
  if (c.readUInt32LE(pos) !== RECORD_MAGIC) return 0;
  const size = c.readUInt32LE(pos + 4);
  if (size < RECORD_HEADER_SIZE + 4 || pos + size > end) return 0;
  if (c.readUInt32LE(pos + size - 4) !== size) return 0;
  return size;
}
