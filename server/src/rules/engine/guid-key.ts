/**
 * Sysmon ProcessGuids as four 32-bit words (docs/rules.md §3.1): the engine keys its node table
 * by (host, 4 words) instead of by string, so a lookup hashes 20 bytes and compares 5 integers, and a node
 * does not keep its GUID string alive (it is rebuilt for hits).
 * Only the canonical spelling the sources emit (`{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, lowercase) is
 * parsed, so printing the words back gives exactly the input; any other id (test vectors' short ids,
 * upper case) is keyed as text by the caller, which keeps the engine's exact-string identity.
 */

/** Hex digit value by char code (lowercase only), -1 for anything else; 256 entries so `c & 255` indexes it. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** The words of the last successful `parseGuid` (module scratch: the hot path allocates nothing). */
export const words = new Int32Array(4);

/**
 * Eight hex digits at i..i+7 as an int32; makes `bad` (module scratch) non-zero on a non-digit.
 * Straight-line reads of one table (no per-digit call): this runs twice per process-create.
 */
let bad = 0;
function hex8at(s: string, i: number): number {
  const c0 = s.charCodeAt(i); const c1 = s.charCodeAt(i + 1); const c2 = s.charCodeAt(i + 2); const c3 = s.charCodeAt(i + 3);
  const c4 = s.charCodeAt(i + 4); const c5 = s.charCodeAt(i + 5); const c6 = s.charCodeAt(i + 6); const c7 = s.charCodeAt(i + 7);
  const d0 = HEX[c0 & 255]!; const d1 = HEX[c1 & 255]!; const d2 = HEX[c2 & 255]!; const d3 = HEX[c3 & 255]!;
  const d4 = HEX[c4 & 255]!; const d5 = HEX[c5 & 255]!; const d6 = HEX[c6 & 255]!; const d7 = HEX[c7 & 255]!;
  // A char ≥ 256 would alias a digit through `& 255`: its high bits make `bad` non-zero too.
  bad |= ((d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7) & ~15) | ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) & ~255);
  return (d0 << 28) | (d1 << 24) | (d2 << 20) | (d3 << 16) | (d4 << 12) | (d5 << 8) | (d6 << 4) | d7;
}

/** Four hex digits at i..i+3 (as hex8at). */
function hex4at(s: string, i: number): number {
  const c0 = s.charCodeAt(i); const c1 = s.charCodeAt(i + 1); const c2 = s.charCodeAt(i + 2); const c3 = s.charCodeAt(i + 3);
  const d0 = HEX[c0 & 255]!; const d1 = HEX[c1 & 255]!; const d2 = HEX[c2 & 255]!; const d3 = HEX[c3 & 255]!;
  bad |= ((d0 | d1 | d2 | d3) & ~15) | ((c0 | c1 | c2 | c3) & ~255);
  return (d0 << 12) | (d1 << 8) | (d2 << 4) | d3;
}

/**
 * Parse a canonical GUID into `words`; false for anything else (caller keys it as text).
 * Layout: w0 = group 1, w1 = groups 2+3, w2 = group 4 + first half of group 5, w3 = rest of group 5.
 */
export function parseGuid(s: string): boolean {
  if (s.length !== 38 || s.charCodeAt(0) !== 123 /* { */ || s.charCodeAt(37) !== 125 /* } */
    || s.charCodeAt(9) !== 45 || s.charCodeAt(14) !== 45 || s.charCodeAt(19) !== 45 || s.charCodeAt(24) !== 45) return false;
  bad = 0;
  const w0 = hex8at(s, 1);
  const w1 = (hex4at(s, 10) << 16) | hex4at(s, 15);
  const w2 = (hex4at(s, 20) << 16) | hex4at(s, 25);
  const w3 = hex8at(s, 29);
  if (bad !== 0) return false;
  words[0] = w0;
  words[1] = w1;
  words[2] = w2;
  words[3] = w3;
  return true;
}

function hex8(w: number): string {
  return (w >>> 0).toString(16).padStart(8, '0');
}

/** The canonical GUID string of four words (inverse of parseGuid). */
export function formatGuid(w0: number, w1: number, w2: number, w3: number): string {
  const b = hex8(w1);
  const c = hex8(w2);
  return `{${hex8(w0)}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex8(w3)}}`;
}

/** 32-bit hash of a (host word, 4 GUID words) key (murmur3-style mixing: Sysmon GUIDs share prefixes). */
export function hashKey(kh: number, a: number, b: number, c: number, d: number): number {
  let h = Math.imul(kh ^ 0x2545f491, 0x9e3779b1) ^ a;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ c;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ d;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
