/**
 * Staging one batch into TEMP `stage_raw` before the merge SQL (merge-sql.ts): events are written
 * column-wise into a DuckDB data chunk of 2,048 rows as they arrive, and each full chunk goes to
 * the appender in one call (`StageAppender`, behind `EmbeddedStore.beginBatch`).
 *
 * Why column-wise: every string handed to DuckDB costs one N-API call of ≈ 0.35–0.6 µs whatever
 * its length (measured per call: category 0.35, host 0.5, guid 0.6, a 550-byte `fields` 1.1 µs),
 * and the per-cell appender made ten calls per event (9 cells + end of row). Here only the strings
 * that must be strings cross one at a time (guid, target guid when present, host, fields);
 * ord, EventID and record id, the timestamp (parsed in JS from normalise's
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`) and the category (an ENUM code) are typed arrays copied once per
 * column per chunk. What is left is mostly `JSON.stringify(fields)` (≈ 3–5 µs; a hand-written
 * serialiser was slower, 3.7–4.2 vs 2.7–2.9 µs) and the `fields` string itself.
 *
 * Measured figures (old per-cell appender vs this): bench/results/embedded-store.md.
 *
 * Earlier (still true): a TSV file read by `read_csv`, NDJSON + `read_json`, one VARCHAR per row
 * split in SQL were no faster end to end and cannot carry every value without a fallback;
 * `npm run bench -- embedded` keeps measuring the file alternatives.
 */
import { DOUBLE, DuckDBDataChunk, ENUM8, INTEGER, TIMESTAMP, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { CATEGORIES } from '@lineage/shared';
import { endianness } from 'node:os';
import type { SysmonEvent } from '../../ingest/record.js';
import { FieldOrder } from './field-order.js';

/**
 * The staging table, one per writer connection (TEMP). `time`/`category` hold the fast typed form;
 * `time_text`/`category_text` carry the value as given when it has no such form (then the typed
 * column is NULL) — the merge reads `coalesce` of the two, so every value stages exactly.
 */
export const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS stage_raw (
  ord INTEGER, guid VARCHAR, target_guid VARCHAR, event_id INTEGER,
  category ENUM(${CATEGORIES.map((c) => `'${c}'`).join(', ')}), category_text VARCHAR,
  time TIMESTAMP, time_text VARCHAR, host VARCHAR, record_id DOUBLE, fields VARCHAR, sys_key VARCHAR)`;

/** Column types of `stage_raw`, in order (the chunk must match the table). */
const TYPES = [INTEGER, VARCHAR, VARCHAR, INTEGER, ENUM8(CATEGORIES), VARCHAR, TIMESTAMP, VARCHAR, VARCHAR, DOUBLE, VARCHAR, VARCHAR];
/** Column positions in TYPES / stage_raw. */
const Col = { Ord: 0, Guid: 1, TargetGuid: 2, EventId: 3, Category: 4, CategoryText: 5, Time: 6, TimeText: 7, Host: 8, RecordId: 9, Fields: 10, SysKey: 11 } as const;
type Col = (typeof Col)[keyof typeof Col];

/** Rows per chunk: DuckDB's vector size (2,048). */
const ROWS = duckdb.vector_size();
const LITTLE_ENDIAN = endianness() === 'LE';
const CATEGORY_CODE = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Milliseconds since the epoch of a `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp (what normalise writes),
 * or NaN for any other shape or an impossible date/time — those stage as text and DuckDB's own
 * cast decides, as before. Years below 1000 also go as text (only four-digit years print back
 * exactly).
 */
export function isoMillis(t: string): number {
  if (t.length !== 24 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58
    || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 46 || t.charCodeAt(23) !== 90) return NaN;
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const s = digits(t, 17, 2);
  const ms = digits(t, 20, 3);
  if (y < 1000 || mo < 1 || mo > 12 || day < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0) return NaN;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (day > DAYS_IN_MONTH[mo - 1]! + (leap && mo === 2 ? 1 : 0)) return NaN;
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil); plain
  // arithmetic, cheaper than Date.UTC on this path.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms;
}

/** The decimal number in `t` at [at, at + len), or -1 when a character there is not a digit. */
function digits(t: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** A validity bitmap of one chunk column (bit set = value present), as DuckDB lays it out. */
class Validity {
  readonly bits = new Uint8Array(Math.ceil(ROWS / 64) * 8);
  set(row: number): void { this.bits[row >> 3]! |= 1 << (row & 7); }
  clear(row: number): void { this.bits[row >> 3]! &= ~(1 << (row & 7)); }
}

/**
 * The staging writer: one event at a time into the current chunk, so a writer that streams events
 * into it holds no batch of objects in JS — full chunks go to DuckDB's (compact) memory. Measured on
 * 200k JSON events: the pipeline's retained 50k-event batches cost ≈ 6 µs per event in garbage
 * collection and ≈ 300 MB of heap.
 */
export class StageAppender {
  /** Events appended so far. */
  size = 0;
  /** True once two creates (EventID 1) of one (host, guid) were appended (the merge then dedupes). */
  repeatedCreates = false;
  private readonly creates = new Set<string>();
  private readonly order = new FieldOrder();
  private closed = false;
  private readonly chunk = DuckDBDataChunk.create(TYPES, ROWS);
  private readonly vectors = TYPES.map((_, i) => duckdb.data_chunk_get_vector(this.chunk.chunk, i));
  /** Rows filled in the current chunk. */
  private row = 0;
  private readonly ord = new Int32Array(ROWS);
  private readonly eventId = new Int32Array(ROWS);
  private readonly category = new Uint8Array(ROWS);
  private readonly time = new DataView(new ArrayBuffer(ROWS * 8));
  private readonly recordId = new Float64Array(ROWS);
  private readonly valid: Validity[] = TYPES.map(() => new Validity());

  private constructor(private readonly app: DuckDBAppender) {}

  /** An appender on `conn`'s (empty) TEMP stage_raw. */
  static async open(conn: DuckDBConnection): Promise<StageAppender> {
    return new StageAppender(await conn.createAppender('stage_raw'));
  }

  /** Append one event (row number = its position in the batch). */
  add(e: SysmonEvent): void {
    if (this.closed) throw new Error('staging already closed');
    if (!Number.isInteger(e.eventId) || e.eventId < -2147483648 || e.eventId > 2147483647) throw new Error(`EventID ${String(e.eventId)} is not a 32-bit integer`);
    const r = this.row;
    const v = this.vectors;
    const ok = this.valid;
    this.ord[r] = this.size;
    this.text(Col.Guid, r, e.guid || null);
    this.text(Col.TargetGuid, r, e.targetGuid || null);
    this.eventId[r] = e.eventId;
    const code = CATEGORY_CODE.get(e.category);
    if (code === undefined) { ok[Col.Category]!.clear(r); this.text(Col.CategoryText, r, e.category); }
    else { this.category[r] = code; ok[Col.Category]!.set(r); ok[Col.CategoryText]!.clear(r); }
    const ms = isoMillis(e.time);
    if (Number.isNaN(ms)) { ok[Col.Time]!.clear(r); this.text(Col.TimeText, r, e.time); }
    else {
      // Microseconds as int64 without a BigInt: exact below 2^53 (years up to ~287,000).
      const us = ms * 1000;
      const hi = Math.floor(us / 4294967296);
      this.time.setUint32(r * 8 + (LITTLE_ENDIAN ? 0 : 4), us - hi * 4294967296, LITTLE_ENDIAN);
      this.time.setInt32(r * 8 + (LITTLE_ENDIAN ? 4 : 0), hi, LITTLE_ENDIAN);
      ok[Col.Time]!.set(r);
      ok[Col.TimeText]!.clear(r);
    }
    duckdb.vector_assign_string_element(v[Col.Host]!, r, e.host);
    if (e.recordId == null) ok[Col.RecordId]!.clear(r); else { this.recordId[r] = e.recordId; ok[Col.RecordId]!.set(r); }
    duckdb.vector_assign_string_element(v[Col.Fields]!, r, this.order.json(e.eventId, e.fields));
    duckdb.vector_assign_string_element(v[Col.SysKey]!, r, e.systemKey ?? '');
    this.size++;
    if (++this.row === ROWS) this.flush();
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
    try {
      if (this.row > 0) this.flush();
    } finally {
      this.app.closeSync();
    }
  }

  /** A nullable VARCHAR cell. */
  private text(col: Col, r: number, value: string | null): void {
    if (value === null) { this.valid[col]!.clear(r); return; }
    duckdb.vector_assign_string_element(this.vectors[col]!, r, value);
    this.valid[col]!.set(r);
  }

  /** Hand the filled rows to the appender and start an empty chunk. */
  private flush(): void {
    const n = this.row;
    const v = this.vectors;
    const c = this.chunk.chunk;
    duckdb.data_chunk_set_size(c, n);
    duckdb.copy_data_to_vector(v[Col.Ord]!, 0, this.ord.buffer, 0, n * 4);
    duckdb.copy_data_to_vector(v[Col.EventId]!, 0, this.eventId.buffer, 0, n * 4);
    duckdb.copy_data_to_vector(v[Col.Category]!, 0, this.category.buffer, 0, n);
    duckdb.copy_data_to_vector(v[Col.Time]!, 0, this.time.buffer, 0, n * 8);
    duckdb.copy_data_to_vector(v[Col.RecordId]!, 0, this.recordId.buffer, 0, n * 8);
    const bytes = Math.ceil(n / 64) * 8;
    for (const col of [Col.Guid, Col.TargetGuid, Col.Category, Col.CategoryText, Col.Time, Col.TimeText, Col.RecordId]) {
      duckdb.vector_ensure_validity_writable(v[col]!);
      duckdb.copy_data_to_vector_validity(v[col]!, 0, this.valid[col]!.bits.buffer, 0, bytes);
    }
    this.row = 0;
    try {
      this.app.appendDataChunk(this.chunk);
    } finally {
      // The chunk's string heap is released; the appender copied the rows.
      duckdb.data_chunk_reset(c);
    }
  }
}
