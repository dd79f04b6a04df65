/**
 * DuckDB tables of the embedded store (./README.md). One database file holds everything.
 *
 * Lookup keys: `gkey`/`pkey`/`hkey` are DuckDB `hash()` values of the GUID, parent GUID and host.
 * Why: DuckDB keeps min/max statistics (zonemaps) per row group, but for strings only on an
 * 8-byte prefix — useless for `{xxxxxxxx-…}` GUIDs that share their first bytes per machine.
 * Integer hash keys get exact zonemaps, and `EmbeddedStore.optimize()` rewrites the tables sorted
 * by them, so `gkey = hash(?)` touches one row group out of hundreds (no ART index to hold in RAM).
 * A hash collision costs only a wasted row read: every query also compares the GUID itself.
 */

import type { CreateExtraField } from '../event-source.js';

/** Bump when a table changes shape; `open` refuses a file with a newer version. */
export const SCHEMA_VERSION = 4;

/**
 * Schema 4: the create's PE fields the rule scan returns (event-source.ts CREATE_EXTRA_FIELDS), copied
 * from its EventID 1 into `processes` at ingest (NULL when the event has none), in this order, after `seq`.
 */
export const CREATE_EXTRA_COLUMNS: Readonly<Record<CreateExtraField, string>> = {
  OriginalFileName: 'original_file_name', Description: 'description', Product: 'product', Company: 'company', FileVersion: 'file_version',
};

/**
 * `processes p` joined to each row's create event (`events.seq` = `processes.seq`, alias `x`), and the
 * PE columns read from it (`nullif(…, '') AS column`, NULL for an absent one, CREATE_EXTRA_COLUMNS order):
 * what ingest stores, for the schema-4 upgrade and scans of older read-only stores.
 */
export const CREATE_EXTRAS_JOIN = `LEFT JOIN (SELECT e.hkey, e.gkey, e.seq,
    json_extract_string(e.fields, [${Object.keys(CREATE_EXTRA_COLUMNS).map((k) => `'$.${k}'`).join(', ')}]) AS v
    FROM events e WHERE e.event_id = 1) x
  ON x.hkey = p.hkey AND x.gkey = p.gkey AND x.seq = p.seq`;
export const CREATE_EXTRAS_SELECT = Object.values(CREATE_EXTRA_COLUMNS).map((c, i) => `nullif(x.v[${i + 1}], '') AS ${c}`).join(', ');

export const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  // Every Sysmon event. `sys_key`: channel + system time, part of the identity (`dkey`, merge-sql.ts);
  // NULL only on rows stored by schema 1. `fields`: JSON text in canonical name order (schema 3, field-order.ts).
  // `seq` is our own monotonic insertion number (rowid is not stable across optimize).
  `CREATE TABLE IF NOT EXISTS events (
     seq BIGINT NOT NULL,
     gkey UBIGINT,
     hkey UBIGINT NOT NULL,
     dkey UBIGINT NOT NULL,
     guid VARCHAR,
     target_guid VARCHAR,
     event_id INTEGER NOT NULL,
     category VARCHAR NOT NULL,
     time TIMESTAMP NOT NULL,
     host VARCHAR NOT NULL,
     record_id BIGINT,
     fields VARCHAR NOT NULL,
     sys_key VARCHAR)`,
  // One row per (host, ProcessGuid) from its EventID 1; end_time from EventID 5; `seq` is the create's
  // `events.seq`; the PE columns after it (schema 4) are NULL where the create has no such field.
  `CREATE TABLE IF NOT EXISTS processes (
     gkey UBIGINT NOT NULL,
     pkey UBIGINT,
     hkey UBIGINT NOT NULL,
     guid VARCHAR NOT NULL,
     parent_guid VARCHAR,
     host VARCHAR NOT NULL,
     pid INTEGER,
     parent_pid INTEGER,
     image VARCHAR NOT NULL,
     name VARCHAR NOT NULL,
     command_line VARCHAR NOT NULL,
     parent_image VARCHAR NOT NULL,
     parent_command_line VARCHAR NOT NULL,
     parent_user VARCHAR NOT NULL,
     "user" VARCHAR NOT NULL,
     integrity_level VARCHAR NOT NULL,
     hashes VARCHAR NOT NULL,
     current_directory VARCHAR NOT NULL,
     logon_guid VARCHAR NOT NULL,
     start_time TIMESTAMP NOT NULL,
     end_time TIMESTAMP,
     seq BIGINT NOT NULL,
     original_file_name VARCHAR,
     description VARCHAR,
     product VARCHAR,
     company VARCHAR,
     file_version VARCHAR)`,
  // EventID 5 times, kept apart so a create arriving after its terminate finds its end_time cheaply.
  `CREATE TABLE IF NOT EXISTS terminations (hkey UBIGINT NOT NULL, guid VARCHAR NOT NULL, host VARCHAR NOT NULL, time TIMESTAMP NOT NULL)`,
  // Notables (demo / lineage-rule hits, Splunk ES style).
  `CREATE TABLE IF NOT EXISTS notables (
     id VARCHAR PRIMARY KEY,
     title VARCHAR NOT NULL,
     host VARCHAR NOT NULL,
     time TIMESTAMP NOT NULL,
     severity VARCHAR NOT NULL,
     guid VARCHAR,
     image VARCHAR,
     source VARCHAR NOT NULL,
     chain JSON)`,
];

/** Physical order of `processes` after `optimize()` (README.md). */
export const PROCESS_ORDER = 'hkey, pkey, start_time, guid';

/** Column list of `processes` as read back into a ProcessRecord (see rows.ts). */
export const PROCESS_COLUMNS = `guid, parent_guid, host, pid, parent_pid, image, name, command_line, parent_image,
  parent_command_line, parent_user, "user", integrity_level, hashes, current_directory, logon_guid,
  strftime(start_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS start_time,
  strftime(end_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS end_time`;

/** Column list of `events` as read back into an EventRecord. */
export const EVENT_COLUMNS = `guid, host, event_id, category, strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time,
  record_id, target_guid, fields, seq`;
