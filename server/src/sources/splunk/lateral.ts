/**
 * Cross-host stitching facts from Splunk (graph/lateral.ts): ONE search per expansion. It returns, for
 * the window, every remote-execution connection, DNS answer, service ImagePath write and launcher child
 * as events, and each host's own addresses as one row per (machine, SourceIp) of its outbound
 * connections — the other outbound EventID 3 rows are de-duplicated to that inside the same search. No user value enters the SPL: ports, launcher
 * names and field names are ours; the window travels as REST time parameters.
 */
import type { EventRecord, LateralFacts } from '../event-source.js';
import { LATERAL_PORTS, LAUNCHER_NAMES } from '../../graph/lateral.js';
import { RAW_TO_CIM } from '../../sysmon/fields.js';
import type { SplunkRow } from './client.js';
import { eventRecords, processRecords, type Provenance } from './rows.js';
import type { SplBuilder } from './spl.js';

/** Most rows one expansion reads; beyond it the answer says it is incomplete. */
export const LATERAL_ROW_LIMIT = 50_000;

/** The one search of an expansion, in the configured field style. */
export function lateralSpl(spl: SplBuilder, style: 'raw' | 'cim'): string {
  const f = (raw: string): string => (style === 'cim' ? RAW_TO_CIM[raw] ?? raw : raw);
  const ports = Object.keys(LATERAL_PORTS).join('|');
  const launchers = LAUNCHER_NAMES.map((n) => `${f('ParentImage')}="*\\\\${n}"`).join(' OR ');
  const onPort = `match(${f('DestinationPort')}, "^(${ports})$") OR match(${f('SourcePort')}, "^(${ports})$")`;
  const list = Object.keys(LATERAL_PORTS).join(', ');
  const net = `EventCode=3 (Initiated=true OR ${f('DestinationPort')} IN (${list}) OR ${f('SourcePort')} IN (${list}))`;
  return `${spl.base()} ((${net}) OR EventCode=22 OR (EventCode=13 ${f('TargetObject')}="*\\\\Services\\\\*\\\\ImagePath") OR (EventCode=1 (${launchers})))`
    + ` | eval lineage_key=if(EventCode=3 AND NOT (${onPort}), "addr|" . lower(${spl.machine()}) . "|" . ${f('SourceIp')}, "ev|" . lower(${spl.machine()}) . "|" . EventRecordID . "|" . EventCode)`
    + ` | dedup lineage_key | fields - _raw | head ${LATERAL_ROW_LIMIT + 1}`;
}

/** The search's rows → facts (connections on the ports, addresses, DNS, services, launcher children). */
export function lateralFactsFromRows(rows: readonly SplunkRow[], prov: Provenance, style: 'raw' | 'cim'): LateralFacts {
  const kept = rows.slice(0, LATERAL_ROW_LIMIT);
  const events: EventRecord[] = eventRecords(kept, style);
  const isPort = (v: string | undefined): boolean => LATERAL_PORTS[Number(v)] !== undefined;
  const net = events.filter((e) => e.eventId === 3);
  const addresses = new Map<string, { host: string; ip: string }>();
  for (const e of net) if (e.fields.SourceIp && String(e.fields.Initiated).toLowerCase() === 'true') addresses.set(`${e.host}|${e.fields.SourceIp}`, { host: e.host, ip: e.fields.SourceIp });
  return {
    connections: net.filter((e) => isPort(e.fields.DestinationPort) || isPort(e.fields.SourcePort)),
    addresses: [...addresses.values()],
    dns: events.filter((e) => e.eventId === 22),
    services: events.filter((e) => e.eventId === 13),
    creates: processRecords(kept.filter((r) => String(r.EventCode) === '1'), prov),
    complete: rows.length <= LATERAL_ROW_LIMIT,
  };
}
