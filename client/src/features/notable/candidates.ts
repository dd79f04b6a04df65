/**
 * Which ES notables "Add to notable" offers for a graph: Splunk ES notables on a process drawn or known in
 * the graph, or on the origin's host; the notable on the origin process first, then newest first.
 */
import type { Notable } from '@lineage/shared';

export function notableCandidates(notables: readonly Notable[], known: ReadonlySet<string> | ReadonlyMap<string, unknown>, originHost: string | null, originGuid: string | null): Notable[] {
  const host = originHost?.toLowerCase() ?? null;
  return notables
    .filter((n) => n.source === 'splunk-es' && ((n.guid !== null && known.has(n.guid)) || (host !== null && n.host.toLowerCase() === host)))
    .sort((a, b) => Number(b.guid === originGuid) - Number(a.guid === originGuid) || b.time.localeCompare(a.time));
}
