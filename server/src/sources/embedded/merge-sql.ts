/**
 * The set-based SQL that moves one staged batch (TEMP `stage_raw`, filled by the appender) into the
 * store: dedupe, events, terminations, processes, end times. Kept apart from store.ts so the write
 * path reads as a list of steps. `$1` is always the next `seq` value.
 *
 * Why joins are written as SEMI/ANTI JOINs with the batch on the build side: DuckDB builds the hash
 * table on the right-hand side, and the batch (≤ 100k rows) must be that side, not the 10M-row table.
 */
import { CREATE_EXTRA_FIELDS } from '../event-source.js';

/**
 * `hkey IN (…)` over the batch's host keys, inlined as integer literals (DuckDB's own hash values,
 * read back from the staged batch — no user text reaches the SQL). Why literals: a constant IN list
 * becomes a table filter, so zonemaps skip every row group of other hosts; a join against the batch's
 * hosts would not prune. Without it each batch scanned the whole `events.dkey` and `processes.gkey`
 * columns, so writing slowed as the store grew.
 */
export function hostKeyFilter(alias: string, hostKeys: readonly bigint[]): string {
  if (hostKeys.length === 0) return 'FALSE';
  // A batch spanning hundreds of hosts touches most row groups anyway; spare the planner the list.
  if (hostKeys.length > MAX_HOST_KEYS) return 'TRUE';
  return `${alias}.hkey IN (${hostKeys.map((k) => `${k.toString()}::UBIGINT`).join(', ')})`;
}
const MAX_HOST_KEYS = 256;

/** Host keys of the staged batch (to build `hostKeyFilter`). */
export const STAGED_HOST_KEYS = `SELECT DISTINCT hash(host) FROM stage_raw`;

/** Record-id span of the staged batch, and whether it holds events without one (`recordIdFilter`). */
export const STAGED_RECORD_IDS = `SELECT min(record_id), max(record_id), count(*) FILTER (WHERE record_id IS NULL) FROM stage_raw`;

/** What `STAGED_RECORD_IDS` returned: the batch's record-id span (null: none) and id-less events. */
export interface RecordIdSpan { lo: number | null; hi: number | null; withoutId: boolean }

/**
 * Restricts the stored rows a batch is deduplicated against to those that can match: a batch row
 * with record id r matches only stored rows with record id r (same host), a row without one only
 * stored rows without one. As integer literals the span is a table filter, so row groups whose
 * record ids lie outside it are skipped by zonemap. Why: input of many interleaved hosts defeats
 * the host filter, and the dedupe then scanned every stored `dkey` per batch — ingest slowed as the
 * store grew (1M JSON events: 136 ms for the first batch, 576 ms at 800k stored). Record ids grow
 * with time per host, so a new file's span misses most stored row groups.
 */
export function recordIdFilter(alias: string, span: RecordIdSpan): string {
  const parts: string[] = [];
  if (span.lo !== null && span.hi !== null && Number.isFinite(span.lo) && Number.isFinite(span.hi)) {
    // Floor/ceil: a fractional id (odd JSON) is cast to BIGINT by rounding when stored.
    parts.push(`${alias}.record_id BETWEEN ${Math.floor(span.lo) - 1} AND ${Math.ceil(span.hi) + 1}`);
  }
  if (span.withoutId) parts.push(`${alias}.record_id IS NULL`);
  return parts.length === 0 ? 'FALSE' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The identity of an event (docs/ingest.md "Event identity"): two rows are one event only when
 * host, record id (NULL when absent), EventID, channel + system time (`sys_key`) and the data
 * (`fields`) all agree. The event time and GUIDs come from those, so they add nothing. Why not host +
 * record id alone: record ids repeat (cleared logs, reverted VMs, concatenated captures) and
 * id-less events (OTRF JSON) share UtcTime and data in bursts; both folded distinct events.
 * Used on staged rows (record_id DOUBLE) and stored rows alike, so the cast keeps the keys equal.
 */
export const DKEY_SQL = `hash(host, CAST(record_id AS BIGINT), event_id, coalesce(sys_key, ''), fields)`;

/**
 * A staged row's key as a row stored by schema 1 has it (no system time: `sys_key` NULL reads '').
 * Why: such rows can never match `DKEY_SQL` of the same event ingested again (that one has a system
 * time), so without this a re-ingest stored every old event twice. Only compared with stored rows
 * whose `sys_key` IS NULL, and only when the store holds any (`buildFresh` `legacy`).
 */
export const LEGACY_DKEY_SQL = `hash(host, CAST(record_id AS BIGINT), event_id, '', fields)`;

/** Basename of an image path, lowercase (`C:\Windows\cmd.EXE` → `cmd.exe`). */
const NAME_OF = String.raw`lower(regexp_extract(%s, '[^\\/]*$'))`;

/**
 * `fresh` = (ord, dkey, seq) of the batch rows to store: minus rows already stored, minus repeats
 * within the batch (first wins). Dedupe key: `DKEY_SQL` (and `LEGACY_DKEY_SQL` against schema-1 rows when `legacy`). Narrow on purpose: copying the wide `fields` column into another
 * temp table cost more than everything else here, so later statements join back to stage_raw.
 */
export const buildFresh = (hostKeys: readonly bigint[], span: RecordIdSpan, legacy = false): string => `
CREATE OR REPLACE TEMP TABLE fresh AS
WITH k AS (
  SELECT ord, ${DKEY_SQL} AS dkey${legacy ? `, ${LEGACY_DKEY_SQL} AS lkey` : ''} FROM stage_raw),
u AS (SELECT dkey, min(ord) AS ord${legacy ? ', any_value(lkey) AS lkey' : ''} FROM k GROUP BY dkey),
dup AS (SELECT DISTINCT e.dkey FROM events e SEMI JOIN u ON e.dkey = u.dkey
  WHERE ${hostKeyFilter('e', hostKeys)} AND ${recordIdFilter('e', span)})${legacy ? `,
old AS (SELECT DISTINCT e.dkey FROM events e SEMI JOIN u ON e.dkey = u.lkey
  WHERE e.sys_key IS NULL AND ${hostKeyFilter('e', hostKeys)} AND ${recordIdFilter('e', span)})` : ''}
SELECT u.ord, u.dkey, $1 + row_number() OVER (ORDER BY u.ord) - 1 AS seq
FROM u ANTI JOIN dup ON u.dkey = dup.dkey${legacy ? ' ANTI JOIN old ON u.lkey = old.dkey' : ''}`;

/** The batch rows to store, typed (join of fresh with the staged rows; stage.ts for the two-column values). */
const NEW_ROWS = `(SELECT f.seq, f.dkey, s.guid, s.target_guid, s.event_id,
  coalesce(s.category_text, CAST(s.category AS VARCHAR)) AS category, coalesce(s.time, CAST(s.time_text AS TIMESTAMP)) AS time,
  s.host, CAST(s.record_id AS BIGINT) AS record_id, s.fields, s.sys_key FROM fresh f JOIN stage_raw s ON s.ord = f.ord)`;

export const INSERT_EVENTS = `
INSERT INTO events
SELECT seq, CASE WHEN guid IS NULL THEN NULL ELSE hash(guid) END, hash(host), dkey, guid, target_guid,
       event_id, category, time, host, record_id, fields, sys_key
FROM ${NEW_ROWS}`;

export const INSERT_TERMINATIONS = `
INSERT INTO terminations
SELECT hash(host), guid, host, time FROM ${NEW_ROWS} WHERE event_id = 5 AND guid IS NOT NULL`;

/** Order of the JSON paths pulled from an EventID 1 in one parse (index = position + 1). */
const CREATE_FIELDS = [
  'ParentProcessGuid', 'ProcessId', 'ParentProcessId', 'Image', 'CommandLine', 'ParentImage',
  'ParentCommandLine', 'ParentUser', 'User', 'IntegrityLevel', 'Hashes', 'CurrentDirectory', 'LogonGuid',
  ...CREATE_EXTRA_FIELDS,
] as const;
const f = (name: (typeof CREATE_FIELDS)[number]): string => `n.v[${CREATE_FIELDS.indexOf(name) + 1}]`;
const s = (name: (typeof CREATE_FIELDS)[number]): string => `coalesce(${f(name)}, '')`;

/**
 * New process rows from the batch's EventID 1: the earliest create per (host, guid) wins; a stored
 * process (earlier or equal start, after DELETE_SUPERSEDED_PROCESSES) is left alone — identity
 * comes from the create, never from later events; and
 * end_time comes from any EventID 5 already stored (terminate ingested before create).
 * `dedupe`: the batch holds two creates for one (host, guid) — the window that picks the earliest
 * is a measurable share of the statement, so it only runs when needed (the writer knows).
 * Why the fields are pulled here and not in JS while appending: measured, 13 more appender calls
 * per create cost more (≈ 2.4 µs per event) than this JSON extraction (≈ 1.2 µs per event).
 */
export const insertProcesses = (dedupe: boolean, hostKeys: readonly bigint[]): string => `
INSERT INTO processes
WITH x AS (
  SELECT guid, host, time, seq,
         json_extract_string(fields, [${CREATE_FIELDS.map((n) => `'$.${n}'`).join(', ')}]) AS v
  FROM ${NEW_ROWS} WHERE event_id = 1 AND guid IS NOT NULL
  ${dedupe ? 'QUALIFY row_number() OVER (PARTITION BY host, guid ORDER BY time, seq) = 1' : ''}),
known AS (SELECT p.host, p.guid FROM processes p SEMI JOIN x ON p.gkey = hash(x.guid) AND p.guid = x.guid AND p.host = x.host
  WHERE ${hostKeyFilter('p', hostKeys)}),
n AS (SELECT x.* FROM x ANTI JOIN known k ON x.guid = k.guid AND x.host = k.host),
ends AS (
  SELECT t.host, t.guid, min(t.time) AS time FROM terminations t SEMI JOIN n ON t.guid = n.guid AND t.host = n.host
  WHERE ${hostKeyFilter('t', hostKeys)} GROUP BY ALL)
SELECT hash(n.guid), CASE WHEN ${f('ParentProcessGuid')} IS NULL THEN NULL ELSE hash(${f('ParentProcessGuid')}) END,
       hash(n.host), n.guid, ${f('ParentProcessGuid')}, n.host,
       TRY_CAST(${f('ProcessId')} AS INTEGER), TRY_CAST(${f('ParentProcessId')} AS INTEGER),
       ${s('Image')}, ${NAME_OF.replace('%s', s('Image'))}, ${s('CommandLine')}, ${s('ParentImage')},
       ${s('ParentCommandLine')}, ${s('ParentUser')}, ${s('User')}, ${s('IntegrityLevel')}, ${s('Hashes')},
       ${s('CurrentDirectory')}, ${s('LogonGuid')}, n.time, ends.time, n.seq,
       ${CREATE_EXTRA_FIELDS.map((x) => `nullif(${f(x)}, '')`).join(', ')}
FROM n LEFT JOIN ends ON ends.guid = n.guid AND ends.host = n.host
ORDER BY n.seq`;

/**
 * Two different creates for one (host, guid) — rare, e.g. a re-numbered export — keep the earliest,
 * whatever order they arrive in: a stored row with a later start yields to the batch's create.
 */
export const deleteSupersededProcesses = (hostKeys: readonly bigint[]): string => `
DELETE FROM processes USING (
  SELECT host, guid, min(time) AS time FROM ${NEW_ROWS} WHERE event_id = 1 AND guid IS NOT NULL GROUP BY ALL) x
WHERE processes.gkey = hash(x.guid) AND processes.guid = x.guid AND processes.host = x.host AND x.time < processes.start_time
  AND ${hostKeyFilter('processes', hostKeys)}`;

/** A terminate fills end_time with the earliest EventID 5, whichever of create/terminate came first. */
export const updateEndTimes = (hostKeys: readonly bigint[]): string => `
UPDATE processes SET end_time = t.time
FROM (SELECT host, guid, min(time) AS time FROM ${NEW_ROWS} WHERE event_id = 5 AND guid IS NOT NULL GROUP BY ALL) t
WHERE processes.gkey = hash(t.guid) AND processes.guid = t.guid AND processes.host = t.host
  AND (processes.end_time IS NULL OR processes.end_time > t.time) AND ${hostKeyFilter('processes', hostKeys)}`;

/** Counts of the batch by kind, to skip statements that would do nothing. */
export const FRESH_COUNTS = `
SELECT count(*) AS n, count(*) FILTER (WHERE s.event_id = 1) AS creates, count(*) FILTER (WHERE s.event_id = 5) AS ends
FROM fresh f JOIN stage_raw s ON s.ord = f.ord`;
