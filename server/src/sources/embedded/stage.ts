/**
 * Staging one batch into TEMP `stage_raw` (schema.ts) before the merge SQL (merge-sql.ts).
 *
 * Two ways:
 *   - the DuckDB appender, one N-API call per cell — what the store uses, one event at a time as
 *     events arrive (`StageAppender`, behind `EmbeddedStore.beginBatch`);
 *   - a tab-separated file built by plain string concatenation, read back by DuckDB's `read_csv`
 *     with an explicit schema and no auto-detection (falls back to the appender per batch).
 * Measured 2026-11-25 (loaded 2-core machine, CPU time). Staging alone, 131,072 demo events, DuckDB
 * default threads, 3 repetitions: TSV 87k / 138k / 116k ev/cpu-s, appender 80k / 99k / 102k; with
 * one DuckDB thread (`bench/embedded.ts`, 200k events) TSV 86k vs appender 89k. End to end
 * (`bench/ingest.ts` store child, 200k events, batches of 131,072): JSON pairs appender/TSV
 * 13.4/9.5, 15.0/10.4, 11.7/11.9 CPU-s; XML 16.5/18.1, 14.9/14.8. Not clearly faster, so the
 * store keeps the appender; the TSV path stays here, tested, for the bench to keep measuring.
 * The earlier "read_csv is 2–5× slower" came from quoted CSV with the reader guessing; with
 * `quote=''`, `escape=''`, `auto_detect=false` DuckDB's reader is ≈ 3 µs per event, and the JS side
 * costs about what the appender's JSON.stringify already costs. NDJSON + read_json: ≈ 52k ev/cpu-s.
 *
 * Why the fallback cannot lose data: the TSV has no quoting, so a tab, newline or carriage return in
 * a column, or a value spelled like the NULL marker, would change the row. `fields` is JSON text,
 * which never holds a raw control character; the other columns are checked, and a batch with any
 * such value goes through the appender whole.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { SysmonEvent } from '../../ingest/record.js';

/** NULL marker of the staged TSV (a whole cell, `\N` as PostgreSQL's COPY writes it). */
const NULL_CELL = '\\N';
/** A cell a TSV without quoting cannot carry. */
const UNSAFE = /[\t\n\r]/;
/** Lines longer than DuckDB's `max_line_size` (2 MB by default) go through the appender. */
const MAX_FIELDS_CHARS = 600_000; // ≤ 3 UTF-8 bytes per UTF-16 unit: < 2 MB
/** Characters buffered before one write(2). */
const FLUSH_CHARS = 1 << 20;

const STAGE_COLUMNS = `{'ord': 'INTEGER', 'guid': 'VARCHAR', 'target_guid': 'VARCHAR', 'event_id': 'INTEGER',
  'category': 'VARCHAR', 'time': 'VARCHAR', 'host': 'VARCHAR', 'record_id': 'DOUBLE', 'fields': 'VARCHAR'}`;

/** Reads the staged TSV into stage_raw; `$1` is the file. Nothing is guessed: schema, delimiter, no quotes. */
const READ_STAGED_TSV = `INSERT INTO stage_raw SELECT * FROM read_csv($1, columns = ${STAGE_COLUMNS},
  header = false, delim = '\t', quote = '', escape = '', nullstr = '${NULL_CELL}', auto_detect = false,
  force_not_null = ['category', 'time', 'host', 'fields'])`;

const unsafe = (v: string | null): boolean => v !== null && (v === NULL_CELL || UNSAFE.test(v));

/**
 * Stage `batch` into the (empty) stage_raw of `conn`: through the TSV file `tsvPath` (deleted after)
 * when given and every row fits one, else through the appender. Returns whether two creates (EventID 1) share a
 * (host, guid) within the batch (the merge then picks the earliest).
 */
export async function stageBatch(conn: DuckDBConnection, batch: readonly SysmonEvent[], tsvPath: string | null): Promise<boolean> {
  try {
    if (tsvPath !== null && writeTsv(batch, tsvPath)) {
      await conn.run(READ_STAGED_TSV, [tsvPath]);
      return repeatedCreates(batch);
    }
  } finally {
    // The file is as large as the batch's text: give the space back at once.
    if (tsvPath !== null) rmSync(tsvPath, { force: true });
  }
  const stager = await StageAppender.open(conn);
  try {
    for (const e of batch) stager.add(e);
  } finally {
    stager.close();
  }
  return stager.repeatedCreates;
}

/**
 * The appender path, one event at a time: each event is appended as it arrives (9 cells), so a
 * writer that streams events into it holds no batch of objects in JS — the rows wait in DuckDB's
 * own (compact) memory. Measured on 200k JSON events: the pipeline's retained 50k-event batches
 * cost ≈ 6 µs per event in garbage collection and ≈ 300 MB of heap.
 */
export class StageAppender {
  /** Events appended so far. */
  size = 0;
  /** True once two creates (EventID 1) of one (host, guid) were appended (the merge then dedupes). */
  repeatedCreates = false;
  private readonly creates = new Set<string>();
  private closed = false;

  private constructor(private readonly app: DuckDBAppender) {}

  /** An appender on `conn`'s (empty) TEMP stage_raw. */
  static async open(conn: DuckDBConnection): Promise<StageAppender> {
    return new StageAppender(await conn.createAppender('stage_raw'));
  }

  /** Append one event (row number = its position in the batch). */
  add(e: SysmonEvent): void {
    const app = this.app;
    app.appendInteger(this.size);
    if (e.guid) app.appendVarchar(e.guid); else app.appendNull();
    if (e.targetGuid) app.appendVarchar(e.targetGuid); else app.appendNull();
    app.appendInteger(e.eventId);
    app.appendVarchar(e.category);
    app.appendVarchar(e.time);
    app.appendVarchar(e.host);
    if (e.recordId == null) app.appendNull(); else app.appendDouble(e.recordId);
    app.appendVarchar(JSON.stringify(e.fields));
    app.endRow();
    this.size++;
    if (e.eventId === 1 && e.guid && !this.repeatedCreates) {
      const key = `${e.host}|${e.guid}`;
      if (this.creates.has(key)) this.repeatedCreates = true; else this.creates.add(key);
    }
  }

  /** Flush the rows into stage_raw (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.creates.clear();
    this.app.closeSync();
  }
}

function repeatedCreates(batch: readonly SysmonEvent[]): boolean {
  const creates = new Set<string>();
  for (const e of batch) {
    if (e.eventId !== 1 || !e.guid) continue;
    const key = `${e.host}|${e.guid}`;
    if (creates.has(key)) return true;
    creates.add(key);
  }
  return false;
}

/** Write the batch as TSV; false (file left incomplete, unused) when a row cannot be carried. */
function writeTsv(batch: readonly SysmonEvent[], path: string): boolean {
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      if (unsafe(e.host) || unsafe(e.guid) || unsafe(e.targetGuid) || unsafe(e.category) || unsafe(e.time)) return false;
      const fields = JSON.stringify(e.fields);
      if (fields.length > MAX_FIELDS_CHARS) return false;
      // `||`, not `??`: the appender path stores an empty GUID as NULL too.
      buf += `${i}\t${e.guid || NULL_CELL}\t${e.targetGuid || NULL_CELL}\t${e.eventId}\t${e.category}\t${e.time}\t${e.host}\t${e.recordId ?? NULL_CELL}\t${fields}\n`;
      if (buf.length >= FLUSH_CHARS) { writeSync(fd, buf); buf = ''; }
    }
    if (buf) writeSync(fd, buf);
    return true;
  } finally {
    closeSync(fd);
  }
}
