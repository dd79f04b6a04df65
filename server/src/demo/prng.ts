/** Seeded randomness for the demo fleet: same seed, same fleet, byte for byte. */

/** mulberry32: tiny, fast, good enough for synthetic data (not for anything secret). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(digits: number): string {
    let s = '';
    while (s.length < digits) s += ((this.next() * 0x10000) >>> 0).toString(16).padStart(4, '0');
    return s.slice(0, digits);
  }
  /** A canonical Sysmon-style GUID; `machine` (8 hex) is shared by every process of one host. */
  guid(machine: string): string {
    return `{${machine}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}}`;
  }
}

/** Mix a seed with a label and numbers into a new 32-bit seed (FNV-1a), for independent streams. */
export function deriveSeed(seed: number, label: string, ...nums: number[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = `${label}:${nums.join(',')}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The same mulberry32 stream as a bare function, for benches and fuzz loops that only need numbers. */
export function mulberry32(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}
