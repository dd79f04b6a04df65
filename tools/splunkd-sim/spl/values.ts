/**
 * Field values as splunkd holds them: every value is a string, multivalue fields are string
 * arrays (splunk-protocol.md §2.5). Helpers for Splunk's case-insensitive wildcard matching.
 */

/** One field value: single string or multivalue. */
export type Value = string | string[];

/** An event or result row. `_time` holds epoch seconds as a decimal string. */
export type Row = Record<string, Value>;

/** The values of a field as a list (missing → empty). */
export function valuesOf(v: Value | undefined | null): string[] {
  if (v == null) return [];
  return Array.isArray(v) ? v : [v];
}

const cache = new Map<string, RegExp>();

/**
 * A Splunk search-term pattern (`*` = any run of characters, never escapable — §4.1) as an anchored,
 * case-insensitive regular expression.
 */
export function wildcardRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 'is');
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** True when `value` matches `pattern` the way the search command compares (case-insensitive, `*` wildcard). */
export function matchesPattern(value: string, pattern: string): boolean {
  if (!pattern.includes('*')) return value.length === pattern.length && value.toLowerCase() === pattern.toLowerCase();
  return wildcardRegex(pattern).test(value);
}

/** Field-name wildcard match (`fields`, `table`, `rename`): case-sensitive, `*` wildcard. */
export function matchesFieldName(name: string, pattern: string): boolean {
  if (!pattern.includes('*')) return name === pattern;
  const body = pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)');
  return new RegExp(`^${body}$`, 's').test(name);
}

/** A number when the string is one (Splunk treats numeric-looking strings as numbers in comparisons). */
export function asNumber(v: string): number | null {
  if (v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Splunk's ordering for sort/min/max: numbers before strings, numbers numerically, strings lexically. */
export function compareValues(a: string, b: string): number {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return na - nb;
  if (na !== null) return -1;
  if (nb !== null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Render a number the way eval prints it (no trailing `.0`, no exponent for ordinary values). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}
