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

/**
 * Many `*lit*` patterns on one value (e.g. a list of 300 emoji): one pass over the value, looking up
 * each position's character in a first-character table, instead of one `includes` per pattern.
 */
export function compileContainsAny(lits: string[]): StringTest {
  // Long lists of long literals (hash lists: thousands of `IMPHASH=…`): key on the first 8 characters.
  if (lits.length > 64 && lits.every((l) => l.length >= 8)) {
    const byHead = new Map<string, string[]>();
    for (const l of lits) { const k = l.slice(0, 8); const list = byHead.get(k); if (list) list.push(l); else byHead.set(k, [l]); }
    return (v) => {
      for (let i = 0; i + 8 <= v.length; i++) {
        const list = byHead.get(v.slice(i, i + 8));
        if (list) for (const l of list) if (v.startsWith(l, i)) return true;
      }
      return false;
    };
  }
  const byFirst = new Map<number, string[]>();
  for (const l of lits) {
    if (l === '') return () => true;
    const k = l.charCodeAt(0);
    const list = byFirst.get(k);
    if (list) list.push(l); else byFirst.set(k, [l]);
  }
  return (v) => {
    for (let i = 0; i < v.length; i++) {
      const list = byFirst.get(v.charCodeAt(i));
      if (list) for (const l of list) if (v.startsWith(l, i)) return true;
    }
    return false;
  };
}

/** The literal of a `*lit*` pattern, or null for any other shape. */
export function containsLiteral(s: SigmaString): string | null {
  return s.length === 3 && s[0] === STAR && s[2] === STAR && typeof s[1] === 'string' ? s[1] : null;
}
