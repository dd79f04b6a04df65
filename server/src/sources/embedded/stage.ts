/**
 * Staging one batch into TEMP `stage_raw` (schema.ts) before the merge SQL (merge-sql.ts), through
 * the DuckDB appender, one event at a time as events arrive (`StageAppender`, behind
 * `EmbeddedStore.beginBatch`).
 *
 * Chosen by measurement (2026-11-25, loaded 2-core machine, CPU time; `npm run bench -- embedded`
 * keeps measuring the alternatives). Staging alone, 131,072 demo events, 3 repetitions: a TSV file
 * built by string concatenation and read by `read_csv` with an explicit schema and no quoting 87k /
 * 138k / 116k ev/cpu-s, appender 80k / 99k / 102k; with one DuckDB thread (200k events) TSV 86k vs
 * appender 89k. End to end (200k events, batches of 131,072): JSON appender/TSV 13.4/9.5, 15.0/10.4,
 * 11.7/11.9 CPU-s; XML 16.5/18.1, 14.9/14.8. NDJSON + read_json: ≈ 52k ev/cpu-s. Not clearly faster,
 * and a quote-less TSV cannot carry every value (a tab or newline in a host name) — so the appender,
 * which needs no fallback and lets the batch stream (below).
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { SysmonEvent } from '../../ingest/record.js';

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
