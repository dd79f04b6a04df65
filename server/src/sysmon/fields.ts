/**
 * The one place where field names are mapped: raw Sysmon names, Splunk CIM names, Winlogbeat/ECS
 * and NXLog spellings all become raw Sysmon names here (docs/splunk-protocol.md §5.2).
 */
import { canonicalGuid, categoryOf } from '@lineage/shared';
import type { ParsedEvent, SysmonEvent, SystemFields } from '../ingest/record.js';

/** CIM (Splunk TA) name → raw Sysmon name. Only names with one meaning across event types. */
export const CIM_TO_RAW: Readonly<Record<string, string>> = {
  process_guid: 'ProcessGuid',
  process_id: 'ProcessId',
  process_path: 'Image',
  process: 'CommandLine',
  process_current_directory: 'CurrentDirectory',
  process_integrity_level: 'IntegrityLevel',
  process_hash: 'Hashes',
  parent_process_guid: 'ParentProcessGuid',
  parent_process_id: 'ParentProcessId',
  parent_process_path: 'ParentImage',
  parent_process: 'ParentCommandLine',
  original_file_name: 'OriginalFileName',
  user: 'User',
  parent_user: 'ParentUser',
  logon_guid: 'LogonGuid',
  logon_id: 'LogonId',
  file_path: 'TargetFilename',
  registry_path: 'TargetObject',
  registry_value_data: 'Details',
  query: 'QueryName',
  answer: 'QueryResults',
  src_ip: 'SourceIp',
  src_port: 'SourcePort',
  dest_ip: 'DestinationIp',
  dest_port: 'DestinationPort',
  dest_host: 'DestinationHostname',
  src_host: 'SourceHostname',
  transport: 'Protocol',
  utc_time: 'UtcTime',
  src_process_guid: 'SourceProcessGuid',
  target_process_guid: 'TargetProcessGuid',
  src_process_id: 'SourceProcessId',
  target_process_id: 'TargetProcessId',
};

/** Raw Sysmon name → CIM name (for presenting events the way the Splunk TA does). */
export const RAW_TO_CIM: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(CIM_TO_RAW).map(([cim, raw]) => [raw, cim]),
);

/** Names (case-insensitive) that carry the System part in flat JSON/CSV records. */
const SYSTEM_KEYS: Record<string, keyof SystemFields> = {
  eventid: 'eventId', eventcode: 'eventId', event_id: 'eventId', event_code: 'eventId', signature_id: 'eventId',
  computer: 'computer', computername: 'computer', hostname: 'computer', host: 'computer', dest: 'computer',
  eventrecordid: 'recordId', recordnumber: 'recordId', record_id: 'recordId', record_number: 'recordId',
  channel: 'channel', logname: 'channel', log_name: 'channel',
  sourcename: 'provider', provider: 'provider', providername: 'provider', provider_name: 'provider',
  timecreated: 'timeCreated', systemtime: 'timeCreated', '@timestamp': 'timeCreated',
};

/** Flat keys that are never event data (NXLog/Logstash/Splunk export bookkeeping). Matched lowercase. */
const IGNORED_FLAT = new Set([
  'message', '_raw', '_time', 'eventtime', 'eventreceivedtime', 'sourcemoduletype', 'sourcemodulename',
  'severity', 'severityvalue', 'keywords', 'opcode', 'opcodevalue', 'task', 'version',
  'executionprocessid', 'threadid', 'accountname', 'accounttype', 'domain', 'userid', 'providerguid',
  'category', 'level', 'source', 'sourcetype', 'index', 'splunk_server', 'linecount', 'punct',
  'timestartpos', 'timeendpos', 'date_hour', 'date_mday', 'date_minute', 'date_month', 'date_second',
  'date_wday', 'date_year', 'date_zone', 'tag', 'tag::eventtype', 'vendor_product',
  '@version', 'port', 'tags',
]);

/**
 * Keys ignored only in this exact spelling: NXLog's `ProcessID` is the *logging* process (the
 * System/Execution ProcessID), while Sysmon's own field is `ProcessId`.
 */
const IGNORED_EXACT = new Set(['ProcessID', 'ExecutionProcessID', 'eventtype', 'EVENTTYPE']);

/**
 * `EventType` is Sysmon data for registry/pipe/WMI events (`SetValue`, `CreatePipe`…), but NXLog
 * writes its own `EventType` (the level) into the same key. Those level names are not Sysmon data.
 */
const NXLOG_EVENT_TYPES = new Set(['INFO', 'AUDIT_SUCCESS', 'AUDIT_FAILURE', 'WARNING', 'ERROR', 'CRITICAL', 'VERBOSE']);

/**
 * When several flat keys name the host, the most specific wins: `Computer`/`ComputerName` are the
 * event's machine, NXLog's `Hostname` too, CIM `dest` is the machine in the Sysmon TA, and `host` is
 * last because in NXLog/Logstash JSON it is the *collector* (e.g. a WEC server).
 */
const COMPUTER_RANK: Record<string, number> = { computer: 0, computername: 1, hostname: 2, dest: 3, host: 4 };

/**
 * The system time: `TimeCreated`/`SystemTime` win over `@timestamp`, which in Logstash/NXLog JSON is
 * the pipeline's own clock (a re-shipped copy gets a new one) and only stands in when nothing else is there.
 */
const TIME_RANK: Record<string, number> = { timecreated: 0, systemtime: 0, '@timestamp': 1 };

/** What to do with a flat key; computed once per distinct key spelling. */
type KeyAction =
  | { t: 'system'; field: keyof SystemFields; rank: number }
  | { t: 'ignore' }
  | { t: 'data'; name: string; alias: boolean };

const keyActions = new Map<string, KeyAction>();

function keyAction(key: string): KeyAction {
  let a = keyActions.get(key);
  if (a) return a;
  const lower = key.toLowerCase();
  const sys = SYSTEM_KEYS[lower];
  if (sys) a = { t: 'system', field: sys, rank: COMPUTER_RANK[lower] ?? TIME_RANK[lower] ?? 0 };
  else if (IGNORED_FLAT.has(lower) || IGNORED_EXACT.has(key)) a = { t: 'ignore' };
  else {
    const rawName = CIM_TO_RAW[key] ?? CIM_TO_RAW[lower] ?? key;
    a = { t: 'data', name: rawName, alias: rawName !== key };
  }
  // Bounded: a hostile file with millions of distinct keys must not grow this forever.
  if (keyActions.size < 10_000) keyActions.set(key, a);
  return a;
}

/**
 * Turn a flat object (JSON line, CSV row) into a ParsedEvent. Nested `EventData`/`event_data`
 * objects and Winlogbeat `winlog.*` are flattened first by the caller via `flattenSysmonJson`.
 */
export function fromFlat(obj: Record<string, unknown>): ParsedEvent {
  const system: SystemFields = {
    eventId: null, computer: null, recordId: null, channel: null, provider: null, timeCreated: null,
  };
  let computerRank = 99;
  let timeRank = 99;
  const data: Record<string, string> = {};
  for (const key in obj) {
    const raw = obj[key];
    if (raw == null || typeof raw === 'object') continue;
    const a = keyAction(key);
    if (a.t === 'ignore') continue;
    const value = typeof raw === 'string' ? raw : String(raw);
    if (a.t === 'system') {
      const f = a.field;
      if (f === 'eventId' || f === 'recordId') {
        if (system[f] == null) { const n = Number(value); if (Number.isFinite(n) && value !== '') system[f] = n; }
      } else if (f === 'computer') {
        if (a.rank < computerRank && value !== '') { system.computer = value; computerRank = a.rank; }
      } else if (f === 'timeCreated') {
        if (a.rank < timeRank && value !== '') { system.timeCreated = value; timeRank = a.rank; }
      } else if (system[f] == null) {
        system[f] = value;
      }
      continue;
    }
    // A raw name wins over its CIM alias when both are present.
    if (a.alias && data[a.name] !== undefined) continue;
    if (key === 'EventType' && NXLOG_EVENT_TYPES.has(value)) continue;
    data[a.name] = value;
  }
  // CIM `process_name` is a basename, only used when no Image exists.
  if (data.process_name !== undefined) {
    if (data.Image === undefined) data.Image = data.process_name;
    delete data.process_name;
  }
  if (data.parent_process_name !== undefined) {
    if (data.ParentImage === undefined) data.ParentImage = data.parent_process_name;
    delete data.parent_process_name;
  }
  return { system, data };
}

/**
 * Flatten the JSON shapes seen in the wild into one level: nested `EventData`/`event_data`
 * (NXLog, Elastic), Winlogbeat/ECS (`winlog.event_data.*`, `winlog.event_id`, `host.name`).
 */
export function flattenSysmonJson(obj: Record<string, unknown>): Record<string, unknown> {
  const winlog = obj.winlog as Record<string, unknown> | undefined;
  // Already flat (OTRF, NXLog): nothing to copy — fromFlat ignores nested values anyway.
  if (winlog === undefined && obj.EventData === undefined && obj.event_data === undefined
    && obj.System === undefined && obj.system === undefined) return obj;
  const out: Record<string, unknown> = {};
  for (const k in obj) {
    const v = obj[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) continue;
    out[k] = v;
  }
  for (const nestedKey of ['EventData', 'event_data', 'System', 'system']) {
    const nested = obj[nestedKey];
    if (nested && typeof nested === 'object') Object.assign(out, nested as object);
  }
  if (winlog && typeof winlog === 'object') {
    const ed = winlog.event_data;
    if (ed && typeof ed === 'object') Object.assign(out, ed as object);
    if (winlog.event_id != null) out.EventID = winlog.event_id;
    if (winlog.record_id != null) out.EventRecordID = winlog.record_id;
    if (winlog.channel != null) out.Channel = winlog.channel;
    if (winlog.computer_name != null) out.Computer = winlog.computer_name;
    if (winlog.provider_name != null) out.ProviderName = winlog.provider_name;
    const host = obj.host as Record<string, unknown> | undefined;
    if (out.Computer == null && host && typeof host.name === 'string') out.Computer = host.name;
    const event = obj.event as Record<string, unknown> | undefined;
    if (out.EventID == null && event && event.code != null) out.EventID = event.code;
    delete out['@timestamp'];
    if (typeof obj['@timestamp'] === 'string') out.TimeCreated = obj['@timestamp'];
  }
  return out;
}

const SYSMON_PROVIDER = /sysmon/i;

/** Sysmon's `2019-03-31 15:46:07.123` (UTC) → ISO 8601 `2019-03-31T15:46:07.123Z`; null if unparseable. */
export function utcTimeToIso(value: string | undefined | null): string | null {
  if (!value) return null;
  // Fast path: exactly Sysmon's shape with milliseconds (what the general match below would give).
  if (value.length === 23 && isSysmonUtcTime(value)) return `${value.slice(0, 10)}T${value.slice(11)}Z`;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/.exec(value.trim());
  if (!m) {
    const t = Date.parse(value);
    return Number.isFinite(t) ? new Date(t).toISOString() : null;
  }
  const ms = (m[7] ?? '0').padEnd(3, '0').slice(0, 3);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms}Z`;
}

/** `dddd-dd-dd[ T]dd:dd:dd.ddd` (length checked by the caller). */
function isSysmonUtcTime(v: string): boolean {
  for (let k = 0; k < 23; k++) {
    const c = v.charCodeAt(k);
    if (k === 4 || k === 7) { if (c !== 45 /* - */) return false; }
    else if (k === 10) { if (c !== 32 && c !== 84 /* T */) return false; }
    else if (k === 13 || k === 16) { if (c !== 58 /* : */) return false; }
    else if (k === 19) { if (c !== 46 /* . */) return false; }
    else if (c < 48 || c > 57) return false;
  }
  return true;
}

export type NormaliseResult =
  | { kind: 'event'; event: SysmonEvent }
  | { kind: 'skipped'; reason: string }
  | { kind: 'rejected'; reason: string };

/** A field by either of the spellings Sysmon versions use (e.g. SourceProcessGuid vs SourceProcessGUID). */
function pick(data: Record<string, string>, name: string, alt: string): string | undefined {
  const v = data[name];
  return v !== undefined ? v : data[alt];
}

/** Sysmon-ness by channel/provider spelling, memoised: files repeat the same one or two spellings. */
let lastChannel = '';
let lastProvider = '';
let lastSysmon = false;

function isSysmonSource(channel: string, provider: string): boolean {
  if (channel !== lastChannel || provider !== lastProvider) {
    lastChannel = channel;
    lastProvider = provider;
    lastSysmon = SYSMON_PROVIDER.test(channel) || SYSMON_PROVIDER.test(provider);
  }
  return lastSysmon;
}

/** `guidShape`: not `{8-4-4-4-12}` hex; canonical (lower-case); braced with upper-case hex. */
const enum GuidShape { Other, Canonical, Upper }

/**
 * Shape of a 38-character `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` GUID, checked in one pass (a regex
 * test per GUID field, plus a second one after lower-casing, was a visible share of normalise).
 */
function guidShape(v: string): GuidShape {
  if (v.length !== 38 || v.charCodeAt(0) !== 123 /* { */ || v.charCodeAt(37) !== 125 /* } */) return GuidShape.Other;
  let upper = false;
  for (let k = 1; k < 37; k++) {
    const c = v.charCodeAt(k);
    if (k === 9 || k === 14 || k === 19 || k === 24) {
      if (c !== 45 /* - */) return GuidShape.Other;
    } else if (c >= 65 && c <= 70) {
      upper = true; // A-F
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return GuidShape.Other;
    }
  }
  return upper ? GuidShape.Upper : GuidShape.Canonical;
}

/**
 * `canonicalGuid` with a fast path for the two spellings that make up nearly all input: already
 * canonical (newer Sysmon, OTRF) and braced upper-case (Windows rendering). Same results.
 */
function fastCanonicalGuid(value: string): string | null {
  const shape = guidShape(value);
  if (shape === GuidShape.Canonical) return value;
  if (shape === GuidShape.Upper) return value.toLowerCase();
  return canonicalGuid(value);
}

/** True for field names ending in "guid" (any case): their values are canonicalised. */
function isGuidKey(k: string): boolean {
  const n = k.length;
  return n >= 4 && (k.charCodeAt(n - 1) | 32) === 100 && (k.charCodeAt(n - 2) | 32) === 105
    && (k.charCodeAt(n - 3) | 32) === 117 && (k.charCodeAt(n - 4) | 32) === 103;
}

/**
 * A parsed event → a stored Sysmon event. Non-Sysmon events are `skipped` (not errors);
 * a Sysmon event without a usable time or EventID is `rejected`. Takes ownership of `p.data`:
 * it becomes the event's `fields` (GUID values canonicalised in place).
 */
export function normalise(p: ParsedEvent): NormaliseResult {
  const { system, data } = p;
  const channel = system.channel ?? '';
  const provider = system.provider ?? '';
  const looksSysmon = (channel || provider) ? isSysmonSource(channel, provider)
    : (data.UtcTime !== undefined && (data.ProcessGuid !== undefined || data.SourceProcessGuid !== undefined || data.SourceProcessGUID !== undefined));
  if (!looksSysmon) return { kind: 'skipped', reason: `not Sysmon (${channel || provider || 'unknown channel'})` };
  if (system.eventId == null || !Number.isInteger(system.eventId)) return { kind: 'rejected', reason: 'missing EventID' };
  const eventId = system.eventId;
  // UtcTime is the event's time; System/TimeCreated is only a stand-in when UtcTime is absent
  // (a present but unreadable UtcTime means a damaged record, not a reason to trust another clock).
  const time = data.UtcTime !== undefined ? utcTimeToIso(data.UtcTime) : utcTimeToIso(system.timeCreated);
  if (!time) return { kind: 'rejected', reason: data.UtcTime !== undefined ? `unparseable UtcTime ${JSON.stringify(data.UtcTime)}` : 'missing UtcTime' };
  const host = system.computer ?? data.Computer ?? '';
  if (!host) return { kind: 'rejected', reason: 'missing Computer (host)' };
  // GUID-valued fields canonicalised (in place: the parsed event's data becomes the stored fields,
  // one object fewer per event on the hot path) so every consumer sees one spelling.
  const fields = data;
  for (const k in fields) {
    if (isGuidKey(k)) { const g = fastCanonicalGuid(fields[k]!); if (g !== null) fields[k] = g; }
  }
  const isCross = eventId === 8 || eventId === 10;
  // The GUID fields were canonicalised above: a value that is not a GUID stays as written and maps to null.
  const g = isCross ? pick(fields, 'SourceProcessGuid', 'SourceProcessGUID') : pick(fields, 'ProcessGuid', 'ProcessGUID');
  const guid = g !== undefined && guidShape(g) === GuidShape.Canonical ? g : null;
  const t = isCross ? pick(fields, 'TargetProcessGuid', 'TargetProcessGUID') : undefined;
  const targetGuid = t !== undefined && guidShape(t) === GuidShape.Canonical ? t : null;
  return {
    kind: 'event',
    event: {
      eventId, category: categoryOf(eventId), host: host.toLowerCase(), recordId: system.recordId,
      time, guid, targetGuid, fields, systemKey: `${channel}\u001f${systemTimeKey(system.timeCreated)}`,
    },
  };
}

/**
 * A system time in one spelling for the identity key: `YYYY-MM-DDTHH:MM:SS.fffffffZ` (Windows'
 * 100 ns resolution), whatever the reader wrote (`.1880244Z`, `.348250400Z`, `.116Z`, a space for
 * `T`); anything else as written. So the .evtx and its XML export give the same key.
 */
export function systemTimeKey(t: string | null): string {
  if (t === null) return '';
  if (t.length === 28 && t.charCodeAt(10) === 84 && t.charCodeAt(19) === 46 && t.charCodeAt(27) === 90) return t;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(t);
  if (!m) return t;
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
}
