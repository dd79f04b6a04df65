import { describe, expect, it } from 'vitest';
import { formatGuid, parseGuid, words } from './guid-key.js';

describe('parseGuid', () => {
  it('parses the canonical lowercase form into words that print back exactly', () => {
    const g = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
    expect(parseGuid(g)).toBe(true);
    expect([...words].map((w) => (w >>> 0).toString(16))).toEqual(['5770385f', 'c22a43e0', 'bf4c06f5', '698ffbd9']);
    expect(formatGuid(words[0]!, words[1]!, words[2]!, words[3]!)).toBe(g);
  });

  it('rejects every other spelling so the engine keys it as text (exact string identity)', () => {
    const g = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
    expect(parseGuid(g.toUpperCase())).toBe(false);
    expect(parseGuid(g.slice(1, -1))).toBe(false);
    expect(parseGuid(g.replace('c22a', 'c2g2'))).toBe(false);
    // U+0130 & 255 is '0': a digit table indexed by the low byte must not accept it.
    for (const i of [1, 8, 10, 18, 20, 25, 29, 36]) {
      expect(parseGuid(`${g.slice(0, i)}\u0130${g.slice(i + 1)}`)).toBe(false);
    }
  });
});
