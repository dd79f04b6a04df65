/**
 * Sigma over an embedded store: one streamed statement over the events of the EventIDs the rules
 * apply to (in insertion order), each event matched in memory.
 */
import type { QueryContext } from '../sources/event-source.js';
import { Params, streamQuery } from '../sources/embedded/sql-runner.js';
import type { EmbeddedStore } from '../sources/embedded/store.js';
import type { SigmaEngine } from './engine.js';
import { matchStored, type SigmaHitRecord } from './hits.js';
import type { CompiledRule } from './rule.js';

export interface ScanResult { hits: SigmaHitRecord[]; scanned: number }

/** EventIDs of the Sysmon rules; null when a rule applies to every Sysmon event (`service: sysmon`). */
export function sysmonEventIds(rules: CompiledRule[]): number[] | null {
  const ids = new Set<number>();
  for (const r of rules) {
    if (!r.applies.sysmon) continue;
    if (r.applies.eventIds === null) return null;
    for (const id of r.applies.eventIds) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

export async function scanStore(store: EmbeddedStore, engine: SigmaEngine, ctx: QueryContext): Promise<ScanResult> {
  const ids = sysmonEventIds(engine.rules);
  if (ids && ids.length === 0) return { hits: [], scanned: 0 };
  const p = new Params();
  const where = ids ? `WHERE event_id IN (${ids.map((id) => p.arg(id)).join(', ')})` : '';
  const sql = `SELECT event_id, guid, host, strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, record_id, fields FROM events ${where} ORDER BY seq`;
  const hits: SigmaHitRecord[] = [];
  let scanned = 0;
  for await (const rows of streamQuery(store, ctx, sql, p, 10_000)) {
    scanned += rows.length;
    hits.push(...matchStored(engine, rows.map((r) => ({
      eventId: Number(r.event_id), guid: (r.guid as string | null) ?? null, host: String(r.host), time: String(r.time),
      recordId: r.record_id == null ? null : Number(r.record_id), fields: JSON.parse(String(r.fields)) as Record<string, string>,
    }))));
  }
  return { hits, scanned };
}
