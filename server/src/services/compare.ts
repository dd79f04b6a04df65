/**
 * Compare two process trees (`GET /api/compare`): each side's subtree (one graph each, no sibling
 * grouping), nodes matched along the path from the root by the sibling key (image + folded command line,
 * graph/sibling-key.ts). A position holds every node of a side with that path; the sides' counts and
 * their events by category are compared. The two roots are matched by the caller's choice.
 */
import type { CompareAnswer, CompareRequest, CompareRow, GraphDocument, ProcessNode } from '@lineage/shared';
import { investigate } from '../graph/investigate.js';
import { normaliseCommandLine, siblingKey, siblingName } from '../graph/sibling-key.js';
import type { EventSource, QueryContext } from '../sources/event-source.js';

/** Most processes read per side; a bigger subtree is compared as far as it was read (and says so). */
export const COMPARE_NODE_BUDGET = 2000;

interface Position { path: string[]; depth: number; nodes: ProcessNode[] }

/** Nodes of a subtree by their path of sibling keys below the root (JSON of the path → position). */
function positions(doc: GraphDocument): Map<string, Position> {
  const byGuid = new Map(doc.nodes.filter((n) => n.kind === 'process' && !n.placeholder).map((n) => [n.guid, n]));
  const paths = new Map<string, string[]>([[doc.origin, []]]);
  const pathOf = (n: ProcessNode): string[] | null => {
    const known = paths.get(n.guid);
    if (known) return known;
    const parent = n.parentGuid ? byGuid.get(n.parentGuid) : undefined;
    const up = parent ? pathOf(parent) : null;
    if (!up) return null;
    const p = [...up, siblingKey(n)];
    paths.set(n.guid, p);
    return p;
  };
  const out = new Map<string, Position>();
  for (const n of byGuid.values()) {
    const p = pathOf(n);
    if (!p) continue;
    const k = JSON.stringify(p);
    const pos = out.get(k) ?? { path: p, depth: p.length, nodes: [] };
    pos.nodes.push(n);
    out.set(k, pos);
  }
  return out;
}

function sumEvents(nodes: ProcessNode[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) for (const [k, v] of Object.entries(n.eventCounts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

async function side(source: EventSource, guid: string, host: string | undefined, ctx: QueryContext): Promise<GraphDocument> {
  return investigate(source, { guid, host: host ?? null, up: false, down: Infinity, nodeBudget: COMPARE_NODE_BUDGET, siblingThreshold: 1_000_000 }, ctx);
}

export async function compareTrees(source: EventSource, req: CompareRequest, ctx: QueryContext): Promise<CompareAnswer> {
  const started = performance.now();
  const docA = await side(source, req.a, req.aHost, ctx);
  const docB = await side(source, req.b, req.bHost, ctx);
  const pa = positions(docA);
  const pb = positions(docB);
  const rows: CompareRow[] = [];
  for (const k of new Set([...pa.keys(), ...pb.keys()])) {
    const a = pa.get(k)?.nodes ?? [];
    const b = pb.get(k)?.nodes ?? [];
    const first = (a[0] ?? b[0])!;
    const eventsA = sumEvents(a);
    const eventsB = sumEvents(b);
    const eventDiff: Record<string, number> = {};
    for (const c of new Set([...Object.keys(eventsA), ...Object.keys(eventsB)])) {
      const d = (eventsB[c] ?? 0) - (eventsA[c] ?? 0);
      if (d !== 0) eventDiff[c] = d;
    }
    const status = a.length === 0 ? 'only-b' : b.length === 0 ? 'only-a' : a.length === b.length ? 'both' : a.length > b.length ? 'more-a' : 'more-b';
    const path = (pa.get(k) ?? pb.get(k))!.path;
    rows.push({
      path, name: siblingName(first), commandLine: normaliseCommandLine(first.commandLine), depth: path.length,
      a: a.map((n) => n.guid), b: b.map((n) => n.guid), status, eventsA, eventsB, eventDiff,
    });
  }
  // Tree order: by path, so a position follows its parent.
  rows.sort((x, y) => (JSON.stringify(x.path) < JSON.stringify(y.path) ? -1 : 1));
  const sideOf = (d: GraphDocument) => {
    const root = d.nodes.find((n) => n.guid === d.origin)!;
    return {
      guid: root.guid, host: root.host, name: root.name, commandLine: root.commandLine, startTime: root.startTime,
      processes: d.nodes.filter((n) => n.kind === 'process' && !n.placeholder).length,
      complete: !Object.keys(d.truncated).some((k) => k.startsWith('children:') || k.startsWith('group:')),
    };
  };
  const count = (s: CompareRow['status']) => rows.filter((r) => r.status === s).length;
  return {
    a: sideOf(docA), b: sideOf(docB), rows,
    summary: {
      onlyA: count('only-a'), onlyB: count('only-b'), countDiffers: count('more-a') + count('more-b'),
      eventsDiffer: rows.filter((r) => r.a.length > 0 && r.b.length > 0 && Object.keys(r.eventDiff).length > 0).length, same: count('both'),
    },
    stats: { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - started) },
  };
}
