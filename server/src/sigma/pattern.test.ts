/**
 * Many-pattern matching (`compileAny`: contains / endswith / startswith / exact lists in one step)
 * against an oracle written here: each pattern turned into a JavaScript regular expression, tried one
 * by one. Random literals over a small alphabet, so that partial overlaps are frequent.
 */
import { describe, expect, it } from 'vitest';
import { compileAny, lowerContainsAny, ONE, STAR, type SigmaString } from './pattern.js';

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}
const oracle = (p: SigmaString): RegExp =>
  new RegExp(`^${p.map((x) => (x === STAR ? '[\\s\\S]*' : x === ONE ? '[\\s\\S]' : x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);

describe('compileAny', () => {
  it('agrees with one regular expression per pattern, for every list shape and size', () => {
    const r = rnd(42);
    const word = (min: number, max: number): string => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, () => 'ab\\.xé😀'[Math.floor(r() * 7)]).join('');
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(r() * 40);
      const pats: SigmaString[] = Array.from({ length: n }, () => {
        const lit = word(1, 9);
        const shape = Math.floor(r() * 5);
        return shape === 0 ? [STAR, lit, STAR] : shape === 1 ? [STAR, lit] : shape === 2 ? [lit, STAR] : shape === 3 ? [lit] : [lit, ONE, STAR];
      });
      const test = compileAny(pats);
      const res = pats.map(oracle);
      for (let k = 0; k < 40; k++) {
        const v = word(0, 30);
        expect(test(v), `${JSON.stringify(pats)} on ${JSON.stringify(v)}`).toBe(res.some((re) => re.test(v)));
      }
    }
  });
});

describe('lowerContainsAny', () => {
  it('agrees with lower-casing the value and searching each literal, on ASCII and on case-mapping oddities', () => {
    const r = rnd(7);
    // Kelvin sign, dotted capital I (lower-cases to two characters), dotless i, long s, sharp s, Greek sigma forms.
    const alphabet = ['a', 'A', 'k', 'K', 'K', 'i', 'I', 'İ', 'ı', 's', 'S', 'ſ', 'ß', 'Σ', 'σ', 'ς', '.', '\\', '\0', ' '];
    const word = (min: number, max: number): string => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    let hits = 0;
    for (let round = 0; round < 400; round++) {
      const lits = Array.from({ length: 1 + Math.floor(r() * 5) }, () => word(1, 4).toLowerCase()).filter((l) => l !== '');
      if (lits.length === 0) continue;
      const test = lowerContainsAny(lits);
      for (let k = 0; k < 40; k++) {
        const v = word(0, 24);
        const want = lits.some((l) => v.toLowerCase().includes(l));
        if (want) hits++;
        expect(test(v), `${JSON.stringify(lits)} in ${JSON.stringify(v)}`).toBe(want);
      }
    }
    expect(hits, 'the random cases include matches').toBeGreaterThan(500);
  });
});
