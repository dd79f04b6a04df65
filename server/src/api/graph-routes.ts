/**
 * Investigation routes (contracts.md "HTTP API"): the graph around a process, one process,
 * its children and its events, cursor-paged.
 */
import { Router } from 'express';
import { NotFoundError, findOrigin, investigate } from '../graph/investigate.js';
import { findStandIn } from '../graph/stand-in.js';
import { processNode } from '../graph/nodes.js';
import { listChildren, listEvents } from '../graph/paging.js';
import { jsonRoute, type SourceFor } from './handle.js';
import { annotateGraph, type SigmaGraph } from '../sigma/graph.js';
import { ChildrenQuery, EventsQuery, GraphQuery, GuidSchema, ProcessQuery, toRange } from './params.js';

/** Mount under /api: graph, process, children, events. */
export function graphRouter(sourceFor: SourceFor, sigma: SigmaGraph | null = null): Router {
  const r = Router();

  r.get('/graph', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = GraphQuery.parse(req.query);
    if (q.from && q.to) toRange(q, null); // an inverted range is refused before any query runs
    const doc = await investigate(source, {
      guid: q.guid, host: q.host ?? null, up: q.up, down: q.down, events: q.events, nodeBudget: q.budget,
      siblingThreshold: q.group, range: { from: q.from, to: q.to },
    }, ctx);
    return sigma ? annotateGraph(doc, sigma, ctx) : doc;
  }));

  r.get('/processes/:guid', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    const q = ProcessQuery.parse(req.query);
    let origin;
    try {
      origin = await findOrigin(source, guid, q.host ?? null, ctx);
    } catch (err) {
      // No create: describe it from its children / events, as graphs do.
      const standIn = err instanceof NotFoundError ? await findStandIn(source, guid, q.host ?? null, ctx) : null;
      if (!standIn) throw err;
      const counts = await source.countEvents([guid], { ctx, host: standIn.node.host });
      return { ...standIn.node, eventCounts: processNode(standIn.record, 0, counts.get(guid)).eventCounts };
    }
    const counts = await source.countEvents([guid], { ctx, host: origin.host });
    return processNode(origin, 0, counts.get(guid));
  }));

  r.get('/processes/:guid/children', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    const q = ChildrenQuery.parse(req.query);
    return listChildren(source, guid, { ctx, host: q.host ?? null, range: toRange(q, null), limit: q.limit, cursor: q.cursor ?? null });
  }));

  r.get('/processes/:guid/events', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    const q = EventsQuery.parse(req.query);
    return listEvents(source, guid, {
      ctx, host: q.host ?? null, range: toRange(q, null), limit: q.limit, cursor: q.cursor ?? null, category: q.category ?? null,
    });
  }));

  return r;
}
