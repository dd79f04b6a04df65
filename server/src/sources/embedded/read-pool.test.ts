/**
 * ReadPool: at most `size` statements hold a connection, the rest wait in arrival order; a request
 * aborted while waiting gives its connection back unused; `active`/`queued` tell a writer whether readers are busy
 * readers (bounded). Against a real store: concurrent statements through the pool all answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { newContext } from '../event-source.js';
import { ReadPool } from './read-pool.js';
import { queryJson } from './sql-runner.js';
import { EmbeddedStore } from './store.js';

/** A stand-in store: numbered fake connections, counting what is out. */
function fakeStore() {
  let n = 0;
  const out = new Set<number>();
  return {
    out,
    acquire: async () => { n += 1; out.add(n); return { id: n } as unknown as DuckDBConnection; },
    release: (c: DuckDBConnection) => { out.delete((c as unknown as { id: number }).id); },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ReadPool', () => {
  it('when more statements ask than it holds, then the rest wait and get connections in arrival order', async () => {
    const store = fakeStore();
    const pool = new ReadPool(store, 2);
    const order: number[] = [];
    const a = await pool.acquire();
    const b = await pool.acquire();
    const waiting = [3, 4, 5].map((i) => pool.acquire().then((c) => { order.push(i); return c; }));
    await tick();
    expect(pool.active).toBe(2);
    expect(pool.queued).toBe(3);
    expect(order).toEqual([]);
    pool.release(a);
    await tick();
    expect(order).toEqual([3]);
    pool.release(b);
    const c3 = await waiting[0]!;
    pool.release(c3);
    await tick();
    expect(order).toEqual([3, 4, 5]);
    expect(store.out.size).toBe(2);
    for (const w of waiting.slice(1)) pool.release(await w);
    expect(pool.active).toBe(0);
    expect(store.out.size).toBe(0);
  });

  it('when readers are busy, then active + queued says so (what the upload pacing reads), and 0 once they are done', async () => {
    const pool = new ReadPool(fakeStore(), 1);
    expect(pool.active + pool.queued).toBe(0);
    const c = await pool.acquire();
    const next = pool.acquire();
    await tick();
    expect([pool.active, pool.queued]).toEqual([1, 1]);
    pool.release(c);
    const d = await next;
    expect([pool.active, pool.queued]).toEqual([1, 0]);
    pool.release(d);
    expect(pool.active + pool.queued).toBe(0);
  });

  it('when a request is aborted while it waits, then it fails with AbortError and the connection goes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-pool-'));
    const store = await EmbeddedStore.open(join(dir, 'p.duckdb'));
    try {
      const pool = new ReadPool(store, 2);
      // Eight statements at once through two connections: all answer, never more than two out.
      let peak = 0;
      const watch = setInterval(() => { peak = Math.max(peak, pool.active); }, 0);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        queryJson(pool, newContext(), `SELECT count(*) AS n FROM range(${200_000 + i})`)));
      clearInterval(watch);
      expect(answers.map((r) => Number(r[0]!.n))).toEqual(Array.from({ length: 8 }, (_, i) => 200_000 + i));
      expect(peak).toBeLessThanOrEqual(2);
      const held = [await pool.acquire(), await pool.acquire()];
      const ac = new AbortController();
      const waiting = queryJson(pool, newContext(ac.signal), 'SELECT 1 AS one');
      await tick();
      expect(pool.queued).toBe(1);
      ac.abort();
      pool.release(held[0]!);
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      pool.release(held[1]!);
      expect(pool.active).toBe(0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
