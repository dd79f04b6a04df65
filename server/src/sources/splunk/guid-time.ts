/**
 * The start time a Sysmon ProcessGuid embeds (docs/splunk.md "Time from the GUID"):
 * `{MMMMMMMM-LLLL-HHHH-…}` — after the 8-hex machine part, the 2nd and 3rd groups are the low and
 * high 16 bits of the process's start in Unix seconds. `guid-time.test.ts` checks this layout on
 * every real capture before the adapter relies on it; anything implausible gives null (no bound).
 */
import { canonicalGuid } from '@lineage/shared';

/** Earliest plausible start: Sysmon 1.0 shipped in 2014. */
const EARLIEST_MS = Date.parse('2014-01-01T00:00:00Z');

/** Start time (epoch ms) embedded in a ProcessGuid, or null when it is not a plausible Sysmon time. */
export function guidTime(guid: string, nowMs = Date.now()): number | null {
  const g = canonicalGuid(guid);
  if (!g) return null;
  const sec = parseInt(g.slice(15, 19) + g.slice(10, 14), 16);
  const ms = sec * 1000;
  return ms >= EARLIEST_MS && ms <= nowMs + 86_400_000 ? ms : null;
}
