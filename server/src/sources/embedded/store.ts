/**
 * The embedded Sysmon store: one DuckDB database file with `events`, `processes`, `terminations`
 * and `notables` (schema.ts). Writers call `writeEvents` in batches; readers go through
 * EmbeddedSource, which borrows connections from here.
 *
 * Write path (measured, see README.md in this folder): events → DuckDB appender (stage.ts) into a
 * TEMP staging table as they arrive (`beginBatch`; `writeEvents` wraps it) → a few set-based
 * statements in one transaction (merge-sql.ts). Two writer connections, each with its own staging
 * table, so one batch fills while the previous merges. A TSV file read by read_csv with an explicit
 * schema staged faster in isolation but not clearly end to end.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Notable } from '@lineage/shared';
import type { SysmonEvent } from '../../ingest/record.js';
import { addCreateExtras, canonicaliseFields, resort, resortSince, upgradeFromV1 } from './maintenance.js';
import { CREATE_TABLES, PROCESS_ORDER, SCHEMA_VERSION } from './schema.js';
import { dropStatements } from './sql-runner.js';
import { CREATE_STAGE, StageAppender } from './stage.js';
import {
  buildFresh, deleteSupersededProcesses, DKEY_SQL, FRESH_COUNTS, INSERT_EVENTS, INSERT_TERMINATIONS, insertProcesses, type RecordIdSpan,
  STAGED_HOST_KEYS, STAGED_RECORD_IDS, updateEndTimes,
} from './merge-sql.js';

/** Options of `EmbeddedStore.open`. */
export interface OpenOptions {
  /** Open without write access (several readers may share the file). */
  readOnly?: boolean;
  /** DuckDB worker threads (default: DuckDB's default = cores; serve passes `LINEAGE_DUCKDB_THREADS` from app/config.ts). */
  threads?: number;
  /** DuckDB buffer-pool limit, e.g. `'512MB'` (default 2GB; serve passes `LINEAGE_DUCKDB_MEMORY` from app/config.ts). */
  memoryLimit?: string;
}

/**
 * A batch being written: events are staged into DuckDB as they are added (no batch of objects
 * held in JS), then merged into the store by `commit` — all or nothing, like `writeEvents`.
 */
export interface EventBatch {
  /** Stage one event. */
  add(e: SysmonEvent): void;
  /** Events added so far. */
  readonly size: number;
  /** Merge the staged events into the store (dedupe, events, processes, end times). */
  commit(): Promise<WriteResult>;
  /** Drop the staged events. */
  abort(): void;
}

/** What one `writeEvents` call did. */
export interface WriteResult {
  /** Events newly stored. */
  inserted: number;
  /** Events already present (the same event, merge-sql.ts `DKEY_SQL`) — skipped. */
  duplicates: number;
}

/** Row counts for summaries (`lineage demo`, `lineage ingest`). */
export interface StoreCounts { events: number; processes: number; hosts: number; notables: number }

/** Thrown for unusable input or files; the message says what and where. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** An open store file: batched idempotent writes, `optimize()`, and connections for readers. */
export class EmbeddedStore {
  private idle: DuckDBConnection[] = [];
  /** Idle writer connections, each with its own TEMP stage_raw (one stages while another merges). */
  private writers: DuckDBConnection[] = [];
  /** Every writer connection opened (closed with the store). */
  private allWriters: DuckDBConnection[] = [];
  private nextSeq = 1;
  /** The store holds rows from schema 1 (no system time): the dedupe also compares them (merge-sql.ts `LEGACY_DKEY_SQL`). */
  private legacyRows = false;
  /**
   * `processes` holds the create's PE columns (schema ≥ 4). False only for an older store open read-only
   * (not upgraded): its rule scan reads those fields from the create events instead (source-processes.ts).
   */
  private extras = true;
  private closed = false;
  /** Batches that stored something (see `changes`). */
  private changeCount = 0;
  /** Serialises writers: one batch merges at a time (DuckDB has one writer per file anyway). */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    /** Absolute or relative path of the database file. */
    readonly path: string,
    readonly readOnly: boolean,
  ) {}

  /** Open (creating when absent and writable) a store file. */
  static async open(path: string, opts: OpenOptions = {}): Promise<EmbeddedStore> {
    const readOnly = opts.readOnly === true;
    if (readOnly && !existsSync(path)) throw new StoreError(`database ${path} does not exist`);
    if (!readOnly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      // A high checkpoint threshold: during a bulk load rows go to the WAL only, and are compressed
      // into the file once (at optimize/close) instead of at every 16 MB of WAL.
      const config: Record<string, string> = readOnly ? { access_mode: 'READ_ONLY' } : { checkpoint_threshold: '1GB' };
      // DuckDB would take 80 % of RAM for its buffers by default; a bounded pool keeps a server's
      // footprint predictable (sorts spill to disk beyond it). Both knobs are for operators.
      config.memory_limit = opts.memoryLimit ?? '2GB';
      if (opts.threads !== undefined) config.threads = String(opts.threads);
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`);
    }
    const store = new EmbeddedStore(instance, path, readOnly);
    await store.init();
    return store;
  }

  private async init(): Promise<void> {
    const conn = await this.acquire();
    try {
      if (!this.readOnly) {
        for (const ddl of CREATE_TABLES) await conn.run(ddl);
        await conn.run(`INSERT OR IGNORE INTO meta VALUES ('schema_version', $1)`, [String(SCHEMA_VERSION)]);
      }
      let version = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`))
        .getRowsJS()[0]?.[0];
      if (!this.readOnly && Number(version) === 1) { await upgradeFromV1(conn); version = '2'; }
      if (!this.readOnly && Number(version) === 2) { await canonicaliseFields(conn); version = '3'; }
      if (!this.readOnly && Number(version) === 3) { await addCreateExtras(conn); version = '4'; }
      this.extras = Number(version) >= 4;
      if (version === undefined) throw new StoreError(`${this.path} is not a Lineage database (no schema version)`);
      if (Number(version) > SCHEMA_VERSION) {
        throw new StoreError(`${this.path} has schema version ${String(version)}, newer than this build (${SCHEMA_VERSION})`);
      }
      await this.checkHashKeys(conn);
      const [max, legacy] = (await conn.runAndReadAll(`SELECT coalesce(max(seq), 0), count(*) FILTER (WHERE sys_key IS NULL) > 0 FROM events`)).getRowsJS()[0] ?? [];
      this.nextSeq = Number(max ?? 0) + 1;
      this.legacyRows = legacy === true;
    } catch (err) {
      this.release(conn);
      this.instance.closeSync();
      throw err instanceof StoreError ? err : new StoreError(`cannot use database ${this.path}: ${(err as Error).message}`);
    }
    this.release(conn);
  }

  /**
   * The lookup keys are DuckDB `hash()` values, which a DuckDB upgrade may change. A probe value
   * stored at creation tells; a writable store then recomputes its keys, a read-only one refuses
   * (lookups would silently find nothing otherwise).
   */
  private async checkHashKeys(conn: DuckDBConnection): Promise<void> {
    const probe = String((await conn.runAndReadAll(`SELECT CAST(hash('lineage') AS VARCHAR)`)).getRowsJS()[0]?.[0]);
    const stored = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'hash_probe'`)).getRowsJS()[0]?.[0];
    if (stored === probe) return;
    // No probe yet: a file from before the probe existed, written by this same DuckDB release line.
    if (stored !== undefined) {
      if (this.readOnly) throw new StoreError(`${this.path} was written by a DuckDB with another hash function; open it writable once to rebuild its keys`);
      await conn.run('BEGIN TRANSACTION');
      await conn.run(`UPDATE events SET gkey = CASE WHEN guid IS NULL THEN NULL ELSE hash(guid) END, hkey = hash(host),
        dkey = ${DKEY_SQL}`);
      await conn.run(`UPDATE processes SET gkey = hash(guid), pkey = CASE WHEN parent_guid IS NULL THEN NULL ELSE hash(parent_guid) END, hkey = hash(host)`);
      await conn.run(`UPDATE terminations SET hkey = hash(host)`);
      await conn.run('COMMIT');
    }
    if (!this.readOnly) await conn.run(`INSERT OR REPLACE INTO meta VALUES ('hash_probe', $1)`, [probe]);
  }

  /** See `extras`: whether `processes` has the PE columns. */
  get createExtras(): boolean {
    return this.extras;
  }

  /**
   * Bumped by every `writeEvents` batch that stored events: readers that keep something derived from
   * the rows in memory (the lineage index) compare it to know they are stale.
   */
  get changes(): number {
    return this.changeCount;
  }

  /** Borrow a connection (one per in-flight query, so one can be interrupted alone). */
  async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new StoreError('store is closed');
    return this.idle.pop() ?? (await this.instance.connect());
  }

  /** Return a borrowed connection. */
  release(conn: DuckDBConnection): void {
    if (this.closed) { dropStatements(conn); conn.closeSync(); return; }
    if (this.idle.length < 8) this.idle.push(conn); else { dropStatements(conn); conn.closeSync(); }
  }

  /**
   * Store a batch of normalised Sysmon events. Idempotent: events already stored (the same event:
   * merge-sql.ts `DKEY_SQL`) are counted as duplicates. All or nothing per batch.
   * Best throughput with batches of 122,880 events (one DuckDB row group; see pipeline.ts).
   */
  async writeEvents(batch: readonly SysmonEvent[]): Promise<WriteResult> {
    if (this.readOnly) throw new StoreError(`database ${this.path} is open read-only`);
    if (batch.length === 0) return { inserted: 0, duplicates: 0 };
    const b = await this.beginBatch();
    try {
      for (const e of batch) b.add(e);
    } catch (err) {
      b.abort();
      throw new StoreError(`batch of ${batch.length} events not stored: ${(err as Error).message}`);
    }
    return b.commit();
  }

  /**
   * Start a batch that stages events as they are added (see EventBatch). Staging runs on its own
   * connection, so a new batch can be filled while the previous one merges; merges run one at a time.
   */
  async beginBatch(): Promise<EventBatch> {
    if (this.readOnly) throw new StoreError(`database ${this.path} is open read-only`);
    if (this.closed) throw new StoreError('store is closed');
    const conn = this.writers.pop() ?? (await this.newWriter());
    let stager: StageAppender;
    try {
      await conn.run('DELETE FROM stage_raw');
      stager = await StageAppender.open(conn);
    } catch (err) {
      this.writers.push(conn);
      throw new StoreError(`cannot stage events: ${(err as Error).message}`);
    }
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      stager.close();
    };
    return {
      add: (e) => {
        if (done) throw new StoreError('batch already committed');
        stager.add(e);
      },
      get size() { return stager.size; },
      commit: () => {
        try {
          finish();
        } catch (err) {
          this.writers.push(conn);
          return Promise.reject(new StoreError(`batch of ${stager.size} events not stored: ${(err as Error).message}`));
        }
        const run = this.writing.then(() => this.merge(conn, stager.size, stager.repeatedCreates));
        this.writing = run.catch(() => undefined);
        return run.finally(() => { this.writers.push(conn); });
      },
      abort: () => {
        try { finish(); } catch { /* the staged rows are cleared by the next batch */ }
        this.writers.push(conn);
      },
    };
  }

  /** Merge the `staged` events in `conn`'s stage_raw into the store (one transaction). */
  private async merge(conn: DuckDBConnection, staged: number, repeatedCreates: boolean): Promise<WriteResult> {
    if (staged === 0) return { inserted: 0, duplicates: 0 };
    const hostKeys = (await conn.runAndReadAll(STAGED_HOST_KEYS)).getRowsJS().map((r) => r[0] as bigint);
    const ids = (await conn.runAndReadAll(STAGED_RECORD_IDS)).getRowsJS()[0] ?? [null, null, 0];
    const span: RecordIdSpan = { lo: ids[0] == null ? null : Number(ids[0]), hi: ids[1] == null ? null : Number(ids[1]), withoutId: Number(ids[2]) > 0 };
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(buildFresh(hostKeys, span, this.legacyRows), [this.nextSeq]);
      const counts = (await conn.runAndReadAll(FRESH_COUNTS)).getRowsJS()[0] ?? [0, 0, 0];
      const [fresh, creates, ends] = counts.map((v) => Number(v)) as [number, number, number];
      if (fresh > 0) {
        await conn.run(INSERT_EVENTS);
        if (ends > 0) await conn.run(INSERT_TERMINATIONS);
        if (creates > 0) {
          await conn.run(deleteSupersededProcesses(hostKeys));
          await conn.run(insertProcesses(repeatedCreates, hostKeys));
        }
        if (ends > 0) await conn.run(updateEndTimes(hostKeys));
      }
      await conn.run('COMMIT');
      this.nextSeq += fresh;
      if (fresh > 0) this.changeCount += 1;
      return { inserted: fresh, duplicates: staged - fresh };
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new StoreError(`batch of ${staged} events not stored: ${(err as Error).message}`);
    }
  }

  private async newWriter(): Promise<DuckDBConnection> {
    const conn = await this.instance.connect();
    this.allWriters.push(conn);
    await conn.run(CREATE_STAGE);
    return conn;
  }

  /**
   * Change DuckDB's worker threads and buffer-pool limit of this open store (e.g. one thread and a
   * small pool while ingesting, more for a big one-off statement). Why one thread for ingest: the merge
   * statements are small per batch, and parallel pipelines cost more CPU than they save; with one
   * DuckDB thread the JS parser and DuckDB each keep one core busy (measured, README "Write path").
   */
  async setResources(r: { threads?: number; memoryLimit?: string }): Promise<void> {
    const conn = await this.acquire();
    try {
      if (r.threads !== undefined) await conn.run(`SET threads = ${Math.max(1, Math.floor(r.threads))}`);
      if (r.memoryLimit !== undefined) {
        if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(r.memoryLimit)) throw new StoreError(`bad memory limit ${r.memoryLimit}`);
        await conn.run(`SET memory_limit = '${r.memoryLimit}'`);
      }
    } finally {
      this.release(conn);
    }
  }

  /** Insert or replace notables (by id). */
  async writeNotables(notables: readonly Notable[]): Promise<number> {
    if (this.readOnly) throw new StoreError(`database ${this.path} is open read-only`);
    const conn = await this.acquire();
    try {
      const stmt = await conn.prepare(`INSERT OR REPLACE INTO notables VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP), $5, $6, $7, $8, $9)`);
      for (const n of notables) {
        stmt.bind([n.id, n.title, n.host.toLowerCase(), n.time, n.severity, n.guid, n.image, n.source,
          n.chain ? JSON.stringify(n.chain) : null]);
        await stmt.run();
      }
      stmt.destroySync();
      return notables.length;
    } finally {
      this.release(conn);
    }
  }

  /** The `seq` the next stored event gets: pass it to `optimize({ since })` after a load. */
  get nextEventSeq(): number {
    return this.nextSeq;
  }

  /**
   * Rewrite `events` sorted by (hkey, gkey, time) and `processes` by (hkey, pkey, start_time) so
   * host-scoped GUID and parent-GUID lookups prune to the host's row groups by zonemap. Events lead
   * with the host because a graph asks for the events of many GUIDs of one host at once: random
   * GUID hashes hit nearly every row group, one host's events sit in one or two (measured on 1.8M
   * events: countEvents of a 1,200-process subtree 66 → 38 ms CPU). Run after a large ingest; rows
   * written later stay correct, just unclustered until the next optimize.
   * `since`: only the rows stored from that `seq` on (one load into a bigger store) are re-sorted —
   * taken out and appended again in order, as new row groups — so the cost is that of what was
   * added, not of the whole store (docs/ingest.md "Incremental ingest").
   */
  async optimize(opts: { since?: number } = {}): Promise<void> {
    if (this.readOnly) throw new StoreError(`database ${this.path} is open read-only`);
    await this.writing;
    const conn = await this.acquire();
    try {
      await conn.run('BEGIN TRANSACTION');
      if (opts.since !== undefined && opts.since > 1) {
        await resortSince(conn, 'events', 'hkey, gkey, time, seq', opts.since);
        await resortSince(conn, 'processes', PROCESS_ORDER, opts.since);
      } else {
        await resort(conn, 'events', 'hkey, gkey, time, seq');
        await resort(conn, 'processes', PROCESS_ORDER);
      }
      await conn.run('COMMIT');
      await conn.run('CHECKPOINT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new StoreError(`optimize failed: ${(err as Error).message}`);
    } finally {
      this.release(conn);
    }
  }

  /** Row counts (for summaries). */
  async counts(): Promise<StoreCounts> {
    const conn = await this.acquire();
    try {
      const row = (await conn.runAndReadAll(`SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM processes),
        (SELECT count(DISTINCT host) FROM events), (SELECT count(*) FROM notables)`)).getRowsJS()[0] ?? [];
      const [events, processes, hosts, notables] = row.map((v) => Number(v));
      return { events: events ?? 0, processes: processes ?? 0, hosts: hosts ?? 0, notables: notables ?? 0 };
    } finally {
      this.release(conn);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writing;
    this.closed = true;
    for (const c of this.idle) { dropStatements(c); c.closeSync(); }
    this.idle = [];
    for (const c of this.allWriters) c.closeSync();
    this.allWriters = [];
    this.writers = [];
    this.instance.closeSync();
  }
}
