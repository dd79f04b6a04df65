/**
 * The reference lineage walk: the plain, obviously-correct statement of what "the tree around a
 * process" means, for checking the fast walks against (tests only; docs/architecture.md). Pure, no
 * indexes, no SQL, no source: a list of process-create rows in, the rows of the tree out.
 *
 *  - origin: every create of the GUID (on `host` when given), whatever the range;
 *  - ancestors (`up`): the create whose GUID is the parent GUID, same host, inside the range, repeated
 *    up to MAX_WALK_GENERATIONS generations;
 *  - descendants: creates whose parent GUID is a walked node's GUID, same host, inside the range, down
 *    to `down` generations, nearest generation first, then by (start time, GUID); the first `budget` are
 *    kept and `complete` says whether that was all of them.
 * A row reached twice (duplicated creates) is listed twice, as a join would list it.
 */
import type { TimeRange } from '@lineage/shared';

/** Upper bound on generations walked either way (a malformed parent cycle cannot walk forever). */
export const MAX_WALK_GENERATIONS = 1000;

/** The fields of a process-create the walk reads. */
export interface WalkRow { guid: string; host: string; parentGuid: string | null; startTime: string | null }

export interface WalkQuery {
  guid: string;
  host?: string | null;
  up: boolean;
  /** Descendant generations (Infinity: all). */
  down: number;
  budget: number;
  range?: TimeRange | null;
}

/** Rows walked, each with its generation (origin 0, ancestors < 0, descendants > 0). */
export interface WalkResult<R extends WalkRow> { rows: { row: R; depth: number }[]; complete: boolean }

export function referenceWalk<R extends WalkRow>(all: readonly R[], q: WalkQuery): WalkResult<R> {
  const from = q.range ? Date.parse(q.range.from) : -Infinity;
  const to = q.range ? Date.parse(q.range.to) : Infinity;
  const inRange = (r: R) => {
    if (!q.range) return true;
    const t = r.startTime === null ? Number.NaN : Date.parse(r.startTime);
    return t >= from && t <= to;
  };
  const origin = all.filter((r) => r.guid === q.guid && (!q.host || r.host === q.host));
  const out: { row: R; depth: number }[] = origin.map((row) => ({ row, depth: 0 }));

  let frontier = origin;
  for (let d = 1; q.up && d <= MAX_WALK_GENERATIONS && frontier.length > 0; d++) {
    frontier = frontier.flatMap((c) => all.filter((p) => p.guid === c.parentGuid && p.host === c.host && inRange(p)));
    for (const row of frontier) out.push({ row, depth: -d });
  }

  const below: { row: R; depth: number }[] = [];
  const levels = Math.min(q.down, MAX_WALK_GENERATIONS);
  frontier = origin;
  for (let d = 1; d <= levels && frontier.length > 0; d++) {
    frontier = frontier.flatMap((p) => all.filter((c) => c.parentGuid === p.guid && c.host === p.host && inRange(c)));
    for (const row of frontier) below.push({ row, depth: d });
  }
  below.sort((a, b) => a.depth - b.depth || cmp(a.row.startTime ?? '', b.row.startTime ?? '') || cmp(a.row.guid, b.row.guid));
  out.push(...below.slice(0, Math.max(0, q.budget)));
  return { rows: out, complete: below.length <= q.budget };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
