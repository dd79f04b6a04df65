/**
 * Builds a large, well-formed .evtx by concatenating the real chunks of the dataset captures
 * (round robin), renumbering record ids so they increase across the file, and fixing up every
 * chunk's and the file header's counts and CRC32 checksums. Records and templates stay byte-for-byte
 * real (EventRecordID inside the Binary XML keeps its original value).
 */
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const FILE_HEADER = 4096;
const CHUNK = 65536;

function findEvtx(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findEvtx(p);
    return name.toLowerCase().endsWith('.evtx') ? [p] : [];
  });
}

/** Every used chunk (valid signature, header checksum, ≥ 1 record) of every .evtx under `datasets`. */
export function realChunks(datasets: string): Buffer[] {
  const chunks: Buffer[] = [];
  for (const file of findEvtx(datasets).sort()) {
    const b = readFileSync(file);
    for (let c = FILE_HEADER; c + CHUNK <= b.length; c += CHUNK) {
      const chunk = b.subarray(c, c + CHUNK);
      if (chunk.toString('latin1', 0, 8) !== 'ElfChnk\0') continue;
      if (crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))) !== chunk.readUInt32LE(124)) continue;
      if (chunk.readUInt32LE(48) <= 512) continue;
      chunks.push(Buffer.from(chunk));
    }
  }
  return chunks;
}

/** Write `targetBytes` (rounded up to whole chunks) of real chunks to `path`; returns chunk and record counts. */
export async function buildEvtx(path: string, datasets: string, targetBytes: number): Promise<{ chunks: number; records: number }> {
  const sources = realChunks(datasets);
  if (sources.length === 0) throw new Error(`no EVTX chunks found under ${datasets}`);
  const count = Math.ceil((targetBytes - FILE_HEADER) / CHUNK);
  if (count > 0xffff) throw new Error('at most 65535 chunks (the header count is 16-bit)');
  const out = createWriteStream(path);
  let failed: Error | null = null;
  out.on('error', (e) => { failed = e; });
  const write = (b: Buffer): Promise<void> => new Promise((res, rej) => {
    if (failed) rej(failed); else if (out.write(b)) res(); else out.once('drain', res);
  });
  await write(Buffer.alloc(FILE_HEADER)); // rewritten below
  let nextId = 1;
  for (let i = 0; i < count; i++) {
    const chunk = Buffer.from(sources[i % sources.length]!);
    const free = chunk.readUInt32LE(48);
    const first = nextId;
    for (let p = 512; p < free; p += chunk.readUInt32LE(p + 4)) chunk.writeBigUInt64LE(BigInt(nextId++), p + 8);
    for (const off of [8, 24]) chunk.writeBigUInt64LE(BigInt(first), off);
    for (const off of [16, 32]) chunk.writeBigUInt64LE(BigInt(nextId - 1), off);
    chunk.writeUInt32LE(crc32(chunk.subarray(512, free)), 52);
    chunk.writeUInt32LE(crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))), 124);
    await write(chunk);
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));

  const h = Buffer.alloc(FILE_HEADER);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(0n, 8); // first chunk
  h.writeBigUInt64LE(BigInt(count - 1), 16); // last chunk
  h.writeBigUInt64LE(BigInt(nextId), 24); // next record id
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(1, 36); // minor version
  h.writeUInt16LE(3, 38); // major version
  h.writeUInt16LE(FILE_HEADER, 40);
  h.writeUInt16LE(count, 42);
  h.writeUInt32LE(0, 120); // flags: clean
  h.writeUInt32LE(crc32(h.subarray(0, 120)), 124);
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r+');
  await fh.write(h, 0, FILE_HEADER, 0);
  await fh.close();
  return { chunks: count, records: nextId - 1 };
}
