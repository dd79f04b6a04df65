/**
 * Whole-table maintenance of the embedded store (kept apart from store.ts): the schema upgrade and
 * the re-sorts behind `EmbeddedStore.optimize`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DKEY_SQL } from './merge-sql.js';
import { CREATE_TABLES } from './schema.js';

/** Thrown for a table with no DDL (a programming error). */
class MaintenanceError extends Error {
  override name = 'StoreError';
}

/**
 * Schema 1 → 2: events gain `sys_key` and the wider identity key (merge-sql.ts `DKEY_SQL`). Rows
 * stored before have no system time (NULL sys_key, as the key reads ''): a later ingest of the same
 * files stores them again next to the old rows. docs/ingest.md says so.
 */
export async function upgradeFromV1(conn: DuckDBConnection): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  await conn.run('ALTER TABLE events ADD COLUMN IF NOT EXISTS sys_key VARCHAR');
  await conn.run(`UPDATE events SET dkey = ${DKEY_SQL}`);
  await conn.run(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
  await conn.run('COMMIT');
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
