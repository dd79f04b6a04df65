/**
 * The facts cross-host stitching needs from the embedded store for one window (graph/lateral.ts): three
 * counted statements — remote-execution connections, DNS answers and service ImagePath writes in one;
 * each host's own addresses; the creates started by a remote-execution launcher. All values are bound.
 */
import type { TimeRange } from '@lineage/shared';
import type { LateralFacts, QueryContext } from '../event-source.js';
import { LATERAL_PORTS, LAUNCHER_NAMES } from '../../graph/lateral.js';
import type { EmbeddedStore } from './store.js';
import { EVENT_COLUMNS, PROCESS_COLUMNS } from './schema.js';
import { Params, queryJson } from './sql-runner.js';
import { toEvent, toProcess } from './rows.js';

/** Most rows of one kind read for a window; more and the answer says it is incomplete. */
export const LATERAL_ROW_CAP = 20_000;

const field = (name: string): string => `json_extract_string(e.fields, '$.${name}')`;

export async function embeddedLateralFacts(store: EmbeddedStore, range: TimeRange, ctx: QueryContext): Promise<LateralFacts> {
  const window = (p: Params, col: string): string =>
    `${col} >= CAST(${p.arg(range.from)} AS TIMESTAMP) AND ${col} <= CAST(${p.arg(range.to)} AS TIMESTAMP)`;

  const pe = new Params();
  const ports = Object.keys(LATERAL_PORTS).map((n) => pe.arg(n)).join(', ');
  const events = (await queryJson(store, ctx, `SELECT ${EVENT_COLUMNS} FROM events e WHERE ${window(pe, 'e.time')} AND (
      (e.event_id = 3 AND (${field('DestinationPort')} IN (${ports}) OR ${field('SourcePort')} IN (${ports})))
      OR (e.event_id = 22 AND coalesce(${field('QueryResults')}, '') <> '')
      OR (e.event_id = 13 AND regexp_matches(${field('TargetObject')}, ${pe.arg('(?i)\\\\services\\\\[^\\\\]+\\\\imagepath$')})))
    ORDER BY e.time, e.seq LIMIT ${pe.arg(LATERAL_ROW_CAP + 1)}`, pe)).map(toEvent);

  const pa = new Params();
  const addresses = await queryJson(store, ctx, `SELECT DISTINCT e.host AS host, ${field('SourceIp')} AS ip FROM events e
    WHERE e.event_id = 3 AND ${window(pa, 'e.time')} AND lower(${field('Initiated')}) = 'true' AND ${field('SourceIp')} IS NOT NULL LIMIT ${pa.arg(LATERAL_ROW_CAP + 1)}`, pa);

  const pc = new Params();
  const names = LAUNCHER_NAMES.map((n) => pc.arg(n)).join(', ');
  const creates = (await queryJson(store, ctx, `SELECT ${PROCESS_COLUMNS} FROM processes p
    WHERE ${window(pc, 'p.start_time')} AND lower(regexp_extract(p.parent_image, '[^\\\\/]*$')) IN (${names})
    ORDER BY p.start_time, p.guid LIMIT ${pc.arg(LATERAL_ROW_CAP + 1)}`, pc)).map(toProcess);

  const complete = events.length <= LATERAL_ROW_CAP && addresses.length <= LATERAL_ROW_CAP && creates.length <= LATERAL_ROW_CAP;
  const kept = events.slice(0, LATERAL_ROW_CAP);
  return {
    connections: kept.filter((e) => e.eventId === 3),
    dns: kept.filter((e) => e.eventId === 22),
    services: kept.filter((e) => e.eventId === 13),
    addresses: addresses.slice(0, LATERAL_ROW_CAP).map((r) => ({ host: String(r.host), ip: String(r.ip) })),
    creates: creates.slice(0, LATERAL_ROW_CAP),
    complete,
  };
}
