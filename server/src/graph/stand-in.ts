/**
 * A process with no create of its own (started before logging, or its EventID 1 was lost) can still be
 * investigated: its children name it as their parent, and its own events name its image. This builds a
 * stand-in for it — a placeholder node, plus a synthetic row so the planner can treat it as an origin.
 */
import { isZeroGuid, type ProcessNode } from '@lineage/shared';
import type { EventSource, ProcessRecord, QueryContext } from '../sources/event-source.js';
import { basename, placeholderParent } from './nodes.js';

/** The stand-in: the placeholder node to show, and a row whose `startTime` anchors the window. */
export interface StandIn {
  node: ProcessNode;
  /** Synthetic: built from what others say about the process; `startTime` is the earliest sighting. */
  record: ProcessRecord;
}

/**
 * Describe `guid` from a child's Parent* fields, else from one of its own events; null when the GUID
 * appears nowhere. The window is anchored on its earliest sighting — its earliest child *or* event
 * (registry writes hours before its first child must not fall out). Two statements.
 */
export async function findStandIn(source: EventSource, guid: string, host: string | null, ctx: QueryContext): Promise<StandIn | null> {
  if (isZeroGuid(guid)) return null; // "no parent": every root names it, it is nobody
  const opts = { ctx, ...(host ? { host } : {}) };
  const kids = await source.getChildren([guid], { ...opts, limit: 1 });
  const child = kids.items[0];
  const evs = await source.getEvents([guid], { ...opts, limit: 1 });
  const ev = evs.items[0];
  if (child) {
    const anchor = ev && Date.parse(ev.time) < Date.parse(child.startTime) ? ev.time : child.startTime;
    const node = placeholderParent(child, 0, { from: anchor, to: anchor }, null);
    return { node, record: { ...recordOf(node, anchor), host: child.host } };
  }
  if (!ev) return null;
  const pid = Number(ev.fields.ProcessId ?? ev.fields.SourceProcessId);
  const image = ev.fields.Image ?? ev.fields.SourceImage ?? '';
  const record: ProcessRecord = {
    guid, parentGuid: null, host: ev.host, pid: Number.isFinite(pid) ? pid : null, parentPid: null, image, name: basename(image),
    commandLine: '', parentImage: '', parentCommandLine: '', parentUser: '', user: ev.fields.User ?? '', integrityLevel: '',
    hashes: '', currentDirectory: '', logonGuid: '', startTime: ev.time, endTime: null,
  };
  return { node: { ...standInNode(record), placeholderReason: 'not-logged' }, record };
}

function recordOf(n: ProcessNode, anchor: string): ProcessRecord {
  return {
    guid: n.guid, parentGuid: null, host: n.host, pid: n.pid, parentPid: null, image: n.image, name: n.name,
    commandLine: n.commandLine, parentImage: '', parentCommandLine: '', parentUser: '', user: n.user, integrityLevel: '',
    hashes: '', currentDirectory: '', logonGuid: '', startTime: anchor, endTime: null,
  };
}

function standInNode(r: ProcessRecord): ProcessNode {
  return {
    guid: r.guid, kind: 'process', host: r.host, pid: r.pid, image: r.image, name: r.name, commandLine: r.commandLine,
    user: r.user, startTime: null, endTime: null, parentGuid: null, parentPid: null, parentImage: '', integrityLevel: '',
    hashes: '', currentDirectory: '', logonGuid: '', placeholder: true, placeholderReason: 'not-logged', searchWider: null,
    state: 'placeholder', eventCounts: {}, depth: 0, group: null, provenance: null,
  };
}
