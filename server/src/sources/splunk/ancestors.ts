/**
 * Ancestors on Splunk in a bounded number of searches (docs/splunk.md "Ancestors to the root").
 *
 * A parent starts before its child, and a Sysmon ProcessGuid embeds its process's start second
 * (guid-time.ts). So the next missing ancestor's create lies at a known second, and its own ancestors
 * lie before it: one search of the host's process-creates over `[t − span, t + 2 s]` holds it and every
 * older ancestor started within `span`. The walk follows the chain through that window in memory and,
 * where the chain leaves it, searches again below the next ancestor's time with a 16× wider span:
 * 10 min, 2.7 h, 1.8 d, 29 d, 1.3 y, 20 y — WINDOW_ROUNDS window searches cover every plausible
 * Sysmon time, whatever the depth, and no more are made. Terminations come from one final search of
 * the chain's GUIDs (from the oldest start on). A window holding more than the tree budget (a busy host)
 * is not read: that generation is looked up by GUID from its GUID's second on and the span restarts
 * small; so is every generation after the WINDOW_ROUNDS windows are spent (a busy host costs one search
 * per generation beyond them).
 * A GUID whose time is implausible is looked up without a time bound.
 */
import type { ProcessRecord, QueryContext } from '../event-source.js';
import { throwIfAborted } from '../event-source.js';
import { guidTime } from './guid-time.js';

/** First span below an ancestor's start; each further window search widens it 16×. */
export const FIRST_SPAN_MS = 10 * 60_000;
export const SPAN_GROWTH = 16;
/** Window searches before the span covers every plausible Sysmon time (2014 → now): 10 min · 16^5 ≈ 20 y. */
export const WINDOW_ROUNDS = 6;

/** What the walk needs from the source: a host's process rows in a window, and rows by GUID. */
export interface AncestorSearches {
  /** Creates + terminations of `host` in [fromMs, toMs]; null when the window holds more than the tree budget. */
  hostWindow(host: string, fromMs: number, toMs: number, ctx: QueryContext): Promise<ProcessRecord[] | null>;
  /** Rows of these GUIDs on `host` from `fromMs` (no bound when null) to now. */
  byGuid(guids: string[], host: string, fromMs: number | null, ctx: QueryContext): Promise<ProcessRecord[]>;
}

const isZero = (g: string) => /^\{0{8}-/.test(g);

/**
 * The ancestors of `start` (nearest first, `start` itself excluded), at most `maxDepth`, ending at a
 * root, a parent never logged, a GUID loop or the depth limit. `start` must be the child's own record.
 */
export async function batchedAncestors(
  s: AncestorSearches, start: ProcessRecord, maxDepth: number, ctx: QueryContext,
): Promise<ProcessRecord[]> {
  const host = start.host;
  const chain: ProcessRecord[] = [];
  const seen = new Set([start.guid]);
  const known = new Map<string, ProcessRecord>(); // rows of the windows already read
  let span = FIRST_SPAN_MS;
  let windows = 0; // window searches made (at most WINDOW_ROUNDS)
  let cur = start;
  while (chain.length < maxDepth) {
    const need = cur.parentGuid;
    if (!need || isZero(need) || seen.has(need)) break;
    let parent = known.get(need);
    if (!parent) {
      const t = guidTime(need);
      let rows: ProcessRecord[] | null = null;
      if (t !== null && windows < WINDOW_ROUNDS) {
        windows++;
        rows = await s.hostWindow(host, t - span, t + 2000, ctx);
        span = rows ? span * SPAN_GROWTH : FIRST_SPAN_MS;
      }
      // The window is too full, or the GUID carries no time: this generation alone, by GUID.
      if (!rows) rows = await s.byGuid([need], host, t === null ? null : t - 2000, ctx);
      throwIfAborted(ctx);
      for (const r of rows) if (r.host === host && !known.has(r.guid)) known.set(r.guid, r);
      parent = known.get(need);
      // Not in the window holding its start second (± 2 s): never logged (guid-time.test.ts checks the
      // GUID's time against every capture's creates).
      if (!parent) break;
    }
    seen.add(parent.guid);
    chain.push(parent);
    cur = parent;
  }
  if (chain.length === 0) return chain;
  // Window rows carry only the terminations inside each window: read the chain's ends once.
  const oldest = Math.min(...chain.map((p) => Date.parse(p.startTime)).filter(Number.isFinite));
  const ends = await s.byGuid(chain.map((p) => p.guid), host, Number.isFinite(oldest) ? oldest - 2000 : null, ctx);
  const end = new Map(ends.filter((r) => r.host === host).map((r) => [r.guid, r.endTime]));
  return chain.map((p) => ({ ...p, endTime: end.get(p.guid) ?? p.endTime }));
}
