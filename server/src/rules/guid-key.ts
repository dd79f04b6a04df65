/**
 * Sysmon ProcessGuids as four 32-bit words (rules.md §9.1 compact variant): the engine keys its node table
 * by (host, 4 words) instead of by string, so a lookup hashes 20 bytes and compares 5 integers, and a node
 * does not keep its GUID string alive (it is rebuilt for hits).
 * Only the canonical spelling the sources emit (`{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, lowercase) is
 * parsed, so printing the words back gives exactly the input; any other id (test vectors' short ids,
 * upper case) is keyed as text by the caller, which keeps the engine's exact-string identity.
 */

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** The words of the last successful `parseGuid` (module scratch: the hot path allocates nothing). */
export const words = new Int32Array(4);

function hex(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? HEX[c]! : -1;
}

/** Four hex digits at i..i+3 as a number, or negative when one is not a lowercase hex digit. */
function hex4(s: string, i: number): number {
  const a = hex(s, i); const b = hex(s, i + 1); const c = hex(s, i + 2); const d = hex(s, i + 3);
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * Parse a canonical GUID into `words`; false for anything else (caller keys it as text).
 * Layout: w0 = group 1, w1 = groups 2+3, w2 = group 4 + first half of group 5, w3 = rest of group 5.
 */
export function parseGuid(s: string): boolean {
  if (s.length !== 38 || s.charCodeAt(0) !== 123 /* { */ || s.charCodeAt(37) !== 125 /* } */
    || s.charCodeAt(9) !== 45 || s.charCodeAt(14) !== 45 || s.charCodeAt(19) !== 45 || s.charCodeAt(24) !== 45) return false;
  const a = hex4(s, 1); const b = hex4(s, 5);
  const c = hex4(s, 10); const d = hex4(s, 15);
  const e = hex4(s, 20); const f = hex4(s, 25);
  const g = hex4(s, 29); const h = hex4(s, 33);
  if ((a | b | c | d | e | f | g | h) < 0) return false;
  words[0] = (a << 16) | b;
  words[1] = (c << 16) | d;
  words[2] = (e << 16) | f;
  words[3] = (g << 16) | h;
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
