/**
 * Runs one SQL statement for a request: borrows a connection, counts it in `ctx.stats.searches`
 * (cost honesty), adds rows read to `ctx.stats.rows`, and interrupts the statement when the
 * request's AbortSignal fires. Values are always bound parameters, never spliced into SQL.
 */
import { JSDuckDBValueConverter, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult, type DuckDBValue } from '@duckdb/node-api';
import { throwIfAborted, type QueryContext } from '../event-source.js';

/** Where statements get a connection (EmbeddedStore is one; named here so this file needs no store import). */
export interface ConnectionPool {
  acquire(): Promise<DuckDBConnection>;
  release(conn: DuckDBConnection): void;
}

/** A row as DuckDB's JS conversion gives it (BIGINT → bigint, VARCHAR → string, …). */
export type SqlRow = Record<string, unknown>;

/** Collects positional parameters while SQL text is assembled: `arg(v)` returns `$n`. */
export class Params {
  readonly values: DuckDBValue[] = [];
  arg(v: DuckDBValue): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Prepared statements kept per connection (most recently used last). */
const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
/** Distinct statement texts kept per connection: methods × GUID-list lengths up to IN_LIST_MAX × options. */
const MAX_STATEMENTS = 256;

/**
 * The connection's prepared statement for `sql`, prepared on first use. Why: parsing, binding and
 * planning a statement cost ≈ 4 ms CPU each time (measured on the tree query: 12.6 → 7.9 ms CPU per
 * call, 1.8M events) — as much as running a pruned lookup. DuckDB re-binds a prepared statement by
 * itself when the catalog changed (e.g. `optimize()` replaced a table).
 */
async function prepared(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let cache = statements.get(conn);
  if (!cache) { cache = new Map(); statements.set(conn, cache); }
  const hit = cache.get(sql);
  if (hit) { cache.delete(sql); cache.set(sql, hit); return hit; }
  const stmt = await conn.prepare(sql);
  cache.set(sql, stmt);
  if (cache.size > MAX_STATEMENTS) {
    const [oldest, old] = cache.entries().next().value as [string, DuckDBPreparedStatement];
    cache.delete(oldest);
    old.destroySync();
  }
  return stmt;
}

/** Free the prepared statements of a connection about to be closed. */
export function dropStatements(conn: DuckDBConnection): void {
  for (const stmt of statements.get(conn)?.values() ?? []) stmt.destroySync();
  statements.delete(conn);
}

/**
 * Take a pooled connection for one counted statement: aborting the request interrupts it. `release`
 * gives the connection back; call it in a `finally`.
 */
async function checkout(store: ConnectionPool, ctx: QueryContext): Promise<{ conn: DuckDBConnection; release: () => void }> {
  throwIfAborted(ctx);
  const conn = await store.acquire();
  // Aborted while waiting for a connection: give it back unused.
  if (ctx.signal?.aborted) { store.release(conn); throwIfAborted(ctx); }
  const onAbort = (): void => conn.interrupt();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  ctx.stats.searches += 1;
  return {
    conn,
    release: () => { ctx.signal?.removeEventListener('abort', onAbort); store.release(conn); },
  };
}

/** Column names per statement text (a statement's shape never changes). */
const columnNames = new Map<string, string[]>();
const MAX_SHAPES = 1024;

/** The statement's column names: run once with no rows (a prepared statement whose parameter types
 * are still open does not know its columns until bound and run). */
async function namesOf(conn: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<string[]> {
  const hit = columnNames.get(sql);
  if (hit) return hit;
  const stmt = await conn.prepare(`SELECT * FROM (${sql}) t LIMIT 0`);
  let names: string[];
  try {
    if (values.length > 0) stmt.bind(values);
    names = (await stmt.run()).deduplicatedColumnNames();
  } finally {
    stmt.destroySync();
  }
  if (columnNames.size >= MAX_SHAPES) columnNames.clear();
  columnNames.set(sql, names);
  return names;
}

/**
 * Run one statement (prepared once per connection, see `prepared`) and return its rows as objects,
 * each row handed over as one JSON array text (`json_array(*COLUMNS(*))`) and parsed in JS. Why: DuckDB's per-value conversion costs ≈ 1.5 µs per VARCHAR (a native call and a
 * TextDecoder per string); one string per row is 3× faster on wide rows (1,200 process rows: 27 →
 * 8.6 ms, measured 2026-11-25). Values come back as JSON gives them: BIGINT as number (exact below
 * 2^53 — keys beyond that must be cast to VARCHAR by the caller), JSON columns as parsed values.
 */
export async function queryJson(store: ConnectionPool, ctx: QueryContext, sql: string, params: Params | DuckDBValue[] = []): Promise<SqlRow[]> {
  return withConnection(store, ctx, async (conn) => {
    const values = params instanceof Params ? params.values : params;
    const names = await namesOf(conn, sql, values);
    const stmt = await prepared(conn, `SELECT CAST(json_array(*COLUMNS(*)) AS VARCHAR) FROM (${sql}) t`);
    if (values.length > 0) stmt.bind(values); else stmt.clearBindings();
    return textRows(await stmt.run(), ctx, (text) => {
      const cells = JSON.parse(text) as unknown[];
      const row: SqlRow = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = cells[c];
      return row;
    });
  });
}

/**
 * Run a statement whose text is not worth keeping prepared (it carries literal lists that change with
 * every call, e.g. the search index's token ids): rows as objects, one JSON text per row.
 */
export async function queryOnce(store: ConnectionPool, ctx: QueryContext, sql: string, params: Params): Promise<SqlRow[]> {
  return withConnection(store, ctx, async (conn) =>
    textRows(await conn.run(`SELECT CAST(to_json(t) AS VARCHAR) FROM (${sql}) t`, params.values), ctx, (text) => JSON.parse(text) as SqlRow));
}

/** Run `body` on a checked-out connection: a failure after an abort is the AbortError; the connection goes back in any case. */
async function withConnection<T>(store: ConnectionPool, ctx: QueryContext, body: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const { conn, release } = await checkout(store, ctx);
  try {
    return await body(conn);
  } catch (err) {
    throwIfAborted(ctx);
    throw err;
  } finally {
    release();
  }
}

/** Every row of a one-text-column result, each text made a row by `toRow`; counted in `ctx.stats.rows`. */
async function textRows(result: DuckDBResult, ctx: QueryContext, toRow: (text: string) => SqlRow): Promise<SqlRow[]> {
  const rows: SqlRow[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const texts = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) rows.push(toRow(texts.getItem(i) as string));
  }
  ctx.stats.rows += rows.length;
  throwIfAborted(ctx);
  return rows;
}

/**
 * Run one statement and yield its rows in chunks as DuckDB streams them (one statement, one
 * sort, however many batches). The connection is held until the iteration ends or is abandoned.
 */
export async function* streamQuery(store: ConnectionPool, ctx: QueryContext, sql: string, params: Params, batchSize: number): AsyncGenerator<SqlRow[]> {
  const { conn, release } = await checkout(store, ctx);
  try {
    const result = await conn.stream(sql, params.values);
    const names = result.deduplicatedColumnNames();
    let batch: SqlRow[] = [];
    for (;;) {
      throwIfAborted(ctx);
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const values of chunk.convertRows(JSDuckDBValueConverter)) {
        const row: SqlRow = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
        batch.push(row);
        if (batch.length >= batchSize) { ctx.stats.rows += batch.length; yield batch; batch = []; }
      }
    }
    if (batch.length > 0) { ctx.stats.rows += batch.length; yield batch; }
  } catch (err) {
    throwIfAborted(ctx);
    throw err;
  } finally {
    release();
  }
}
