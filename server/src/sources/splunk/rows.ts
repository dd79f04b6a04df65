/**
 * Splunk result rows → the source's records, through the one field mapping (sysmon/fields.ts):
 * rows are flattened into a ParsedEvent with `fromFlat` and normalised with `normalise`, exactly as
 * ingested files are, so hosts come out lowercase and GUIDs canonical in both sources.
 */
import { canonicalGuid, categoryOf, type Category } from '@lineage/shared';
import { CIM_TO_RAW, fromFlat, normalise } from '../../sysmon/fields.js';
import type { EventRecord, NamePairCount, ProcessRecord } from '../event-source.js';
import type { SplunkRow } from './client.js';
import { SCAN_EXTRA_FIELDS } from './spl-fields.js';

const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';

/** First value of a (possibly multivalue) field. */
function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A row as a flat object of single values; `_time` epoch / `start_epoch` turned into UtcTime when missing. */
function flat(row: SplunkRow, eventId: number | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    const s = one(v);
    if (s !== undefined) out[k] = s;
  }
  if (out.UtcTime === undefined && out.start_epoch !== undefined) {
    const t = Number(out.start_epoch);
    if (Number.isFinite(t)) out.UtcTime = new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', '');
  }
  delete out.start_epoch;
  if (eventId !== null && out.EventCode === undefined) out.EventCode = String(eventId);
  return out;
}

function toInt(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : null;
}

function basename(image: string): string {
  return (image.split(/[\\/]/).pop() ?? '').toLowerCase();
}

/** `namePairCounts` rows → counts by (image basename, parent image basename), merged across paths. */
export function namePairRows(rows: readonly SplunkRow[]): NamePairCount[] {
  const out = new Map<string, NamePairCount>();
  for (const row of rows) {
    const name = basename(one(row.lineage_image) ?? '');
    const parentName = basename(one(row.lineage_parent) ?? '');
    const count = toInt(one(row.count)) ?? 0;
    const key = `${name}\u0000${parentName}`;
    const prev = out.get(key);
    if (prev) prev.count += count; else out.set(key, { name, parentName, count });
  }
  return [...out.values()];
}

/** A row read back as a normalised Sysmon event, or null when it is not one. */
function asEvent(row: SplunkRow, eventId: number | null) {
  const parsed = fromFlat(flat(row, eventId));
  // fromFlat drops Splunk's own lowercase `eventtype`; Sysmon's PascalCase `EventType` (registry, pipe,
  // WMI) is event data and must survive.
  const et = one(row.EventType);
  if (et !== undefined && parsed.data.EventType === undefined) parsed.data.EventType = et;
  // We searched a Sysmon source; rows carry no Channel when the search did not keep it.
  if (!parsed.system.channel && !parsed.system.provider) parsed.system.channel = SYSMON_CHANNEL;
  const n = normalise(parsed);
  return n.kind === 'event' ? n.event : null;
}

/** Provenance attached to every record a job produced. */
export interface Provenance { query: string; jobId: string; url: string | null }

/** The rule scan's SCAN_EXTRA_FIELDS present in a create, non-empty (a record's `fields`). */
function extraFields(f: Readonly<Record<string, string>>): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  for (const k of SCAN_EXTRA_FIELDS) if (f[k] !== undefined && f[k] !== '') (out ??= {})[k] = f[k];
  return out;
}

/**
 * Compact process rows (`stats … by host ProcessGuid [EventCode]`) → ProcessRecords, merging each
 * GUID's create (EventCode 1) with its termination (EventCode 5). Rows without a create are dropped.
 * A row carrying SCAN_EXTRA_FIELDS (the rule scan's) keeps them in the record's `fields`.
 */
export function processRecords(rows: readonly SplunkRow[], prov: Provenance): ProcessRecord[] {
  const creates = new Map<string, ProcessRecord>();
  const ends = new Map<string, string>();
  for (const row of rows) {
    const code = toInt(one(row.EventCode)) ?? 1;
    const ev = asEvent(row, code);
    if (!ev || !ev.guid) continue;
    const key = `${ev.host}|${ev.guid}`;
    if (code === 5) {
      const prev = ends.get(key);
      if (prev === undefined || ev.time < prev) ends.set(key, ev.time);
      continue;
    }
    if (code !== 1) continue;
    const f = ev.fields;
    const image = f.Image ?? '';
    const rec: ProcessRecord = {
      guid: ev.guid,
      parentGuid: canonicalGuid(f.ParentProcessGuid) ?? (f.ParentProcessGuid || null),
      host: ev.host,
      pid: toInt(f.ProcessId),
      parentPid: toInt(f.ParentProcessId),
      image,
      name: basename(image),
      commandLine: f.CommandLine ?? '',
      parentImage: f.ParentImage ?? '',
      parentCommandLine: f.ParentCommandLine ?? '',
      parentUser: f.ParentUser ?? '',
      user: f.User ?? '',
      integrityLevel: f.IntegrityLevel ?? '',
      hashes: f.Hashes ?? '',
      currentDirectory: f.CurrentDirectory ?? '',
      logonGuid: f.LogonGuid ?? '',
      startTime: ev.time,
      endTime: null,
      query: prov.query,
      jobId: prov.jobId,
      url: prov.url,
    };
    const extra = extraFields(f);
    if (extra) rec.fields = extra;
    const prev = creates.get(key);
    if (!prev || rec.startTime < prev.startTime) creates.set(key, rec);
  }
  for (const [key, rec] of creates) rec.endTime = ends.get(key) ?? null;
  return [...creates.values()];
}

/** Sort by (startTime, guid) — the order every paged process listing uses. */
export function byStart(a: ProcessRecord, b: ProcessRecord): number {
  return a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0;
}

/** `stats count by host lineage_guid EventCode` rows → counts by GUID and category. */
export function countRows(rows: readonly SplunkRow[], into = new Map<string, Partial<Record<Category, number>>>()): Map<string, Partial<Record<Category, number>>> {
  for (const row of rows) {
    const guid = canonicalGuid(one(row.lineage_guid));
    const code = toInt(one(row.EventCode));
    const n = toInt(one(row.count));
    if (!guid || code === null || !n) continue;
    const cat = categoryOf(code);
    const m = into.get(guid) ?? {};
    m[cat] = (m[cat] ?? 0) + n;
    into.set(guid, m);
  }
  return into;
}

/** Lowercase row keys that still carry Sysmon facts (host; CIM basenames fromFlat falls back on). */
const KEEP_LOWER = new Set(['host', 'dest', 'process_name', 'parent_process_name']);

/**
 * PascalCase fields the Sysmon add-on adds that are not Sysmon EventData (System-part copies, the
 * rendered XML, the split of `Hashes`): docs/splunk-protocol.md §5.2.
 */
const ADDON_DECORATIONS = new Set(['EventChannel', 'EventDescription', 'Name', 'Guid', 'Keywords', 'Level', 'Opcode', 'Task',
  'Version', 'TimeCreated', 'SecurityID', 'UserID', 'ProcessID', 'ThreadID', 'RecordNumber', 'EventData_Xml', 'System_Props_Xml']);
const HASH_SPLIT = new Set(['MD5', 'SHA256', 'IMPHASH', 'SHA1']);

/**
 * The fields of an event row that are Sysmon's own: never Splunk's internal `_…` fields; PascalCase
 * names (every Sysmon EventData name is); in CIM style also the CIM names fields.ts maps back to raw
 * names. This drops the add-on's decorations (`process_exec`, `action`, …) so events read the same as
 * from the embedded store.
 */
function eventFields(row: SplunkRow, style: 'raw' | 'cim'): SplunkRow {
  const out: SplunkRow = {};
  const lower = new Set(Object.keys(row).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('_') || ADDON_DECORATIONS.has(k) || (HASH_SPLIT.has(k) && row.Hashes !== undefined)) continue;
    // For 7/8/10 the add-on's process_name/parent_process_name name the loaded image / the target and source.
    // CIM names mean other things there, and the raw names are always present: use only those.
    if (!/^[A-Z]/.test(k) && k !== 'host' && k !== 'dest' && /^(7|8|10)$/.test(String(one(row.EventCode)))) continue;
    if (!/^[A-Z]/.test(k) && !KEEP_LOWER.has(k) && !(style === 'cim' && CIM_TO_RAW[k])) continue;
    // CIM alias of a raw field the row also has in another spelling (src_process_guid vs SourceProcessGUID).
    const raw = CIM_TO_RAW[k];
    if (raw && lower.has(raw.toLowerCase())) continue;
    out[k] = v;
  }
  // The Windows add-on extracts EventRecordID twice; the copy is not part of the Sysmon event.
  if (out.RecordID !== undefined && out.RecordID === out.EventRecordID) delete out.RecordID;
  return out;
}

/** Raw event rows → EventRecords (fields under raw Sysmon names, GUIDs canonical). */
export function eventRecords(rows: readonly SplunkRow[], style: 'raw' | 'cim' = 'raw'): EventRecord[] {
  const out: EventRecord[] = [];
  for (const row of rows) {
    const ev = asEvent(eventFields(row, style), null);
    if (!ev || !ev.guid) continue;
    out.push({
      guid: ev.guid, host: ev.host, eventId: ev.eventId, category: ev.category as Category, time: ev.time,
      recordId: ev.recordId, targetGuid: ev.targetGuid, fields: ev.fields,
    });
  }
  return out;
}

/**
 * The cross-edge rows of a host counts search (`countsByHost`: one row per source, target, EventCode
 * with the earliest event's details) → one aggregated EventRecord each, `count` events strong.
 */
export function crossRows(rows: readonly SplunkRow[]): EventRecord[] {
  const out: EventRecord[] = [];
  for (const row of rows) {
    const code = toInt(one(row.EventCode));
    const target = one(row.lineage_target);
    const n = toInt(one(row.count));
    if ((code !== 8 && code !== 10) || !target || target === '-' || !n) continue;
    const flatRow: SplunkRow = {
      host: one(row.host) ?? '', EventCode: String(code), SourceProcessGuid: one(row.lineage_guid) ?? '', TargetProcessGuid: target,
    };
    for (const k of ['UtcTime', 'EventRecordID', 'TargetImage', 'TargetProcessId', 'TargetUser'] as const) {
      const v = one(row[k]);
      if (v !== undefined && v !== '') flatRow[k] = v;
    }
    const [ev] = eventRecords([flatRow]);
    if (ev) out.push({ ...ev, count: n });
  }
  return out;
}

/** Sort by (time, recordId) — the order paged event listings use. */
export function byTime(a: EventRecord, b: EventRecord): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return (a.recordId ?? 0) - (b.recordId ?? 0);
}
