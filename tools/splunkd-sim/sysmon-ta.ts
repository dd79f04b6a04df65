/**
 * Search-time field extraction for Sysmon as a search head with the Splunk Add-on for Sysmon returns
 * it (README.md "Field extraction"), written from the add-on's per-EventID field lists — not from
 * the product's mapping. `ta-fields.test.ts` checks every EventID's output against those lists.
 *
 * Identity facts modelled here:
 *   - `host` is the forwarder's setting (short name by default; FQDN; or the WEF collector),
 *     `Computer` is the event's FQDN; `dest` is the machine for most EventIDs, but for EventID 3 the
 *     connection's destination, the machine then being `dvc` (and `dvc_nt_host` everywhere).
 *   - EventID 8/10 keep Sysmon's spelling (`SourceProcessGuid` / `SourceProcessGUID`) and map the
 *     source to `parent_process_*`, the target to `process_*`.
 */
import type { WinEvent } from './winevent.js';
import type { Row } from './spl/values.js';

/** How a deployment sets `host` / `source` / `sourcetype` (README.md "Deployment shapes"). */
export interface Deployment {
  /** `short` (UF default: the machine's short name), `fqdn`, or `wef` (host = the collector). */
  host: 'short' | 'fqdn' | 'wef';
  /** The WEF collector's host name (wef only). */
  collector: string;
  /** `modern`: sourcetype XmlWinEventLog + Sysmon source; `legacy`: sourcetype = the source. */
  sourcetype: 'modern' | 'legacy';
}

export const DEFAULT_DEPLOYMENT: Deployment = { host: 'short', collector: 'wec01', sourcetype: 'modern' };
export const SYSMON_SOURCE = 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational';
export const WEF_SOURCE = 'XmlWinEventLog:ForwardedEvents';

function basename(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const i = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'));
  return p.slice(i + 1);
}

/** `SHA1=…,MD5=…,SHA256=…,IMPHASH=…` → { MD5, SHA256, IMPHASH } (the add-on's split of Hashes). */
function hashes(h: string | undefined, into: Row): void {
  if (!h) return;
  for (const part of h.split(',')) {
    const [k, v] = part.split('=');
    if (v && (k === 'MD5' || k === 'SHA256' || k === 'IMPHASH')) into[k] = v;
  }
}

/** `process_*` from an image / GUID / pid / command line (absent inputs give absent fields). */
function proc(prefix: 'process' | 'parent_process', d: { image?: string; guid?: string; pid?: string; cmd?: string }, into: Row): void {
  const set = (k: string, v: string | undefined) => { if (v !== undefined) into[k] = v; };
  set(`${prefix}_path`, d.image);
  set(`${prefix}_name`, basename(d.image));
  set(`${prefix}_exec`, basename(d.image));
  set(`${prefix}_guid`, d.guid);
  set(`${prefix}_id`, d.pid);
  set(prefix, d.cmd);
}

const DESCRIPTIONS: Record<number, string> = {
  1: 'Process Create', 2: 'File creation time changed', 3: 'Network connection detected', 5: 'Process terminated', 6: 'Driver loaded',
  7: 'Image loaded', 8: 'CreateRemoteThread detected', 9: 'RawAccessRead detected', 10: 'Process accessed', 11: 'File created',
  12: 'Registry object added or deleted', 13: 'Registry value set', 15: 'File stream created', 17: 'Pipe Created', 18: 'Pipe Connected',
  20: 'WmiEventConsumer activity detected', 21: 'WmiEventConsumerToFilter activity detected', 22: 'Dns query', 23: 'File Delete archived',
};

/** The add-on's CIM fields of one event (raw fields are added by the caller). */
function cimFields(eid: number, d: Record<string, string>, computer: string): Row {
  const o: Row = {};
  const own = { image: d.Image, guid: d.ProcessGuid, pid: d.ProcessId };
  switch (eid) {
    case 1:
      proc('process', { ...own, cmd: d.CommandLine }, o);
      proc('parent_process', { image: d.ParentImage, guid: d.ParentProcessGuid, pid: d.ParentProcessId, cmd: d.ParentCommandLine }, o);
      if (d.CurrentDirectory !== undefined) o.process_current_directory = d.CurrentDirectory;
      if (d.Hashes !== undefined) o.process_hash = d.Hashes;
      if (d.IntegrityLevel !== undefined) o.process_integrity_level = d.IntegrityLevel;
      if (d.OriginalFileName !== undefined) o.original_file_name = d.OriginalFileName;
      hashes(d.Hashes, o);
      o.action = 'allowed'; o.dest = computer; o.os = 'Microsoft Windows';
      break;
    case 3: {
      proc('process', own, o);
      delete o.process_path;
      o.dest = d.DestinationHostname && d.DestinationHostname !== '-' ? d.DestinationHostname : d.DestinationIp ?? '';
      if (d.DestinationIp !== undefined) o.dest_ip = d.DestinationIp;
      if (d.DestinationPort !== undefined) { o.dest_port = d.DestinationPort; o.transport_dest_port = `${d.Protocol ?? 'tcp'}/${d.DestinationPort}`; }
      o.src = d.SourceHostname && d.SourceHostname !== '-' ? d.SourceHostname : d.SourceIp ?? '';
      if (d.SourceHostname !== undefined) o.src_host = d.SourceHostname;
      if (d.SourceIp !== undefined) o.src_ip = d.SourceIp;
      if (d.SourcePort !== undefined) o.src_port = d.SourcePort;
      if (d.Protocol !== undefined) { o.protocol = 'ip'; o.transport = d.Protocol; }
      o.direction = d.Initiated === 'true' ? 'outbound' : 'inbound';
      o.dvc = computer; o.action = 'allowed'; o.app = basename(d.Image) ?? 'unknown'; o.protocol_version = d.DestinationIsIpv6 === 'true' ? 'ipv6' : 'ipv4';
      if (d.UtcTime !== undefined) o.creation_time = d.UtcTime;
      o.state = 'connected';
      break;
    }
    case 8: case 10:
      proc('process', { image: d.TargetImage, guid: d.TargetProcessGuid ?? d.TargetProcessGUID, pid: d.TargetProcessId }, o);
      proc('parent_process', { image: d.SourceImage, guid: d.SourceProcessGuid ?? d.SourceProcessGUID, pid: d.SourceProcessId }, o);
      delete o.process; delete o.parent_process;
      o.dest = computer; o.action = 'allowed'; o.os = 'Microsoft Windows';
      if (eid === 10) { o.dvc = computer; if (d.GrantedAccess !== undefined) o.granted_access = d.GrantedAccess; }
      else { if (d.StartAddress !== undefined) o.src_address = d.StartAddress; if (d.StartFunction !== undefined) o.src_function = d.StartFunction; if (d.StartModule !== undefined) o.src_module = d.StartModule; }
      break;
    case 7:
      proc('process', { image: d.ImageLoaded }, o);
      proc('parent_process', own, o);
      delete o.process_guid; delete o.process_id; delete o.parent_process;
      if (d.Hashes !== undefined) o.process_hash = d.Hashes;
      hashes(d.Hashes, o);
      o.dest = computer; o.action = 'allowed'; o.os = 'Microsoft Windows';
      break;
    case 20: case 21:
      o.dest = computer; o.dvc = computer; o.src = computer; o.status = 'success'; o.object_category = 'wmi';
      if (d.User !== undefined) { o.user = d.User; o.user_name = d.User; }
      if (d.Operation !== undefined) o.change_type = d.Operation;
      break;
    default:
      if (d.ProcessGuid !== undefined) { proc('process', own, o); if (eid === 5) o.process = d.Image ?? ''; }
      if (eid === 11 || eid === 15 || eid === 23) {
        if (d.TargetFilename !== undefined) { o.file_path = d.TargetFilename; o.file_name = basename(d.TargetFilename) ?? ''; }
        if (eid !== 23 && d.CreationUtcTime !== undefined) o.file_create_time = d.CreationUtcTime;
      }
      if (eid === 12 || eid === 13) {
        if (d.TargetObject !== undefined) { o.object_path = d.TargetObject; o.registry_path = d.TargetObject; o.registry_key_name = basename(d.TargetObject) ?? ''; }
        o.object_category = 'registry'; o.status = 'success';
        if (eid === 13) { o.dvc = computer; if (d.Details !== undefined) o.registry_value_data = d.Details; }
      }
      if (eid === 6 && d.ImageLoaded !== undefined) { o.process_path = d.ImageLoaded; if (d.Hashes !== undefined) o.process_hash = d.Hashes; }
      if (eid === 17 || eid === 18) { if (d.PipeName !== undefined) o.pipe_name = d.PipeName; }
      if (eid === 22) { if (d.QueryName !== undefined) o.query = d.QueryName; o.src = computer; delete o.process_path; delete o.process_id; }
      else { o.dest = computer; o.action = eid === 5 ? 'stopped' : 'allowed'; }
      break;
  }
  if (d.User !== undefined && eid !== 20 && eid !== 21) o.user = d.User;
  return o;
}

/** The short name of a machine (first DNS label). */
export function shortName(fqdn: string): string {
  const i = fqdn.indexOf('.');
  return i < 0 ? fqdn : fqdn.slice(0, i);
}

/** The fields Splunk + the add-on return for one Sysmon event (minus `_raw`, `_time`, index fields). */
export function extractSysmon(ev: WinEvent, dep: Deployment): Row {
  const s = ev.system;
  const eid = s.eventId!;
  const computer = s.computer!;
  const row: Row = {
    host: dep.host === 'wef' ? dep.collector : dep.host === 'fqdn' ? computer : shortName(computer),
    source: dep.host === 'wef' ? WEF_SOURCE : SYSMON_SOURCE,
    sourcetype: dep.sourcetype === 'legacy' ? SYSMON_SOURCE : 'XmlWinEventLog',
    EventCode: String(eid), EventID: String(eid), signature_id: String(eid), id: String(eid),
    Computer: computer, dvc_nt_host: computer,
    Channel: s.channel ?? 'Microsoft-Windows-Sysmon/Operational', EventChannel: s.channel ?? 'Microsoft-Windows-Sysmon/Operational',
    Name: s.provider ?? 'Microsoft-Windows-Sysmon', vendor_product: 'Microsoft Sysmon', linecount: '1',
  };
  const desc = DESCRIPTIONS[eid];
  if (desc !== undefined) { row.EventDescription = desc; row.signature = desc; }
  if (s.recordId !== null) { row.EventRecordID = String(s.recordId); row.RecordID = String(s.recordId); row.RecordNumber = String(s.recordId); }
  if (s.timeCreated) { row.SystemTime = s.timeCreated; row.TimeCreated = s.timeCreated; }
  for (const [k, v] of Object.entries(ev.data)) row[k] = v;
  for (const [k, v] of Object.entries(cimFields(eid, ev.data, computer))) if (row[k] === undefined) row[k] = v;
  return row;
}

/** Endpoint.Processes fields of an EventCode 1 row (the data model's names, without the prefix). */
export const PROCESS_MODEL_FIELDS = ['dest', 'user', 'process', 'process_name', 'process_path', 'process_id', 'process_guid', 'parent_process',
  'parent_process_name', 'parent_process_path', 'parent_process_id', 'parent_process_guid', 'process_hash', 'process_integrity_level',
  'process_current_directory', 'original_file_name', 'action', 'vendor_product', 'process_exec', 'parent_process_exec'];
