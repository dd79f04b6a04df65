/**
 * The emulator's indexes: Sysmon events presented the way the Splunk Add-on for Sysmon shows them
 * (splunk-protocol.md §5: source/sourcetype, raw AND CIM field names, braced GUIDs as written,
 * `_time`, `host`, EventCode/EventID) and ES notables in `index=notable` (§6). Also serves the
 * Endpoint.Processes data model for tstats.
 */
import { createHash } from 'node:crypto';
import { normalise, RAW_TO_CIM } from '../../server/src/ingest/fields.js';
import { readEventsFromFile } from '../../server/src/ingest/read-file.js';
import type { ParsedEvent } from '../../server/src/ingest/record.js';
import type { EventStore } from './spl/execute.js';
import type { DataModelName } from './spl/tstats.js';
import type { Row, Value } from './spl/values.js';

/** Source and sourcetype of the Sysmon add-on ≥ 4 with renderXml=true (§5.1). */
export const SYSMON_SOURCE = 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational';
export const SYSMON_SOURCETYPE = 'XmlWinEventLog';
/** What `splunk_server` shows on every event. */
export const SERVER_NAME = 'lineage-splunkd';

/** Counts from loading one input. */
export interface LoadReport { indexed: number; skipped: number; rejected: { line: number; reason: string }[] }

/** Options for indexing Sysmon events. */
export interface SysmonIndexOptions { index?: string; source?: string; sourcetype?: string }

const CIM_BY_LOWER = new Map(Object.entries(RAW_TO_CIM).map(([raw, cim]) => [raw.toLowerCase(), cim]));

/** Endpoint.Processes fields (CIM name → how to get it from a Sysmon EventCode 1 row). §4.2 */
const PROCESS_FIELDS = ['dest', 'user', 'process', 'process_name', 'process_path', 'process_id', 'process_guid', 'parent_process',
  'parent_process_name', 'parent_process_path', 'parent_process_id', 'parent_process_guid', 'process_hash', 'process_integrity_level',
  'process_current_directory', 'original_file_name', 'action', 'vendor_product', 'process_exec', 'parent_process_exec'];

function xmlEscape(s: string): string {
  if (!/[&<>']/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

function basename(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** XmlWinEventLog `_raw` rebuilt from the parsed event (single-quoted attributes, as the forwarder writes). */
function rawXml(p: ParsedEvent): string {
  const s = p.system;
  const data = Object.entries(p.data).map(([k, v]) => `<Data Name='${xmlEscape(k)}'>${xmlEscape(v)}</Data>`).join('');
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${xmlEscape(s.provider ?? 'Microsoft-Windows-Sysmon')}'/>`
    + `<EventID>${s.eventId ?? ''}</EventID>${s.timeCreated ? `<TimeCreated SystemTime='${xmlEscape(s.timeCreated)}'/>` : ''}`
    + `${s.recordId != null ? `<EventRecordID>${s.recordId}</EventRecordID>` : ''}<Channel>${xmlEscape(s.channel ?? 'Microsoft-Windows-Sysmon/Operational')}</Channel>`
    + `<Computer>${xmlEscape(s.computer ?? '')}</Computer></System><EventData>${data}</EventData></Event>`;
}

/** The in-memory indexes. Events are kept newest first, as Splunk returns them. */
export class SplunkStore implements EventStore {
  private rows: Row[] = [];
  private sorted = true;
  private processes: Row[] | null = null;
  private seq = 0;

  /** Index one parsed Sysmon event; returns why it was not indexed, or null. */
  addSysmonEvent(p: ParsedEvent, opts: SysmonIndexOptions = {}): { skipped?: string; rejected?: string } | null {
    // normalise() may canonicalise GUIDs in place; Splunk shows them as written, so give it a copy.
    const n = normalise({ system: p.system, data: { ...p.data } });
    if (n.kind === 'skipped') return { skipped: n.reason };
    if (n.kind === 'rejected') return { rejected: n.reason };
    const ev = n.event;
    const computer = p.system.computer ?? p.data.Computer ?? ev.host;
    const row: Row = {
      _time: (Date.parse(ev.time) / 1000).toFixed(3),
      _raw: rawXml(p),
      index: opts.index ?? 'sysmon',
      source: opts.source ?? SYSMON_SOURCE,
      sourcetype: opts.sourcetype ?? SYSMON_SOURCETYPE,
      host: computer,
      splunk_server: SERVER_NAME,
      linecount: '1',
      EventCode: String(ev.eventId),
      EventID: String(ev.eventId),
      signature_id: String(ev.eventId),
      Computer: computer,
      Channel: p.system.channel ?? 'Microsoft-Windows-Sysmon/Operational',
      dest: computer,
      vendor_product: 'Microsoft Sysmon',
    };
    if (ev.recordId != null) { row.EventRecordID = String(ev.recordId); row.RecordID = String(ev.recordId); }
    if (p.system.timeCreated) row.SystemTime = p.system.timeCreated;
    // Raw names and values exactly as written (GUIDs keep their braces and case).
    for (const [k, v] of Object.entries(p.data)) row[k] = v;
    for (const [k, v] of Object.entries(p.data)) {
      const cim = CIM_BY_LOWER.get(k.toLowerCase());
      if (cim && row[cim] === undefined) row[cim] = v;
    }
    const pn = basename(p.data.Image);
    if (pn !== undefined) { row.process_name = pn; row.process_exec = pn; }
    const ppn = basename(p.data.ParentImage);
    if (ppn !== undefined) { row.parent_process_name = ppn; row.parent_process_exec = ppn; }
    if (ev.eventId === 1) row.action = 'allowed';
    this.push(row);
    return null;
  }

  /** Index parsed Sysmon events (e.g. built in a test). */
  addSysmon(events: Iterable<ParsedEvent>, opts: SysmonIndexOptions = {}): LoadReport {
    const report: LoadReport = { indexed: 0, skipped: 0, rejected: [] };
    for (const p of events) {
      const r = this.addSysmonEvent(p, opts);
      if (!r) report.indexed++;
      else if (r.skipped) report.skipped++;
      else report.rejected.push({ line: 0, reason: r.rejected ?? 'rejected' });
    }
    return report;
  }

  /** Index a Sysmon file in any format the ingest readers know (XmlWinEventLog, XML, JSON lines, CSV, evtx). */
  async loadSysmonFile(path: string, opts: SysmonIndexOptions = {}): Promise<LoadReport> {
    const report: LoadReport = { indexed: 0, skipped: 0, rejected: [] };
    for await (const item of readEventsFromFile(path)) {
      if (item.kind === 'skipped') { report.skipped++; continue; }
      if (item.kind === 'rejected') { report.rejected.push({ line: item.line, reason: item.reason }); continue; }
      const r = this.addSysmonEvent(item.event, opts);
      if (!r) report.indexed++;
      else if (r.skipped) report.skipped++;
      else report.rejected.push({ line: item.line, reason: r.rejected ?? 'rejected' });
    }
    return report;
  }

  /**
   * Index ES notables (§6, §8.33). Missing review fields get ES defaults; `_time` may be epoch
   * seconds or ISO 8601. Returns the rows as indexed; throws (indexing none) on a bad notable.
   */
  addNotables(notables: Iterable<Record<string, unknown>>, index = 'notable'): Row[] {
    const added: Row[] = [];
    for (const obj of notables) {
      const row: Row = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v == null) continue;
        if (Array.isArray(v)) row[k] = v.map(String);
        else if (typeof v === 'object') throw new Error(`notable field '${k}' is an object; only strings, numbers and arrays are allowed`);
        else row[k] = String(v);
      }
      const t = row._time;
      const tStr = typeof t === 'string' ? t : undefined;
      const epoch = tStr === undefined ? Date.now() / 1000 : /^\d+(\.\d+)?$/.test(tStr) ? Number(tStr) : Date.parse(tStr) / 1000;
      if (!Number.isFinite(epoch)) throw new Error(`notable _time '${tStr}' is neither epoch seconds nor ISO 8601`);
      row._time = epoch.toFixed(3);
      const ruleName = (row.rule_name ?? row.search_name ?? 'Notable') as string;
      row.rule_name ??= ruleName;
      row.search_name ??= ruleName;
      row.rule_title ??= ruleName;
      row.severity ??= 'medium';
      row.urgency ??= row.severity;
      row.status ??= '1';
      row.status_label ??= 'New';
      row.owner ??= 'unassigned';
      row.security_domain ??= 'endpoint';
      row.index = index;
      row.source ??= `${ruleName} - Rule`;
      row.sourcetype ??= 'stash';
      row.host ??= 'es-search-head';
      row.splunk_server = SERVER_NAME;
      row.event_id ??= `${createHash('md5').update(JSON.stringify(obj)).digest('hex').toUpperCase().slice(0, 8)}@@notable@@${createHash('md5').update(String(this.seq + added.length)).digest('hex')}`;
      row._raw ??= Object.entries(row).filter(([k]) => !k.startsWith('_')).map(([k, v]) => `${k}="${String(v).replace(/"/g, '\\"')}"`).join(', ');
      added.push(row);
    }
    // All or nothing: a bad notable anywhere in the input indexes none of it.
    for (const row of added) this.push(row);
    return added;
  }

  /** Index arbitrary rows (must carry `index` and `_time`). */
  addRows(rows: Iterable<Row>): void { for (const r of rows) this.push(r); }

  /** Per-field value index (lowercase value → positions in events(), and those rows), built lazily. */
  private readonly fieldIndex = new Map<string, Map<string, { pos: number[]; rows: Row[] }>>();

  lookup(field: string, values: readonly string[]): readonly Row[] {
    const rows = this.events();
    let idx = this.fieldIndex.get(field);
    if (!idx) {
      idx = new Map();
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![field];
        if (v === undefined) continue;
        for (const x of typeof v === 'string' ? [v] : new Set(v.map((y) => y.toLowerCase()))) {
          const key = x.toLowerCase();
          const entry = idx.get(key);
          if (!entry) idx.set(key, { pos: [i], rows: [rows[i]!] });
          else if (entry.pos[entry.pos.length - 1] !== i) { entry.pos.push(i); entry.rows.push(rows[i]!); }
        }
      }
      this.fieldIndex.set(field, idx);
    }
    if (values.length === 1) return idx.get(values[0]!)?.rows ?? [];
    const positions = new Set<number>();
    for (const v of values) for (const i of idx.get(v)?.pos ?? []) positions.add(i);
    return [...positions].sort((a, b) => a - b).map((i) => rows[i]!);
  }

  private push(row: Row): void {
    // Internal fields every Splunk event carries (§2.5 "Events").
    const index = String(row.index ?? 'main');
    row._bkt ??= `${index}~0~6A0D5A3C-2F1B-4C7E-9B55-0E1F2A3B4C5D`;
    row._cd ??= `0:${this.seq}`;
    row._indextime ??= String(Math.floor(Number(row._time ?? 0)));
    row._si ??= [SERVER_NAME, index];
    if (row.sourcetype !== undefined) row._sourcetype ??= row.sourcetype;
    this.seq++;
    this.rows.push(row);
    this.sorted = false;
    this.processes = null;
    this.fieldIndex.clear();
  }

  /** Number of indexed events. */
  get size(): number { return this.rows.length; }

  events(): readonly Row[] {
    if (!this.sorted) {
      // Newest first; the sort is stable, so events with the same time keep their indexing order.
      this.rows.sort((a, b) => Number(b._time) - Number(a._time));
      this.sorted = true;
    }
    return this.rows;
  }

  datamodel(name: DataModelName): readonly Row[] {
    if (name !== 'Endpoint.Processes') return [];
    if (!this.processes) {
      this.processes = this.events().filter((r) => r.EventCode === '1' && (r.sourcetype === SYSMON_SOURCETYPE || r.source === SYSMON_SOURCE || String(r.source).includes('Sysmon')))
        .map((r) => {
          const out: Row = { _time: r._time!, index: r.index!, host: r.host!, source: r.source!, sourcetype: r.sourcetype! };
          for (const f of PROCESS_FIELDS) { const v: Value | undefined = r[f]; if (v !== undefined) out[`Processes.${f}`] = v; }
          return out;
        });
    }
    return this.processes;
  }
}
