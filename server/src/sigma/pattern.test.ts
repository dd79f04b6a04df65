/**
 * Many-pattern matching (`compileAny`: contains / endswith / startswith / exact lists in one step)
 * against an oracle written here: each pattern turned into a JavaScript regular expression, tried one
 * by one. Random literals over a small alphabet, so that partial overlaps are frequent.
 */
import { describe, expect, it } from 'vitest';
import { compileAny, ONE, STAR, type SigmaString } from './pattern.js';

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
