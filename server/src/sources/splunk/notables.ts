/**
 * Splunk ES notables (docs/splunk-protocol.md §6) → Lineage notables, each mapped to its process:
 * by GUID when the correlation search output one (`process_guid`, `ProcessGuid`, `orig_process_guid`…),
 * else by host + time + process name, resolved with one search for all such notables at once.
 */
import { canonicalGuid, type Notable, type TimeRange } from '@lineage/shared';
import type { ProcessRecord } from '../event-source.js';
import type { SplunkRow } from './client.js';

const GUID_FIELDS = ['process_guid', 'ProcessGuid', 'orig_process_guid', 'orig_ProcessGuid', 'src_process_guid'];
const IMAGE_FIELDS = ['process_path', 'Image', 'orig_process_path', 'orig_Image', 'process', 'process_name', 'orig_process_name'];
const HOST_FIELDS = ['dest', 'dest_host', 'orig_host', 'host', 'Computer'];
const HOST_RE = /^[A-Za-z0-9._-]{1,255}$/;
/** How far before a notable its process may have started and still be "its" process. */
const LOOKBACK_MS = 24 * 3_600_000;

function first(row: SplunkRow, names: readonly string[]): string | null {
  for (const n of names) {
    const v = row[n];
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== '') return s;
  }
  return null;
}

function isoTime(v: string | null): string | null {
  if (!v) return null;
  const n = Number(v);
  const t = Number.isFinite(n) && /^\d+(\.\d+)?$/.test(v) ? n * 1000 : Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** Basename of a path or command line's first token, lowercase. */
export function processName(v: string | null): string | null {
  if (!v) return null;
  let s = v.trim();
  if (s.startsWith('"')) s = s.slice(1, s.indexOf('"', 1) > 0 ? s.indexOf('"', 1) : undefined);
  else if (/\.exe\s/i.test(s)) s = s.slice(0, s.search(/\.exe\s/i) + 4);
  const base = (s.split(/[\\/]/).pop() ?? '').toLowerCase();
  return base && !/[*`"\r\n]/.test(base) ? base : null;
}

/** Rows of `index=notable` → notables (GUID null where the row named none). */
export function notablesFromRows(rows: readonly SplunkRow[]): Notable[] {
  return rows.map((row, i) => {
    const time = isoTime(first(row, ['_time', 'orig_time'])) ?? new Date(0).toISOString();
    const hostRaw = first(row, HOST_FIELDS) ?? '';
    const image = first(row, IMAGE_FIELDS);
    const id = first(row, ['event_id']) ?? [first(row, ['orig_sid']), first(row, ['orig_rid'])].filter(Boolean).join('@') ?? '';
    return {
      id: id || `notable-${i}-${time}`,
      title: first(row, ['rule_title', 'rule_name', 'search_name', 'source']) ?? 'Notable event',
      host: HOST_RE.test(hostRaw) ? hostRaw.toLowerCase() : '',
      time,
      severity: first(row, ['urgency', 'severity']) ?? 'unknown',
      ...(first(row, ['status_label']) ? { status: first(row, ['status_label'])! } : {}),
      ...(first(row, ['owner']) ? { owner: first(row, ['owner'])! } : {}),
      guid: canonicalGuid(first(row, GUID_FIELDS)),
      image,
      source: 'splunk-es' as const,
    };
  });
}

/** Whether two machine names (lowercase) are one machine: equal, or one is the other's short name. */
export function sameMachine(a: string, b: string): boolean {
  if (a === b) return true;
  const short = (x: string) => (/^[\d.]+$/.test(x) || x.includes(':') ? x : x.split('.')[0]!);
  return (!a.includes('.') || !b.includes('.')) && short(a) === short(b);
}

/** Which process a GUID-less notable stands for: on its host, that name, the latest start at or before its time. */
export function matchProcess(n: Notable, procs: readonly ProcessRecord[]): ProcessRecord | null {
  const name = processName(n.image);
  if (!name || !n.host) return null;
  const t = Date.parse(n.time);
  let best: ProcessRecord | null = null;
  for (const p of procs) {
    if (!sameMachine(p.host, n.host) || p.name !== name) continue;
    const s = Date.parse(p.startTime);
    if (s > t || s < t - LOOKBACK_MS) continue;
    if (!best || s > Date.parse(best.startTime)) best = p;
  }
  return best;
}

/** Fill `guid` (and `image`) of notables without a GUID using one search over their hosts and names. */
export async function resolveNotableProcesses(
  notables: Notable[],
  lookup: (pairs: Array<{ host: string; name: string }>, range: TimeRange) => Promise<ProcessRecord[]>,
): Promise<Notable[]> {
  const open = notables.filter((n) => !n.guid && n.host && processName(n.image));
  if (open.length === 0) return notables;
  const pairs = new Map<string, { host: string; name: string }>();
  for (const n of open) { const name = processName(n.image)!; pairs.set(`${n.host}|${name}`, { host: n.host, name }); }
  const times = open.map((n) => Date.parse(n.time));
  const range = { from: new Date(Math.min(...times) - LOOKBACK_MS).toISOString(), to: new Date(Math.max(...times)).toISOString() };
  const procs = await lookup([...pairs.values()].slice(0, 500), range);
  for (const n of open) {
    const p = matchProcess(n, procs);
    if (p) { n.guid = p.guid; n.image = p.image; }
  }
  return notables;
}
