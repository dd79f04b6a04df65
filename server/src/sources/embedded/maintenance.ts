/**
 * Whole-table maintenance of the embedded store (kept apart from store.ts): the schema upgrade and
 * the re-sorts behind `EmbeddedStore.optimize`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DKEY_SQL } from './merge-sql.js';
import { CREATE_EXTRA_COLUMNS, CREATE_EXTRAS_JOIN, CREATE_EXTRAS_SELECT, CREATE_TABLES, PROCESS_ORDER } from './schema.js';
import { FieldOrder } from './field-order.js';

/** Thrown for a table with no DDL (a programming error). */
class MaintenanceError extends Error {
  override name = 'StoreError';
}

/**
 * Schema 1 → 2: events gain `sys_key` and the wider identity key (merge-sql.ts `DKEY_SQL`). Rows
 * stored before have no system time (NULL sys_key, as the key reads ''); the write path compares a
 * re-ingested event with them without it (merge-sql.ts `LEGACY_DKEY_SQL`), so they are not stored twice.
 */
export async function upgradeFromV1(conn: DuckDBConnection): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  await conn.run('ALTER TABLE events ADD COLUMN IF NOT EXISTS sys_key VARCHAR');
  await conn.run(`UPDATE events SET dkey = ${DKEY_SQL}`);
  await conn.run(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
  await conn.run('COMMIT');
}

/** Rows read per step of `canonicaliseFields` (by `seq` range: bounded memory on any store). */
const REWRITE_STEP = 100_000;

/**
 * Schema 2 → 3: `fields` rewritten with its names in the canonical order (field-order.ts)
 * and every `dkey` recomputed, so an event stored before folds with the same event ingested again
 * (or re-shipped with its keys reordered). Rows already in that order are left as they are. One
 * transaction: a crash leaves the store at schema 2, and the next writable open starts again.
 */
export async function canonicaliseFields(conn: DuckDBConnection): Promise<void> {
  const order = new FieldOrder();
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('CREATE OR REPLACE TEMP TABLE refields (seq BIGINT, fields VARCHAR)');
    const max = Number((await conn.runAndReadAll('SELECT coalesce(max(seq), 0) FROM events')).getRowsJS()[0]?.[0] ?? 0);
    for (let lo = 1; lo <= max; lo += REWRITE_STEP) {
      const rows = (await conn.runAndReadAll(`SELECT seq, event_id, fields FROM events WHERE seq BETWEEN ${lo} AND ${lo + REWRITE_STEP - 1}`)).getRowsJS();
      const app = await conn.createAppender('refields');
      for (const [seq, eventId, text] of rows) {
        let canon: string;
        try {
          const o = JSON.parse(String(text)) as Record<string, string>;
          canon = order.json(Number(eventId), o);
        } catch {
          continue; // not JSON text (never written by Lineage): kept as it is
        }
        if (canon === text) continue;
        app.appendBigInt(BigInt(seq as bigint));
        app.appendVarchar(canon);
        app.endRow();
      }
      app.closeSync();
    }
    await conn.run('UPDATE events SET fields = r.fields FROM refields r WHERE events.seq = r.seq');
    await conn.run(`UPDATE events SET dkey = ${DKEY_SQL}`);
    await conn.run('DROP TABLE refields');
    await conn.run(`UPDATE meta SET value = '3' WHERE key = 'schema_version'`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Schema 3 → 4: `processes` gains the PE columns (schema.ts CREATE_EXTRA_COLUMNS), filled from each row's
 * create event (`events.seq` = `processes.seq`), so the rule scan returns them without reading `events`.
 * The table is rewritten (with its declared columns, sorted as `optimize()` leaves it) rather than
 * updated in place: measured on the 10M-event store, UPDATE … FROM took 106 s wall / 136 CPU-s.
 * One transaction: a crash leaves the store at schema 3 (its scans read the fields from `events` instead).
 */
export async function addCreateExtras(conn: DuckDBConnection): Promise<void> {
  const ddl = CREATE_TABLES.find((d) => d.startsWith('CREATE TABLE IF NOT EXISTS processes ('))!;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DROP TABLE IF EXISTS processes_v4');
    await conn.run(ddl.replace('EXISTS processes (', 'EXISTS processes_v4 ('));
    // Columns a newer build already added (a store whose version was set back) are filled anew.
    const have = new Set((await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'processes' AND schema_name = 'main'`))
      .getRowsJS().map((r) => String(r[0])));
    const again = Object.values(CREATE_EXTRA_COLUMNS).filter((c) => have.has(c));
    await conn.run(`INSERT INTO processes_v4 SELECT p.*${again.length ? ` EXCLUDE (${again.join(', ')})` : ''}, ${CREATE_EXTRAS_SELECT} FROM processes p
      ${CREATE_EXTRAS_JOIN}
      ORDER BY ${PROCESS_ORDER}`);
    await conn.run('DROP TABLE processes');
    await conn.run('ALTER TABLE processes_v4 RENAME TO processes');
    await conn.run(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Re-append the rows of `table` with `seq >= since` in `order` (the older row groups stay as they are). */
export async function resortSince(conn: DuckDBConnection, table: string, order: string, since: number): Promise<void> {
  const n = Math.floor(since);
  await conn.run(`CREATE OR REPLACE TEMP TABLE resort_tail AS SELECT * FROM ${table} WHERE seq >= ${n} ORDER BY ${order}`);
  await conn.run(`DELETE FROM ${table} WHERE seq >= ${n}`);
  await conn.run(`INSERT INTO ${table} SELECT * FROM resort_tail`);
  await conn.run('DROP TABLE resort_tail');
}

/** Replace `table` by a copy sorted on `order`, keeping its declared columns and constraints. */
export async function resort(conn: DuckDBConnection, table: string, order: string): Promise<void> {
  const ddl = CREATE_TABLES.find((d) => d.startsWith(`CREATE TABLE IF NOT EXISTS ${table} (`));
  if (!ddl) throw new MaintenanceError(`no DDL for ${table}`);
  await conn.run(`DROP TABLE IF EXISTS ${table}_sorted`);
  await conn.run(ddl.replace(`EXISTS ${table} (`, `EXISTS ${table}_sorted (`));
  await conn.run(`INSERT INTO ${table}_sorted SELECT * FROM ${table} ORDER BY ${order}`);
  await conn.run(`DROP TABLE ${table}`);
  await conn.run(`ALTER TABLE ${table}_sorted RENAME TO ${table}`);
}
