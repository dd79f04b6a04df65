/**
 * The Sigma `condition` grammar: identifiers, `and`, `or`, `not`, parentheses, `1 of X` / `any of X` /
 * `all of X` / `N of X` where X is an identifier, a wildcard pattern (`selection*`) or `them` (every
 * identifier not starting with `_`). Precedence: not > and > or. Aggregations (`| count() …`) and
 * `near` are not evaluable and say so.
 */
import { Unevaluable } from './modifiers.js';

export type Cond =
  | { op: 'id'; name: string }
  | { op: 'not'; arg: Cond }
  | { op: 'and' | 'or'; args: Cond[] }
  | { op: 'of'; min: number | 'all'; names: string[] };

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|\||[^\s()|]+)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < src.length && (m = re.exec(src))) { out.push(m[1]!); pos = re.lastIndex; }
  if (src.slice(pos).trim() !== '') throw new Unevaluable(`condition "${src}": cannot read from "${src.slice(pos)}"`);
  return out;
}

function globToRegExp(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Parses a condition against the detection's identifiers (wildcards in `of` are resolved now). */
export function parseCondition(src: string, identifiers: string[]): Cond {
  const toks = tokenize(src);
  if (toks.includes('|')) throw new Unevaluable(`aggregation in condition "${src}" is not supported`);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const lower = (): string | undefined => toks[i]?.toLowerCase();
  const fail = (what: string): never => { throw new Unevaluable(`condition "${src}": ${what}`); };

  const primary = (): Cond => {
    const t = peek();
    if (t === undefined) return fail('ends early');
    if (t === '(') { i++; const e = orExpr(); if (peek() !== ')') fail('missing )'); i++; return e; }
    if (t === ')') return fail('unexpected )');
    const lt = t.toLowerCase();
    if (lt === 'not') { i++; return { op: 'not', arg: primary() }; }
    if (['and', 'or', 'near'].includes(lt)) return fail(`unexpected "${t}"`);
    if (/^(\d+|all|any)$/.test(lt) && toks[i + 1]?.toLowerCase() === 'of') {
      i += 2;
      const target = peek();
      if (target === undefined) return fail('"of" without a target');
      i++;
      let names: string[];
      if (target.toLowerCase() === 'them') names = identifiers.filter((n) => !n.startsWith('_'));
      else if (/[*?]/.test(target)) { const re = globToRegExp(target); names = identifiers.filter((n) => re.test(n)); }
      else names = identifiers.includes(target) ? [target] : fail(`unknown identifier "${target}"`);
      if (names.length === 0) fail(`"${target}" names no detection identifier`);
      return { op: 'of', min: lt === 'all' ? 'all' : lt === 'any' ? 1 : Number(lt), names };
    }
    if (!identifiers.includes(t)) return fail(`unknown identifier "${t}"`);
    i++;
    return { op: 'id', name: t };
  };
  const andExpr = (): Cond => {
    const args = [primary()];
    while (lower() === 'and') { i++; args.push(primary()); }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const orExpr = (): Cond => {
    const args = [andExpr()];
    while (lower() === 'or') { i++; args.push(andExpr()); }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const e = orExpr();
  if (i < toks.length) fail(`unexpected "${toks[i]}"`);
  return e;
}

/**
 * The one walk for what a condition needs (prefilter clauses in ./rule.ts, image names in ./names.ts):
 * identifiers map through `of`, `and`/`all of` combine with `and`, `or`/`N of` with `or`, and `not`
 * contributes `not` (nothing is needed under a negation).
 */
export function foldCondition<T>(c: Cond, of: (name: string) => T, ops: { and: (xs: T[]) => T; or: (xs: T[]) => T; not: T }): T {
  switch (c.op) {
    case 'id': return of(c.name);
    case 'not': return ops.not;
    case 'and': return ops.and(c.args.map((a) => foldCondition(a, of, ops)));
    case 'or': return ops.or(c.args.map((a) => foldCondition(a, of, ops)));
    case 'of': return c.min === 'all' ? ops.and(c.names.map(of)) : ops.or(c.names.map(of));
  }
}

/** A compiled condition: `sel(i)` evaluates identifier number i (memoised by the caller). */
export type CondFn = (sel: (i: number) => boolean) => boolean;

const allOf = (fs: CondFn[]): CondFn => (fs.length === 2
  ? ((a, b) => (s) => a(s) && b(s))(fs[0]!, fs[1]!)
  : (s) => { for (const f of fs) if (!f(s)) return false; return true; });
const anyOf = (fs: CondFn[]): CondFn => (fs.length === 2
  ? ((a, b) => (s) => a(s) || b(s))(fs[0]!, fs[1]!)
  : (s) => { for (const f of fs) if (f(s)) return true; return false; });

/**
 * A condition as closures over identifier numbers (`index`: name → number): no name lookups and no
 * allocation per evaluation. Evaluation order and short-circuits are the tree's, left to right.
 */
export function compileCondition(c: Cond, index: ReadonlyMap<string, number>): CondFn {
  switch (c.op) {
    case 'id': { const i = index.get(c.name)!; return (s) => s(i); }
    case 'not': { const a = compileCondition(c.arg, index); return (s) => !a(s); }
    case 'and': return allOf(c.args.map((a) => compileCondition(a, index)));
    case 'or': return anyOf(c.args.map((a) => compileCondition(a, index)));
    case 'of': {
      const ids = c.names.map((n) => index.get(n)!);
      if (c.min === 'all') return (s) => { for (const i of ids) if (!s(i)) return false; return true; };
      const min = c.min;
      return (s) => { let n = 0; for (const i of ids) if (s(i) && ++n >= min) return true; return false; };
    }
  }
}
