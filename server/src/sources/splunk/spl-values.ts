/**
 * SPL values: the one gate user input passes to enter SPL (docs/splunk-protocol.md §4). Every user
 * value either is rejected (SplunkError 400) or becomes one double-quoted term with `\` → `\\` and
 * `"` → `\"` (§4.3); GUID lists are canonicalised and batched, time ranges become REST parameters.
 */
import { canonicalGuid, type TimeRange } from '@lineage/shared';
import { SplunkError } from './errors.js';

/** Longest user value we accept in a term (docs/splunk-protocol.md §4.3). */
export const MAX_VALUE_LENGTH = 4096;
/** Longest `IN (…)` clause we build; longer lists are split into OR-ed clauses or batches. */
export const IN_CLAUSE_BUDGET = 8_000;
/** Most GUIDs one search carries; more are split over several searches. */
export const GUIDS_PER_SEARCH = 1_000;

export function bad(what: string, why: string): SplunkError {
  return new SplunkError('invalid_request', `${what}: ${why}`);
}

/**
 * A user value as one quoted SPL term. Rejects values Splunk cannot represent safely: `*` (a wildcard
 * that cannot be escaped), backtick (macro syntax), CR/LF/NUL and other C0 controls, and overlong values.
 */
export function quote(value: unknown, what: string): string {
  if (typeof value !== 'string') throw bad(what, 'must be a string');
  if (value.length === 0) throw bad(what, 'must not be empty');
  if (value.length > MAX_VALUE_LENGTH) throw bad(what, `longer than ${MAX_VALUE_LENGTH} characters`);
  if (value.includes('*')) throw bad(what, '"*" is a wildcard in Splunk and cannot be searched for literally');
  if (value.includes('`')) throw bad(what, 'backticks are not allowed (Splunk macro syntax)');
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad(what, 'control characters (newline, tab, NUL …) are not allowed');
  if (/[\u2028\u2029]/.test(value)) throw bad(what, 'line separators are not allowed');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) throw bad(what, 'not well-formed unicode');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `"*<value>*"`: a substring match. The wildcards are ours; the value itself may not contain `*`. */
export function containsTerm(value: unknown, what: string): string {
  const q = quote(value, what);
  return `"*${q.slice(1, -1)}*"`;
}

/** A ProcessGuid in canonical form, quoted; anything else is rejected. */
export function guidValue(value: unknown, what = 'guid'): string {
  const g = typeof value === 'string' ? canonicalGuid(value) : null;
  if (!g) throw bad(what, 'not a ProcessGuid ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})');
  return `"${g}"`;
}

const HOST_RE = /^[A-Za-z0-9._-]{1,255}$/;
const IPV6_RE = /^[0-9A-Fa-f:.]{2,45}$/;

/** A host name / IP, lowercased and quoted. */
export function hostValue(value: unknown, what = 'host'): string {
  if (typeof value !== 'string' || !(HOST_RE.test(value) || (value.includes(':') && IPV6_RE.test(value)))) {
    throw bad(what, 'not a host name (letters, digits, ".", "-", "_") or IP address');
  }
  return `"${value.toLowerCase()}"`;
}

/** An image basename such as `cmd.exe` (no path separators), for `*\name` suffix matches. */
export function imageNameSuffix(value: unknown, what = 'image name'): string {
  if (typeof value !== 'string' || /[\\/]/.test(value)) throw bad(what, 'must be a file name without a path');
  const q = quote(value, what);
  return `"*\\\\${q.slice(1, -1)}"`;
}

const INDEX_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/;
/** A configured index name (validated, not quoted: index names have no special characters). */
export function indexName(value: string): string {
  if (!INDEX_RE.test(value)) throw bad('index', `"${value}" is not a valid Splunk index name`);
  return value;
}

/**
 * `field IN (a, b, …)` clauses over already-quoted values, each clause at most `budget` characters;
 * several clauses are OR-ed inside parentheses. Empty input is a caller bug.
 */
export function inClause(field: string, quoted: readonly string[], budget = IN_CLAUSE_BUDGET): string {
  if (quoted.length === 0) throw new Error(`inClause(${field}): empty list`);
  const clauses: string[] = [];
  let cur: string[] = [];
  let len = 0;
  for (const v of quoted) {
    if (cur.length > 0 && len + v.length + 2 > budget) { clauses.push(`${field} IN (${cur.join(', ')})`); cur = []; len = 0; }
    cur.push(v);
    len += v.length + 2;
  }
  clauses.push(`${field} IN (${cur.join(', ')})`);
  return clauses.length === 1 ? clauses[0]! : `(${clauses.join(' OR ')})`;
}

/** Split a list into batches of at most `size`. */
export function batches<T>(items: readonly T[], size = GUIDS_PER_SEARCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Canonical, de-duplicated GUIDs (invalid ones rejected). */
export function canonicalGuids(values: readonly string[], what = 'guid'): string[] {
  const set = new Set<string>();
  for (const v of values) {
    const g = canonicalGuid(v);
    if (!g) throw bad(what, `"${String(v).slice(0, 80)}" is not a ProcessGuid`);
    set.add(g);
  }
  return [...set];
}

/** REST time parameters for a range: epoch seconds with ms, `to` inclusive. */
export function timeParams(range: TimeRange | undefined): { earliest_time?: string; latest_time?: string } {
  if (!range) return {};
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  if (!Number.isFinite(from)) throw bad('from', 'not an ISO 8601 time');
  if (!Number.isFinite(to)) throw bad('to', 'not an ISO 8601 time');
  if (to < from) throw bad('range', '"to" is before "from"');
  // Splunk's latest_time is exclusive; our ranges are inclusive, so add one millisecond.
  return { earliest_time: (from / 1000).toFixed(3), latest_time: ((to + 1) / 1000).toFixed(3) };
}

/** Values matching one machine however it was named: FQDN or short name. Returns quoted SPL values. */
export function machineValues(host: unknown, what = 'host'): string[] {
  const q = hostValue(host, what);
  const name = q.slice(1, -1);
  if (name.includes(':') || /^[\d.]+$/.test(name)) return [q];
  const dot = name.indexOf('.');
  // A short name matches its FQDN (`name.*`); an FQDN also matches a machine that reports only its short name.
  return dot < 0 ? [q, `"${name}.*"`] : [q, `"${name.slice(0, dot)}"`];
}
