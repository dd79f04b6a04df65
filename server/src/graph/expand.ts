/**
 * Pure: budgeted best-first expansion by suspicion ("Expand what matters", docs/api.md `expand`).
 * From the origin, open up to `nodeBudget` nodes; at each step open the frontier unit (a child of an
 * opened process, or a sibling group) whose *branch* scores highest: the best suspicion score in the
 * unit's subtree, so a benign-looking parent on the way to something bad is opened before a noisy
 * leaf. Ties: own score, shallower, earlier start, id. Children come as units in the source's order
 * (plan.ts `buildUnits`): leaf siblings with one key fold into a group, which costs one node and is
 * never opened further. The origin and its ancestors are always shown (as in plan.ts).
 */
import type { Truncation } from '@lineage/shared';
import type { ProcessRecord } from '../sources/event-source.js';
import { childrenCursor } from './cursor.js';
import { buildUnits, countProcesses, indexRows, planGraph, type GraphPlan, type PlanOptions, type PlannedGroup, type Unit } from './plan.js';
import type { Reason, Suspicion } from './suspicion.js';

/** One opened node and why. */
export interface OpenedNode {
  /** Process GUID or group id. */
  id: string;
  /** 0 for the origin, then the order the expansion opened it in. */
  order: number;
  /** Own score (a group: its strongest member's). */
  score: number;
  /** Best score in its subtree, itself included. */
  branch: number;
  reasons: Reason[];
  /** When the branch scores higher than the node: the descendant it leads to. */
  leadsTo: { guid: string; name: string; score: number } | null;
}

export interface Expansion {
  plan: GraphPlan;
  opened: OpenedNode[];
  /** True when the budget ran out with units left unopened, or the source cut its fetch. */
  truncated: boolean;
  /** Processes under the origin that were scored (fetched), and how many of them stay hidden. */
  considered: number;
  hidden: number;
}

const NONE: Suspicion = { score: 0, reasons: [] };

interface Entry { unit: Unit; parent: string; depth: number; branch: number; own: number; via: string | null; id: string }

function better(a: Entry, b: Entry): boolean {
  if (a.branch !== b.branch) return a.branch > b.branch;
  if (a.own !== b.own) return a.own > b.own;
  if (a.depth !== b.depth) return a.depth < b.depth;
  if (a.unit.start !== b.unit.start) return a.unit.start < b.unit.start;
  return a.id < b.id;
}

/** Choose what to show around `options.origin` by suspicion. `scores` by GUID (absent = 0). */
export function expandBySuspicion(rows: ProcessRecord[], options: PlanOptions, scores: Map<string, Suspicion>): Expansion {
  // The origin, its ancestors, their truncation records and the topmost placeholder: as the planner does.
  const base = planGraph(rows, { ...options, nodeBudget: 0, down: Infinity });
  const origin = base.origin;
  const byGuid = indexRows(rows, options.host);
  const childrenOf = new Map<string, ProcessRecord[]>();
  for (const r of byGuid.values()) {
    if (!r.parentGuid || r.guid === r.parentGuid) continue;
    const list = childrenOf.get(r.parentGuid);
    if (list) list.push(r); else childrenOf.set(r.parentGuid, [r]);
  }
  for (const list of childrenOf.values()) list.sort((a, b) => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.guid < b.guid ? -1 : 1));
  const chain = new Set(base.processes.map((p) => p.record.guid));

  // Descendants breadth first (cycle-safe), then the best score of each subtree bottom-up.
  const depthOf = new Map<string, number>([[origin.guid, 0]]);
  const order: ProcessRecord[] = [origin];
  for (let i = 0; i < order.length; i++) {
    const p = order[i]!;
    for (const c of childrenOf.get(p.guid) ?? []) {
      if (depthOf.has(c.guid) || chain.has(c.guid)) continue;
      depthOf.set(c.guid, depthOf.get(p.guid)! + 1);
      order.push(c);
    }
  }
  const kidsOf = (g: string) => (childrenOf.get(g) ?? []).filter((c) => depthOf.get(c.guid) === (depthOf.get(g) ?? -2) + 1);
  const own = (g: string) => (scores.get(g) ?? NONE).score;
  const best = new Map<string, { score: number; via: string }>();
  for (let i = order.length - 1; i >= 0; i--) {
    const g = order[i]!.guid;
    let b = { score: own(g), via: g };
    for (const c of kidsOf(g)) { const cb = best.get(c.guid)!; if (cb.score > b.score) b = cb; }
    best.set(g, b);
  }

  const unitsOf = new Map<string, Unit[]>();
  const units = (g: string): Unit[] => {
    let u = unitsOf.get(g);
    if (!u) { u = buildUnits(byGuid.get(g)!, kidsOf(g), depthOf.get(g)! + 1, options, kidsOf); unitsOf.set(g, u); }
    return u;
  };
  const entry = (unit: Unit, parent: string): Entry => {
    if (unit.kind === 'group') {
      const top = strongestMember(unit.group, own);
      return { unit, parent, depth: unit.group.depth, branch: own(top), own: own(top), via: top, id: unit.group.id };
    }
    const b = best.get(unit.guid)!;
    return { unit, parent, depth: depthOf.get(unit.guid)!, branch: b.score, own: own(unit.guid), via: b.via, id: unit.guid };
  };

  const opened: OpenedNode[] = [describe(origin.guid, 0, own(origin.guid), best.get(origin.guid)!, scores, byGuid)];
  const shown = new Set<string>(chain);
  const taken = new Map<string, Set<string>>();
  const groups: PlannedGroup[] = [];
  let frontier: Entry[] = units(origin.guid).map((u) => entry(u, origin.guid));
  let budget = Math.max(0, options.nodeBudget - shown.size);
  while (budget > 0 && frontier.length > 0) {
    let at = 0;
    for (let i = 1; i < frontier.length; i++) if (better(frontier[i]!, frontier[at]!)) at = i;
    const e = frontier[at]!;
    frontier[at] = frontier[frontier.length - 1]!;
    frontier.pop();
    budget--;
    const set = taken.get(e.parent) ?? new Set<string>();
    taken.set(e.parent, set.add(e.id));
    if (e.unit.kind === 'group') {
      groups.push(e.unit.group);
      const top = e.via!;
      const s = scores.get(top) ?? NONE;
      opened.push({
        id: e.id, order: opened.length, score: e.own, branch: e.branch, leadsTo: null,
        reasons: [{ kind: 'group', weight: 0, text: `${e.unit.group.members.length} similar ${byGuid.get(top)!.name} siblings, shown as one group` }, ...s.reasons],
      });
      continue;
    }
    shown.add(e.unit.guid);
    opened.push(describe(e.unit.guid, opened.length, e.own, best.get(e.unit.guid)!, scores, byGuid));
    frontier = frontier.concat(units(e.unit.guid).map((u) => entry(u, e.id)));
  }

  // Truncation records for every shown process whose children were not all opened (plan.ts rules).
  const truncated: Record<string, Truncation> = {};
  for (const [k, v] of Object.entries(base.truncated)) if (!k.startsWith('children:')) truncated[k] = v;
  let maxFetched = 0;
  for (const d of depthOf.values()) maxFetched = Math.max(maxFetched, d);
  for (const g of shown) {
    if (!depthOf.has(g)) continue; // an ancestor: its other children are not part of this view
    const list = units(g);
    const done = taken.get(g) ?? new Set<string>();
    const open = list.filter((u) => done.has(u.kind === 'group' ? u.group.id : u.guid));
    const rest = list.filter((u) => !done.has(u.kind === 'group' ? u.group.id : u.guid));
    const d = depthOf.get(g)!;
    const exact = options.fetchComplete || d < maxFetched - 1;
    if (rest.length > 0 || (!exact && list.length === 0)) {
      truncated[`children:${g}`] = { limit: countProcesses(open), cursor: childrenCursor(g, options.host, options.range ?? null), remaining: exact ? countProcesses(rest) : null };
    }
  }
  const processes = [...shown].map((g) => ({ record: byGuid.get(g)!, depth: depthOf.get(g) ?? base.processes.find((p) => p.record.guid === g)!.depth }));
  processes.sort((a, b) => a.depth - b.depth || (a.record.startTime < b.record.startTime ? -1 : a.record.startTime > b.record.startTime ? 1 : a.record.guid < b.record.guid ? -1 : 1));
  groups.sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : 1));
  const inGroups = groups.reduce((s, g) => s + g.members.length, 0);
  const considered = order.length;
  return {
    plan: { origin, processes, groups, truncated, topmost: base.topmost },
    opened,
    truncated: frontier.length > 0 || !options.fetchComplete,
    considered,
    hidden: considered - [...shown].filter((g) => depthOf.has(g)).length - inGroups,
  };
}

function strongestMember(g: PlannedGroup, own: (g: string) => number): string {
  let top = g.members[0]!.guid;
  for (const m of g.members) if (own(m.guid) > own(top)) top = m.guid;
  return top;
}

function describe(
  guid: string, order: number, score: number, b: { score: number; via: string }, scores: Map<string, Suspicion>, byGuid: Map<string, ProcessRecord>,
): OpenedNode {
  const leadsTo = b.score > score && b.via !== guid ? { guid: b.via, name: byGuid.get(b.via)?.name ?? '', score: b.score } : null;
  return { id: guid, order, score, branch: b.score, reasons: (scores.get(guid) ?? NONE).reasons, leadsTo };
}
