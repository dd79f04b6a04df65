/**
 * Field access on the engine's nodes (slots of node-table.ts) and on events, and predicate tests on nodes with
 * a per-image cache: a predicate that reads only Image/Name is a function of the image, so after its first
 * test on an image it costs one byte load (most step predicates are `Image|endswith` lists).
 */
import type { EventRecord } from '../../sources/event-source.js';
import { Tri, type FieldGetter, type Predicate } from '../language/match.js';
import type { ProcessInput } from '../model.js';
import type { NodeStore } from './node-table.js';

/**
 * Raw fields a source's ProcessRecord carries (fieldOf answers them without `fields`): a predicate on any
 * other field is Unknown on every row a source returns, which the scan planner uses (run.ts).
 */
export const RECORD_FIELDS: ReadonlySet<string> = new Set([
  'Image', 'Name', 'CommandLine', 'User', 'IntegrityLevel', 'Hashes', 'CurrentDirectory', 'LogonGuid', 'ParentImage',
  'ParentCommandLine', 'ParentUser', 'ProcessId', 'ParentProcessId', 'ProcessGuid', 'ParentProcessGuid', 'Computer', 'UtcTime', 'EventID',
]);

/** Fields a node answers from the store itself; any other is kept per node only where a rule can read it. */
export const CORE_FIELDS: ReadonlySet<string> = new Set(['Image', 'Name', 'ProcessGuid', 'ParentProcessGuid', 'Computer', 'UtcTime', 'EventID']);

/** A raw field of a process-create record; '' counts as absent (sources use '' for unknown). */
export function recordField(r: ProcessInput, f: string): string | undefined {
  let v: string | null | undefined;
  switch (f) {
    case 'Image': v = r.image; break;
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

/** A field of node s, raw Sysmon names; undefined when absent. */
export function fieldOf(st: NodeStore, s: number, f: string): string | undefined {
  switch (f) {
    case 'Image': return st.imagePath(s) || undefined;
    case 'Name': return st.nameOf(s) || undefined;
    case 'ProcessGuid': return st.guidString(s);
    case 'Computer': return st.host(s);
    default:
  }
  if (st.isPh(s)) {
    const c = st.cold[s];
    switch (f) {
      case 'CommandLine': return c?.phCmd || undefined;
      case 'User': return c?.phUser || undefined;
      case 'ProcessId': return c?.phPid == null ? undefined : String(c.phPid);
      default: return undefined;
    }
  }
  switch (f) {
    case 'ParentProcessGuid': { const p = st.parent(s); return p < 0 ? undefined : st.guidString(p); }
    case 'UtcTime': return st.timeString(s);
    case 'EventID': return '1';
    default: return st.cols.get(f)?.[s];
  }
}

/** A getter bound to one node (for `where`, which reads several nodes at once). */
export function getter(st: NodeStore, s: number): FieldGetter {
  return (f) => fieldOf(st, s, f);
}

export function eventGetter(e: EventRecord): FieldGetter {
  return (f) => {
    if (f === 'EventID') return String(e.eventId);
    if (f === 'Computer') return e.host;
    const v = e.fields[f];
    return v === '' ? undefined : v;
  };
}

const IMAGE_FIELDS: ReadonlySet<string> = new Set(['Image', 'Name']);

/** A predicate registered with the table; image-only ones carry their per-image answers. */
export interface PredInfo {
  readonly pred: Predicate;
  readonly imageOnly: boolean;
  /** Per image id: 0 = not computed yet, else Tri + 1. */
  cache: Uint8Array;
}

/** Predicates of the loaded rules and their tests on nodes. */
export class PredTable {
  private readonly infos: PredInfo[] = [];
  private readonly byPred = new Map<Predicate, PredInfo>();
  private slot = 0;
  private img = 0;
  private readonly slotGet: FieldGetter = (f) => fieldOf(this.st, this.slot, f);
  private readonly imgGet: FieldGetter = (f) => {
    if (f === 'Image') return this.st.imageStr[this.img] || undefined;
    if (f === 'Name') return this.st.nameStr[this.st.imageName[this.img]!] || undefined;
    return undefined;
  };

  constructor(private readonly st: NodeStore) {}

  add(pred: Predicate): PredInfo {
    let pi = this.byPred.get(pred);
    if (!pi) {
      const imageOnly = [...pred.fields].every((f) => IMAGE_FIELDS.has(f));
      pi = { pred, imageOnly, cache: new Uint8Array(imageOnly ? Math.max(64, this.st.imageStr.length * 2) : 0) };
      this.byPred.set(pred, pi);
      this.infos.push(pi);
    }
    return pi;
  }

  /** Make room for image id `id` in every cache. */
  onImage(id: number): void {
    for (const pi of this.infos) {
      if (!pi.imageOnly || id < pi.cache.length) continue;
      const c = new Uint8Array(pi.cache.length * 2);
      c.set(pi.cache);
      pi.cache = c;
    }
  }

  /** The predicate on node s. */
  test(pi: PredInfo, s: number): Tri {
    if (pi.imageOnly) {
      const img = this.st.imageId(s);
      const c = pi.cache[img]!;
      if (c !== 0) return (c - 1) as Tri;
      this.img = img;
      const r = pi.pred.test(this.imgGet);
      pi.cache[img] = r + 1;
      return r;
    }
    this.slot = s;
    return pi.pred.test(this.slotGet);
  }
}

