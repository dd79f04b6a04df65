/**
 * The engine's process node (real, or a placeholder for a parent not seen yet) and field access on
 * nodes and events for predicates — with a shared getter so hot single-node tests allocate nothing.
 */
import type { EventRecord } from '../sources/event-source.js';
import type { FieldGetter, Predicate, Tri } from './match.js';
import type { ProcessInput } from './model.js';

/** A process in the engine: real (has `rec`) or a placeholder for a parent not seen yet. */
export interface Node {
  guid: string;
  host: string;
  parent: Node | null;
  /** True while a placeholder (a parent whose own create has not been seen). */
  ph: boolean;
  /** The create record; null for placeholders, and when no rule reads beyond the core fields (memory). */
  rec: ProcessInput | null;
  /** Image path (a placeholder's from its first child's ParentImage) and creation time as written. */
  image: string;
  time: string;
  /** Placeholder knowledge, from the first child's Parent* fields. */
  phCmd: string;
  phUser: string;
  phPid: number | null;
  name: string;
  /** Creation time in ms; NaN for placeholders. */
  startMs: number;
  /** Latest creation time of this node or any retained descendant (for eviction). */
  seen: number;
  /** Candidates whose verification is waiting for this placeholder to be filled. */
  waiters: Set<Node> | null;
  /** Set when the node left the map (retention), so waiter sets can drop it. */
  evicted: boolean;
  /** OR of the name bits (engine.ts `nameBit`) of every ancestor above this node, as linked at its add. */
  up: number;
  /**
   * Generations up to the nearest placeholder ancestor when this node was linked (Infinity: none; 0 for a
   * placeholder itself): `up` is complete for every ancestor nearer than that.
   */
  phd: number;
  /** Rule indexes already fired with this node as the leaf. */
  fired: Set<number> | null;
  dirty: boolean;
}

/**
 * Raw fields a source's ProcessRecord carries (fieldOf answers them without `fields`): a predicate on any
 * other field is Unknown on every row a source returns, which the scan planner uses (run.ts).
 */
export const RECORD_FIELDS: ReadonlySet<string> = new Set([
  'Image', 'Name', 'CommandLine', 'User', 'IntegrityLevel', 'Hashes', 'CurrentDirectory', 'LogonGuid', 'ParentImage',
  'ParentCommandLine', 'ParentUser', 'ProcessId', 'ParentProcessId', 'ProcessGuid', 'ParentProcessGuid', 'Computer', 'UtcTime', 'EventID',
]);

/** A field of a node, raw Sysmon names; '' counts as absent (sources use '' for unknown). */
export function fieldOf(n: Node, f: string): string | undefined {
  if (n.ph) {
    switch (f) {
      case 'Image': return n.image || undefined;
      case 'Name': return n.name || undefined;
      case 'CommandLine': return n.phCmd || undefined;
      case 'User': return n.phUser || undefined;
      case 'ProcessId': return n.phPid === null ? undefined : String(n.phPid);
      case 'ProcessGuid': return n.guid;
      case 'Computer': return n.host;
      default: return undefined;
    }
  }
  const r = n.rec;
  if (r === null) {
    // Record not kept: only the core fields exist (the engine keeps records when a rule reads more).
    switch (f) {
      case 'Image': return n.image || undefined;
      case 'Name': return n.name || undefined;
      case 'ProcessGuid': return n.guid;
      case 'ParentProcessGuid': return n.parent?.guid;
      case 'Computer': return n.host;
      case 'UtcTime': return n.time;
      case 'EventID': return '1';
      default: return undefined;
    }
  }
  let v: string | null | undefined;
  switch (f) {
    case 'Image': v = r.image; break;
    case 'Name': v = n.name; break;
    case 'CommandLine': v = r.commandLine; break;
    case 'User': v = r.user; break;
    case 'IntegrityLevel': v = r.integrityLevel; break;
    case 'Hashes': v = r.hashes; break;
    case 'CurrentDirectory': v = r.currentDirectory; break;
    case 'LogonGuid': v = r.logonGuid; break;
    case 'ParentImage': v = r.parentImage; break;
    case 'ParentCommandLine': v = r.parentCommandLine; break;
    case 'ParentUser': v = r.parentUser; break;
    case 'ProcessId': v = r.pid === null ? null : String(r.pid); break;
    case 'ParentProcessId': v = r.parentPid === null ? null : String(r.parentPid); break;
    case 'ProcessGuid': v = r.guid; break;
    case 'ParentProcessGuid': v = r.parentGuid; break;
    case 'Computer': v = r.host; break;
    case 'UtcTime': v = r.startTime; break;
    case 'EventID': v = '1'; break;
    default: v = r.fields?.[f];
  }
  return v === null || v === undefined || v === '' ? undefined : v;
}

/** A getter bound to one node (for `where`, which reads several nodes at once). */
export function getter(n: Node): FieldGetter {
  return (f) => fieldOf(n, f);
}

// One shared getter for single-node predicate tests: no closure allocation on the hot path.
let current: Node | null = null;
const currentGet: FieldGetter = (f) => fieldOf(current!, f);
export function testOn(pred: Predicate, n: Node): Tri {
  current = n;
  const r = pred.test(currentGet);
  current = null;
  return r;
}

export function eventGetter(e: EventRecord): FieldGetter {
  return (f) => {
    if (f === 'EventID') return String(e.eventId);
    if (f === 'Computer') return e.host;
    const v = e.fields[f];
    return v === '' ? undefined : v;
  };
}
