/**
 * Sigma hits on a graph document, computed lazily per graph (see ./README.md for why not at ingest):
 * every stored event of the document's processes — their own EventID 1 included, with all its raw
 * fields — is read (one statement per host), matched, and each process node gets
 * `sigma: {count, highest, hits}`. Past `maxEvents` the scan stops and the document says so under
 * `truncated.sigma`.
 */
import type { GraphDocument, NodeSigma } from '@lineage/shared';
import type { QueryContext } from '../sources/event-source.js';
import type { SigmaEngine } from './engine.js';
import type { SigmaLibrary } from './load.js';
import { highestLevel, matchStored, type SigmaHitRecord, type StoredEvent } from './hits.js';

/** Reads the stored events of these process GUIDs on one host, at most `limit` (in insertion order). */
export type EventReader = (guids: string[], host: string, limit: number, ctx: QueryContext) => Promise<StoredEvent[]>;

/**
 * What the graph route needs to mark nodes: the rules and where the events come from; `library`: the
 * same rules by id, for lineage rules' `sigma: <id>` steps.
 */
export interface SigmaGraph { engine: SigmaEngine; events: EventReader; library?: SigmaLibrary }

export async function annotateGraph(doc: GraphDocument, sigma: SigmaGraph, ctx: QueryContext, opts: { maxEvents?: number } = {}): Promise<GraphDocument> {
  const maxEvents = opts.maxEvents ?? 200_000;
  const byHost = new Map<string, string[]>();
  for (const n of doc.nodes) {
    if (n.kind !== 'process' || n.placeholder) continue;
    const list = byHost.get(n.host);
    if (list) list.push(n.guid); else byHost.set(n.host, [n.guid]);
  }
  const hits: SigmaHitRecord[] = [];
  let left = maxEvents;
  let cut = false;
  for (const [host, guids] of byHost) {
    const events = await sigma.events(guids, host, left + 1, ctx);
    if (events.length > left) { cut = true; events.length = left; }
    left -= events.length;
    hits.push(...matchStored(sigma.engine, events));
    if (cut) break;
  }
  const perNode = new Map<string, SigmaHitRecord[]>();
  for (const h of hits) {
    const key = `${h.host}\0${h.guid ?? ''}`;
    const list = perNode.get(key);
    if (list) list.push(h); else perNode.set(key, [h]);
  }
  const nodes = doc.nodes.map((n) => {
    const own = perNode.get(`${n.host}\0${n.guid}`);
    if (!own) return n;
    const s: NodeSigma = { count: own.length, highest: highestLevel(own)!, hits: own };
    return { ...n, sigma: s };
  });
  const truncated = cut ? { ...doc.truncated, sigma: { limit: maxEvents, cursor: '', remaining: null } } : doc.truncated;
  return { ...doc, nodes, truncated };
}
