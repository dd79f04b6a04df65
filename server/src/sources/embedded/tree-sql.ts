/**
 * The one recursive statement behind `getTree` and `getAncestors`: origin, its ancestors (walking
 * parent GUIDs up) and its descendants (walking children down), same host throughout — a parent
 * and its child always live on one machine, and the GUID alone can repeat across hosts.
 *
 * Each recursion step is a hash join of the (small) frontier with `processes`; the join on `hkey`
 * lets DuckDB push the frontier's host key into the scan as a min/max filter, so after
 * `optimize()` (processes sorted by hkey, pkey) a step reads the host's row groups only.
 */
import { Params } from './sql-runner.js';

/** Upper bound on generations walked, so a malformed parent cycle cannot recurse forever. */
export const MAX_GENERATIONS = 1000;

/** Columns carried through the recursion (everything PROCESS_COLUMNS needs). */
const CARRY = `gkey, pkey, hkey, guid, parent_guid, host, pid, parent_pid, image, name, command_line, parent_image,
  parent_command_line, parent_user, "user", integrity_level, hashes, current_directory, logon_guid, start_time, end_time`;
const carry = (alias: string): string => CARRY.split(',').map((c) => `${alias}.${c.trim()}`).join(', ');

export interface TreeSqlOptions {
  guid: string;
  host?: string;
  /** Generations of ancestors to walk (0 = none). */
  up: number;
  /** Generations of descendants to walk (0 = none). */
  down: number;
  /** Descendants returned at most; one more is fetched to tell whether the walk was complete. */
  budget: number;
  range?: { from: string; to: string };
}

/**
 * Build the statement. Result columns: PROCESS columns + `depth` (origin 0, parents < 0, children > 0).
 * Descendants come nearest generation first, then by (start_time, guid), cut at budget + 1.
 */
export function treeSql(o: TreeSqlOptions): { sql: string; params: Params } {
  const p = new Params();
  const g = p.arg(o.guid);
  const hostCond = o.host ? `AND hkey = hash(${p.arg(o.host)}) AND host = $${p.values.length}` : '';
  const rangeCond = o.range
    ? `AND p.start_time >= CAST(${p.arg(o.range.from)} AS TIMESTAMP) AND p.start_time <= CAST(${p.arg(o.range.to)} AS TIMESTAMP)`
    : '';
  const up = o.up > 0 ? p.arg(Math.min(o.up, MAX_GENERATIONS)) : '';
  const down = p.arg(Math.min(o.down, MAX_GENERATIONS));
  const budget = p.arg(o.budget + 1);
  // One level down (the common "parents + children" request) is a plain join: a recursive CTE
  // has a fixed cost of its own, measured at about half of such a query.
  const oneLevel = o.down <= 1;
  const sql = `
WITH RECURSIVE
origin AS (SELECT ${CARRY} FROM processes WHERE gkey = hash(${g}) AND guid = ${g} ${hostCond}),
up AS (
  SELECT ${CARRY}, 0 AS depth FROM origin${o.up <= 0 ? '' : `
  UNION ALL
  SELECT ${carry('p')}, up.depth - 1
  FROM up JOIN processes p ON p.gkey = up.pkey AND p.guid = up.parent_guid AND p.hkey = up.hkey AND p.host = up.host
  WHERE up.depth > -${up} ${rangeCond}`}),
down AS (
  SELECT ${CARRY}, 0 AS depth FROM origin
  UNION ALL
  SELECT ${carry('p')}, ${oneLevel ? '1' : 'down.depth + 1'}
  FROM ${oneLevel ? 'origin' : 'down'} JOIN processes p ON p.pkey = ${oneLevel ? 'origin' : 'down'}.gkey AND p.parent_guid = ${oneLevel ? 'origin' : 'down'}.guid
    AND p.hkey = ${oneLevel ? 'origin' : 'down'}.hkey AND p.host = ${oneLevel ? 'origin' : 'down'}.host
  WHERE ${oneLevel ? `${down} >= 1` : `down.depth < ${down}`} ${rangeCond}),
found AS (
  SELECT * FROM up WHERE depth < 0
  UNION ALL SELECT *, 0 AS depth FROM origin
  UNION ALL (SELECT * FROM down WHERE depth > 0 ORDER BY depth, start_time, guid LIMIT ${budget}))
SELECT guid, parent_guid, host, pid, parent_pid, image, name, command_line, parent_image, parent_command_line,
  parent_user, "user", integrity_level, hashes, current_directory, logon_guid,
  strftime(start_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS start_time, strftime(end_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS end_time,
  depth
FROM found ORDER BY depth, start_time, guid, host`;
  return { sql, params: p };
}
