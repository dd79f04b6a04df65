/**
 * Sigma over an embedded store: one streamed statement over the events of the EventIDs the rules
 * apply to (in insertion order), each event matched in memory.
 */
import type { QueryContext } from '../sources/event-source.js';
import { Params, queryJson, streamQuery, type SqlRow } from '../sources/embedded/sql-runner.js';
import type { EmbeddedStore } from '../sources/embedded/store.js';
import type { SigmaEngine } from './engine.js';
import type { EventReader } from './graph.js';
import { matchStored, type SigmaHitRecord, type StoredEvent } from './hits.js';
import type { CompiledRule } from './rule.js';

const COLUMNS = `event_id, guid, host, strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, record_id, fields`;

function storedEvent(r: SqlRow): StoredEvent {
  return {
    eventId: Number(r.event_id), guid: (r.guid as string | null) ?? null, host: String(r.host), time: String(r.time),
    recordId: r.record_id == null ? null : Number(r.record_id), fields: JSON.parse(String(r.fields)) as Record<string, string>,
  };
}

/**
 * Every stored event of these GUIDs on one host (their creates included), by the hashed keys the
 * store's zonemaps prune on (`gkey = hash(guid)`, `hkey = hash(host)`), the GUIDs compared as well.
 */
export function storeEventReader(store: EmbeddedStore): EventReader {
  return async (guids, host, limit, ctx) => {
    if (guids.length === 0) return [];
    const p = new Params();
    const h = p.arg(host);
    const list = guids.map((g) => p.arg(g));
    const sql = `SELECT ${COLUMNS} FROM events WHERE hkey = hash(${h}) AND host = ${h} AND gkey IN (${list.map((a) => `hash(${a})`).join(', ')})
      AND guid IN (${list.join(', ')}) ORDER BY seq LIMIT ${p.arg(limit)}`;
    return (await queryJson(store, ctx, sql, p)).map(storedEvent);
  };
}

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
  const sql = `SELECT ${COLUMNS} FROM events ${where} ORDER BY seq`;
  const hits: SigmaHitRecord[] = [];
  let scanned = 0;
  for await (const rows of streamQuery(store, ctx, sql, p, 10_000)) {
    scanned += rows.length;
    hits.push(...matchStored(engine, rows.map(storedEvent)));
  }
  return { hits, scanned };
}
