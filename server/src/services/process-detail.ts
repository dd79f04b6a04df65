/**
 * `GET /api/processes/:guid`: one process with its event counts. A process with no create of its own
 * (started before logging, or its EventID 1 was lost) is described from its children and events, as
 * graphs do (graph/stand-in.ts). Throws NotFoundError when nothing names the GUID.
 */
import type { ProcessNode } from '@lineage/shared';
import { NotFoundError, findOrigin } from '../graph/investigate.js';
import { processNode } from '../graph/nodes.js';
import { findStandIn } from '../graph/stand-in.js';
import type { EventSource, QueryContext } from '../sources/event-source.js';

export async function processDetail(source: EventSource, guid: string, host: string | null, ctx: QueryContext): Promise<ProcessNode> {
  let origin;
  try {
    origin = await findOrigin(source, guid, host, ctx);
  } catch (err) {
    const standIn = err instanceof NotFoundError ? await findStandIn(source, guid, host, ctx) : null;
    if (!standIn) throw err;
    const counts = await source.countEvents([guid], { ctx, host: standIn.node.host });
    return { ...standIn.node, eventCounts: processNode(standIn.record, 0, counts.get(guid)).eventCounts };
  }
  const counts = await source.countEvents([guid], { ctx, host: origin.host });
  return processNode(origin, 0, counts.get(guid));
}
