/**
 * The shipped rule pack: every rule's inline `tests:` vectors pass — in the written order, reversed,
 * shuffled, with every event delivered twice, and streamed one event at a time (order independence
 * and idempotence are properties of every vector, not just of the ones written for them).
 */
import { describe, expect, it } from 'vitest';
import { loadPack } from './pack.js';
import { checkHits, runItems, runItemsStreaming, vectorItems, type VectorItem } from './vectors.js';

const pack = loadPack();

/** Deterministic Fisher–Yates with a small LCG, so a failure is reproducible. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('rule pack', () => {
  it('ships at least 15 rules, each with a positive and a negative vector', () => {
    expect(pack.length).toBeGreaterThanOrEqual(15);
    for (const r of pack) {
      expect(r.tests.some((t) => t.expect.length > 0), `${r.id} has a positive vector`).toBe(true);
      expect(r.tests.some((t) => t.expect.length === 0), `${r.id} has a negative vector`).toBe(true);
    }
  });

  for (const rule of pack) {
    describe(rule.id, () => {
      for (const t of rule.tests) {
        it(t.name, () => {
          const items = vectorItems(t.events);
          const orders: [string, VectorItem[]][] = [
            ['as written', items],
            ['reversed', [...items].reverse()],
            ['shuffled', shuffled(items, 7)],
            ['shuffled again', shuffled(items, 1234)],
            ['each event twice', items.flatMap((x) => [x, x])],
          ];
          for (const [how, order] of orders) {
            expect(checkHits(rule, t, runItems([rule], order)), how).toEqual([]);
          }
          expect(checkHits(rule, t, runItemsStreaming([rule], shuffled(items, 99))), 'streamed').toEqual([]);
        });
      }
    });
  }

  it('runs all rules together without one rule disturbing another', () => {
    for (const rule of pack) {
      for (const t of rule.tests) {
        const hits = runItems(pack, vectorItems(t.events)).filter((h) => h.rule === rule);
        expect(checkHits(rule, t, hits), `${rule.id}: ${t.name}`).toEqual([]);
      }
    }
  });
});
