/**
 * DuckDB's `hash()` of a VARCHAR, computed in JS (DuckDB 1.x `HashBytes`: 8-byte blocks multiplied in,
 * then a murmur finaliser). Why: the lineage index (lineage-index.ts) is keyed by the stored `gkey` =
 * `hash(guid)`, and a request's GUID must be turned into that key without a statement. The index
 * checks this function against stored keys when it is built and is not used when they disagree
 * (a DuckDB upgrade that changed its hash), so a mismatch costs speed, never a wrong answer.
 */

const MASK = (1n << 64n) - 1n;
const MUL = 0xd6e8feb86659fd93n;

function murmur64(x: bigint): bigint {
  x ^= x >> 32n;
  x = (x * MUL) & MASK;
  x ^= x >> 32n;
  x = (x * MUL) & MASK;
  return x ^ (x >> 32n);
}

/** `hash(text)` as DuckDB computes it for a VARCHAR (UTF-8 bytes). */
export function duckHash(text: string): bigint {
  const b = Buffer.from(text, 'utf8');
  let h = 0xe17a1465n ^ ((BigInt(b.length) * 0xc6a4a7935bd1e995n) & MASK);
  let i = 0;
  for (; i + 8 <= b.length; i += 8) {
    h ^= b.readBigUInt64LE(i);
    h = (h * MUL) & MASK;
  }
  if (i < b.length) {
    let rest = 0n;
    for (let j = b.length - 1; j >= i; j--) rest = (rest << 8n) | BigInt(b[j]!);
    h ^= rest;
    h = (h * MUL) & MASK;
  }
  return murmur64(h);
}
