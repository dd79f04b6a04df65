/**
 * Event counts per process in memory, beside the lineage index (lineage-index.ts): for every process
 * row of the index, its events (EventID ≠ 1) by category and the time span they cover. A graph needs
 * them for every process it shows, and counting them in SQL was most of a graph request's cost on the
 * 10M-event store (the events of the walked GUIDs: a scan of the host's ≈ 470k event keys, ≈ 11 ms CPU
 * per graph, plus the same again for a children page) — docs/security.md "Cheaper requests".
 *
 * Built by one aggregate over `events` when the index is built (CSR arrays: ≈ 40 bytes per process
 * plus 5 per (process, category)); brought up to date after writes by aggregating only the events
 * with a `seq` above the highest read (`catchUp`), added to the rows they belong to.
 *
 * Exact or nothing: `get` answers null — and the caller counts in SQL — for a row added to the index
 * after the build (events stored before its create would be missing), a host added after the build,
 * and a key whose events carry GUID texts with different second hashes. Events are attributed by the
 * stored key (DuckDB `hash(guid)`) and checked against a second hash of the GUID text
 * (`hash(guid || '|')`, low 32 bits), so a wrong count needs both the 64-bit key and that check to
 * collide (SQL compares the text itself).
 */
import { CATEGORIES, type Category } from '@lineage/shared';
import { listValue } from '@duckdb/node-api';
import { duckHash } from './duck-hash.js';
import type { LineageIndex } from './lineage-index.js';
import type { EmbeddedStore } from './store.js';

/** One process's events: by category, and the span of their times (µs since the epoch). */
export interface ProcessEvents { counts: Partial<Record<Category, number>>; from: number; to: number }

const AMBIGUOUS = 2;
const HAS = 1;
const C = CATEGORIES.length;

/** One process's events as the aggregate gives them (`counts` indexed like CATEGORIES). */
interface Group { row: number; counts: number[]; from: number; to: number; check: number; one: boolean }

export class EventCounts {
  /** Rows changed by a catch-up: their whole state (base + added). */
  private readonly changed = new Map<number, { counts: number[]; from: number; to: number; check: number; flag: number }>();

  private constructor(
    /** The index these rows belong to (a relinked index gets new counts). */
    readonly index: LineageIndex,
    /** The store's `changes` these counts reflect. */
    public version: number,
    /** Events with `seq` up to this are counted. */
    private upto: number,
    /** Rows and hosts the build covered (rows / hosts added later are not answered). */
    private readonly rows: number,
    private readonly hosts: number,
    /** Per row: where its (category, count) pairs start in `cat`/`cnt`, and how many. */
    private readonly start: Int32Array,
    private readonly len: Uint8Array,
    private readonly cat: Uint8Array,
    private readonly cnt: Uint32Array,
    private readonly from: Float64Array,
    private readonly to: Float64Array,
    private readonly check: Uint32Array,
    private readonly flag: Uint8Array,
  ) {}

  /** Count the store's events for the rows of `index` (same store version); null when cancelled or the store moved on. */
  static async build(store: EmbeddedStore, index: LineageIndex, cancelled: () => boolean): Promise<EventCounts | null> {
    const version = store.changes;
    if (index.version !== version) return null;
    const rows = index.size;
    const hosts = index.hosts.length;
    const flag = new Uint8Array(rows), check = new Uint32Array(rows), start = new Int32Array(rows), len = new Uint8Array(rows);
    const from = new Float64Array(rows), to = new Float64Array(rows);
    let cat = new Uint8Array(rows * 4), cnt = new Uint32Array(rows * 4);
    let used = 0;
    const add = (g: Group): void => {
      if (used + C > cat.length) {
        const grow = Math.ceil(cat.length * 1.5) + C;
        const c2 = new Uint8Array(grow); c2.set(cat); cat = c2;
        const n2 = new Uint32Array(grow); n2.set(cnt); cnt = n2;
      }
      start[g.row] = used;
      for (let c = 0; c < C; c++) if (g.counts[c]) { cat[used] = c; cnt[used] = g.counts[c]!; used++; }
      len[g.row] = used - start[g.row]!;
      from[g.row] = g.from; to[g.row] = g.to; check[g.row] = g.check;
      flag[g.row] = g.one ? HAS : AMBIGUOUS;
    };
    // One host per statement: the aggregate's hash table holds one host's processes, not the store's
    // (its peak memory), and each statement reads only that host's row groups (events sorted by host key).
    let maxSeq = 0;
    for (let h = 0; h < hosts; h++) {
      const seq = await aggregate(store, index, [h], 0, cancelled, add);
      if (seq === null) return null;
      maxSeq = Math.max(maxSeq, seq);
    }
    if (store.changes !== version) return null;
    return new EventCounts(index, version, maxSeq, rows, hosts, start, len, cat.slice(0, used), cnt.slice(0, used), from, to, check, flag);
  }

  /** Add the events stored since (seq above `upto`); false when cancelled or the index is not at the store's version (tried again next round). */
  async catchUp(store: EmbeddedStore, cancelled: () => boolean): Promise<boolean> {
    const version = store.changes;
    if (this.index.version !== version) return false;
    // Applied only once the whole aggregate is read: a cancelled one leaves the counts as they were.
    const read: Group[] = [];
    const maxSeq = await aggregate(store, this.index, Array.from({ length: this.hosts }, (_, h) => h), this.upto, cancelled, (g) => {
      if (g.row < this.rows) read.push({ ...g, counts: [...g.counts] }); // later rows are not answered anyway
    });
    if (maxSeq === null) return false;
    for (const g of read) {
      const s = this.state(g.row);
      for (let c = 0; c < C; c++) if (g.counts[c]) s.counts[c] = (s.counts[c] ?? 0) + g.counts[c]!;
      s.from = Math.min(s.from, g.from); s.to = Math.max(s.to, g.to);
      if (!g.one || (s.flag === HAS && s.check !== g.check)) s.flag = AMBIGUOUS;
      else if (s.flag !== AMBIGUOUS) { s.flag = HAS; s.check = g.check; }
    }
    this.upto = Math.max(this.upto, maxSeq);
    this.version = version;
    return true;
  }

  /** The events of the process in `row` whose GUID text is `guid`, or null when only SQL can say. */
  get(row: number, guid: string): ProcessEvents | null {
    if (row < 0 || row >= this.rows) return null;
    const s = this.changed.get(row) ?? this.state(row, false);
    if (s.flag === AMBIGUOUS) return null;
    if (s.flag === 0) return { counts: {}, from: Infinity, to: -Infinity };
    // Events of another GUID text with the same key: none of them is this process's.
    if (s.check !== checkOf(guid)) return { counts: {}, from: Infinity, to: -Infinity };
    const counts: Partial<Record<Category, number>> = {};
    s.counts.forEach((n, c) => { if (n) counts[CATEGORIES[c]!] = n; });
    return { counts, from: s.from, to: s.to };
  }

  /** A row's state (a copy of its base arrays; kept in `changed` when `keep`). */
  private state(row: number, keep = true): { counts: number[]; from: number; to: number; check: number; flag: number } {
    const had = this.changed.get(row);
    if (had) return had;
    const counts: number[] = [];
    for (let i = this.start[row]!, end = i + this.len[row]!; i < end; i++) counts[this.cat[i]!] = this.cnt[i]!;
    const none = this.flag[row] === 0; // no events: an empty span, so that added events set it
    const s = { counts, from: none ? Infinity : this.from[row]!, to: none ? -Infinity : this.to[row]!, check: this.check[row]!, flag: this.flag[row]! };
    if (keep) this.changed.set(row, s);
    return s;
  }
}

/** Low 32 bits of DuckDB `hash(guid || '|')`: the second check of a GUID text. */
function checkOf(guid: string): number {
  return Number(duckHash(`${guid}|`) & 0xffffffffn);
}

/**
 * One aggregate: events with `seq` above `after` on the index's hosts `hostIds`, one row per process
 * (host, key) with its counts by category, handed to `each` when the key has a row in the index.
 * Keys without a row, and other hosts, are left out (not answered). Resolves the highest `seq` read,
 * or null when cancelled.
 */
async function aggregate(
  store: EmbeddedStore, index: LineageIndex, hostIds: number[], after: number, cancelled: () => boolean, each: (g: Group) => void,
): Promise<number | null> {
  const conn = await store.acquire();
  try {
    const perCategory = CATEGORIES.map((c) => `CAST(count(*) FILTER (WHERE e.category = '${c}') AS UINTEGER)`).join(', ');
    const names = hostIds.map((h) => index.hosts[h]!);
    // A single host is also a table filter on the host key (pruned to its row groups).
    const one = names.length === 1 ? 'AND e.hkey = hash($1[1])' : '';
    const result = await conn.stream(`
      SELECT h.id, CAST(e.gkey >> 32 AS UINTEGER), CAST(e.gkey & 4294967295 AS UINTEGER),
        CAST(epoch_us(min(e.time)) AS DOUBLE), CAST(epoch_us(max(e.time)) AS DOUBLE),
        CAST(min(hash(e.guid || '|')) & 4294967295 AS UINTEGER),
        CAST(min(hash(e.guid || '|')) = max(hash(e.guid || '|')) AND count(*) = count(*) FILTER (WHERE e.category IN (SELECT unnest($2))) AS UTINYINT),
        CAST(max(e.seq) AS DOUBLE), ${perCategory}
      FROM events e
      JOIN (SELECT CAST($4[i] AS UINTEGER) AS id, $1[i] AS host FROM range(1, len($1) + 1) t(i)) h ON e.host = h.host
      WHERE e.event_id <> 1 AND e.gkey IS NOT NULL AND e.seq > $3 ${one}
      GROUP BY h.id, e.gkey`,
    [listValue(names), listValue([...CATEGORIES]), after, listValue(hostIds)]);
    let maxSeq = after;
    const counts = new Array<number>(C);
    for (;;) {
      if (cancelled()) return null;
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const v = Array.from({ length: 8 + C }, (_, c) => chunk.getColumnVector(c));
      for (let i = 0; i < chunk.rowCount; i++) {
        const seq = v[7]!.getItem(i) as number;
        if (seq > maxSeq) maxSeq = seq;
        const row = index.rowOfKey(v[1]!.getItem(i) as number, v[2]!.getItem(i) as number, v[0]!.getItem(i) as number);
        if (row < 0) continue;
        for (let c = 0; c < C; c++) counts[c] = v[8 + c]!.getItem(i) as number;
        each({ row, counts, from: v[3]!.getItem(i) as number, to: v[4]!.getItem(i) as number, check: v[5]!.getItem(i) as number, one: v[6]!.getItem(i) === 1 });
      }
    }
    return maxSeq;
  } finally {
    store.release(conn);
  }
}
