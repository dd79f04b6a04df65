/**
 * Pure conversions from source rows to graph nodes: processes, placeholders and sibling groups.
 */
import { ZERO_GUID, isZeroGuid, type ProcessNode, type TimeRange } from '@lineage/shared';
import type { EventRecord, ProcessRecord } from '../sources/event-source.js';
import { childrenCursor } from './cursor.js';
import type { PlannedGroup } from './plan.js';
import { normaliseCommandLine } from './sibling-key.js';

type Counts = Partial<Record<string, number>>;

const HOUR_MS = 3_600_000;

/** Lowercase file name of a Windows or POSIX path (`C:\\x\\CMD.EXE` → `cmd.exe`). */
export function basename(image: string): string {
  return (image.split(/[\\/]/).pop() ?? '').toLowerCase();
}

function cleanCounts(c: Counts | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(c ?? {}).sort()) { const v = c?.[k]; if (v) out[k] = v; }
  return out;
}

function provenanceOf(r: ProcessRecord): ProcessNode['provenance'] {
  return r.query ? { source: 'splunk', query: r.query, jobId: r.jobId ?? null, url: r.url ?? null } : null;
}

/** A process-create row as a node. */
export function processNode(r: ProcessRecord, depth: number, counts: Counts | undefined): ProcessNode {
  return {
    guid: r.guid, kind: 'process', host: r.host, pid: r.pid, image: r.image, name: r.name || basename(r.image),
    commandLine: r.commandLine, user: r.user, startTime: r.startTime, endTime: r.endTime,
    parentGuid: r.parentGuid, parentPid: r.parentPid, parentImage: r.parentImage,
    integrityLevel: r.integrityLevel, hashes: r.hashes, currentDirectory: r.currentDirectory, logonGuid: r.logonGuid,
    placeholder: false, placeholderReason: null, searchWider: null,
    state: r.endTime ? 'terminated' : 'running',
    eventCounts: cleanCounts(counts), depth, group: null, provenance: provenanceOf(r),
  };
}

/** Id of the placeholder standing for a zero-GUID parent: one per (host, parent pid, parent image). */
export function zeroParentId(child: ProcessRecord): string {
  return `zero:${child.host}:${child.parentPid ?? ''}:${basename(child.parentImage)}`;
}

/**
 * The parent of `child` as a placeholder built from the child's Parent* fields.
 * `found` is the parent's create found outside the window (reason `not-in-range`): its details fill the
 * node and `searchWider` names the window that would include it.
 */
export function placeholderParent(
  child: ProcessRecord, depth: number, range: TimeRange, found: ProcessRecord | null, counts?: Counts,
): ProcessNode {
  const zero = !child.parentGuid || isZeroGuid(child.parentGuid);
  const reason = zero ? 'zero-guid' : found ? 'not-in-range' : 'not-logged';
  const base: ProcessNode = found
    ? processNode(found, depth, counts)
    : {
      guid: zero ? zeroParentId(child) : child.parentGuid!, kind: 'process', host: child.host, pid: child.parentPid,
      image: child.parentImage, name: basename(child.parentImage), commandLine: child.parentCommandLine,
      user: child.parentUser, startTime: null, endTime: null, parentGuid: null, parentPid: null, parentImage: '',
      integrityLevel: '', hashes: '', currentDirectory: '', logonGuid: '', placeholder: true,
      placeholderReason: null, searchWider: null, state: 'placeholder', eventCounts: cleanCounts(counts), depth,
      group: null, provenance: null,
    };
  let searchWider: TimeRange | null = null;
  if (found) {
    const start = Date.parse(found.startTime);
    const from = Math.min(start - HOUR_MS, Date.parse(range.from));
    const to = Math.max(start + HOUR_MS, Date.parse(range.to));
    searchWider = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }
  return { ...base, placeholder: true, placeholderReason: reason, searchWider, state: 'placeholder' };
}

/** The target of a cross edge that has no create row in range, from the event's Target* fields. */
export function placeholderTarget(
  ev: EventRecord, depth: number, range: TimeRange, found: ProcessRecord | null,
): ProcessNode {
  const pid = Number(ev.fields.TargetProcessId);
  const pseudoChild: ProcessRecord = {
    guid: '', parentGuid: ev.targetGuid ?? ZERO_GUID, host: ev.host, pid: null, parentPid: Number.isFinite(pid) ? pid : null,
    image: '', name: '', commandLine: '', parentImage: ev.fields.TargetImage ?? '', parentCommandLine: '',
    parentUser: ev.fields.TargetUser ?? '', user: '', integrityLevel: '', hashes: '', currentDirectory: '', logonGuid: '',
    startTime: ev.time, endTime: null,
  };
  return placeholderParent(pseudoChild, depth, range, found);
}

/** A sibling group as one node; its counts are the members' summed. */
export function groupNode(g: PlannedGroup, host: string | null, range: TimeRange | null, countsOf: (guid: string) => Counts | undefined): ProcessNode {
  const first = g.members[0]!;
  const sum: Record<string, number> = {};
  for (const m of g.members) {
    for (const [k, v] of Object.entries(countsOf(m.guid) ?? {})) if (v) sum[k] = (sum[k] ?? 0) + v;
  }
  const users = new Set(g.members.map((m) => m.user));
  const running = g.members.some((m) => !m.endTime);
  const lastEnd = running ? null : g.members.reduce((e, m) => (m.endTime! > e ? m.endTime! : e), '');
  return {
    guid: g.id, kind: 'group', host: first.host, pid: null, image: first.image, name: first.name || basename(first.image),
    commandLine: normaliseCommandLine(first.commandLine), user: users.size === 1 ? first.user : '',
    startTime: first.startTime, endTime: lastEnd, parentGuid: g.parentGuid, parentPid: first.parentPid,
    parentImage: first.parentImage, integrityLevel: '', hashes: '', currentDirectory: '', logonGuid: '',
    placeholder: false, placeholderReason: null, searchWider: null, state: running ? 'running' : 'terminated',
    eventCounts: cleanCounts(sum), depth: g.depth,
    group: { count: g.members.length, parentGuid: g.parentGuid, key: g.key, cursor: childrenCursor(g.parentGuid, host, range, g.key, g.excluded) },
    provenance: null,
  };
}
