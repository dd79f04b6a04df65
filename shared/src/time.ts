/**
 * Time on the wire, in one place: parsing what clients and Splunk send (ISO 8601, Sysmon's
 * `2024-05-01 10:00:00.123`, epoch seconds), range checks, and the default investigation window.
 * Documented in docs/api.md "Conventions".
 */
import type { TimeRange } from './schemas.js';

/** The default investigation window around a process start: this long before … */
export const DEFAULT_BEFORE_MS = 3_600_000;
/** … to this long after it. */
export const DEFAULT_AFTER_MS = 24 * 3_600_000;

const TIME_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const ZONE_RE = /(?:Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_RE = /^\d{9,11}(\.\d+)?$/;

/** The date and clock fields exist on the calendar (Date.parse takes `2024-02-31` as 2 March). */
function onCalendar(text: string): boolean {
  const [y, mo, d, h = 0, mi = 0, s = 0] = (text.match(/\d+/g) ?? []).slice(0, 6).map(Number) as number[];
  if (y === undefined || mo === undefined || d === undefined || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && h <= 23 && mi <= 59 && s <= 59;
}

/**
 * ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`, `…+02:00`) or Sysmon's `2024-05-01 10:00:00.123` → epoch
 * ms; no zone means UTC. Null for anything else (no locale-dependent `Date.parse` fallbacks).
 */
export function parseTime(text: string): number | null {
  const v = text.trim();
  if (!TIME_RE.test(v) || !onCalendar(v)) return null;
  const iso = v.replace(' ', 'T');
  const t = Date.parse(ZONE_RE.test(v) && v.length > 10 ? iso : v.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);
  return Number.isFinite(t) ? t : null;
}

/** Epoch seconds (Splunk `_time`, e.g. `1648230397.48`) or a time {@link parseTime} reads → epoch ms, or null. */
export function parseEpochOrTime(text: string): number | null {
  const v = text.trim();
  const t = EPOCH_RE.test(v) ? Number(v) * 1000 : parseTime(v);
  return t !== null && Number.isFinite(t) && t > 0 ? t : null;
}

/** ISO text → canonical ISO UTC with milliseconds, or null. */
export function canonicalTime(text: string): string | null {
  const t = parseTime(text);
  return t === null ? null : new Date(t).toISOString();
}

/** Why a range cannot be used (its ends the wrong way round), or null when it is fine. */
export function rangeProblem(from: string, to: string): string | null {
  return Date.parse(from) > Date.parse(to) ? `inverted time range: from ${from} is after to ${to}` : null;
}

/** Earliest and latest representable times: the open ends of a half-given range. */
export const OPEN_FROM = '1970-01-01T00:00:00.000Z';
export const OPEN_TO = '9999-12-31T23:59:59.999Z';

/**
 * `from`/`to` as given by a request → a range (missing ends from `fallback`, else open), or null when
 * neither was given. `{ error }` when the range is inverted.
 */
export function resolveRange(q: { from?: string | undefined; to?: string | undefined }, fallback: TimeRange | null): { range: TimeRange | null } | { error: string } {
  if (!q.from && !q.to) return { range: fallback };
  const from = q.from ?? fallback?.from ?? OPEN_FROM;
  const to = q.to ?? fallback?.to ?? OPEN_TO;
  const problem = rangeProblem(from, to);
  return problem ? { error: problem } : { range: { from, to } };
}

/**
 * The investigation window from the earliest of `startsMs` − 1 h to the last one (the origin or a
 * chain's leaf) + 24 h: the default window stretched back over a chain. Null when the last start is unknown.
 */
export function windowAround(startsMs: readonly (number | null)[]): TimeRange | null {
  const last = startsMs[startsMs.length - 1];
  if (last == null || !Number.isFinite(last)) return null;
  let earliest = last;
  for (const ms of startsMs) if (ms !== null && ms < earliest) earliest = ms; // NaN compares false: skipped
  return { from: new Date(earliest - DEFAULT_BEFORE_MS).toISOString(), to: new Date(last + DEFAULT_AFTER_MS).toISOString() };
}

/** The default investigation window around one process start (ISO). */
export function defaultWindow(startTime: string): TimeRange {
  const t = Date.parse(startTime);
  return { from: new Date(t - DEFAULT_BEFORE_MS).toISOString(), to: new Date(t + DEFAULT_AFTER_MS).toISOString() };
}
