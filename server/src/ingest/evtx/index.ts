/**
 * Native .evtx reader: `readEvtxFile(path)` streams a Windows XML Event Log file chunk by chunk
 * (memory stays flat whatever the file size) and yields one ParseItem per record — `line` is the
 * record header's number (equal to EventRecordID in logs Windows wrote; exported/filtered logs
 * renumber it while EventRecordID keeps the original) — plus `rejected` items, with byte offsets.
 * See ./README.md for the format notes and the policy on damaged files.
 */
import { open } from 'node:fs/promises';
import type { ParseItem } from '../record.js';
import { readChunk, type ChunkResult, type EvtxIssue } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseFileHeader, type FileHeader } from './format.js';

export type { EvtxIssue } from './chunk.js';
export type { FileHeader } from './format.js';

/** Options of `readEvtxFile`. */
export interface EvtxReadOptions {
  /** Every problem found, as it is found: warnings (records still read) and skipped data. */
  onIssue?: (issue: EvtxIssue) => void;
  /** The file header's claims (dirty flag, chunk count…), once read. */
  onHeader?: (header: FileHeader) => void;
  /** Bytes of the file consumed so far, and the file size; called after each read. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Skip chunks whose checksums fail instead of validating their records one by one. */
  strictChecksums?: boolean;
  /** Stops reading (the iterator throws the abort reason). */
  signal?: AbortSignal;
  /** Chunks fetched per read call (default 16, i.e. 1 MiB). */
  chunksPerRead?: number;
}

/** Tracks the file-level story across chunks: header warnings and the final "not EVTX" verdict. */
class FileState {
  chunksFound = 0;
  header: FileHeader | null = null;
  private pending: ChunkResult[] = [];
  constructor(private readonly opts: EvtxReadOptions) {}

  issue(i: EvtxIssue): void { this.opts.onIssue?.(i); }

  /** Header-level items (warnings go to onIssue only). */
  onHeader(buf: Buffer): ParseItem[] {
    const h = parseFileHeader(buf);
    this.header = h;
    this.opts.onHeader?.(h);
    if (!h.magicOk) {
      this.issue({ offset: 0, chunk: null, skipped: false, reason: 'file header has no ElfFile signature; looking for chunks anyway' });
      return [];
    }
    if (!h.checksumOk) this.issue({ offset: 0, chunk: null, skipped: false, reason: 'file header checksum mismatch; header ignored, chunks found by scanning' });
    if (h.dirty) this.issue({ offset: 0, chunk: null, skipped: false, reason: 'file header marked dirty (log not closed cleanly, e.g. a copy of a live log); chunks found by scanning' });
    return [];
  }

  onChunk(r: ChunkResult): ParseItem[] {
    // Without the file signature, unreadable blocks are held back until a real chunk shows this is
    // an EVTX file after all; otherwise the file is rejected once, as a whole, in finish().
    if (!this.header?.magicOk && this.chunksFound === 0) {
      if (!r.isChunk) { this.pending.push(r); return []; }
      const held = this.pending.flatMap((p) => { for (const i of p.issues) this.issue(i); return p.items; });
      this.pending = [];
      this.chunksFound++;
      for (const i of r.issues) this.issue(i);
      return [...held, ...r.items];
    }
    if (r.isChunk) this.chunksFound++;
    for (const i of r.issues) this.issue(i);
    return r.items;
  }

  /** Closing items: a file with no signature and no chunk is rejected as a whole. */
  finish(fileSize: number): ParseItem[] {
    const h = this.header;
    if (fileSize < FILE_HEADER_SIZE && this.chunksFound === 0) {
      const reason = h?.magicOk ? `truncated EVTX file (${fileSize} bytes, no chunk)` : 'not an EVTX file (no ElfFile signature)';
      this.issue({ offset: 0, chunk: null, skipped: true, reason });
      return [{ kind: 'rejected', line: 0, reason, offset: 0 }];
    }
    if (this.chunksFound === 0 && !h?.magicOk) {
      const reason = 'not an EVTX file (no ElfFile signature and no chunks)';
      this.issue({ offset: 0, chunk: null, skipped: true, reason });
      return [{ kind: 'rejected', line: 0, reason, offset: 0 }];
    }
    if (h?.magicOk && h.chunkCount !== this.chunksFound) {
      this.issue({ offset: 0, chunk: null, skipped: false, reason: `file header lists ${h.chunkCount} chunks; ${this.chunksFound} found` });
    }
    return [];
  }
}

/**
 * Stream the records of an .evtx file. Every good record is yielded as an `event`; skipped chunks
 * and records are yielded as `rejected` with their byte offset and reason. Never throws on bad
 * content (only on I/O errors or abort).
 */
export async function* readEvtxFile(path: string, opts: EvtxReadOptions = {}): AsyncGenerator<ParseItem> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const state = new FileState(opts);
    const headerBuf = Buffer.alloc(FILE_HEADER_SIZE);
    const { bytesRead: headerBytes } = await fh.read(headerBuf, 0, FILE_HEADER_SIZE, 0);
    yield* state.onHeader(headerBuf.subarray(0, headerBytes));
    const perRead = Math.max(1, opts.chunksPerRead ?? 16);
    const block = Buffer.alloc(perRead * CHUNK_SIZE);
    let position = FILE_HEADER_SIZE;
    let index = 0;
    while (position < size) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      // A short final chunk is zero-padded so its header fields can be read; `available` bounds the records.
      if (bytesRead < block.length) block.fill(0, bytesRead);
      for (let off = 0; off < bytesRead; off += CHUNK_SIZE) {
        const available = Math.min(CHUNK_SIZE, bytesRead - off);
        const chunk = block.subarray(off, off + CHUNK_SIZE);
        yield* state.onChunk(readChunk(chunk, available, index, position + off, opts.strictChecksums));
        index++;
      }
      position += bytesRead;
      opts.onProgress?.(position, size);
    }
    yield* state.finish(size);
  } finally {
    await fh.close();
  }
}

/** The same reader over bytes already in memory (tests, fuzzing, small uploads). */
export function* readEvtxBuffer(bytes: Buffer, opts: EvtxReadOptions = {}): Generator<ParseItem> {
  const state = new FileState(opts);
  yield* state.onHeader(bytes.subarray(0, FILE_HEADER_SIZE));
  const padded = Buffer.alloc(CHUNK_SIZE);
  let index = 0;
  for (let pos = FILE_HEADER_SIZE; pos < bytes.length; pos += CHUNK_SIZE, index++) {
    const available = Math.min(CHUNK_SIZE, bytes.length - pos);
    let chunk = bytes.subarray(pos, pos + CHUNK_SIZE);
    if (available < CHUNK_SIZE) { padded.fill(0); bytes.copy(padded, 0, pos); chunk = padded; }
    yield* state.onChunk(readChunk(chunk, available, index, pos, opts.strictChecksums));
  }
  yield* state.finish(bytes.length);
}
