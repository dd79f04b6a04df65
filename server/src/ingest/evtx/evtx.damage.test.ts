/**
 * Dirty and damaged .evtx files, made from a real capture (the dirty capattack log: 13 chunks,
 * 429 records): truncation, checksum failures, a damaged record, a broken template, a garbage
 * chunk, a wiped file header. Every good record is read; every skip is reported with its offset.
 * Then a bounded, seeded fuzz loop of bit flips and truncations over several real files.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from '../../../test/datasets.js';
import type { ParsedEvent, ParseItem } from '../record.js';
import { readEvtxBuffer, type EvtxIssue } from './index.js';
import { mulberry32 } from '../../demo/prng.js';

const run = requireDatasets('evtx reader on damaged files');

const CAPATTACK = 'splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx';
const SAMPLES = [
  'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/AutomatedTestingTools/Malware/rundll32_cmd_schtask.evtx',
  'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/Command and Control/DE_sysmon-3-rdp-tun.evtx',
  'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/Credential Access/babyshark_mimikatz_powershell.evtx',
  'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/Persistence/persistence_sysmon_11_13_1_shime_appfix.evtx',
  CAPATTACK,
];

const chunkAt = (i: number): number => 4096 + i * 65536;

interface Result { events: ParsedEvent[]; rejected: Extract<ParseItem, { kind: 'rejected' }>[]; issues: EvtxIssue[] }

function read(bytes: Buffer, strictChecksums = false): Result {
  const events: ParsedEvent[] = [];
  const rejected: Result['rejected'] = [];
  const issues: EvtxIssue[] = [];
  for (const item of readEvtxBuffer(bytes, { onIssue: (i) => issues.push(i), strictChecksums })) {
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'rejected') rejected.push(item);
  }
  return { events, rejected, issues };
}

/** File offsets of the end of every allocated record, in file order (walked independently of the reader). */
function recordEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let c = 4096; c + 65536 <= bytes.length; c += 65536) {
    if (bytes.toString('latin1', c, c + 8) !== 'ElfChnk\0') continue;
    const free = bytes.readUInt32LE(c + 48);
    for (let p = c + 512; p < c + free; p += bytes.readUInt32LE(p + 4)) ends.push(p + bytes.readUInt32LE(p + 4));
  }
  return ends;
}

/** Recompute a chunk's two checksums after an edit, so only the intended damage remains. */
function fixChunkChecksums(b: Buffer, chunk: number): void {
  const c = chunkAt(chunk);
  b.writeUInt32LE(crc32(b.subarray(c + 512, c + b.readUInt32LE(c + 48))), c + 52);
  b.writeUInt32LE(crc32(b.subarray(c + 128, c + 512), crc32(b.subarray(c, c + 120))), c + 124);
}

/** Records per chunk of the capattack capture (counted from its chunk headers). */
const PER_CHUNK = [54, 47, 38, 44, 42, 26, 23, 28, 30, 14, 25, 23, 35];
const before = (chunk: number): number => PER_CHUNK.slice(0, chunk).reduce((a, b) => a + b, 0);

describe.runIf(run)('evtx reader on damaged files', () => {
  const original = run ? readFileSync(dataset(CAPATTACK)) : Buffer.alloc(0);
  const good = run ? read(original).events : [];

  it('reads the intact capture in full (the baseline)', () => {
    expect(good.length).toBe(429);
    expect(before(13)).toBe(429);
  });

  it('a file truncated inside chunk 5 keeps every record before the cut and reports the loss', () => {
    const cut = chunkAt(5) + 30000;
    const { events, rejected } = read(original.subarray(0, cut));
    const intact = recordEnds(original).filter((e) => e <= cut).length;
    expect(intact).toBeGreaterThan(before(5));
    expect(events).toEqual(good.slice(0, intact));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.offset).toBe(cut);
    expect(rejected[0]!.reason).toMatch(/truncated/);
  });

  it('a file truncated inside a chunk header reports that chunk as skipped', () => {
    const cut = chunkAt(7) + 100;
    const { events, rejected } = read(original.subarray(0, cut));
    expect(events).toEqual(good.slice(0, before(7)));
    expect(rejected.map((r) => r.offset)).toEqual([chunkAt(7)]);
  });

  it('a records-checksum mismatch is a warning (records still read); strict mode skips the chunk', () => {
    const b = Buffer.from(original);
    // Flip one bit in the slack-free middle of chunk 3's record area (inside a record's value).
    const target = chunkAt(3) + 20000;
    b[target] = b[target]! ^ 0x01;
    const lenient = read(b);
    expect(lenient.rejected).toEqual([]);
    expect(lenient.issues.filter((i) => i.chunk === 3)).toEqual([
      { offset: chunkAt(3), chunk: 3, skipped: false, reason: expect.stringMatching(/records checksum mismatch/) },
    ]);
    expect(lenient.events.length).toBe(429);
    const strict = read(b, true);
    expect(strict.events.length).toBe(429 - PER_CHUNK[3]!);
    expect(strict.rejected.map((r) => r.offset)).toEqual([chunkAt(3)]);
    expect(strict.events).toEqual([...good.slice(0, before(3)), ...good.slice(before(4))]);
  });

  it('a damaged record header: that record is skipped with its offset, the rest of the chunk is read', () => {
    const b = Buffer.from(original);
    const ends = recordEnds(original);
    const k = before(2) + 10; // 11th record of chunk 2
    const start = ends[k - 1]!;
    b.writeUInt32LE(0xdeadbeef, start); // break its magic
    const { events, rejected } = read(b);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.offset).toBe(start);
    expect(events).toEqual([...good.slice(0, k), ...good.slice(k + 1)]);
  });

  it('a broken template (checksums fixed up): the records using it are rejected, nothing else', () => {
    const b = Buffer.from(original);
    const c = chunkAt(6);
    // The first record of a chunk defines the outer template inline; corrupt the token of its <Event>.
    const defOff = b.readUInt32LE(c + 512 + 24 + 4 + 6);
    const eventToken = c + defOff + 24 + 4;
    expect(b[eventToken]).toBe(0x41);
    b[eventToken] = 0xff;
    fixChunkChecksums(b, 6);
    const { events, rejected, issues } = read(b);
    expect(issues.filter((i) => !i.skipped).map((i) => i.reason)).not.toContainEqual(expect.stringMatching(/checksum/));
    expect(rejected).toHaveLength(PER_CHUNK[6]!);
    for (const r of rejected) {
      expect(r.offset).toBeGreaterThanOrEqual(c + 512);
      expect(r.offset).toBeLessThan(c + 65536);
      expect(r.reason).toMatch(/unknown Binary XML token 0xff/);
    }
    expect(events).toEqual([...good.slice(0, before(6)), ...good.slice(before(7))]);
  });

  it('a garbage chunk is skipped and reported; a chunk with a wiped signature is still read by scanning', () => {
    const b = Buffer.from(original);
    for (let i = 0; i < 65536; i++) b[chunkAt(4) + i] = (i * 131 + 7) & 0xff;
    b.fill(0, chunkAt(9), chunkAt(9) + 8);
    const { events, rejected, issues } = read(b);
    expect(rejected.map((r) => r.offset)).toEqual([chunkAt(4)]);
    expect(issues).toContainEqual({ offset: chunkAt(9), chunk: 9, skipped: false, reason: expect.stringMatching(/bad chunk signature; records found by scanning/) });
    expect(events).toEqual([...good.slice(0, before(4)), ...good.slice(before(5))]);
  });

  it('a wiped file header does not stop the chunks being read', () => {
    const b = Buffer.from(original);
    b.fill(0, 0, 4096);
    const { events, rejected } = read(b);
    expect(rejected).toEqual([]);
    expect(events).toEqual(good);
  });

  it('a file that is not EVTX is rejected as a whole with a clear reason', () => {
    const { events, rejected } = read(Buffer.from('<Event xmlns="x"></Event>\n'.repeat(300)));
    expect(events).toEqual([]);
    expect(rejected).toEqual([{ kind: 'rejected', line: 0, offset: 0, reason: 'not an EVTX file (no ElfFile signature and no chunks)' }]);
  });

  it('fuzz: seeded bit flips and truncations never crash or hang; records before the damage are read', () => {
    const rand = mulberry32(0x5eed7);
    const files = SAMPLES.map((p) => readFileSync(dataset(p)));
    const baselines = files.map((f) => ({ events: read(f).events, ends: recordEnds(f) }));
    let damagedReads = 0;
    for (let iter = 0; iter < 160; iter++) {
      const which = Math.floor(rand() * files.length);
      const src = files[which]!;
      const used = Math.max(...baselines[which]!.ends) + 4096; // aim at bytes that matter, with some slack
      let b = Buffer.from(src);
      let damageAt = b.length;
      const mode = rand();
      if (mode < 0.7) {
        const flips = 1 + Math.floor(rand() * 24);
        for (let f = 0; f < flips; f++) {
          const off = Math.floor(rand() * Math.min(used, b.length));
          b[off] = b[off]! ^ (1 << Math.floor(rand() * 8));
          damageAt = Math.min(damageAt, off);
        }
      }
      if (mode >= 0.5) {
        const len = Math.floor(rand() * Math.min(used, b.length));
        b = b.subarray(0, len);
        damageAt = Math.min(damageAt, len);
      }
      let result: Result;
      expect(() => { result = read(b); }, `iteration ${iter}`).not.toThrow();
      const { events } = result!;
      const intact = baselines[which]!.ends.filter((e) => e <= damageAt).length;
      expect(events.slice(0, intact), `iteration ${iter}: damage at ${damageAt}`).toEqual(baselines[which]!.events.slice(0, intact));
      if (intact < baselines[which]!.events.length) damagedReads++;
    }
    expect(damagedReads).toBeGreaterThan(100);
  });
});

