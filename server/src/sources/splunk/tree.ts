/**
 * The Splunk source's tree walks. getTree — the whole-tree strategy: ONE search returns every
 * process-create (and terminate) of the origin's host in the window as compact `stats … by ProcessGuid`
 * rows and the tree is assembled in memory (`selectTree`); the host's counts search goes out at the
 * same moment (events.ts `prefetch`). When the host-window holds more processes than `treeBudget`, the
 * tree is walked one generation per search with batched GUID frontiers instead. Ancestors go through
 * ancestors.ts (a bounded number of window searches); rule ancestry through `processesAround`.
 */
import type { BaseOptions, ProcessRecord, QueryContext, TreeOptions, TreeRows } from '../event-source.js';
import { batchedAncestors } from './ancestors.js';
import type { SplunkEvents } from './events.js';
import { guidTime } from './guid-time.js';
import { sinceRange, type SplunkJobs } from './jobs.js';
import { byStart } from './rows.js';
import { batches, canonicalGuids } from './spl.js';

/** Rule ancestry: how far below the candidates' parents one search looks for older generations. */
export const AROUND_SPAN_MS = 6 * 3_600_000;
/** Machine parts OR-ed in one `processesAround` search at most (beyond: one generation per search). */
const GUIDS_PER_AROUND = 200;

/** No tree: the origin was not found. */
const empty = (): TreeRows => ({ processes: [], complete: true });

export class SplunkTree {
  constructor(private readonly jobs: SplunkJobs, private readonly events: SplunkEvents) {}

  /**
   * Ancestors in a bounded number of searches (ancestors.ts): host-windows below each missing
   * ancestor's GUID time, widening 16× per search, then one search for the chain's terminations.
   */
  async getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    const [g] = canonicalGuids([guid]);
    const own = await this.jobs.getProcesses([g!], o);
    const start = own.find((r) => !o.host || r.host === o.host.toLowerCase()) ?? own[0];
    return start ? this.ancestorsOf(start, o.maxDepth, o.ctx) : [];
  }

  /** The ancestors of a record already read (nearest first), in a bounded number of searches. */
  ancestorsOf(start: ProcessRecord, maxDepth: number, ctx: QueryContext): Promise<ProcessRecord[]> {
    return batchedAncestors({
      hostWindow: async (host, fromMs, toMs, c) => {
        const range = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
        const recs = await this.jobs.window(this.jobs.spl.hostProcesses(host), range, c);
        if (recs) this.jobs.remember(recs);
        return recs;
      },
      byGuid: (guids, host, fromMs, c) => this.jobs.getProcesses(guids, { ctx: c, host, ...(fromMs === null ? {} : { range: sinceRange(fromMs) }) }),
    }, start, maxDepth, ctx);
  }

  /**
   * Rule ancestry in few rounds: one search of the GUIDs' machines (machine part as an indexed term)
   * over [oldest GUID time − AROUND_SPAN_MS, newest + 2 s] returns the GUIDs' creates and every older
   * process started in that span — their ancestors, several generations at once. Falls back to the
   * GUID lookup (one generation) when a GUID carries no time or the window holds more than the tree budget.
   */
  async processesAround(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    const list = canonicalGuids(guids);
    const times = list.map((g) => guidTime(g));
    if (list.length === 0 || times.some((t) => t === null)) return this.jobs.getProcesses(list, o);
    const from = Math.min(...(times as number[])) - AROUND_SPAN_MS;
    const to = Math.max(...(times as number[])) + 2000;
    const range = { from: new Date(Math.max(from, o.range ? Date.parse(o.range.from) : from)).toISOString(), to: new Date(to).toISOString() };
    const parts = [...new Set(list.map((g) => g.slice(1, 9)))];
    if (parts.length > GUIDS_PER_AROUND) return this.jobs.getProcesses(list, o);
    const recs = await this.jobs.window(this.jobs.spl.machinesProcesses(parts), range, o.ctx);
    if (!recs) return this.jobs.getProcesses(list, o);
    const host = o.host?.toLowerCase();
    const mine = host ? recs.filter((r) => r.host === host) : recs;
    this.jobs.remember(mine);
    // An asked GUID absent from the window holding its GUID's second was never logged (guid-time.test.ts).
    return mine.sort(byStart);
  }

  /**
   * Where a GUID's process is, without a search, when the caller names the host: its start time is
   * embedded in the GUID (guid-time.ts), so the graph's window is bounded from the start instead of
   * looked up over all time. Null (a lookup follows) when the host is unknown or the time implausible;
   * a wrong time only means the tree misses the origin and the lookup runs after all.
   */
  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    const t = guidTime(guid);
    if (t === null || this.jobs.config.tstats) return null;
    // No host: '' lets getTree read the tree by the GUID's machine part (treeByMachine).
    return [{ host: host?.toLowerCase() ?? '', startTime: new Date(t).toISOString() }];
  }

  async getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    const [origin] = canonicalGuids([guid]);
    // Host unknown (a GUID-only pivot): one search by the GUID's machine part instead of a host lookup first.
    if (!o.host && !this.jobs.hosts.has(origin!) && !this.jobs.config.tstats) return this.treeByMachine(origin!, o);
    const host = await this.jobs.hostFor(origin!, o);
    if (!host) return empty();
    // Counts for the whole host-window go out at the same time as the tree search (2 jobs in parallel).
    this.events.prefetch(host, o.range, o.ctx);
    const all = await this.jobs.window(this.jobs.spl.hostProcesses(host), o.range, o.ctx);
    if (!all) return this.treeByGeneration(origin!, host, o);
    this.jobs.remember(all);
    // The host-window's every create, kept for this request (ancestors' children are counted from it).
    if (o.range) (o.ctx.windowCreates ??= []).push({ range: o.range, rows: all });
    return selectTree(all, origin!, o);
  }

  /** The tree of a GUID whose host is unknown: every process of its machine part, in one search. */
  private async treeByMachine(origin: string, o: TreeOptions): Promise<TreeRows> {
    const all = await this.jobs.window(this.jobs.spl.machineProcesses(origin.slice(1, 9)), o.range, o.ctx);
    if (!all) {
      const host = await this.jobs.hostFor(origin, o);
      return host ? this.treeByGeneration(origin, host, o) : empty();
    }
    const host = all.find((r) => r.guid === origin)?.host;
    if (!host) return empty();
    const mine = all.filter((r) => r.host === host);
    this.jobs.remember(mine);
    if (o.range) (o.ctx.windowCreates ??= []).push({ range: o.range, rows: mine });
    return selectTree(mine, origin, o);
  }

  /** Fallback for busy hosts: one search per generation, GUID frontiers batched in IN lists. */
  private async treeByGeneration(origin: string, host: string, o: TreeOptions): Promise<TreeRows> {
    const base = { ctx: o.ctx, range: o.range, host };
    const found = new Map<string, ProcessRecord>();
    const [root] = await this.jobs.getProcesses([origin], base);
    if (!root) return empty();
    found.set(root.guid, root);
    if (o.up) {
      let cur: ProcessRecord | undefined = root;
      while (cur?.parentGuid && !found.has(cur.parentGuid) && !/^\{0{8}-/.test(cur.parentGuid)) {
        const [p] = await this.jobs.getProcesses([cur.parentGuid], base);
        if (!p) break;
        found.set(p.guid, p);
        cur = p;
      }
    }
    let frontier = [root.guid];
    let complete = true;
    let descendants = 0;
    for (let level = 1; level <= o.down && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const batch of batches(frontier)) {
        const kids = await this.jobs.processesOf(this.jobs.spl.childrenOf(batch, host), { ctx: o.ctx, range: o.range });
        for (const k of kids) {
          if (found.has(k.guid)) continue;
          if (descendants >= o.nodeBudget) { complete = false; break; }
          found.set(k.guid, k);
          next.push(k.guid);
          descendants++;
        }
      }
      frontier = next;
      if (!complete) break;
    }
    const procs = [...found.values()];
    const ends = await this.jobs.getProcesses(procs.map((p) => p.guid), base);
    const end = new Map(ends.map((r) => [r.guid, r.endTime]));
    for (const p of procs) p.endTime = end.get(p.guid) ?? p.endTime;
    return { processes: procs, complete };
  }
}

/** Origin, ancestors (when `up`) and descendants to `down` levels, capped at `nodeBudget` descendants. */
export function selectTree(all: readonly ProcessRecord[], origin: string, o: Pick<TreeOptions, 'up' | 'down' | 'nodeBudget'>): TreeRows {
  const byGuid = new Map(all.map((r) => [r.guid, r]));
  const kids = new Map<string, ProcessRecord[]>();
  for (const r of all) {
    if (!r.parentGuid) continue;
    const l = kids.get(r.parentGuid);
    if (l) l.push(r); else kids.set(r.parentGuid, [r]);
  }
  const root = byGuid.get(origin);
  if (!root) return { processes: [], complete: true };
  const out = new Map<string, ProcessRecord>([[root.guid, root]]);
  if (o.up) {
    let cur = root;
    for (;;) {
      const p = cur.parentGuid ? byGuid.get(cur.parentGuid) : undefined;
      if (!p || out.has(p.guid)) break;
      out.set(p.guid, p);
      cur = p;
    }
  }
  let frontier = [root];
  let complete = true;
  let descendants = 0;
  for (let level = 1; level <= o.down && frontier.length > 0 && complete; level++) {
    const next: ProcessRecord[] = [];
    for (const parent of frontier) {
      for (const k of (kids.get(parent.guid) ?? []).sort(byStart)) {
        if (out.has(k.guid)) continue;
        if (descendants >= o.nodeBudget) { complete = false; break; }
        out.set(k.guid, k);
        next.push(k);
        descendants++;
      }
      if (!complete) break;
    }
    frontier = next;
  }
  return { processes: [...out.values()], complete };
}
