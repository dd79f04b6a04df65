/**
 * Pure: which fetched processes a graph shows. Given the rows a source returned around an origin
 * (origin, its ancestors, its descendants — possibly more levels than will be shown), decide depths,
 * sibling groups, the node budget cut, and every truncation record.
 *
 * The budget never starves depth: the origin and all its ancestors are always shown, then children
 * are added in passes — each pass gives every already-shown node (shallowest first) one more child,
 * preferring children that have children of their own. So a deep chain under a wide level is walked
 * one generation per pass while the wide level fills in beside it, instead of a breadth-first cap
 * spending the whole budget on the first wide level. See README.md for a worked example.
 */
import { isZeroGuid, type TimeRange, type Truncation } from '@lineage/shared';
import type { ProcessRecord } from '../sources/event-source.js';
import { ancestorsCursor, childrenCursor } from './cursor.js';
import { siblingKey, siblingName } from './sibling-key.js';

export interface PlanOptions {
  origin: string;
  /** Include the origin's ancestors (walked to the root). */
  up: boolean;
  /** Descendant generations to show (Infinity = all). Rows one level deeper only count hidden children. */
  down: number;
  /** Most nodes shown (process + group nodes); the origin and its ancestors are shown even beyond it. */
  nodeBudget: number;
  /** At least this many leaf siblings with the same key become one group node. */
  siblingThreshold: number;
  /** Host the request was restricted to (goes into cursors). */
  host: string | null;
  /** False when the source cut its descendant fetch short. */
  fetchComplete: boolean;
  /** The graph's window: cursors carry it so listings match what was counted. */
  range?: TimeRange | null;
}

/** A shown process and its generation relative to the origin (origin 0, parent -1, child 1). */
export interface PlannedProcess { record: ProcessRecord; depth: number }

/** Leaf siblings aggregated into one node. */
export interface PlannedGroup {
  /** Synthetic node id, `group:<parentGuid>:<hash of key>`. */
  id: string;
  parentGuid: string;
  key: string;
  depth: number;
  /** Members in (startTime, guid) order. */
  members: ProcessRecord[];
  /** Same-key siblings kept out of the group (they have children, or are the origin), sorted. */
  excluded: string[];
}

export interface GraphPlan {
  origin: ProcessRecord;
  /** Shown processes in (depth, startTime, guid) order. */
  processes: PlannedProcess[];
  groups: PlannedGroup[];
  truncated: Record<string, Truncation>;
  /**
   * The topmost shown process when its parent is not among the rows and must become a placeholder
   * (only with `up`): the caller classifies the parent GUID (`not-in-range` / `not-logged`).
   */
  topmost: PlannedProcess | null;
}

/** A child as a selection unit: one process, or a sibling group (one node of the budget). */
export type Unit =
  | { kind: 'process'; guid: string; start: string; hasChildren: boolean }
  | { kind: 'group'; group: PlannedGroup; start: string; hasChildren: false };

const byStart = (a: ProcessRecord, b: ProcessRecord) =>
  a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0;

/** FNV-1a 32-bit, hex: short stable ids for group nodes (keys can be long command lines). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function indexRows(rows: ProcessRecord[], host: string | null): Map<string, ProcessRecord> {
  const byGuid = new Map<string, ProcessRecord>();
  // A GUID seen on two hosts: keep the requested host's row, else the first host in sort order.
  for (const r of [...rows].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))) {
    const prev = byGuid.get(r.guid);
    if (!prev || (host !== null && r.host === host && prev.host !== host)) byGuid.set(r.guid, r);
  }
  return byGuid;
}

/** Decide what the graph around `options.origin` shows. Throws when the origin is not among `rows`. */
export function planGraph(rows: ProcessRecord[], options: PlanOptions): GraphPlan {
  const byGuid = indexRows(rows, options.host);
  const origin = byGuid.get(options.origin);
  if (!origin) throw new Error(`planGraph: origin ${options.origin} is not among the rows`);

  const childrenOf = new Map<string, ProcessRecord[]>();
  for (const r of byGuid.values()) {
    if (!r.parentGuid || r.guid === r.parentGuid) continue;
    const list = childrenOf.get(r.parentGuid);
    if (list) list.push(r); else childrenOf.set(r.parentGuid, [r]);
  }
  for (const list of childrenOf.values()) list.sort(byStart);

  // Ancestors: follow parent links as far as the rows go (cycle-safe: bad data can loop).
  const depthOf = new Map<string, number>([[origin.guid, 0]]);
  const chain: PlannedProcess[] = [{ record: origin, depth: 0 }];
  if (options.up) {
    let cur = origin;
    for (;;) {
      const parent = cur.parentGuid ? byGuid.get(cur.parentGuid) : undefined;
      if (!parent || depthOf.has(parent.guid)) break;
      const depth = (depthOf.get(cur.guid) ?? 0) - 1;
      depthOf.set(parent.guid, depth);
      chain.push({ record: parent, depth });
      cur = parent;
    }
  }

  // Descendants reachable from the origin, breadth first; depth down+1 rows are only "probes".
  const reach: ProcessRecord[] = [origin];
  for (let i = 0; i < reach.length; i++) {
    const p = reach[i]!;
    const d = depthOf.get(p.guid)!;
    if (d > options.down) continue;
    for (const c of childrenOf.get(p.guid) ?? []) {
      if (depthOf.has(c.guid)) continue;
      depthOf.set(c.guid, d + 1);
      reach.push(c);
    }
  }
  const shownDepth = (g: string) => { const d = depthOf.get(g); return d !== undefined && d <= options.down; };
  const kidsCache = new Map<string, ProcessRecord[]>();
  const kidsOf = (g: string): ProcessRecord[] => {
    let k = kidsCache.get(g);
    if (!k) { k = (childrenOf.get(g) ?? []).filter((c) => depthOf.get(c.guid) === depthOf.get(g)! + 1); kidsCache.set(g, k); }
    return k;
  };

  const units = new Map<string, Unit[]>();
  const unitsFor = (parent: ProcessRecord): Unit[] => {
    let list = units.get(parent.guid);
    if (list) return list;
    list = buildUnits(parent, kidsOf(parent.guid).filter((c) => shownDepth(c.guid)), depthOf.get(parent.guid)! + 1, options, kidsOf);
    units.set(parent.guid, list);
    return list;
  };

  // Budgeted selection in passes (see the module comment). `active` holds the shown nodes that still
  // have children to give, shallowest first; a node leaves it when it has none left, so a pass costs
  // what it adds and one very wide parent does not make the loop quadratic.
  const shown = new Set<string>(chain.map((c) => c.record.guid));
  const taken = new Map<string, number>();
  const order: string[] = [origin.guid];
  const groups: PlannedGroup[] = [];
  let budget = Math.max(0, options.nodeBudget - shown.size);
  let active: string[] = unitsFor(origin).length > 0 ? [origin.guid] : [];
  while (budget > 0 && active.length > 0) {
    const stay: string[] = [];
    const added: string[] = [];
    for (const g of active) {
      if (budget === 0) { stay.push(g); continue; }
      const list = unitsFor(byGuid.get(g)!);
      const n = taken.get(g) ?? 0;
      const u = list[n]!;
      taken.set(g, n + 1);
      budget--;
      if (n + 1 < list.length) stay.push(g);
      if (u.kind === 'group') groups.push(u.group);
      else {
        shown.add(u.guid);
        order.push(u.guid);
        if (unitsFor(byGuid.get(u.guid)!).length > 0) added.push(u.guid);
      }
    }
    // Both lists are in depth order (a pass visits shallow first; children are one deeper): merge them.
    active = mergeByDepth(stay, added, (g) => depthOf.get(g)!);
  }

  const truncated: Record<string, Truncation> = {};
  const host = options.host;
  const win = options.range ?? null;
  let maxFetched = 0;
  for (const d of depthOf.values()) maxFetched = Math.max(maxFetched, d);
  for (const g of order) {
    const rec = byGuid.get(g)!;
    const d = depthOf.get(g)!;
    const list = unitsFor(rec);
    const n = taken.get(g) ?? 0;
    if (n < list.length) {
      const hidden = list.slice(n).reduce((s, u) => s + (u.kind === 'group' ? u.group.members.length : 1), 0);
      // A cut fetch is breadth-first: only the last two fetched levels may miss children we never saw.
      const exact = options.fetchComplete || d < maxFetched - 1;
      truncated[`children:${g}`] = { limit: countProcesses(list.slice(0, n)), cursor: childrenCursor(g, host, win), remaining: exact ? hidden : null };
    } else if (d === options.down) {
      const probes = kidsOf(g).length;
      if (probes > 0) {
        truncated[`children:${g}`] = { limit: 0, cursor: childrenCursor(g, host, win), remaining: options.fetchComplete ? probes : null };
      }
    } else if (!options.fetchComplete && d >= maxFetched - 1 && kidsOf(g).length === 0) {
      // The source stopped fetching around here: children may exist that we never saw.
      truncated[`children:${g}`] = { limit: 0, cursor: childrenCursor(g, host, win), remaining: null };
    }
  }
  if (!options.fetchComplete) {
    truncated[`descendants:${origin.guid}`] = { limit: reach.length, cursor: childrenCursor(origin.guid, host, win), remaining: null };
  }

  const top = chain[chain.length - 1]!;
  const hasParent = top.record.parentGuid !== null && top.record.parentGuid !== '' &&
    (!isZeroGuid(top.record.parentGuid) || top.record.parentImage !== '' || (top.record.parentPid ?? 0) > 0);
  if (!options.up && origin.parentGuid && !isZeroGuid(origin.parentGuid)) {
    truncated[`ancestors:${origin.guid}`] = { limit: 0, cursor: ancestorsCursor(origin.guid, host), remaining: null };
  }

  const processes = [...shown].map((g) => ({ record: byGuid.get(g)!, depth: depthOf.get(g)! }));
  processes.sort((a, b) => a.depth - b.depth || byStart(a.record, b.record));
  groups.sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { origin, processes, groups, truncated, topmost: options.up && hasParent ? top : null };
}

function mergeByDepth(a: string[], b: string[], depth: (g: string) => number): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && depth(a[i]!) <= depth(b[j]!))) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

export function countProcesses(list: Unit[]): number {
  return list.reduce((s, u) => s + (u.kind === 'group' ? u.group.members.length : 1), 0);
}

/** A parent's children as selection units: leaf siblings with a common key ≥ threshold fold into one group. */
export function buildUnits(
  parent: ProcessRecord, kids: ProcessRecord[], depth: number, options: PlanOptions,
  kidsOf: (g: string) => ProcessRecord[],
): Unit[] {
  const hasKids = (r: ProcessRecord) => kidsOf(r.guid).length > 0;
  const threshold = Math.max(2, options.siblingThreshold);
  // Command-line folding is the costly part: only siblings whose image name is shared by enough
  // of them can form a group, so only those get a full key.
  const byName = new Map<string, number>();
  for (const k of kids) { const n = siblingName(k); byName.set(n, (byName.get(n) ?? 0) + 1); }
  const buckets = new Map<string, ProcessRecord[]>();
  const kept = new Map<string, string[]>();
  for (const k of kids) {
    if ((byName.get(siblingName(k)) ?? 0) < threshold) continue;
    const key = siblingKey(k);
    // A sibling that spawned something stays visible: lineage is what the analyst is after.
    const into = hasKids(k) || k.guid === options.origin ? kept : null;
    if (into) { const l = into.get(key); if (l) l.push(k.guid); else into.set(key, [k.guid]); continue; }
    const b = buckets.get(key);
    if (b) b.push(k); else buckets.set(key, [k]);
  }
  const grouped = new Set<string>();
  const units: Unit[] = [];
  for (const [key, members] of buckets) {
    if (members.length < threshold) continue;
    for (const m of members) grouped.add(m.guid);
    const excluded = [...(kept.get(key) ?? [])].sort();
    const group: PlannedGroup = { id: `group:${parent.guid}:${shortHash(key)}`, parentGuid: parent.guid, key, depth, members, excluded };
    units.push({ kind: 'group', group, start: members[0]!.startTime, hasChildren: false });
  }
  for (const k of kids) {
    if (!grouped.has(k.guid)) units.push({ kind: 'process', guid: k.guid, start: k.startTime, hasChildren: hasKids(k) });
  }
  const id = (u: Unit) => (u.kind === 'group' ? u.group.id : u.guid);
  // Children with children first (they carry the deep chains), then by start time.
  return units.sort((a, b) => Number(b.hasChildren) - Number(a.hasChildren)
    || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}
