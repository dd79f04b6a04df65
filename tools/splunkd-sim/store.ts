/**
 * The emulator's indexes: Sysmon events presented the way the Splunk Add-on for Sysmon shows them
 * (splunk-protocol.md §5: source/sourcetype, raw AND CIM field names, braced GUIDs as written,
 * `_time`, `host`, EventCode/EventID) and ES notables in `index=notable` (§6). Also serves the
 * Endpoint.Processes data model for tstats.
 */
import { randomUUID } from 'node:crypto';
import { notableEpoch, notableEventId, setReview, statusId, type Review } from './es.js';
import type { EventStore } from './spl/execute.js';
import type { DataModelName } from './spl/tstats.js';
import type { Row, Value } from './spl/values.js';
import { DEFAULT_DEPLOYMENT, extractSysmon, PROCESS_MODEL_FIELDS, SYSMON_SOURCE, type Deployment } from './sysmon-ta.js';
import { readWinEvents, type WinEvent } from './winevent.js';

export { SYSMON_SOURCE } from './sysmon-ta.js';
/** The modern sourcetype of the Sysmon add-on (§5.1). */
export const SYSMON_SOURCETYPE = 'XmlWinEventLog';
/** What `splunk_server` shows on every event. */
export const SERVER_NAME = 'lineage-splunkd';

/** Counts from loading one input. */
export interface LoadReport { indexed: number; skipped: number; rejected: { line: number; reason: string }[] }

/** Options for indexing Sysmon events: the index, and how the deployment sets host/source/sourcetype. */
export interface SysmonIndexOptions { index?: string; source?: string; sourcetype?: string; deployment?: Partial<Deployment> }

function xmlEscape(s: string): string {
  if (!/[&<>']/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/** XmlWinEventLog `_raw` rebuilt from the event (single-quoted attributes, as the forwarder writes). */
function rawXml(p: WinEvent): string {
  const s = p.system;
  const data = Object.entries(p.data).map(([k, v]) => `<Data Name='${xmlEscape(k)}'>${xmlEscape(v)}</Data>`).join('');
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${xmlEscape(s.provider ?? 'Microsoft-Windows-Sysmon')}'/>`
    + `<EventID>${s.eventId ?? ''}</EventID>${s.timeCreated ? `<TimeCreated SystemTime='${xmlEscape(s.timeCreated)}'/>` : ''}`
    + `${s.recordId != null ? `<EventRecordID>${s.recordId}</EventRecordID>` : ''}<Channel>${xmlEscape(s.channel ?? 'Microsoft-Windows-Sysmon/Operational')}</Channel>`
    + `<Computer>${xmlEscape(s.computer ?? '')}</Computer></System><EventData>${data}</EventData></Event>`;
}

/**
 * `_time`: the Sysmon UtcTime, else TimeCreated/@SystemTime. (Splunk's XmlWinEventLog props take
 * SystemTime; some replayed captures rewrote it by weeks — README.md "Known simplifications".)
 */
function eventEpoch(p: WinEvent): number {
  const utc = p.data.UtcTime ? Date.parse(`${p.data.UtcTime.replace(' ', 'T')}Z`) : NaN;
  if (Number.isFinite(utc)) return utc / 1000;
  return p.system.timeCreated ? Date.parse(p.system.timeCreated) / 1000 : NaN;
}

/** The in-memory indexes. Events are kept newest first, as Splunk returns them. */
export class SplunkStore implements EventStore {
  private rows: Row[] = [];
  private sorted = true;
  private processes: Row[] | null = null;
  private seq = 0;

  /** Index one Sysmon event; returns why it was not indexed, or null. */
  addSysmonEvent(p: WinEvent, opts: SysmonIndexOptions = {}): { skipped?: string; rejected?: string } | null {
    const provider = `${p.system.provider ?? ''} ${p.system.channel ?? ''}`;
    if (provider.trim() !== '' && !/Sysmon/i.test(provider)) return { skipped: 'not a Sysmon event' };
    if (p.system.eventId === null) return { rejected: 'no EventID' };
    if (!p.system.computer) return { rejected: 'no Computer' };
    const epoch = eventEpoch(p);
    if (!Number.isFinite(epoch)) return { rejected: 'no TimeCreated/UtcTime' };
    const row = extractSysmon(p, { ...DEFAULT_DEPLOYMENT, ...opts.deployment });
    row._time = epoch.toFixed(3);
    row._raw = rawXml(p);
    row.index = opts.index ?? 'sysmon';
    if (opts.source !== undefined) row.source = opts.source;
    if (opts.sourcetype !== undefined) row.sourcetype = opts.sourcetype;
    row.splunk_server = SERVER_NAME;
    this.push(row);
    return null;
  }

  /** Index parsed Sysmon events (e.g. built in a test). */
  addSysmon(events: Iterable<WinEvent>, opts: SysmonIndexOptions = {}): LoadReport {
    const report: LoadReport = { indexed: 0, skipped: 0, rejected: [] };
    for (const p of events) {
      const r = this.addSysmonEvent(p, opts);
      if (!r) report.indexed++;
      else if (r.skipped) report.skipped++;
      else report.rejected.push({ line: 0, reason: r.rejected ?? 'rejected' });
    }
    return report;
  }

  /** Index a Sysmon file: XmlWinEventLog / XML records or NXLog JSON lines (winevent.ts). */
  async loadSysmonFile(path: string, opts: SysmonIndexOptions = {}): Promise<LoadReport> {
    const report: LoadReport = { indexed: 0, skipped: 0, rejected: [] };
    for await (const item of readWinEvents(path)) {
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
   * Index ES notables (§6, §8.33) as the correlation search writes them: no `event_id`, status or
   * owner in the raw event (the `notable` macro adds them, es.ts). `status`/`owner`/`urgency`/`comment`
   * given in the input go to the incident-review collection instead. `_time`: epoch seconds, ISO 8601
   * or relative (`-2h`). Returns the rows with their event_id; throws (indexing none) on a bad notable.
   */
  addNotables(notables: Iterable<Record<string, unknown>>, index = 'notable'): (Row & { event_id: string })[] {
    const added: { row: Row; review: Review }[] = [];
    const now = Date.now() / 1000;
    for (const obj of notables) {
      const row: Row = {};
      const review: Review = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v == null) continue;
        if (typeof v === 'object' && !Array.isArray(v)) throw new Error(`notable field '${k}' is an object; only strings, numbers and arrays are allowed`);
        if (k === 'status' || k === 'owner' || k === 'comment' || (k === 'urgency' && obj.status !== undefined)) { review[k] = String(v); continue; }
        if (k === 'event_id' || k === 'status_label') continue;
        row[k] = Array.isArray(v) ? v.map(String) : String(v);
      }
      if (review.status !== undefined) statusId(review.status);
      row._time = notableEpoch(typeof row._time === 'string' ? row._time : undefined, now).toFixed(3);
      const ruleName = (row.rule_name ?? row.search_name ?? 'Notable') as string;
      row.rule_name ??= ruleName;
      row.search_name ??= `Endpoint - ${ruleName} - Rule`;
      row.rule_title ??= ruleName;
      row.severity ??= 'medium';
      row.security_domain ??= 'endpoint';
      row.index = index;
      row.source ??= row.search_name;
      row.sourcetype ??= 'stash';
      row.host ??= 'es-search-head';
      row.splunk_server = SERVER_NAME;
      row._raw ??= Object.entries(row).filter(([k]) => !k.startsWith('_')).map(([k, v]) => `${k}="${String(v).replace(/"/g, '\\"')}"`).join(', ');
      added.push({ row, review });
    }
    // All or nothing: a bad notable anywhere in the input indexes none of it.
    return added.map(({ row, review }) => {
      this.push(row);
      const eventId = notableEventId(row);
      if (Object.keys(review).length > 0) setReview(eventId, review);
      return { ...row, event_id: eventId };
    });
  }

  /** Review a notable (the incident-review collection the `notable` macro reads). */
  review(eventId: string, r: Review): void { setReview(eventId, r); }

  /** This store's indexer GUID (in `_bkt`, and so in every notable's event_id). */
  readonly guid = randomUUID().toUpperCase();

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
    row._bkt ??= `${index}~0~${this.guid}`;
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
      this.processes = this.events().filter((r) => r.EventCode === '1' && (String(r.Channel).includes('Sysmon') || r.source === SYSMON_SOURCE))
        .map((r) => {
          const out: Row = { _time: r._time!, index: r.index!, host: r.host!, source: r.source!, sourcetype: r.sourcetype! };
          for (const f of PROCESS_MODEL_FIELDS) { const v: Value | undefined = r[f]; if (v !== undefined) out[`Processes.${f}`] = v; }
          return out;
        });
    }
    return this.processes;
  }
}
