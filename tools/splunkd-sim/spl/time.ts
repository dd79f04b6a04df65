/**
 * Splunk time modifiers (splunk-protocol.md §4.1, [S34]): `now`, epoch seconds, relative
 * `-7d@d`, `@w1`, `-1h@h+30m`, the `%m/%d/%Y:%H:%M:%S` absolute form, and (for the REST
 * `earliest_time`/`latest_time` params) ISO 8601. All times are UTC epoch seconds.
 */
import { SplError } from './errors.js';

type Unit = 's' | 'm' | 'h' | 'd' | 'w' | 'mon' | 'q' | 'y';

const UNIT_ALIASES: Record<string, Unit> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
  mon: 'mon', month: 'mon', months: 'mon',
  q: 'q', qtr: 'q', qtrs: 'q', quarter: 'q', quarters: 'q',
  y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

function unitOf(word: string, original: string): Unit {
  const u = UNIT_ALIASES[word.toLowerCase()];
  if (!u) throw new SplError(`Invalid value "${original}" for time term 'earliest'/'latest'`);
  return u;
}

function addUnits(d: Date, n: number, unit: Unit): void {
  switch (unit) {
    case 's': d.setTime(d.getTime() + n * 1000); break;
    case 'm': d.setTime(d.getTime() + n * 60_000); break;
    case 'h': d.setTime(d.getTime() + n * 3_600_000); break;
    case 'd': d.setUTCDate(d.getUTCDate() + n); break;
    case 'w': d.setUTCDate(d.getUTCDate() + 7 * n); break;
    case 'mon': d.setUTCMonth(d.getUTCMonth() + n); break;
    case 'q': d.setUTCMonth(d.getUTCMonth() + 3 * n); break;
    case 'y': d.setUTCFullYear(d.getUTCFullYear() + n); break;
  }
}

function snap(d: Date, unit: Unit, weekday: number | null): void {
  switch (unit) {
    case 's': d.setUTCMilliseconds(0); break;
    case 'm': d.setUTCSeconds(0, 0); break;
    case 'h': d.setUTCMinutes(0, 0, 0); break;
    case 'd': d.setUTCHours(0, 0, 0, 0); break;
    case 'w': {
      d.setUTCHours(0, 0, 0, 0);
      const target = weekday ?? 0;
      const back = (d.getUTCDay() - target + 7) % 7;
      d.setUTCDate(d.getUTCDate() - back);
      break;
    }
    case 'mon': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(1); break;
    case 'q': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(1); d.setUTCMonth(Math.floor(d.getUTCMonth() / 3) * 3); break;
    case 'y': d.setUTCHours(0, 0, 0, 0); d.setUTCMonth(0, 1); break;
  }
}

const OFFSET_RE = /^([+-])(\d*)([a-zA-Z]+)/;

/** Apply a chain like `-7d+2h` to `d`; returns the unconsumed rest. */
function applyOffsets(d: Date, text: string, original: string): string {
  let rest = text;
  for (let m = OFFSET_RE.exec(rest); m; m = OFFSET_RE.exec(rest)) {
    const n = (m[2] === '' ? 1 : Number(m[2])) * (m[1] === '-' ? -1 : 1);
    addUnits(d, n, unitOf(m[3] ?? '', original));
    rest = rest.slice(m[0].length);
  }
  return rest;
}

/**
 * Parse a time modifier to epoch seconds relative to `nowSec`. Throws a Splunk-style 400 for
 * anything else, so a typo never silently widens a search.
 */
export function parseTimeModifier(value: string, nowSec: number, allowIso = false): number {
  const v = value.trim();
  if (v === '' ) throw new SplError(`Invalid empty time modifier`);
  if (/^now(\(\))?$/i.test(v)) return nowSec;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const abs = /^(\d{1,2})\/(\d{1,2})\/(\d{4}):(\d{1,2}):(\d{2}):(\d{2})$/.exec(v);
  if (abs) {
    const [, mo, da, yr, hh, mi, ss] = abs.map(Number) as number[];
    return Date.UTC(yr!, mo! - 1, da!, hh!, mi!, ss!) / 1000;
  }
  if (/^[-+@]/.test(v)) {
    const d = new Date(nowSec * 1000);
    let rest = applyOffsets(d, v, value);
    if (rest.startsWith('@')) {
      const m = /^@([a-zA-Z]+?)(\d)?(?=$|[+-])/.exec(rest);
      if (!m) throw new SplError(`Invalid time modifier "${value}"`);
      const unit = unitOf(m[1] ?? '', value);
      snap(d, unit, m[2] !== undefined && unit === 'w' ? Number(m[2]) : null);
      rest = applyOffsets(d, rest.slice(m[0].length), value);
    }
    if (rest !== '') throw new SplError(`Invalid time modifier "${value}"`);
    return d.getTime() / 1000;
  }
  if (allowIso) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t / 1000;
  }
  throw new SplError(`Invalid value "${value}" for time term`);
}

/** Splunk's JSON `_time` rendering: ISO 8601 with milliseconds and a numeric offset (UTC here). */
export function formatSplunkTime(epochSec: number): string {
  return new Date(Math.round(epochSec * 1000)).toISOString().replace('Z', '+00:00');
}
