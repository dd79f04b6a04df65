/**
 * One detection item — `Field|mod1|mod2: value(s)` — compiled to a test on an event, exactly as the
 * Sigma specification's modifier appendix defines the modifiers (see ./README.md for the list).
 * Anything the engine cannot evaluate throws `Unevaluable` with the reason; nothing is half-compiled.
 */
import { RE2JS } from 're2js';
import { fieldSlot, type EventView } from './event.js';
import { ValueMemo } from './memo.js';
import { compileAny, concat, containsLiteral, hasWildcard, literal, longestLiteral, lowerContainsAny, mapLiterals, parseSigmaString, STAR, type SigmaString } from './pattern.js';

export class Unevaluable extends Error {}

/** One prefilter clause of an item: lower-case literals, one of which the (lower-cased) field must contain. */
export interface ItemClause { field: string; any: string[] }

/** A compiled item: the test, and (for the prefilter) its clauses, every one necessary for a match. */
export interface ItemTest {
  test: (ev: EventView) => boolean;
  /** Each a necessary clause (with `all`, one per value; otherwise at most one: all values' literals). */
  clauses?: ItemClause[];
}

const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];
const TRANSFORMS = new Set(['wide', 'utf16le', 'utf16be', 'utf16', 'base64', 'base64offset', 'windash']);
const POSITION = new Set(['contains', 'startswith', 'endswith']);
const NUMERIC = new Set(['gt', 'gte', 'lt', 'lte']);
const TIME = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

/** Bytes of a JS string (held as a latin1 "byte string" once an encoding modifier ran). */
function utf16(s: string, be: boolean, bom: boolean): string {
  let out = bom ? (be ? '\xfe\xff' : '\xff\xfe') : '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += be ? String.fromCharCode(c >> 8, c & 0xff) : String.fromCharCode(c & 0xff, c >> 8);
  }
  return out;
}

const b64 = (s: string, bytes: boolean): string => Buffer.from(s, bytes ? 'latin1' : 'utf8').toString('base64');

/** The three base64offset variants (spec: the value at offsets 0, 1, 2 with the unstable edges cut). */
function base64offset(s: string, bytes: boolean): string[] {
  const start = [0, 2, 3];
  const end = [0, -3, -2];
  const len = Buffer.byteLength(s, bytes ? 'latin1' : 'utf8');
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), Buffer.from(s, bytes ? 'latin1' : 'utf8')]).toString('base64');
    const e = end[(len + i) % 3]!;
    out.push(enc.slice(start[i], e === 0 ? undefined : e));
  }
  return out;
}

/** Every windash variant: each `-` or `/` at the start of a word (regex `\B[-/]\b`) in every dash form. */
function windash(s: SigmaString): SigmaString[] {
  let variants: SigmaString[] = [[]];
  for (const p of s) {
    if (typeof p !== 'string') { variants = variants.map((v) => concat(v, [p])); continue; }
    const pieces: string[][] = [];
    let lit = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      const prevWord = i > 0 && /\w/.test(p[i - 1]!);
      const nextWord = i + 1 < p.length && /\w/.test(p[i + 1]!);
      if ((c === '-' || c === '/') && !prevWord && nextWord) { pieces.push([lit]); pieces.push(WINDASH); lit = ''; }
      else lit += c;
    }
    pieces.push([lit]);
    for (const alts of pieces) variants = variants.flatMap((v) => alts.map((a) => concat(v, literal(a))));
    if (variants.length > 4096) throw new Unevaluable('windash expands to more than 4,096 variants');
  }
  return variants;
}

/**
 * `windash` of a plain string (no wildcards; lineage-rule `match` values): every variant, each `-`/`/`
 * starting a word in each dash form the Sigma spec lists. Same code path as Sigma values.
 */
export const windashLiteral = (s: string): string[] => windash(literal(s)).map((p) => p.join(''));

function scalarString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Unevaluable(`value ${JSON.stringify(v)} is not a string or number`);
}

/**
 * `cidr`: an IPv4 or IPv6 network (`10.0.0.0/8`, `fe80::/10`) → a test of an address text. Shared with
 * lineage-rule `match` (server/src/rules/language/match.ts): one implementation of the modifier.
 */
export function cidrTest(spec: string): (v: string) => boolean {
  const m = /^([^/]+)\/(\d+)$/.exec(spec.trim());
  const net = m ? ipToBig(m[1]!) : null;
  if (!m || !net) throw new Unevaluable(`cidr value "${spec}" is not an address/prefix`);
  const bits = net.v6 ? 128 : 32;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new Unevaluable(`cidr prefix /${prefix} too long`);
  const shift = BigInt(bits - prefix);
  const want = net.n >> shift;
  return (v) => { const ip = ipToBig(v); return ip != null && ip.v6 === net.v6 && ip.n >> shift === want; };
}

/** An IPv4 or IPv6 address as a number (IPv4-mapped IPv6 counts as IPv4); null when not an address. */
export function ipToBig(s: string): { v6: boolean; n: bigint } | null {
  const t = s.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (v4) {
    const o = v4.slice(1).map(Number);
    if (o.some((x) => x > 255)) return null;
    return { v6: false, n: BigInt(((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!) };
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return ipToBig(mapped[1]!);
  if (!/^[0-9a-f:]+$/i.test(t) || !t.includes(':')) return null;
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0 || (halves.length === 1 && left.length !== 8)) return null;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  let n = 0n;
  for (const g of groups) { if (g.length > 4) return null; n = (n << 16n) + BigInt(parseInt(g || '0', 16)); }
  return { v6: true, n };
}

/** Compiles `key: value` of a detection map. `key` is `Field|mods…` (Field may be empty: keywords). */
export function compileItem(key: string, value: unknown): ItemTest {
  const [field = '', ...mods] = key.split('|');
  for (const m of mods) {
    if (TIME.has(m)) throw new Unevaluable(`time modifier "${m}" is not supported`);
    if (m === 'expand') throw new Unevaluable('placeholder modifier "expand" needs a pipeline with placeholder values');
    if (!TRANSFORMS.has(m) && !POSITION.has(m) && !NUMERIC.has(m) && !['all', 're', 'i', 'm', 's', 'cidr', 'fieldref', 'exists', 'cased'].includes(m)) {
      throw new Unevaluable(`unknown modifier "${m}"`);
    }
  }
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new Unevaluable(`empty value list for "${key}"`);
  const all = mods.includes('all');
  const combine = (tests: Array<(ev: EventView) => boolean>): ((ev: EventView) => boolean) =>
    tests.length === 1 ? tests[0]! : all
      ? (ev) => { for (const t of tests) if (!t(ev)) return false; return true; }
      : (ev) => { for (const t of tests) if (t(ev)) return true; return false; };

  if (mods.includes('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new Unevaluable('exists needs true or false');
    const want = values[0];
    return { test: (ev) => (ev.get(field) !== undefined) === want };
  }
  const numeric = mods.find((m) => NUMERIC.has(m));
  if (numeric) {
    const nums = values.map((v) => { const n = typeof v === 'number' ? v : Number(v); if (!Number.isFinite(n)) throw new Unevaluable(`${numeric} needs a number, got ${JSON.stringify(v)}`); return n; });
    const cmp = { gt: (a: number, b: number) => a > b, gte: (a: number, b: number) => a >= b, lt: (a: number, b: number) => a < b, lte: (a: number, b: number) => a <= b }[numeric as 'gt']!;
    return { test: combine(nums.map((n) => (ev) => { const s = ev.get(field); if (s === undefined || s.trim() === '') return false; const x = Number(s); return Number.isFinite(x) && cmp(x, n); })) };
  }
  if (mods.includes('cidr')) return { test: combine(values.map((v) => { const t = cidrTest(scalarString(v)); return (ev) => { const s = ev.get(field); return s !== undefined && t(s); }; })) };
  if (mods.includes('re')) {
    const srcs = values.map(scalarString);
    // Prefilter: with `all`, one clause per value that has required literals; otherwise one clause of
    // every value's literals, none when a value has none.
    const lits = srcs.map((x) => regexRequired(x).literals).map((l) => (l && l.length > 0 && l.every((x) => x.length > 0) ? l : null));
    const clauses = !field ? [] : all ? lits.filter((l) => l !== null).map((any) => ({ field, any }))
      : lits.every((l) => l !== null) ? [{ field, any: lits.flat() as string[] }] : [];
    return { test: combine(srcs.map((v) => regexTest(field, v, mods))), clauses };
  }
  if (mods.some((m) => m === 'i' || m === 'm' || m === 's')) throw new Unevaluable('regex flags i/m/s without re');
  if (mods.includes('fieldref')) return { test: combine(values.map((v) => fieldrefTest(field, scalarString(v), mods))) };
  return stringItem(field, values, mods, combine);
}

function regexTest(field: string, src: string, mods: string[]): (ev: EventView) => boolean {
  let flags = 0;
  if (mods.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (mods.includes('m')) flags |= RE2JS.MULTILINE;
  if (mods.includes('s')) flags |= RE2JS.DOTALL;
  let re: RE2JS;
  try { re = RE2JS.compile(src, flags); } catch (e) { throw new Unevaluable(`regex /${src}/ is not RE2 (linear-time) syntax: ${(e as Error).message}`); }
  if (!field) return (ev) => ev.values().some((v) => re.test(v));
  // Cheap necessary conditions first (RE2JS costs microseconds per value): the length, a literal.
  const { literals, minLength } = regexRequired(src);
  const lits = literals?.every((l) => l.length > 0) ? literals : null;
  const slot = fieldSlot(field);
  // Values repeat (the same command lines): recent results are remembered (./memo.ts).
  const memo = new ValueMemo<boolean>(REGEX_MEMO);
  return (ev) => {
    const s = ev.getAt(slot);
    if (s === undefined || s.length < minLength) return false;
    if (lits && !includesAny(ev.lowerAt(slot)!, lits)) return false;
    if (!memo.active()) return re.test(s);
    let r = memo.get(s);
    if (r === undefined) memo.set(s, (r = re.test(s)));
    return r;
  };
}

/** Values whose regex result each regex item remembers. */
const REGEX_MEMO = 256;

const includesAny = (s: string, lits: string[]): boolean => { for (const l of lits) if (s.includes(l)) return true; return false; };

const SPECIAL = '\\.^$*+?()[]{}|';

/**
 * What every match of a regex must have, for the prefilter: per top-level alternative the longest run
 * of plain characters and escaped punctuation that no quantifier makes optional (lower-cased; groups,
 * classes, `.` and escapes like `\s` end a run) — `literals` is null when the regex cannot be read
 * this way — and a lower bound of the match length in UTF-16 units (groups count 0, any atom 1).
 */
export function regexRequired(src: string): { literals: string[] | null; minLength: number } {
  const unknown = { literals: null, minLength: 0 };
  let i = src.startsWith('(?') && /^\(\?[imsU]+\)/.test(src) ? src.indexOf(')') + 1 : 0;
  const alts: string[] = [];
  let best = ''; let run = ''; let len = 0; let minLength = Infinity;
  const end = (): void => { if (run.length > best.length) best = run; run = ''; };
  for (; i < src.length; i++) {
    const c = src[i]!;
    let atom: string | null = null; // a literal character, or null for anything else
    let width = 1;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined || n === 'Q') return unknown;
      i++;
      // \x41 \x{263a} \pL \p{Greek} \101: skip the code, it is not a literal run.
      if (n === 'x' || n === 'p' || n === 'P') i = src[i + 1] === '{' ? src.indexOf('}', i) : i + (n === 'x' ? 2 : 1);
      else if (n >= '0' && n <= '9') while (src[i + 1] !== undefined && src[i + 1]! >= '0' && src[i + 1]! <= '9') i++;
      if (i < 0) return unknown;
      if ('bBAz'.includes(n)) width = 0;
      atom = SPECIAL.includes(n) || '/-"\'#%&,:;<=>@_`~!'.includes(n) || n === ' ' ? n : null;
    } else if (c === '[') {
      i++; if (src[i] === '^') i++; if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') { if (src[i] === '\\') i++; i++; }
      if (i >= src.length) return unknown;
    } else if (c === '(') {
      width = 0;
      let depth = 1;
      while (depth > 0) {
        i++;
        if (i >= src.length) return unknown;
        if (src[i] === '\\') i++;
        else if (src[i] === '[') { while (i < src.length && src[i] !== ']') { if (src[i] === '\\') i++; i++; } }
        else if (src[i] === '(') depth++;
        else if (src[i] === ')') depth--;
      }
    } else if (c === '|') { end(); alts.push(best); best = ''; minLength = Math.min(minLength, len); len = 0; continue; }
    else if (c === ')' || c === ']') return unknown;
    else if (c === '^' || c === '$') width = 0;
    else if (!SPECIAL.includes(c)) atom = c;
    const q = src[i + 1];
    const optional = q === '?' || q === '*' || (q === '{' && /^\{0?,|^\{0\}/.test(src.slice(i + 1)));
    const repeated = q === '+' || q === '{';
    if (atom !== null && !optional) run += atom.toLowerCase();
    if (atom === null || optional || repeated) end();
    if (q === '?' || q === '*' || q === '+') { i++; if (src[i + 1] === '?' || src[i + 1] === '+') i++; }
    else if (q === '{') {
      const close = src.indexOf('}', i + 1);
      if (close < 0) return unknown;
      const min = /^\{(\d+)/.exec(src.slice(i + 1, close + 1));
      width *= min ? Number(min[1]) : 0;
      i = close;
      if (src[i + 1] === '?') i++;
    }
    if (!optional) len += width;
  }
  end();
  alts.push(best);
  return { literals: alts, minLength: Math.min(minLength, len) };
}

function fieldrefTest(field: string, ref: string, mods: string[]): (ev: EventView) => boolean {
  const cased = mods.includes('cased');
  const how = mods.find((m) => POSITION.has(m));
  return (ev) => {
    const a = cased ? ev.get(field) : ev.lower(field); const b = cased ? ev.get(ref) : ev.lower(ref);
    if (a === undefined || b === undefined) return false;
    return how === 'contains' ? a.includes(b) : how === 'startswith' ? a.startsWith(b) : how === 'endswith' ? a.endsWith(b) : a === b;
  };
}

/** Plain values (strings, numbers, booleans, null) through the transformation and position modifiers. */
function stringItem(field: string, values: unknown[], mods: string[], combine: (t: Array<(ev: EventView) => boolean>) => (ev: EventView) => boolean): ItemTest {
  const cased = mods.includes('cased');
  const slot = fieldSlot(field);
  // Prefilter clauses. A keyword search (no field) has them too: the engine looks for them in every value (field '').
  // With `all` every value is necessary: one clause per value (its alternatives' literals) when each has a
  // literal. Otherwise the values are alternatives: one clause of them all, none when one has no literal.
  const clauses: ItemClause[] = [];
  const needles: string[] = [];
  let needlesOk = true;
  const onPatterns = (pats: SigmaString[]): ((ev: EventView) => boolean) => {
    const one = compileAny(pats);
    // Keywords that are plain substrings: each value searched as written (`lowerContainsAny`), no lower-cased copy.
    if (!field && !cased && pats.every((p) => containsLiteral(p))) {
      const any = lowerContainsAny(pats.map((p) => containsLiteral(p)!));
      return (ev) => ev.someValue(any);
    }
    if (!field) return (ev) => ev.values().some((s) => one(cased ? s : s.toLowerCase()));
    return cased
      ? (ev) => { const s = ev.getAt(slot); return s !== undefined && one(s); }
      : (ev) => { const s = ev.lowerAt(slot); return s !== undefined && one(s); };
  };
  const pending: SigmaString[] = [];
  const tests: Array<(ev: EventView) => boolean> = [];
  for (const v of values) {
    if (v === null) {
      if (mods.some((m) => TRANSFORMS.has(m) || POSITION.has(m))) throw new Unevaluable('null value with a string modifier');
      needlesOk = false;
      tests.push((ev) => { const s = ev.getAt(slot); return s === undefined || s === ''; });
      continue;
    }
    if (typeof v === 'number' && mods.length === 0) {
      needlesOk = false;
      tests.push((ev) => { const s = ev.getAt(slot); return s !== undefined && (s === String(v) || (s.trim() !== '' && Number(s) === v)); });
      continue;
    }
    const pats = expand(scalarString(v), typeof v === 'string', mods).map((p) => (cased ? p : mapLiterals(p, (x) => x.toLowerCase())));
    const lits = pats.map((p) => longestLiteral(p).toLowerCase());
    if (all(mods)) {
      if (lits.every((l) => l.length >= 1)) clauses.push({ field, any: [...new Set(lits)] });
      tests.push(onPatterns(pats));
    } else {
      for (const l of lits) { if (l.length >= 1) needles.push(l); else needlesOk = false; }
      pending.push(...pats);
    }
  }
  // Without `all`, every value's patterns are alternatives of one test (one pass for long lists).
  if (pending.length) tests.push(onPatterns(pending));
  if (!all(mods) && needlesOk && needles.length) clauses.push({ field, any: needles });
  return { test: combine(tests), clauses };
}

const all = (mods: string[]): boolean => mods.includes('all');

/** Value → the Sigma strings it stands for, after encoding and position modifiers (left to right). */
function expand(raw: string, isString: boolean, mods: string[]): SigmaString[] {
  let vals: SigmaString[] = [isString ? parseSigmaString(raw) : literal(raw)];
  let bytes = false;
  for (const m of mods) {
    if (m === 'windash') vals = vals.flatMap(windash);
    else if (m === 'wide' || m === 'utf16le' || m === 'utf16be' || m === 'utf16') {
      vals = vals.map((s) => { if (hasWildcard(s)) throw new Unevaluable(`${m} of a value with wildcards`); return literal(utf16(s.join(''), m === 'utf16be', m === 'utf16')); });
      bytes = true;
    } else if (m === 'base64' || m === 'base64offset') {
      vals = vals.flatMap((s) => {
        if (hasWildcard(s)) throw new Unevaluable(`${m} of a value with wildcards`);
        const t = s.join('');
        return m === 'base64' ? [literal(b64(t, bytes))] : base64offset(t, bytes).map(literal);
      });
      bytes = false;
    } else if (m === 'contains') vals = vals.map((s) => concat([STAR], s, [STAR]));
    else if (m === 'startswith') vals = vals.map((s) => concat(s, [STAR]));
    else if (m === 'endswith') vals = vals.map((s) => concat([STAR], s));
  }
  return vals;
}
