/**
 * A graph's prevalence from the embedded store's prevalence tables (prevalence-index.ts) in ONE
 * statement: the requested processes' keys from `prev_keys`, and for every distinct key the
 * baseline's hour buckets of `prev_counts` summed (hosts distinct, creates, first start).
 */
import { listValue } from '@duckdb/node-api';
import type { ProcessPrevalence, TimeRange } from '@lineage/shared';
import type { PrevalenceResult, QueryContext } from '../event-source.js';
import type { EmbeddedStore } from './store.js';
import { catchUpPrevalence, NAME_SEP, PREV_KIND } from './prevalence-index.js';
import { Params, queryJson } from './sql-runner.js';

const SQL = (p: Params, guids: string[], b: TimeRange) => `
WITH req AS (SELECT k.* FROM prev_keys k SEMI JOIN (SELECT unnest(CAST(${p.arg(listValue(guids))} AS VARCHAR[])) AS g) q ON k.guid = q.g),
want AS (SELECT DISTINCT kind, key FROM (
  SELECT ${PREV_KIND.pair} AS kind, pair AS key FROM req UNION ALL SELECT ${PREV_KIND.commandLine}, cmd FROM req
  UNION ALL SELECT ${PREV_KIND.chain}, chain FROM req UNION ALL SELECT ${PREV_KIND.image}, img FROM req) w WHERE key IS NOT NULL),
agg AS (SELECT c.kind, c.key, count(DISTINCT c.host) AS hosts, sum(c.n) AS n, min(c.first) AS first
  FROM prev_counts c SEMI JOIN want w ON c.kind = w.kind AND c.key = w.key
  WHERE c.hour >= CAST(${p.arg(b.from)} AS TIMESTAMP) AND c.hour < CAST(${p.arg(b.to)} AS TIMESTAMP) GROUP BY c.kind, c.key)
SELECT 'p' AS t, guid, pair, cmd, chain, img, NULL AS kind, NULL AS key, NULL AS hosts, NULL AS n, NULL AS first FROM req
UNION ALL
SELECT 'a', NULL, NULL, NULL, NULL, NULL, kind, key, hosts, CAST(n AS BIGINT), strftime(first, '%Y-%m-%dT%H:%M:%S.%gZ') FROM agg`;

interface Seen { hosts: number; count: number; first: string | null }
const NONE: Seen = { hosts: 0, count: 0, first: null };

/**
 * Prevalence of `guids` over `baseline` (hour-aligned: the tables count per hour). Brings the tables
 * up to date first (counted; nothing to run when they are current), then one statement.
 */
export async function embeddedPrevalence(store: EmbeddedStore, guids: string[], baseline: TimeRange, ctx: QueryContext): Promise<PrevalenceResult> {
  await catchUpPrevalence(store, ctx);
  const p = new Params();
  const rows = await queryJson(store, ctx, SQL(p, guids, baseline), p);
  const seen = new Map<string, Seen>();
  for (const r of rows) if (r.t === 'a') seen.set(`${Number(r.kind)}\n${String(r.key)}`, { hosts: Number(r.hosts), count: Number(r.n), first: (r.first as string | null) ?? null });
  const of = (kind: number, key: unknown): Seen | null => (typeof key === 'string' ? seen.get(`${kind}\n${key}`) ?? NONE : null);
  const items = new Map<string, ProcessPrevalence>();
  for (const r of rows) {
    if (r.t !== 'p' || items.has(String(r.guid))) continue;
    const pair = of(PREV_KIND.pair, r.pair);
    const cmd = of(PREV_KIND.commandLine, r.cmd);
    const chain = of(PREV_KIND.chain, r.chain);
    const img = of(PREV_KIND.image, r.img);
    const [parentImage = '', image = ''] = typeof r.pair === 'string' ? r.pair.split(NAME_SEP) : [];
    const imgKey = String(r.img ?? '');
    items.set(String(r.guid), {
      pair: pair && { parentImage, image, hosts: pair.hosts, count: pair.count },
      chain: chain && { images: String(r.chain).split(NAME_SEP), hosts: chain.hosts, count: chain.count },
      commandLine: cmd && { key: String(r.cmd), hosts: cmd.hosts, count: cmd.count },
      image: img && { hash: imgKey.startsWith('path:') ? null : imgKey, hosts: img.hosts, count: img.count, firstSeen: img.first },
    });
  }
  return { items, unknown: guids.filter((g) => !items.has(g)) };
}
