/**
 * The search index's word vocabulary held in memory, so planning a search (search-index.ts
 * `planSearch`: which tokens contain each piece of the query, and how many processes hold them)
 * needs no statement when every piece has a letter.
 *
 * Why: planning was a `contains` over every distinct token in SQL — ≈ 14 ms CPU per search on the
 * 10M-event store, more than the search itself — and almost all of those tokens are digits only
 * (474,751 of 475,176 there: ticks, ids). A piece with a letter can only lie inside a token with a
 * letter, so those tokens (425 there) answer it exactly. A query with a digit-only piece, or with
 * characters beyond ASCII (JS and DuckDB may lowercase those differently), is planned in SQL as before.
 *
 * A search within one host that holds at most HOST_SCAN_PROCESSES processes scans the host instead
 * (cheaper there; the snapshot also holds the processes per host).
 *
 * Exactness: the snapshot's `upto` is read before its tokens (in one transaction), so every row with
 * `seq` ≤ `upto` was tokenised into tokens the snapshot holds; rows written later have a higher `seq`
 * and are read by the search's second branch. A snapshot is dropped while the index is being caught
 * up (a rebuild deletes postings), and reloaded after.
 */
import type { ConnectionPool } from './sql-runner.js';
import { MAX_CANDIDATE_SHARE, MAX_TERMS, type SearchPlan, type TextCriteria } from './search-index.js';

/** Word tokens held at most; a vocabulary beyond this is planned in SQL (memory stays bounded). */
const MAX_WORDS = 200_000;
/**
 * A search within one host scans that host's rows when it holds at most this many processes: the
 * indexed statement has a fixed cost above such a scan (10M store, host of ≈ 100k processes, warm,
 * alternating, CPU medians: 1 candidate 5.3 vs 3.5 ms, 10 candidates 7.1 vs 3.7, 160 candidates 7.6
 * vs 5.8), while over all 2M processes the index wins ×7–10 (docs/security.md).
 */
export const HOST_SCAN_PROCESSES = 150_000;

interface Snapshot {
  upto: number;
  total: number;
  /** Processes per (lowercased) host. */
  perHost: Map<string, number>;
  /** Word tokens (with a letter) per field: 0 command line, 1 image. */
  words: [Word[], Word[]];
}
interface Word { term: string; tid: number; df: number }

export class SearchVocabulary {
  private snapshot: Snapshot | null = null;
  private loaded = -1;
  private loading: Promise<void> | null = null;
  /** Plans answered in memory / left to SQL / host-scoped searches left to the host's scan (tests, benches). */
  readonly stats = { memory: 0, sql: 0, hostScan: 0 };

  constructor(private readonly pool: ConnectionPool) {}

  /**
   * The plan for `c` from memory (null: scan, as planSearch's null), or undefined when it must be
   * planned in SQL. `generation` names the index state (bumped by each catch-up); -1 while a catch-up runs.
   */
  async plan(c: TextCriteria, generation: number, host?: string): Promise<SearchPlan | null | undefined> {
    const pieces = piecesOf(c);
    if (!pieces || generation < 0) { this.stats.sql += 1; return undefined; }
    if (this.loaded !== generation) await this.load(generation);
    const s = this.snapshot;
    if (!s || this.loaded !== generation) { this.stats.sql += 1; return undefined; }
    this.stats.memory += 1;
    // A small host is cheaper to scan than to look up (processes written since the snapshot are few next to the bound).
    if (host !== undefined && (s.perHost.get(host.toLowerCase()) ?? 0) <= HOST_SCAN_PROCESSES) { this.stats.hostScan += 1; return null; }
    let best: SearchPlan | null = null;
    for (const { f, piece } of pieces) {
      const tids: number[] = [];
      let df = 0;
      for (const w of s.words[f]) if (w.term.includes(piece)) { tids.push(w.tid); df += w.df; }
      if (tids.length > MAX_TERMS || df > s.total * MAX_CANDIDATE_SHARE) continue;
      if (!best || df < best.candidates) best = { tids: tids.sort((a, b) => a - b), upto: s.upto, candidates: df };
    }
    return best;
  }

  private async load(generation: number): Promise<void> {
    while (this.loading) await this.loading;
    if (this.loaded === generation) return;
    this.loading = (async () => {
      const conn = await this.pool.acquire();
      try {
        await conn.run('BEGIN TRANSACTION');
        try {
          const upto = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'search_upto'`)).getRowsJS()[0]?.[0];
          const hosts = (await conn.runAndReadAll(`SELECT host, count(*) FROM processes GROUP BY host`)).getRowsJS();
          const rows = (await conn.runAndReadAll(`SELECT f, term, tid, df FROM search_terms WHERE regexp_matches(term, '[a-z]') LIMIT ${MAX_WORDS + 1}`)).getRowsJS();
          // All processes: the sum over the hosts (same transaction, no second count).
          this.snapshot = upto == null || rows.length > MAX_WORDS ? null : {
            upto: Number(upto), total: hosts.reduce((n, r) => n + Number(r[1]), 0), perHost: new Map(hosts.map((r) => [String(r[0]), Number(r[1])])),
            words: [0, 1].map((f) => rows.filter((r) => Number(r[0]) === f).map((r) => ({ term: String(r[1]), tid: Number(r[2]), df: Number(r[3]) }))) as [Word[], Word[]],
          };
        } finally {
          await conn.run('COMMIT');
        }
        this.loaded = generation;
      } catch {
        this.snapshot = null; // planned in SQL; tried again with the next generation
        this.loaded = generation;
      } finally {
        this.pool.release(conn);
      }
    })();
    try { await this.loading; } finally { this.loading = null; }
  }
}

/**
 * The query's pieces as PLAN_SQL splits them (lowercased, split on non-[a-z0-9], empty dropped, distinct
 * per field), or null when memory cannot plan them: a non-ASCII character, or a piece without a letter.
 */
export function piecesOf(c: TextCriteria): { f: 0 | 1; piece: string }[] | null {
  const out: { f: 0 | 1; piece: string }[] = [];
  for (const [f, s] of [[0, c.text], [1, c.image]] as const) {
    if (s == null) continue;
    if (/[^\x20-\x7e]/.test(s)) return null;
    for (const piece of new Set(s.toLowerCase().split(/[^a-z0-9]+/))) {
      if (piece === '') continue;
      if (!/[a-z]/.test(piece)) return null;
      out.push({ f, piece });
    }
  }
  return out;
}
