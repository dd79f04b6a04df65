/** Duration and hop-range literals of the rule format. */
import { UNBOUNDED } from '../model.js';

/** `30m`, `2h`, `90s`, `500ms`, `1d`, or a number of seconds → ms. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') { if (v >= 0) return v * 1000; throw new Error('a duration cannot be negative'); }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) throw new Error(`cannot read duration "${v}" (e.g. 30s, 5m, 2h, 1d)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}

/** `1..5`, `2`, `1..*`, `*` → parent-edge bounds (lo ≥ 1). */
export function parseHops(v: string | number): { lo: number; hi: number } {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1) throw new Error('hops must be ≥ 1 (1 = direct child)');
    return { lo: v, hi: v };
  }
  const t = v.trim();
  if (t === '*' || t === '+') return { lo: 1, hi: UNBOUNDED };
  const m = /^(\d+)(?:\s*\.\.\s*(\d+|\*))?$/.exec(t);
  if (!m) throw new Error(`cannot read hops "${v}" (e.g. 1, 2..2, 1..5, 1..*)`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === '*' ? UNBOUNDED : Number(m[2]);
  if (lo < 1) throw new Error('hops must be ≥ 1 (1 = direct child)');
  if (hi < lo) throw new Error(`hop range ${lo}..${hi} is empty`);
  return { lo, hi };
}


let isoPrefix = '';
let isoPrefixMs = 0;
/**
 * ISO 8601 UTC → ms, fast for the sources' `YYYY-MM-DDTHH:MM:SS.mmmZ`: the minute prefix is parsed once
 * and cached (consecutive records share it), seconds and millis are read from char codes. Anything else
 * goes to Date.parse. This is the hottest line of the engine after the map lookups.
 */
export function isoMs(s: string): number {
  if (s.length === 24 && s.charCodeAt(19) === 46 /* . */ && s.charCodeAt(23) === 90 /* Z */) {
    if (!s.startsWith(isoPrefix) || isoPrefix === '') {
      isoPrefix = s.slice(0, 17);
      isoPrefixMs = Date.parse(`${isoPrefix}00.000Z`);
    }
    return isoPrefixMs + ((s.charCodeAt(17) - 48) * 10 + s.charCodeAt(18) - 48) * 1000
      + (s.charCodeAt(20) - 48) * 100 + (s.charCodeAt(21) - 48) * 10 + s.charCodeAt(22) - 48;
  }
  return Date.parse(s);
}

