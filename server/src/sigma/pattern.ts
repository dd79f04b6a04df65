/**
 * Sigma string values: wildcards `*` (any run) and `?` (one character), the escapes `\*` `\?` `\\`
 * (a backslash before any other character is a plain backslash), and matching a value against one
 * such pattern — linear-ish glob matching, no regular expression, no backtracking blow-up.
 */

/** A Sigma string: literal text chunks and wildcard tokens. */
export type Part = string | typeof STAR | typeof ONE;
export const STAR = 0 as const;
export const ONE = 1 as const;
export type SigmaString = Part[];

/** Parses a rule value into parts (spec: escapes only before `*`, `?` and `\`). */
export function parseSigmaString(raw: string): SigmaString {
  const out: SigmaString = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') { lit += n; i++; continue; }
      lit += c;
    } else if (c === '*' || c === '?') {
      if (lit) { out.push(lit); lit = ''; }
      out.push(c === '*' ? STAR : ONE);
    } else lit += c;
  }
  if (lit) out.push(lit);
  return out;
}

/** A plain literal (no wildcard) as a Sigma string. */
export const literal = (s: string): SigmaString => (s ? [s] : []);

export const hasWildcard = (s: SigmaString): boolean => s.some((p) => typeof p !== 'string');

/** Concatenates, merging adjacent literal chunks. */
export function concat(...xs: SigmaString[]): SigmaString {
  const out: SigmaString = [];
  for (const x of xs) for (const p of x) {
    const last = out.length - 1;
    if (typeof p === 'string' && typeof out[last] === 'string') out[last] = (out[last] as string) + p;
    else if (p === STAR && out[last] === STAR) continue;
    else out.push(p);
  }
  return out;
}

/** Maps every literal chunk (e.g. lower-casing). */
export const mapLiterals = (s: SigmaString, f: (x: string) => string): SigmaString => s.map((p) => (typeof p === 'string' ? f(p) : p));

/** The longest literal chunk (the prefilter's needle), '' when none. */
export function longestLiteral(s: SigmaString): string {
  let best = '';
  for (const p of s) if (typeof p === 'string' && p.length > best.length) best = p;
  return best;
}

/** Segments between `*`: each a list of literal chunks and `?`. */
type Segment = Array<string | typeof ONE>;

function segLength(seg: Segment): number {
  let n = 0;
  for (const p of seg) n += p === ONE ? 1 : p.length;
  return n;
}

function segAt(v: string, pos: number, seg: Segment): boolean {
  let i = pos;
  for (const p of seg) {
    if (p === ONE) { if (i >= v.length) return false; i++; continue; }
    if (!v.startsWith(p, i)) return false;
    i += p.length;
  }
  return true;
}

function segFind(v: string, from: number, seg: Segment): number {
  const n = segLength(seg);
  const first = seg.find((p): p is string => p !== ONE);
  for (let i = from; i + n <= v.length; i++) {
    if (first !== undefined && seg[0] !== ONE) {
      const j = v.indexOf(first, i);
      if (j < 0) return -1;
      i = j;
      if (i + n > v.length) return -1;
    }
    if (segAt(v, i, seg)) return i;
  }
  return -1;
}

/** A compiled matcher for one pattern over an already case-folded (or cased) value. */
export type StringTest = (v: string) => boolean;

/** Compiles a Sigma string to a whole-value test (the pattern must cover the entire value). */
export function compilePattern(s: SigmaString): StringTest {
  if (!hasWildcard(s)) { const lit = (s[0] as string | undefined) ?? ''; return (v) => v === lit; }
  // Fast paths for the shapes modifiers produce: *x*, x*, *x (x literal).
  if (s.length === 3 && s[0] === STAR && s[2] === STAR && typeof s[1] === 'string') { const x = s[1]; return (v) => v.includes(x); }
  if (s.length === 2 && typeof s[0] === 'string' && s[1] === STAR) { const x = s[0]; return (v) => v.startsWith(x); }
  if (s.length === 2 && s[0] === STAR && typeof s[1] === 'string') { const x = s[1]; return (v) => v.endsWith(x); }
  if (s.length === 1 && s[0] === STAR) return () => true;
  const segs: Segment[] = [[]];
  for (const p of s) {
    if (p === STAR) segs.push([]);
    else segs[segs.length - 1]!.push(p);
  }
  const head = segs[0]!;
  const tail = segs.length > 1 ? segs[segs.length - 1]! : null;
  const middle = segs.slice(1, -1).filter((g) => g.length > 0);
  const headLen = segLength(head);
  const tailLen = tail ? segLength(tail) : 0;
  return (v) => {
    if (!tail) return segLength(head) === v.length && segAt(v, 0, head);
    if (headLen + tailLen > v.length) return false;
    if (!segAt(v, 0, head)) return false;
    const tailAt = v.length - tailLen;
    if (!segAt(v, tailAt, tail)) return false;
    let pos = headLen;
    for (const g of middle) {
      const at = segFind(v.slice(0, tailAt), pos, g);
      if (at < 0) return false;
      pos = at + segLength(g);
    }
    return true;
  };
}

const gram4 = (s: string, i: number): number => {
  let k = 0;
  for (let j = i; j < i + 4; j++) k = ((k << 7) ^ s.charCodeAt(j)) & 0x0fffffff;
  return k;
};
const gramSlot = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 16;

/**
 * Many `*lit*` patterns on one value (e.g. 300 emoji, thousands of `IMPHASH=…`): one pass over the
 * value. Each literal of 4+ characters is keyed by its rarest 4-character gram among the list's
 * (not its first: hash lists share their `IMPHASH=` head) — a rolling key, 7 bits a character,
 * behind a 64 Ki presence bitmap: no allocation, most positions ruled out by one array read. Shorter
 * literals are keyed by their first character.
 */
export function compileContainsAny(lits: string[]): StringTest {
  if (lits.some((l) => l === '')) return () => true;
  const uniq = [...new Set(lits)];
  const freq = new Map<number, number>();
  for (const l of uniq) for (let i = 0; i + 4 <= l.length; i++) { const k = gram4(l, i); freq.set(k, (freq.get(k) ?? 0) + 1); }
  const present = new Uint8Array(65536);
  /** gram → [literal, offset of the gram in it]. */
  const byGram = new Map<number, Array<[string, number]>>();
  const byFirst = new Map<number, string[]>();
  for (const l of uniq) {
    if (l.length < 4) { const list = byFirst.get(l.charCodeAt(0)); if (list) list.push(l); else byFirst.set(l.charCodeAt(0), [l]); continue; }
    let at = 0;
    for (let i = 1; i + 4 <= l.length; i++) if (freq.get(gram4(l, i))! < freq.get(gram4(l, at))!) at = i;
    const k = gram4(l, at);
    present[gramSlot(k)] = 1;
    const list = byGram.get(k);
    if (list) list.push([l, at]); else byGram.set(k, [[l, at]]);
  }
  return (v) => {
    if (byFirst.size > 0) {
      for (let i = 0; i < v.length; i++) {
        const list = byFirst.get(v.charCodeAt(i));
        if (list) for (const l of list) if (v.startsWith(l, i)) return true;
      }
    }
    if (byGram.size === 0) return false;
    let k = 0;
    for (let i = 0; i < v.length; i++) {
      k = ((k << 7) ^ v.charCodeAt(i)) & 0x0fffffff;
      if (i < 3 || present[gramSlot(k)] === 0) continue;
      const list = byGram.get(k);
      if (list) for (const [l, at] of list) if (i - 3 - at >= 0 && v.startsWith(l, i - 3 - at)) return true;
    }
    return false;
  };
}

/** Hash of the n characters at i (a 32-bit polynomial; collisions are confirmed by the caller). */
function hashAt(s: string, i: number, n: number): number {
  let h = n;
  for (let j = i; j < i + n; j++) h = (Math.imul(h, 31) + s.charCodeAt(j)) | 0;
  return h;
}

/**
 * Many `*lit` (or `lit*`) patterns: a value ends (starts) with a literal only if its last (first) m
 * characters are the literal's, m the shortest literal's length (at most 12): one hash of those m
 * characters, one Map lookup, then `endsWith`/`startsWith` on the few literals sharing it. No slices.
 */
export function compileAffixAny(lits: string[], at: 'end' | 'start'): StringTest {
  const m = Math.min(12, ...lits.map((l) => l.length));
  if (m === 0) return () => true;
  const by = new Map<number, string[]>();
  for (const l of new Set(lits)) {
    const k = hashAt(l, at === 'end' ? l.length - m : 0, m);
    const list = by.get(k);
    if (list) list.push(l); else by.set(k, [l]);
  }
  return at === 'end'
    ? (v) => {
      if (v.length < m) return false;
      const list = by.get(hashAt(v, v.length - m, m));
      if (list !== undefined) for (const l of list) if (v.endsWith(l)) return true;
      return false;
    }
    : (v) => {
      if (v.length < m) return false;
      const list = by.get(hashAt(v, 0, m));
      if (list !== undefined) for (const l of list) if (v.startsWith(l)) return true;
      return false;
    };
}

/** Tests a value against many patterns at once: contains / endswith / startswith / exact lists each in one step. */
export function compileAny(pats: SigmaString[]): StringTest {
  if (pats.length <= 4) {
    const tests = pats.map(compilePattern);
    return tests.length === 1 ? tests[0]! : (v) => { for (const t of tests) if (t(v)) return true; return false; };
  }
  const contains: string[] = []; const ends: string[] = []; const starts: string[] = []; const exact = new Set<string>();
  const other: SigmaString[] = [];
  for (const p of pats) {
    const lit = p.length === 2 && typeof p[0] === 'string' && p[1] === STAR ? [starts, p[0]] as const
      : p.length === 2 && p[0] === STAR && typeof p[1] === 'string' ? [ends, p[1]] as const : null;
    if (containsLiteral(p) !== null) contains.push(containsLiteral(p)!);
    else if (lit) lit[0].push(lit[1]);
    else if (!hasWildcard(p)) exact.add((p[0] as string | undefined) ?? '');
    else other.push(p);
  }
  const tests: StringTest[] = other.map(compilePattern);
  if (exact.size > 0) tests.unshift((v) => exact.has(v));
  if (starts.length > 0) tests.unshift(starts.length > 4 ? compileAffixAny(starts, 'start') : (v) => { for (const x of starts) if (v.startsWith(x)) return true; return false; });
  if (ends.length > 0) tests.unshift(ends.length > 4 ? compileAffixAny(ends, 'end') : (v) => { for (const x of ends) if (v.endsWith(x)) return true; return false; });
  if (contains.length > 0) tests.push(contains.length > 4 ? compileContainsAny(contains) : (v) => { for (const x of contains) if (v.includes(x)) return true; return false; });
  return tests.length === 1 ? tests[0]! : (v) => { for (const t of tests) if (t(v)) return true; return false; };
}

/** The literal of a `*lit*` pattern, or null for any other shape. */
export function containsLiteral(s: SigmaString): string | null {
  return s.length === 3 && s[0] === STAR && s[2] === STAR && typeof s[1] === 'string' ? s[1] : null;
}

const NON_ASCII = /[^\x00-\x7f]/;
const escapeRe = (l: string): string => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `v.toLowerCase()` contains one of `lits` (lower-case, non-empty), without lower-casing most
 * values: one case-insensitive regular expression first — the ASCII literals, and the characters that
 * can make a lower-cased value differ from an ASCII-case-folded one (İ and the Kelvin sign, the only
 * characters that lower-case to ASCII letters, checked over every code point; any non-ASCII character
 * when a literal is not ASCII) — then, on a match, the value lower-cased and searched. The expression
 * only rules values out (never wrong that way: `/i` only adds matches), so the answer is exact; one
 * call per value, as most values match nothing. Keyword searches (every value of an event) use it.
 */
export function lowerContainsAny(lits: string[]): StringTest {
  const uniq = [...new Set(lits)];
  const ascii = uniq.filter((l) => !NON_ASCII.test(l));
  const odd = ascii.length < uniq.length ? '[^\\x00-\\x7f]' : '[\\u0130\\u212a]';
  const re = new RegExp([...ascii.map(escapeRe), odd].join('|'), 'i');
  return (v) => {
    if (!re.test(v)) return false;
    const low = v.toLowerCase();
    for (const l of uniq) if (low.includes(l)) return true;
    return false;
  };
}
