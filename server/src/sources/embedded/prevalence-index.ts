/**
 * Fleet prevalence tables of the embedded store (docs/architecture.md "Prevalence"), kept in step with
 * `processes` by `catchUpPrevalence`: every process-create stored since the last catch-up (by `seq`,
 * the store's insertion number; the watermark lives in `meta`) gets its keys in `prev_keys`, and
 * `prev_counts` gains (kind, key, host, hour) → count, first start. Hour buckets make any baseline
 * answerable to the hour; the keys are computed in JS with the graph's own sibling key.
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { siblingKey, siblingName } from '../../graph/sibling-key.js';
import type { QueryContext } from '../event-source.js';
import { queryJson } from './sql-runner.js';
import type { EmbeddedStore } from './store.js';

/** The four prevalence keys, as stored in `prev_counts.kind`. */
export const PREV_KIND = { pair: 1, commandLine: 2, chain: 3, image: 4 } as const;
/** Separator of the names in pair and chain keys (no file name holds it). */
export const NAME_SEP = '>';
/** Chains keep the last this many images (deep trees: the nearest ancestors matter most). */
export const CHAIN_MAX = 16;
const HOUR_MS = 3_600_000;
/** Process-creates read per catch-up step. */
const STEP = 100_000;

export const PREVALENCE_TABLES = [
  `CREATE TABLE IF NOT EXISTS prev_keys (guid VARCHAR NOT NULL, host VARCHAR NOT NULL,
     pair VARCHAR, cmd VARCHAR, chain VARCHAR, img VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS prev_counts (kind UTINYINT NOT NULL, key VARCHAR NOT NULL, host VARCHAR NOT NULL,
     hour TIMESTAMP NOT NULL, n BIGINT NOT NULL, first TIMESTAMP NOT NULL)`,
];
const WATERMARK = 'prevalence_seq';

/** One process's prevalence keys (null: it lacks what the key is made of). */
export interface PrevalenceKeys { pair: string | null; cmd: string | null; chain: string | null; img: string | null }

/** `SHA256=…`, else `SHA1=…`, else `MD5=…` of a Sysmon Hashes value (uppercase hex), or null. */
export function preferredHash(hashes: string): string | null {
  for (const [alg, re] of HASH_RES) {
    const m = re.exec(hashes);
    if (m) return `${alg}=${m[1]!.toUpperCase()}`;
  }
  return null;
}
const HASH_RES = ['SHA256', 'SHA1', 'MD5'].map((alg) => [alg, new RegExp(`(?:^|,)\\s*${alg}=([0-9a-f]+)`, 'i')] as const);

const basename = (path: string): string => siblingName({ name: '', image: path });

/** The keys of one process-create; `parentChain` is its parent's chain key when known. */
export function prevalenceKeys(p: { name: string; image: string; parentImage: string; commandLine: string; hashes: string }, parentChain: string | null): PrevalenceKeys {
  const name = siblingName(p);
  const parentName = basename(p.parentImage);
  const head = parentChain ?? parentName;
  const chainNames = (head ? `${head}${NAME_SEP}${name}` : name).split(NAME_SEP).slice(-CHAIN_MAX);
  const hash = preferredHash(p.hashes);
  return {
    pair: parentName && name ? `${parentName}${NAME_SEP}${name}` : null,
    cmd: p.commandLine.trim() ? siblingKey(p) : null,
    chain: name ? chainNames.join(NAME_SEP) : null,
    img: hash ?? (p.image ? `path:${p.image.toLowerCase()}` : null),
  };
}

interface CreateRow { seq: number; guid: string; parent_guid: string | null; host: string; name: string; image: string; parent_image: string; command_line: string; hashes: string; ms: number }

async function rows(conn: DuckDBConnection, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql, values as never)).getRowObjectsJS() as Record<string, unknown>[];
}

/** The store cannot answer prevalence as it is (read-only and its tables absent or behind). */
export class PrevalenceUnavailableError extends Error {
  override name = 'PrevalenceUnavailableError';
}

/** Stores whose tables are known to be current, by their change count (no statement while it holds). */
const current = new WeakMap<EmbeddedStore, number>();

/**
 * Bring the prevalence tables up to the store's process-creates: create them when absent (an older
 * store is upgraded in place), then key every create stored after the watermark. Returns the creates
 * keyed. Statements run are counted in `ctx.stats.searches`. A read-only store behind its creates
 * throws (its figures would be silently low).
 */
export async function catchUpPrevalence(store: EmbeddedStore, ctx?: QueryContext): Promise<number> {
  // One catch-up per store at a time (a background one at startup, a request's): the next waits, then checks.
  for (let run = running.get(store); run; run = running.get(store)) await run.catch(() => undefined);
  if (current.get(store) === store.changes) return 0;
  const changes = store.changes;
  const run = catchUp(store, ctx).then((n) => { current.set(store, changes); return n; });
  running.set(store, run);
  try {
    return await run;
  } finally {
    running.delete(store);
  }
}
const running = new WeakMap<EmbeddedStore, Promise<number>>();

async function catchUp(store: EmbeddedStore, ctx?: QueryContext): Promise<number> {
  const conn = await store.acquire();
  const count = (n = 1) => { if (ctx) ctx.stats.searches += n; };
  // Reads go through the counted runner (its JSON row transfer is 3× faster than per-value conversion).
  const readCtx: QueryContext = ctx ?? { stats: { searches: 0, rows: 0 } };
  let keyed = 0;
  try {
    const exists = await rows(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('prev_keys', 'prev_counts')`);
    count();
    if (Number(exists[0]?.n) < 2) {
      if (store.readOnly) throw new PrevalenceUnavailableError(`${store.path} has no prevalence tables and is open read-only: open it writable once (e.g. \`lineage serve --db\`) to build them`);
      for (const ddl of PREVALENCE_TABLES) await conn.run(ddl);
      count(PREVALENCE_TABLES.length);
    }
    const wm = await rows(conn, `SELECT (SELECT coalesce(max(CAST(value AS BIGINT)), 0) FROM meta WHERE key = '${WATERMARK}') AS wm, (SELECT coalesce(max(seq), 0) FROM processes) AS top`);
    count();
    let watermark = Number(wm[0]?.wm ?? 0);
    const top = Number(wm[0]?.top ?? 0);
    if (watermark < top && store.readOnly) throw new PrevalenceUnavailableError(`${store.path} is open read-only and its prevalence tables are behind its process-creates: open it writable once to bring them up to date`);
    const chains = new Map<string, string | null>();
    while (watermark < top) {
      const batch = (await queryJson(store, readCtx, `SELECT seq, guid, parent_guid, host, name, image, parent_image, command_line, hashes,
          epoch_ms(start_time) AS ms FROM processes WHERE seq > $1 ORDER BY seq LIMIT ${STEP}`, [watermark])) as unknown as CreateRow[];
      if (batch.length === 0) break;
      watermark = Number(batch[batch.length - 1]!.seq); // read before keyBatch re-sorts the rows by start
      keyed += await keyBatch(store, conn, batch, chains, readCtx, count);
      await conn.run(`INSERT OR REPLACE INTO meta VALUES ('${WATERMARK}', $1)`, [String(watermark)]);
      await conn.run('COMMIT');
      count(2);
    }
    return keyed;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    store.release(conn);
  }
}

/** Key one step of creates (parents first by start time) and append their keys and counts; opens the transaction. */
async function keyBatch(store: EmbeddedStore, conn: DuckDBConnection, batch: CreateRow[], chains: Map<string, string | null>, readCtx: QueryContext, count: (n?: number) => void): Promise<number> {
  batch.sort((a, b) => Number(a.ms) - Number(b.ms) || Number(a.seq) - Number(b.seq));
  const at = (host: string, guid: string) => `${host}\n${guid}`;
  // Parents keyed by an earlier catch-up: their chains from prev_keys (one statement).
  const missing = [...new Set(batch.filter((r) => r.parent_guid && !chains.has(at(r.host, r.parent_guid))).map((r) => r.parent_guid!))];
  if (missing.length > 0) {
    const found = await queryJson(store, readCtx, `SELECT guid, host, chain FROM prev_keys SEMI JOIN (SELECT unnest(CAST($1 AS VARCHAR[])) AS g) q
      ON prev_keys.guid = q.g`, [listValue(missing)]);
    for (const f of found) chains.set(at(String(f.host), String(f.guid)), (f.chain as string | null) ?? null);
  }
  const keyRows: (PrevalenceKeys & { guid: string; host: string })[] = [];
  const buckets = new Map<string, { kind: number; key: string; host: string; hour: number; n: number; first: number }>();
  for (const r of batch) {
    const k = prevalenceKeys({ name: r.name, image: r.image, parentImage: r.parent_image, commandLine: r.command_line, hashes: r.hashes },
      r.parent_guid ? chains.get(at(r.host, r.parent_guid)) ?? null : null);
    chains.set(at(r.host, r.guid), k.chain);
    keyRows.push({ guid: r.guid, host: r.host, ...k });
    const ms = Number(r.ms);
    const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
    for (const [kind, key] of [[PREV_KIND.pair, k.pair], [PREV_KIND.commandLine, k.cmd], [PREV_KIND.chain, k.chain], [PREV_KIND.image, k.img]] as const) {
      if (key === null) continue;
      const id = `${kind}\n${key}\n${r.host}\n${hour}`;
      const b = buckets.get(id);
      if (b) { b.n += 1; if (ms < b.first) b.first = ms; } else buckets.set(id, { kind, key, host: r.host, hour, n: 1, first: ms });
    }
  }
  // Each table's rows go in as ONE JSON text (one native call; appending cell by cell cost ≈ 10 µs a cell).
  await conn.run('BEGIN TRANSACTION');
  await conn.run(`INSERT INTO prev_keys SELECT unnest(json_transform($1,
    '[{"guid":"VARCHAR","host":"VARCHAR","pair":"VARCHAR","cmd":"VARCHAR","chain":"VARCHAR","img":"VARCHAR"}]'), recursive := true)`, [JSON.stringify(keyRows)]);
  await conn.run(`INSERT INTO prev_counts SELECT kind, key, host, make_timestamp(hour * 1000), n, make_timestamp(first * 1000) FROM (SELECT unnest(json_transform($1,
    '[{"kind":"UTINYINT","key":"VARCHAR","host":"VARCHAR","hour":"BIGINT","n":"BIGINT","first":"BIGINT"}]'), recursive := true))`, [JSON.stringify([...buckets.values()])]);
  count(2);
  return batch.length;
}
