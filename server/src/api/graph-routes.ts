/**
 * Investigation routes (docs/api.md): the graph around a process, one process,
 * its children and its events, cursor-paged. Each route parses its input and calls one function.
 */
import { Router } from 'express';
import { investigate } from '../graph/investigate.js';
import { processDetail } from '../services/process-detail.js';
import { listChildren, listEvents, listGroupEvents } from '../graph/paging.js';
import { ChildrenQuery, EventsQuery, GraphQuery, GroupEventsQuery, GuidSchema, ProcessQuery } from '@lineage/shared';
import { jsonRoute, type SourceFor } from './handle.js';
import { toRange } from './params.js';
import { annotateGraph, type SigmaGraph } from '../sigma/graph.js';
import { expandGraph } from '../services/expand.js';

/** Mount under /api: graph, process, children, events, a sibling group's events. */
export function graphRouter(sourceFor: SourceFor, sigma: SigmaGraph | null = null): Router {
  const r = Router();

  r.get('/graph', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = GraphQuery.parse(req.query);
    if (q.from && q.to) toRange(q, null); // an inverted range is refused before any query runs
    const gr = {
      guid: q.guid, host: q.host ?? null, up: q.up, down: q.down, events: q.events, nodeBudget: q.budget,
      siblingThreshold: q.group, range: { from: q.from, to: q.to },
    };
    const doc = q.expand ? await expandGraph(source, { ...gr, expand: q.expand }, ctx, { sigma })
      : await investigate(source, gr, ctx);
    return sigma ? annotateGraph(doc, sigma, ctx) : doc;
  }));

  r.get('/processes/:guid', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const guid = GuidSchema.parse(req.params.guid);
    return processDetail(source, guid, ProcessQuery.parse(req.query).host ?? null, ctx);
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

  r.get('/groups/events', jsonRoute(sourceFor, async (req, { source, ctx }) => {
    const q = GroupEventsQuery.parse(req.query);
    return listGroupEvents(source, q.group ?? null, {
      ctx, host: q.host ?? null, range: toRange(q, null), limit: q.limit, cursor: q.cursor ?? null, category: q.category ?? null,
    });
  }));

  return r;
}
