/**
 * Token index for the seed search (`findSeeds` with `image` / `text`), kept in the store itself.
 *
 * Why: the search is a case-insensitive substring match (`contains(lower(col), lower(q))`, the same
 * meaning as Splunk's `CommandLine="*q*"`), so without an index every search reads and lowercases
 * every command line of the store. DuckDB's full-text extension cannot be loaded offline, so the
 * index is two plain tables (docs/security.md "Search index"):
 *
 * - `search_terms (f, term, tid, df)`: every distinct token of the lowercased command lines (f = 0)
 *   and image paths (f = 1), a token being a maximal run of `[a-z0-9]` (anything else separates);
 *   `df` counts the processes holding it (an estimate for planning: rows replaced later still count).
 * - `search_postings (tid, hkey, gkey)`: which processes hold a token, sorted by `tid` within each
 *   batch it was added in, so `tid IN (…)` literals read a few row groups.
 * - `meta.search_upto`: every process row with `seq` ≤ it has been tokenised.
 *
 * Exactness: split the lowercased query the same way. Each piece of it lies inside one token of any
 * command line that contains the query (a piece is a run of token characters, and so is its
 * occurrence), so the processes holding some token that contains the piece are a superset of the
 * answer. The search statement keeps its full `contains(lower(…))` predicate and only narrows the
 * rows it reads to those candidates plus every row not yet tokenised (`seq > search_upto`), so its
 * answer is the scan's answer. A query with no piece, or whose rarest piece is common, scans.
 *
 * Maintenance is incremental and in place: `catchUp` tokenises the process rows added since
 * `search_upto` (all of them the first time: an older store is upgraded by the first writable
 * `lineage serve`), one transaction per step. A row replaced by an earlier create of the same
 * process gets a new `seq` and is tokenised again; the stale postings only cost a wasted candidate.
 * The postings hold DuckDB hash keys: when the hash function changed (store.ts `checkHashKeys`), the
 * index is rebuilt.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryContext } from '../event-source.js';
import { queryJson, type ConnectionPool } from './sql-runner.js';

export const SEARCH_TABLES = [
  `CREATE TABLE IF NOT EXISTS search_terms (f UTINYINT NOT NULL, term VARCHAR NOT NULL, tid INTEGER NOT NULL, df BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS search_postings (tid INTEGER NOT NULL, hkey UBIGINT NOT NULL, gkey UBIGINT NOT NULL)`,
];

/** What separates tokens (after lower()); the query is split by the same pattern. */
const SEPARATORS = `'[^a-z0-9]+'`;
/** Indexed columns of `processes`, by field number. */
const FIELDS: readonly { f: number; col: string }[] = [{ f: 0, col: 'command_line' }, { f: 1, col: 'image' }];
/** Process rows tokenised per transaction (bounds the temp table: ≈ 20 tokens per process). */
const STEP_PROCESSES = 500_000;
/** A piece matching more distinct tokens than this is not used (the literal list would be too long). */
export const MAX_TERMS = 1024;
/** Use the index when its candidates are at most this share of all processes; scan beyond. */
export const MAX_CANDIDATE_SHARE = 0.05;

/** The store side catch-up needs (EmbeddedStore is one). */
export interface IndexedStore extends ConnectionPool {
  readonly readOnly: boolean;
  readonly changes: number;
}

const metaValue = async (conn: DuckDBConnection, key: string): Promise<string | undefined> => {
  const v = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = $1`, [key])).getRowsJS()[0]?.[0];
  return v == null ? undefined : String(v);
};

/** Whether the store has the index tables (a read-only store made before them has not). */
export async function hasSearchIndex(store: ConnectionPool): Promise<boolean> {
  const conn = await store.acquire();
  try {
    const n = (await conn.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_postings' AND NOT temporary`)).getRowsJS()[0]?.[0];
    return Number(n) > 0;
  } finally {
    store.release(conn);
  }
}

/**
 * Tokenise the process rows stored since the last catch-up (creating the tables on first use).
 * Returns the processes tokenised; stops between steps when `cancelled()` turns true.
 */
export async function catchUp(store: IndexedStore, cancelled: () => boolean = () => false): Promise<number> {
  if (store.readOnly) return 0;
  const conn = await store.acquire();
  let done = 0;
  try {
    for (const ddl of SEARCH_TABLES) await conn.run(ddl);
    const probe = String((await conn.runAndReadAll(`SELECT CAST(hash('lineage') AS VARCHAR)`)).getRowsJS()[0]?.[0]);
    if ((await metaValue(conn, 'search_hash')) !== probe) {
      await inTransaction(conn, async () => {
        await conn.run('DELETE FROM search_postings');
        await conn.run('DELETE FROM search_terms');
        await conn.run(`INSERT OR REPLACE INTO meta VALUES ('search_upto', '0'), ('search_hash', $1)`, [probe]);
      });
    }
    let upto = Number((await metaValue(conn, 'search_upto')) ?? 0);
    for (;;) {
      if (cancelled()) break;
      const [hi, n] = (await conn.runAndReadAll(`SELECT max(seq), count(*) FROM (SELECT seq FROM processes WHERE seq > ${upto}
        ORDER BY seq LIMIT ${STEP_PROCESSES})`)).getRowsJS()[0] ?? [];
      if (hi == null || Number(n) === 0) break;
      await inTransaction(conn, () => tokenise(conn, upto, Number(hi)));
      upto = Number(hi);
      done += Number(n);
    }
  } finally {
    await conn.run('DROP TABLE IF EXISTS search_tok').catch(() => undefined);
    store.release(conn);
  }
  return done;
}

async function inTransaction(conn: DuckDBConnection, body: () => Promise<void>): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await body();
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** One step: the rows with lo < seq ≤ hi into terms and postings, and `search_upto` = hi. */
async function tokenise(conn: DuckDBConnection, lo: number, hi: number): Promise<void> {
  const range = `seq > ${Math.floor(lo)} AND seq <= ${Math.floor(hi)}`;
  const split = FIELDS.map(({ f, col }) =>
    `SELECT ${f} AS f, unnest(regexp_split_to_array(lower(${col}), ${SEPARATORS})) AS term, hkey, gkey FROM processes WHERE ${range}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE search_tok AS SELECT DISTINCT f, term, hkey, gkey FROM (${split.join(' UNION ALL ')}) WHERE term <> ''`);
  await conn.run(`INSERT INTO search_terms
    SELECT n.f, n.term, (SELECT coalesce(max(tid), 0) FROM search_terms) + CAST(row_number() OVER (ORDER BY n.f, n.term) AS INTEGER), 0
    FROM (SELECT DISTINCT f, term FROM search_tok) n ANTI JOIN search_terms t ON t.f = n.f AND t.term = n.term`);
  await conn.run(`UPDATE search_terms SET df = search_terms.df + c.n
    FROM (SELECT f, term, count(*) AS n FROM search_tok GROUP BY f, term) c WHERE search_terms.f = c.f AND search_terms.term = c.term`);
  await conn.run(`INSERT INTO search_postings SELECT t.tid, k.hkey, k.gkey FROM search_tok k
    JOIN search_terms t ON t.f = k.f AND t.term = k.term ORDER BY t.tid, k.hkey, k.gkey`);
  await conn.run(`INSERT OR REPLACE INTO meta VALUES ('search_upto', '${Math.floor(hi)}')`);
}

/** How a search uses the index: the token ids of its rarest piece, and the rows not yet tokenised. */
export interface SearchPlan {
  /** Token ids whose postings hold every match among rows with seq ≤ upto (may be empty). */
  tids: number[];
  upto: number;
  /** Candidates the postings give (sum of df), for the log / tests. */
  candidates: number;
}

/** The text criteria of a seed search. */
export interface TextCriteria { text?: string | undefined; image?: string | undefined }

const PLAN_SQL = `WITH q(f, s) AS (VALUES (0, lower(CAST($1 AS VARCHAR))), (1, lower(CAST($2 AS VARCHAR)))),
  pieces AS (SELECT DISTINCT f, unnest(regexp_split_to_array(s, ${SEPARATORS})) AS piece FROM q WHERE s IS NOT NULL)
SELECT pc.f, pc.piece, count(t.tid) AS terms, CAST(coalesce(sum(t.df), 0) AS DOUBLE) AS df,
  CASE WHEN count(t.tid) <= ${MAX_TERMS} THEN coalesce(list(t.tid ORDER BY t.tid) FILTER (WHERE t.tid IS NOT NULL), CAST([] AS INTEGER[])) END AS tids,
  (SELECT value FROM meta WHERE key = 'search_upto') AS upto, (SELECT count(*) FROM processes) AS total
FROM pieces pc LEFT JOIN search_terms t ON t.f = pc.f AND contains(t.term, pc.piece)
WHERE pc.piece <> '' GROUP BY pc.f, pc.piece`;

/**
 * One statement: split the criteria into pieces, look each up in `search_terms`, and pick the piece
 * with the fewest candidates. Null when no piece narrows the search enough (the caller scans).
 */
export async function planSearch(store: ConnectionPool, ctx: QueryContext, c: TextCriteria): Promise<SearchPlan | null> {
  const rows = await queryJson(store, ctx, PLAN_SQL, [c.text ?? null, c.image ?? null]);
  let best: SearchPlan | null = null;
  for (const r of rows) {
    if (!Array.isArray(r.tids) || r.upto == null) continue;
    const df = Number(r.df);
    if (df > Number(r.total) * MAX_CANDIDATE_SHARE) continue;
    if (!best || df < best.candidates) best = { tids: (r.tids as unknown[]).map(Number), upto: Number(r.upto), candidates: df };
  }
  return best;
}

/**
 * The search statement narrowed by a plan: `select` is the search's column list, `where` its own
 * predicates on alias `p`, `limit` its bound limit. Two branches, each a table filter DuckDB can
 * prune by: the tokenised candidates (`rowid IN` a pruned postings lookup), and the rows not
 * tokenised yet (`seq > upto`: row groups written before the catch-up are skipped by zonemap). The
 * outer order is the scan's (raw start time, GUID, host). `hostArg`: the parameter holding the
 * lowercased host of a host-scoped search (postings are read for that host only). Only integers read from the store are
 * spliced in (token ids, `upto`), never a user value.
 */
export function indexedSearchSql(plan: SearchPlan, select: string, where: string, limit: string, hostArg?: string): string {
  const upto = Math.floor(plan.upto);
  const tids = plan.tids.filter((t) => Number.isInteger(t));
  const branch = (narrow: string): string => `SELECT ${select}, p.start_time AS _t FROM processes p WHERE ${narrow} AND ${where}`;
  const branches = [branch(`p.seq > ${upto}`)];
  if (tids.length > 0) {
    branches.unshift(branch(`p.seq <= ${upto} AND p.rowid IN (SELECT pp.rowid FROM processes pp SEMI JOIN (SELECT hkey, gkey
      FROM search_postings WHERE tid IN (${tids.join(', ')})${hostArg ? ` AND hkey = hash(${hostArg})` : ''}) c ON pp.hkey = c.hkey AND pp.gkey = c.gkey)`));
  }
  return `SELECT * EXCLUDE (_t) FROM (${branches.join(' UNION ALL ')}) ORDER BY _t, guid, host LIMIT ${limit}`;
}

/**
 * Keeps the index caught up for a long-running reader: a catch-up now, and again once writes
 * have paused for `delayMs` after the store changed (an upload stores batch after batch).
 */
export class SearchIndexKeeper {
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private version = -1;
  private stopped = false;
  /** The index tables exist (set by a catch-up, or found on a store opened read-only). */
  ready = false;
  /** Catch-ups ended so far; -1 while one runs (search-vocabulary.ts reloads per generation). */
  private ended = 0;

  get generation(): number {
    return this.running ? -1 : this.ended;
  }

  constructor(private readonly store: IndexedStore, private readonly delayMs = 1000) {
    this.running = this.start();
  }

  private async start(): Promise<void> {
    try {
      this.ready = await hasSearchIndex(this.store);
    } catch { /* checked again after the catch-up */ }
    this.running = null;
    this.catchUpNow();
  }

  /** Resolves when the catch-up in progress (if any) has ended (tests, benches). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Call when the store may have changed: schedules a catch-up after the pause. */
  poke(): void {
    if (this.stopped || this.running || this.timer || this.store.readOnly || this.store.changes === this.version) return;
    this.timer = setTimeout(() => { this.timer = null; this.catchUpNow(); }, this.delayMs);
    this.timer.unref();
  }

  private catchUpNow(): void {
    if (this.stopped || this.running || this.store.readOnly) return;
    const version = this.store.changes;
    const started = performance.now();
    this.running = catchUp(this.store, () => this.stopped)
      .then((n) => {
        this.version = version;
        this.ready = true;
        if (n > 0) process.stderr.write(`search index: ${n} processes tokenised in ${Math.round(performance.now() - started)} ms\n`);
      })
      .catch((err: unknown) => {
        // Tried again after the next write, not in a loop (searches stay exact: untokenised rows are scanned).
        this.version = version;
        if (!this.stopped) process.stderr.write(`search index not updated: ${(err as Error).message}\n`);
      })
      .finally(() => { this.ended += 1; this.running = null; this.poke(); });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }
}
