/**
 * Lifetime events on the Splunk source (docs/splunk.md "Lifetime events"). A graph's counts and cross
 * edges come from the host-window search dispatched with its tree (source.ts `getTree`). The graph
 * asks for them over the shown processes' lifetimes (graph/investigate.ts `lifetimeRange`: from the
 * window's start to the latest termination, or to now when a shown process has not terminated). When
 * that span reaches past the window, ONE more search counts the asked GUIDs' events from the end of
 * the window on (to now at most), its 8/10 events split by target as the window search splits them,
 * and the two answers are added; later calls of the same request (cross events after counts) reuse
 * the sum. A span that ends inside the window costs nothing more.
 */
import type { Category, TimeRange } from '@lineage/shared';
import type { EventRecord } from '../event-source.js';

/** Event counts by GUID and category. */
export type Counts = Map<string, Partial<Record<Category, number>>>;

/** A counts search's answer: counts by GUID and category, and its 8/10 events aggregated per target. */
export interface HostCounts { counts: Counts; cross: EventRecord[] }

/** Runs the counts search of `host` over `range`, for `guids` only (null: every process of the host). */
export type CountsSearch = (range: TimeRange, guids: readonly string[] | null) => Promise<HostCounts>;

/** Above this many GUIDs the tail search counts the whole host (one search, any list length). */
const TAIL_BY_GUID_MAX = 200;

/**
 * A host-window's key, to whole seconds: a window bounded from the GUID's start second and the same
 * window from the create's UtcTime (milliseconds later) share one counts search (docs/splunk.md).
 */
export function rangeKey(host: string, range: TimeRange | undefined): string {
  const sec = (t: string | undefined) => (t ? String(Math.floor(Date.parse(t) / 1000)) : '');
  return `${host}|${sec(range?.from)}|${sec(range?.to)}`;
}

interface Entry { host: string; range: TimeRange | undefined; guids: ReadonlySet<string> | null; answer: Promise<HostCounts> }

/** The counts searches of one request (per QueryContext), by host-window. */
export class WindowCounts {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  has(host: string, range: TimeRange | undefined): boolean {
    return this.entries.has(rangeKey(host, range));
  }

  /** Record the host-wide counts search of a tree's window. */
  set(host: string, range: TimeRange | undefined, answer: Promise<HostCounts>): void {
    this.entries.set(rangeKey(host, range), { host, range, guids: null, answer });
  }

  /**
   * Counts of `guids` on `host` over `range` from what this request already searched: the same
   * host-window, or a window starting in the same second that `range` extends — then `search` runs
   * once for the part after it. Undefined when nothing fits (the caller searches by itself).
   */
  find(host: string, range: TimeRange | undefined, guids: readonly string[], search: CountsSearch): Promise<HostCounts> | undefined {
    const exact = this.entries.get(rangeKey(host, range));
    if (exact && (exact.guids === null || guids.every((g) => exact.guids!.has(g)))) return exact.answer;
    if (!range) return undefined;
    const from = Math.floor(Date.parse(range.from) / 1000);
    const to = Date.parse(range.to);
    for (const w of this.entries.values()) {
      if (w.host !== host || w.guids !== null || !w.range || Math.floor(Date.parse(w.range.from) / 1000) !== from) continue;
      const end = Date.parse(w.range.to);
      if (!(to > end)) continue;
      // Splunk holds nothing later than now: a window already reaching now needs no tail.
      const tailEnd = Math.min(to, this.now());
      if (tailEnd <= end) return w.answer;
      const tail: TimeRange = { from: new Date(end + 1).toISOString(), to: new Date(tailEnd).toISOString() };
      const only = guids.length > TAIL_BY_GUID_MAX ? null : [...guids];
      const answer = Promise.all([w.answer, search(tail, only)]).then(([a, b]) => addCounts(a, b));
      answer.catch(() => { /* surfaced to whoever awaits it */ });
      this.entries.set(rangeKey(host, range), { host, range, guids: only ? new Set(only) : null, answer });
      return answer;
    }
    return undefined;
  }
}

/** `a` + `b`: counts summed per GUID and category; cross events summed per (source, target, EventID), the earliest's details kept. */
export function addCounts(a: HostCounts, b: HostCounts): HostCounts {
  const counts: Counts = new Map();
  for (const src of [a.counts, b.counts]) {
    for (const [guid, byCat] of src) {
      const into = counts.get(guid) ?? {};
      for (const [cat, n] of Object.entries(byCat) as [Category, number][]) into[cat] = (into[cat] ?? 0) + n;
      counts.set(guid, into);
    }
  }
  const cross = new Map<string, EventRecord>();
  for (const e of [...a.cross, ...b.cross]) {
    const key = `${e.host}|${e.guid}|${e.targetGuid ?? ''}|${e.eventId}`;
    const had = cross.get(key);
    if (!had) { cross.set(key, { ...e }); continue; }
    const n = (had.count ?? 1) + (e.count ?? 1);
    const first = e.time < had.time ? e : had;
    cross.set(key, { ...first, count: n });
  }
  return { counts, cross: [...cross.values()] };
}
