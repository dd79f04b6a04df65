/**
 * In-memory lineage index of the embedded store: for every process row its GUID key, host, start
 * time, parent row and children, in typed arrays (≈ 40 bytes per process: ≈ 80 MB for 2M).
 *
 * Why: a graph request walks parents up and children down. In SQL that is a recursive CTE whose
 * fixed cost (≈ 10–20 ms per request on the 2M-process store, measured 2026-11-25) dominates an
 * "ancestors + children" request; walking typed arrays takes microseconds, and the rows themselves
 * are then fetched by one pruned statement (host key + GUID keys). Built once in the background
 * (≈ 1 s per 2M processes); `version` records the store's `changes` it reflects, and the source
 * ignores an index that no longer matches (falls back to SQL meanwhile). After a write the source
 * catches the index up (`catchUp`): it reads only the process rows with a `seq` above the highest it
 * holds (new creates, and creates that replaced a later one of the same process — those get a new
 * `seq`), and re-links in memory. Terminates change only `end_time`, which the index does not hold.
 *
 * Keys are DuckDB `hash(guid)` values (the stored `gkey`), held as two 32-bit halves. A hash
 * collision can link rows wrongly here; the reader (indexed-tree.ts) compares the fetched GUID
 * strings along every link and falls back to SQL when one does not hold.
 */
import type { DuckDBVector } from '@duckdb/node-api';
import { duckHash } from './duck-hash.js';
import type { EmbeddedStore } from './store.js';

/** One row reached by a walk. */
export interface WalkEntry {
  /** Row number in the index. */
  row: number;
  /** 0 origin, < 0 ancestors, > 0 descendants (generations). */
  depth: number;
  /** The row this one was reached from (a descendant's parent, an ancestor's child); -1 for an origin. */
  from: number;
}

/** What to walk: as TreeSqlOptions (tree-sql.ts), with `limit` descendants at most. */
export interface WalkOptions {
  up: number;
  down: number;
  /** Descendants wanted, nearest generation first then by start time (ties at the cut are all kept). */
  limit: number;
  range?: { from: string; to: string };
}

/** ISO 8601 UTC → microseconds since the epoch (DuckDB TIMESTAMP resolution). */
export function isoToMicros(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return NaN;
  // Date.parse keeps milliseconds; digits 4–6 of the fraction are microseconds.
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return ms * 1000 + (frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0);
}

const EMPTY = -1;

export class LineageIndex {
  /** Rows in use (the arrays may have spare capacity after an in-place catch-up). */
  private n: number;
  /** Rows covered by the children arrays built by `link`; children added later live in `extra`. */
  private readonly baseN: number;
  /** Parent row → all its children in order, for parents that gained a child after `link`. */
  private readonly extra = new Map<number, number[]>();
  /** `hi:lo:host` of a parent key not in the index → rows waiting for it (a create arriving later adopts them). */
  private readonly orphans = new Map<string, number[]>();

  private constructor(
    /** The store's `changes` this index reflects. */
    public version: number,
    /** Every process row with `seq` up to this is in the index. */
    private upto: number,
    /** The loaded columns (kept so that `catchUp` can extend them): parent key halves, has-parent flags. */
    private cols: { ph: Uint32Array; pl: Uint32Array; hasParent: Uint8Array },
    private readonly hostNames: string[],
    private readonly hostIds: Map<string, number>,
    private gh: Uint32Array,
    private gl: Uint32Array,
    private hostOf: Uint32Array,
    private start: Float64Array,
    private parentRow: Int32Array,
    private readonly childStart: Int32Array,
    private readonly childRows: Int32Array,
    private slots: Int32Array,
    private nextSame: Int32Array,
  ) {
    this.n = gh.length;
    this.baseN = childStart.length - 1;
  }

  /** Processes indexed. */
  get size(): number {
    return this.n;
  }

  /**
   * Read the store's processes into a new index. Resolves null when `cancelled()` turned true, when
   * the store changed meanwhile, or when DuckDB's hash is not the one duck-hash.ts computes.
   */
  static async build(store: EmbeddedStore, cancelled: () => boolean): Promise<LineageIndex | null> {
    const version = store.changes;
    const conn = await store.acquire();
    try {
      const sample = (await conn.runAndReadAll(`SELECT guid, CAST(gkey AS VARCHAR) FROM processes LIMIT 64`)).getRowsJS();
      if (sample.some((r) => duckHash(String(r[0])).toString() !== String(r[1]))) return null;
      const hostNames = (await conn.runAndReadAll(`SELECT DISTINCT host FROM processes ORDER BY host`)).getRowsJS().map((r) => String(r[0]));
      const [count, maxSeq] = (await conn.runAndReadAll(`SELECT count(*), coalesce(max(seq), 0) FROM processes`)).getRowsJS()[0] ?? [];
      const cap = Number(count ?? 0);
      const gh = new Uint32Array(cap), gl = new Uint32Array(cap), ph = new Uint32Array(cap), pl = new Uint32Array(cap);
      const hasParent = new Uint8Array(cap), hostOf = new Uint32Array(cap), start = new Float64Array(cap);
      const result = await conn.stream(`SELECT CAST(p.gkey >> 32 AS UINTEGER), CAST(p.gkey & 4294967295 AS UINTEGER),
          CAST(p.pkey >> 32 AS UINTEGER), CAST(p.pkey & 4294967295 AS UINTEGER), h.id, CAST(epoch_us(p.start_time) AS DOUBLE)
        FROM processes p JOIN (SELECT host, CAST(row_number() OVER (ORDER BY host) - 1 AS UINTEGER) AS id
          FROM (SELECT DISTINCT host FROM processes)) h ON p.host = h.host`);
      let n = 0;
      for (;;) {
        if (cancelled()) return null;
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.rowCount;
        if (n + rows > cap) return null; // rows were added meanwhile: the version check would refuse it anyway
        const v: DuckDBVector[] = [0, 1, 2, 3, 4, 5].map((c) => chunk.getColumnVector(c));
        for (let i = 0; i < rows; i++, n++) {
          gh[n] = v[0]!.getItem(i) as number;
          gl[n] = v[1]!.getItem(i) as number;
          const hi = v[2]!.getItem(i) as number | null;
          if (hi !== null) { ph[n] = hi; pl[n] = v[3]!.getItem(i) as number; hasParent[n] = 1; }
          hostOf[n] = v[4]!.getItem(i) as number;
          start[n] = v[5]!.getItem(i) as number;
        }
      }
      if (store.changes !== version || n !== cap) return null;
      return LineageIndex.link(version, Number(maxSeq ?? 0), hostNames, gh, gl, ph, pl, hasParent, hostOf, start);
    } finally {
      store.release(conn);
    }
  }

  /**
   * Bring the index up to the store: read the process rows written since it was read (`seq` above
   * `upto`). New processes only (an upload's usual case): appended in place — hash table, parent
   * link, children lists and adoption of waiting orphans touch only the rows concerned, so the cost
   * is proportional to the rows written, not to the store; resolves this same index. A row of a known
   * (host, GUID) — an earlier create replacing a stored one — changes links already made: then a new
   * index is linked from all columns. Resolves null when `cancelled()` turned true.
   */
  async catchUp(store: EmbeddedStore, cancelled: () => boolean): Promise<LineageIndex | null> {
    const version = store.changes;
    const conn = await store.acquire();
    let rows: unknown[][];
    try {
      rows = (await conn.runAndReadAll(`SELECT CAST(gkey >> 32 AS UINTEGER), CAST(gkey & 4294967295 AS UINTEGER),
          CAST(pkey >> 32 AS UINTEGER), CAST(pkey & 4294967295 AS UINTEGER), host, CAST(epoch_us(start_time) AS DOUBLE), seq
        FROM processes WHERE seq > $1`, [this.upto])).getRowsJS();
    } finally {
      store.release(conn);
    }
    // A batch committed meanwhile may be in `rows` already: the index then holds more than `version`
    // says, is not used (the version differs), and the next catch-up reads from its `upto` on.
    if (cancelled()) return null;
    const known = rows.some((r) => { const h = this.hostIds.get(String(r[4])); return h !== undefined && this.rowOf(Number(r[0]), Number(r[1]), h) !== EMPTY; });
    if (known) return this.relinkWith(rows, version);
    this.append(rows);
    this.version = version;
    return this;
  }

  /** Append new processes in place (see `catchUp`); synchronous, so no reader sees half of it. */
  private append(rows: unknown[][]): void {
    const n0 = this.n, need = n0 + rows.length;
    if (need > this.gh.length) this.reserve(Math.max(need, Math.ceil(this.gh.length * 1.5)));
    if (need * 2 > this.slots.length) this.rehash(need);
    const { ph, pl, hasParent } = this.cols;
    for (const r of rows) {
      const host = String(r[4]);
      let h = this.hostIds.get(host);
      if (h === undefined) { h = this.hostNames.length; this.hostNames.push(host); this.hostIds.set(host, h); }
      const i = this.n++;
      this.gh[i] = Number(r[0]); this.gl[i] = Number(r[1]); this.hostOf[i] = h; this.start[i] = Number(r[5]);
      this.parentRow[i] = EMPTY; this.nextSame[i] = EMPTY;
      if (r[2] === null) { hasParent[i] = 0; } else { ph[i] = Number(r[2]); pl[i] = Number(r[3]); hasParent[i] = 1; }
      this.insert(i);
      this.upto = Math.max(this.upto, Number(r[6]));
    }
    for (let i = n0; i < this.n; i++) {
      if (hasParent[i]) {
        const p = this.rowOf(ph[i]!, pl[i]!, this.hostOf[i]!);
        if (p === EMPTY) {
          const k = `${ph[i]}:${pl[i]}:${this.hostOf[i]}`;
          const waiting = this.orphans.get(k);
          if (waiting) waiting.push(i); else this.orphans.set(k, [i]);
        } else { this.parentRow[i] = p; this.addChild(p, i); }
      }
      const waiting = this.orphans.get(`${this.gh[i]}:${this.gl[i]}:${this.hostOf[i]}`);
      if (!waiting) continue;
      this.orphans.delete(`${this.gh[i]}:${this.gl[i]}:${this.hostOf[i]}`);
      for (const c of waiting) { this.parentRow[c] = i; this.addChild(i, c); }
    }
  }

  private reserve(cap: number): void {
    const grow = <T extends Uint32Array | Uint8Array | Float64Array | Int32Array>(a: T, b: T): T => { b.set(a.subarray(0, this.n)); return b; };
    this.gh = grow(this.gh, new Uint32Array(cap)); this.gl = grow(this.gl, new Uint32Array(cap));
    this.hostOf = grow(this.hostOf, new Uint32Array(cap)); this.start = grow(this.start, new Float64Array(cap));
    this.parentRow = grow(this.parentRow, new Int32Array(cap)); this.nextSame = grow(this.nextSame, new Int32Array(cap));
    this.cols = { ph: grow(this.cols.ph, new Uint32Array(cap)), pl: grow(this.cols.pl, new Uint32Array(cap)), hasParent: grow(this.cols.hasParent, new Uint8Array(cap)) };
  }

  /** A hash table twice `need` (at least), all rows inserted again. */
  private rehash(need: number): void {
    let size = this.slots.length;
    while (size < need * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.nextSame.fill(EMPTY);
    for (let i = 0; i < this.n; i++) this.insert(i);
  }

  /** Open addressing on distinct keys; rows sharing a key (one GUID on several hosts) are chained. */
  private insert(i: number): void {
    const { slots, gh, gl, nextSame } = this;
    const mask = slots.length - 1;
    for (let s = gl[i]! & mask; ; s = (s + 1) & mask) {
      const r = slots[s]!;
      if (r === EMPTY) { slots[s] = i; return; }
      if (gh[r] === gh[i] && gl[r] === gl[i]) { nextSame[i] = nextSame[r]!; nextSame[r] = i; return; }
    }
  }

  /** Children of a row in order (start time, then key). */
  private childrenOf(row: number): ArrayLike<number> {
    const more = this.extra.get(row);
    if (more) return more;
    return row < this.baseN ? this.childRows.subarray(this.childStart[row]!, this.childStart[row + 1]!) : [];
  }

  private addChild(p: number, c: number): void {
    let list = this.extra.get(p);
    if (!list) { list = Array.from(this.childrenOf(p)); this.extra.set(p, list); }
    let k = list.length;
    while (k > 0 && this.before(c, list[k - 1]!)) k--;
    list.splice(k, 0, c);
  }

  private before(a: number, b: number): boolean {
    const { start, gh, gl } = this;
    return start[a]! < start[b]! || (start[a] === start[b] && (gh[a]! < gh[b]! || (gh[a] === gh[b] && gl[a]! < gl[b]!)));
  }

  /** A new index from all columns plus `rows` (a row of a known process replaces it). */
  private relinkWith(rows: unknown[][], version: number): LineageIndex {
    const n0 = this.n;
    const cap = n0 + rows.length;
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(cap); b.set(a.subarray(0, n0)); return b; };
    const gh = grow(this.gh, (n) => new Uint32Array(n)), gl = grow(this.gl, (n) => new Uint32Array(n));
    const ph = grow(this.cols.ph, (n) => new Uint32Array(n)), pl = grow(this.cols.pl, (n) => new Uint32Array(n));
    const hasParent = grow(this.cols.hasParent, (n) => new Uint8Array(n));
    const hostOf = grow(this.hostOf, (n) => new Uint32Array(n)), start = grow(this.start, (n) => new Float64Array(n));
    const hostNames = [...this.hostNames];
    const hostIds = new Map(this.hostIds);
    let n = n0;
    let upto = this.upto;
    for (const r of rows) {
      const host = String(r[4]);
      let h = hostIds.get(host);
      if (h === undefined) { h = hostNames.length; hostNames.push(host); hostIds.set(host, h); }
      const hi = Number(r[0]), lo = Number(r[1]);
      const old = this.rowOf(hi, lo, h);
      const i = old === EMPTY ? n++ : old;
      gh[i] = hi; gl[i] = lo; hostOf[i] = h; start[i] = Number(r[5]);
      if (r[2] === null) { ph[i] = 0; pl[i] = 0; hasParent[i] = 0; } else { ph[i] = Number(r[2]); pl[i] = Number(r[3]); hasParent[i] = 1; }
      upto = Math.max(upto, Number(r[6]));
    }
    // Two rows of one (host, GUID) in this read cannot happen: the store keeps one row per process.
    const cut = <T extends Uint32Array | Uint8Array | Float64Array>(a: T): T => a.subarray(0, n) as T;
    return LineageIndex.link(version, upto, hostNames, cut(gh), cut(gl), cut(ph), cut(pl), cut(hasParent), cut(hostOf), cut(start));
  }

  /** Hash table, parent rows and children lists from the loaded columns. */
  private static link(
    version: number, upto: number, hostNames: string[], gh: Uint32Array, gl: Uint32Array, ph: Uint32Array, pl: Uint32Array,
    hasParent: Uint8Array, hostOf: Uint32Array, start: Float64Array,
  ): LineageIndex {
    const n = gh.length;
    let size = 16;
    while (size < n * 2) size *= 2;
    const slots = new Int32Array(size).fill(EMPTY);
    const nextSame = new Int32Array(n).fill(EMPTY);
    const mask = size - 1;
    // Open addressing on distinct keys; rows sharing a key (one GUID on several hosts) are chained.
    outer: for (let i = 0; i < n; i++) {
      for (let s = gl[i]! & mask; ; s = (s + 1) & mask) {
        const r = slots[s]!;
        if (r === EMPTY) { slots[s] = i; continue outer; }
        if (gh[r] === gh[i] && gl[r] === gl[i]) { nextSame[i] = nextSame[r]!; nextSame[r] = i; continue outer; }
      }
    }
    const cols = { ph, pl, hasParent };
    const index = new LineageIndex(version, upto, cols, hostNames, new Map(hostNames.map((h, i) => [h, i])), gh, gl, hostOf, start,
      new Int32Array(n).fill(EMPTY), new Int32Array(n + 1), new Int32Array(0), slots, nextSame);
    const parentRow = index.parentRow;
    const counts = index.childStart;
    let withParent = 0;
    for (let i = 0; i < n; i++) {
      if (!hasParent[i]) continue;
      const p = index.rowOf(ph[i]!, pl[i]!, hostOf[i]!);
      if (p === EMPTY) continue;
      parentRow[i] = p;
      counts[p + 1]! += 1;
      withParent += 1;
    }
    for (let i = 0; i < n; i++) counts[i + 1]! += counts[i]!;
    const childRows = new Int32Array(withParent);
    const fill = counts.slice(0, n);
    for (let i = 0; i < n; i++) { const p = parentRow[i]!; if (p !== EMPTY) childRows[fill[p]!++] = i; }
    // Each parent's children by start time (then key): physical order after optimize() already is.
    const before = (a: number, b: number): boolean => start[a]! < start[b]! || (start[a] === start[b] && (gh[a]! < gh[b]! || (gh[a] === gh[b] && gl[a]! < gl[b]!)));
    for (let p = 0; p < n; p++) {
      const lo = counts[p]!, hi = counts[p + 1]!;
      let sorted = true;
      for (let k = lo + 1; k < hi && sorted; k++) sorted = !before(childRows[k]!, childRows[k - 1]!);
      if (!sorted) childRows.subarray(lo, hi).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    }
    const linked = new LineageIndex(version, upto, cols, hostNames, index.hostIds, gh, gl, hostOf, start, parentRow, counts, childRows, slots, nextSame);
    for (let i = 0; i < n; i++) {
      if (!hasParent[i] || parentRow[i] !== EMPTY) continue;
      const k = `${ph[i]}:${pl[i]}:${hostOf[i]}`;
      const waiting = linked.orphans.get(k);
      if (waiting) waiting.push(i); else linked.orphans.set(k, [i]);
    }
    return linked;
  }

  /** The row of key (hi, lo) on host `host`, or -1. */
  private rowOf(hi: number, lo: number, host: number): number {
    const mask = this.slots.length - 1;
    for (let s = lo & mask; ; s = (s + 1) & mask) {
      const r = this.slots[s]!;
      if (r === EMPTY) return EMPTY;
      if (this.gh[r] === hi && this.gl[r] === lo) {
        for (let c = r; c !== EMPTY; c = this.nextSame[c]!) if (this.hostOf[c] === host) return c;
        return EMPTY;
      }
    }
  }

  /** Rows whose GUID is `guid` (on `host` when given), in host order. */
  find(guid: string, host?: string): number[] {
    const key = duckHash(guid);
    const hi = Number(key >> 32n), lo = Number(key & 0xffffffffn);
    const mask = this.slots.length - 1;
    const hostId = host === undefined ? undefined : this.hostIds.get(host);
    if (host !== undefined && hostId === undefined) return [];
    for (let s = lo & mask; ; s = (s + 1) & mask) {
      const r = this.slots[s]!;
      if (r === EMPTY) return [];
      if (this.gh[r] === hi && this.gl[r] === lo) {
        const out: number[] = [];
        for (let c = r; c !== EMPTY; c = this.nextSame[c]!) if (hostId === undefined || this.hostOf[c] === hostId) out.push(c);
        // Host names, not ids: a catch-up appends new hosts after the sorted ones.
        return out.sort((a, b) => (this.hostName(a) < this.hostName(b) ? -1 : this.hostName(a) > this.hostName(b) ? 1 : 0));
      }
    }
  }

  /** The row of stored key (hi, lo) on host id `host` (an index into `hosts`), or -1 (event-counts.ts). */
  rowOfKey(hi: number, lo: number, host: number): number {
    return host < this.hostNames.length ? this.rowOf(hi, lo, host) : EMPTY;
  }

  /** Host names by id (sorted at build; a catch-up appends new hosts). */
  get hosts(): readonly string[] {
    return this.hostNames;
  }

  hostName(row: number): string {
    return this.hostNames[this.hostOf[row]!]!;
  }

  /** Start time in microseconds since the epoch. */
  startMicros(row: number): number {
    return this.start[row]!;
  }

  /** The stored `gkey` (DuckDB UBIGINT) of a row. */
  gkey(row: number): bigint {
    return (BigInt(this.gh[row]!) << 32n) | BigInt(this.gl[row]!);
  }

  /** Whether some process on `host` (any host when absent) has this GUID and starts within `range`. */
  has(guid: string, host?: string, range?: { from: string; to: string }): boolean {
    const [from, to] = bounds(range);
    return this.find(guid, host).some((r) => this.start[r]! >= from && this.start[r]! <= to);
  }

  /**
   * The rows tree-sql.ts's statement would return for these origins: ancestors (same host, within
   * range) up to `up` generations, descendants down to `down`, nearest generation first, stopping
   * once `limit` descendants are reached (all rows tied on start time at the cut included, so the
   * caller can finish the (start, guid) order with the GUID strings). `outside`: the parents, created
   * before the range, where an upward walk stopped (a graph shows them as `not-in-range` placeholders).
   */
  walk(origins: number[], o: WalkOptions): { entries: WalkEntry[]; outside: WalkEntry[] } {
    const [from, to] = bounds(o.range);
    const inRange = (r: number): boolean => this.start[r]! >= from && this.start[r]! <= to;
    const out: WalkEntry[] = origins.map((row) => ({ row, depth: 0, from: EMPTY }));
    const outside: WalkEntry[] = [];
    for (const origin of origins) {
      let cur = origin;
      for (let d = 1; d <= o.up; d++) {
        const p = this.parentRow[cur]!;
        if (p === EMPTY) break;
        if (!inRange(p)) { outside.push({ row: p, depth: -d, from: cur }); break; }
        out.push({ row: p, depth: -d, from: cur });
        cur = p;
      }
    }
    let level = out.filter((e) => e.depth === 0);
    let total = 0;
    for (let d = 1; d <= o.down && level.length > 0 && total < o.limit; d++) {
      const next: WalkEntry[] = [];
      for (const e of level) {
        const kids = this.childrenOf(e.row);
        for (let k = 0; k < kids.length; k++) {
          const c = kids[k]!;
          if (inRange(c)) next.push({ row: c, depth: d, from: e.row });
        }
      }
      if (total + next.length > o.limit) {
        next.sort((a, b) => this.start[a.row]! - this.start[b.row]!);
        let cut = o.limit - total;
        const last = this.start[next[cut - 1]!.row]!;
        while (cut < next.length && this.start[next[cut]!.row] === last) cut++;
        for (let i = 0; i < cut; i++) out.push(next[i]!);
        break;
      }
      for (const e of next) out.push(e);
      total += next.length;
      level = next;
    }
    return { entries: out, outside };
  }
}

function bounds(range: { from: string; to: string } | undefined): [number, number] {
  return range ? [isoToMicros(range.from), isoToMicros(range.to)] : [-Infinity, Infinity];
}
