/**
 * The eval expression language used by `eval` and `where`: literals, `'quoted field'` and bare
 * field names, arithmetic, `.` concatenation, comparisons (case-sensitive, numeric when both sides
 * are numbers), `AND`/`OR`/`XOR`/`NOT`, `LIKE`, and the functions listed in FUNCTIONS. Unknown
 * functions answer Splunk's own error text.
 */
import { SplError } from './errors.js';
import { asNumber, formatNumber, type Row, type Value } from './values.js';

/** A runtime eval value. Field strings that look numeric are read as numbers, as Splunk does. */
export type EvalValue = string | number | boolean | null | string[];

/** Parsed expression. */
export type Expr =
  | { k: 'lit'; v: EvalValue }
  | { k: 'field'; name: string }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'un'; op: '-' | 'NOT'; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr };

type Tok = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'field'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function lex(text: string, command: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let body = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length && (text[j + 1] === c || text[j + 1] === '\\')) { body += text[j + 1]!; j += 2; continue; }
        body += text[j]!;
        j++;
      }
      if (j >= text.length) throw new SplError(`Error in '${command}' command: The expression is malformed. Unbalanced quotes.`);
      out.push(c === '"' ? { t: 'str', v: body } : { t: 'field', v: body });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = /^(==|!=|<=|>=|[-+*/%.=<>(),])/.exec(text.slice(i));
    if (op) { out.push({ t: 'op', v: op[0] }); i += op[0].length; continue; }
    throw new SplError(`Error in '${command}' command: The expression is malformed. An unexpected character is reached at '${text.slice(i, i + 20)}'.`);
  }
  return out;
}

const KEYWORD_OPS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE']);

class ExprParser {
  private pos = 0;
  constructor(private readonly toks: Tok[], private readonly command: string) {}

  private fail(msg: string): never { throw new SplError(`Error in '${this.command}' command: The expression is malformed. ${msg}`); }
  private peek(): Tok | undefined { return this.toks[this.pos]; }
  private isOp(v: string): boolean { const t = this.peek(); return !!t && t.t === 'op' && t.v === v; }
  private isKw(v: string): boolean { const t = this.peek(); return !!t && t.t === 'id' && t.v.toUpperCase() === v; }

  parseAll(): Expr {
    const e = this.or();
    if (this.pos < this.toks.length) this.fail(`Unexpected '${String(this.toks[this.pos]!.v)}'.`);
    return e;
  }

  private or(): Expr { let l = this.xor(); while (this.isKw('OR')) { this.pos++; l = { k: 'bin', op: 'OR', l, r: this.xor() }; } return l; }
  private xor(): Expr { let l = this.and(); while (this.isKw('XOR')) { this.pos++; l = { k: 'bin', op: 'XOR', l, r: this.and() }; } return l; }
  private and(): Expr { let l = this.not(); while (this.isKw('AND')) { this.pos++; l = { k: 'bin', op: 'AND', l, r: this.not() }; } return l; }
  private not(): Expr { if (this.isKw('NOT')) { this.pos++; return { k: 'un', op: 'NOT', e: this.not() }; } return this.cmp(); }

  private cmp(): Expr {
    let l = this.add();
    for (;;) {
      const t = this.peek();
      if (t?.t === 'op' && ['=', '==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.pos++;
        l = { k: 'bin', op: t.v === '==' ? '=' : t.v, l, r: this.add() };
      } else if (this.isKw('LIKE')) {
        this.pos++;
        l = { k: 'call', fn: 'like', args: [l, this.add()] };
      } else return l;
    }
  }

  private add(): Expr {
    let l = this.mul();
    for (;;) {
      const t = this.peek();
      if (t?.t === 'op' && (t.v === '+' || t.v === '-' || t.v === '.')) { this.pos++; l = { k: 'bin', op: t.v, l, r: this.mul() }; } else return l;
    }
  }

  private mul(): Expr {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.t === 'op' && (t.v === '*' || t.v === '/' || t.v === '%')) { this.pos++; l = { k: 'bin', op: t.v, l, r: this.unary() }; } else return l;
    }
  }

  private unary(): Expr {
    if (this.isOp('-')) { this.pos++; return { k: 'un', op: '-', e: this.unary() }; }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) this.fail('Expected an expression.');
    this.pos++;
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'field') return { k: 'field', name: t.v };
    if (t.t === 'op') {
      if (t.v === '(') { const e = this.or(); if (!this.isOp(')')) this.fail('Mismatched parentheses.'); this.pos++; return e; }
      this.fail(`Unexpected '${t.v}'.`);
    }
    if (KEYWORD_OPS.has(t.v.toUpperCase()) && !this.isOp('(')) this.fail(`Unexpected '${t.v}'.`);
    if (this.isOp('(')) {
      this.pos++;
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        for (;;) {
          args.push(this.or());
          if (this.isOp(',')) { this.pos++; continue; }
          break;
        }
      }
      if (!this.isOp(')')) this.fail(`Mismatched parentheses in call to '${t.v}'.`);
      this.pos++;
      // Eval function names are case-sensitive in Splunk (e.g. `LOWER()` is undefined).
      if (!(t.v in FUNCTIONS)) throw new SplError(`Error in '${this.command}' command: The '${t.v}' function is unsupported or undefined.`);
      return { k: 'call', fn: t.v, args };
    }
    return { k: 'field', name: t.v };
  }
}

/** Parse an eval/where expression. */
export function parseExpr(text: string, command: string): Expr {
  if (text.trim() === '') throw new SplError(`Error in '${command}' command: The expression is malformed. Expected an expression.`);
  return new ExprParser(lex(text, command), command).parseAll();
}

function fieldValue(v: Value | undefined): EvalValue {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.length === 1 ? autoNum(v[0]!) : v;
  return autoNum(v);
}

function autoNum(s: string): EvalValue { const n = asNumber(s); return n === null ? s : n; }

/** String form of an eval value (numbers without trailing zeros). */
export function toStr(v: EvalValue): string | null {
  if (v === null) return null;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.join(' ');
  return v;
}

function toNum(v: EvalValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return asNumber(v);
  if (Array.isArray(v) && v.length > 0) return asNumber(v[0]!);
  return null;
}

function truthy(v: EvalValue, command: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  throw new SplError(`Error in '${command}' command: Typechecking failed. The expression must evaluate to a boolean.`);
}

function cmpValues(op: string, a: EvalValue, b: EvalValue): boolean | null {
  if (a === null || b === null) return null;
  const av = Array.isArray(a) ? a : [a];
  // A multivalue field compares true when any value does (Splunk's behaviour in where).
  return av.some((x) => {
    const na = typeof x === 'number' ? x : asNumber(String(x));
    const nb = typeof b === 'number' ? b : typeof b === 'string' ? asNumber(b) : null;
    const c = na !== null && nb !== null ? na - nb : (toStr(x)! < toStr(b)! ? -1 : toStr(x)! > toStr(b)! ? 1 : 0);
    switch (op) {
      case '=': return c === 0;
      case '!=': return c !== 0;
      case '<': return c < 0;
      case '>': return c > 0;
      case '<=': return c <= 0;
      default: return c >= 0;
    }
  });
}

type Fn = (args: Expr[], row: Row, ev: (e: Expr) => EvalValue, command: string) => EvalValue;

function likeToRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function arity(name: string, args: Expr[], min: number, max: number, command: string): void {
  if (args.length < min || args.length > max) {
    throw new SplError(`Error in '${command}' command: The arguments to the '${name}' function are invalid.`);
  }
}

/** Supported eval functions (names are case-sensitive as in Splunk). */
const FUNCTIONS: Record<string, Fn> = {
  coalesce: (a, _r, ev) => { for (const e of a) { const v = ev(e); if (v !== null) return v; } return null; },
  if: (a, _r, ev, c) => { arity('if', a, 3, 3, c); return truthy(ev(a[0]!), c) ? ev(a[1]!) : ev(a[2]!); },
  case: (a, _r, ev, c) => {
    if (a.length % 2 !== 0) arity('case', a, -1, -1, c);
    for (let i = 0; i < a.length; i += 2) if (truthy(ev(a[i]!), c)) return ev(a[i + 1]!);
    return null;
  },
  lower: (a, _r, ev, c) => { arity('lower', a, 1, 1, c); const v = ev(a[0]!); return Array.isArray(v) ? v.map((x) => x.toLowerCase()) : v === null ? null : toStr(v)!.toLowerCase(); },
  upper: (a, _r, ev, c) => { arity('upper', a, 1, 1, c); const v = ev(a[0]!); return Array.isArray(v) ? v.map((x) => x.toUpperCase()) : v === null ? null : toStr(v)!.toUpperCase(); },
  isnull: (a, _r, ev, c) => { arity('isnull', a, 1, 1, c); return ev(a[0]!) === null; },
  isnotnull: (a, _r, ev, c) => { arity('isnotnull', a, 1, 1, c); return ev(a[0]!) !== null; },
  isnum: (a, _r, ev, c) => { arity('isnum', a, 1, 1, c); return typeof ev(a[0]!) === 'number'; },
  isstr: (a, _r, ev, c) => { arity('isstr', a, 1, 1, c); return typeof ev(a[0]!) === 'string'; },
  len: (a, _r, ev, c) => { arity('len', a, 1, 1, c); const s = toStr(ev(a[0]!)); return s === null ? null : [...s].length; },
  substr: (a, _r, ev, c) => {
    arity('substr', a, 2, 3, c);
    const s = toStr(ev(a[0]!)); const start = toNum(ev(a[1]!));
    if (s === null || start === null) return null;
    const chars = [...s];
    // Splunk's substr is 1-based; negative starts count from the end.
    const from = start > 0 ? start - 1 : Math.max(0, chars.length + start);
    const len = a[2] ? toNum(ev(a[2])) : null;
    return chars.slice(from, len === null ? undefined : from + len).join('');
  },
  tostring: (a, _r, ev, c) => { arity('tostring', a, 1, 2, c); return toStr(ev(a[0]!)); },
  tonumber: (a, _r, ev, c) => { arity('tonumber', a, 1, 2, c); const v = ev(a[0]!); if (a[1]) { const base = toNum(ev(a[1])) ?? 10; const n = parseInt(toStr(v) ?? '', base); return Number.isFinite(n) ? n : null; } return toNum(v); },
  mvcount: (a, _r, ev, c) => { arity('mvcount', a, 1, 1, c); const v = ev(a[0]!); return v === null ? null : Array.isArray(v) ? v.length : 1; },
  mvindex: (a, _r, ev, c) => {
    arity('mvindex', a, 2, 3, c);
    const v = ev(a[0]!); if (v === null) return null;
    const list = Array.isArray(v) ? v : [toStr(v)!];
    const norm = (n: number) => (n < 0 ? list.length + n : n);
    const s = norm(toNum(ev(a[1]!)) ?? 0);
    if (!a[2]) return list[s] ?? null;
    const e = norm(toNum(ev(a[2])) ?? 0);
    const slice = list.slice(s, e + 1);
    return slice.length === 0 ? null : slice.length === 1 ? slice[0]! : slice;
  },
  mvjoin: (a, _r, ev, c) => { arity('mvjoin', a, 2, 2, c); const v = ev(a[0]!); if (v === null) return null; return (Array.isArray(v) ? v : [toStr(v)!]).join(toStr(ev(a[1]!)) ?? ''); },
  mvdedup: (a, _r, ev, c) => { arity('mvdedup', a, 1, 1, c); const v = ev(a[0]!); return Array.isArray(v) ? [...new Set(v)] : v; },
  split: (a, _r, ev, c) => { arity('split', a, 2, 2, c); const s = toStr(ev(a[0]!)); if (s === null) return null; const parts = s.split(toStr(ev(a[1]!)) ?? ''); return parts.length === 1 ? parts[0]! : parts; },
  replace: (a, _r, ev, c) => { arity('replace', a, 3, 3, c); const s = toStr(ev(a[0]!)); if (s === null) return null; return s.replace(new RegExp(toStr(ev(a[1]!)) ?? '', 'g'), (toStr(ev(a[2]!)) ?? '').replace(/\\(\d)/g, '$$$1')); },
  match: (a, _r, ev, c) => { arity('match', a, 2, 2, c); const s = toStr(ev(a[0]!)); if (s === null) return null; let re = toStr(ev(a[1]!)) ?? ''; let flags = ''; if (re.startsWith('(?i)')) { re = re.slice(4); flags = 'i'; } return new RegExp(re, flags).test(s); },
  like: (a, _r, ev, c) => { arity('like', a, 2, 2, c); const s = toStr(ev(a[0]!)); if (s === null) return null; return likeToRegex(toStr(ev(a[1]!)) ?? '').test(s); },
  round: (a, _r, ev, c) => { arity('round', a, 1, 2, c); const n = toNum(ev(a[0]!)); if (n === null) return null; const d = a[1] ? toNum(ev(a[1])) ?? 0 : 0; const f = 10 ** d; return Math.round(n * f) / f; },
  floor: (a, _r, ev, c) => { arity('floor', a, 1, 1, c); const n = toNum(ev(a[0]!)); return n === null ? null : Math.floor(n); },
  ceiling: (a, _r, ev, c) => { arity('ceiling', a, 1, 1, c); const n = toNum(ev(a[0]!)); return n === null ? null : Math.ceil(n); },
  abs: (a, _r, ev, c) => { arity('abs', a, 1, 1, c); const n = toNum(ev(a[0]!)); return n === null ? null : Math.abs(n); },
  trim: (a, _r, ev, c) => { arity('trim', a, 1, 2, c); const s = toStr(ev(a[0]!)); return s === null ? null : s.trim(); },
  ltrim: (a, _r, ev, c) => { arity('ltrim', a, 1, 2, c); const s = toStr(ev(a[0]!)); return s === null ? null : s.trimStart(); },
  rtrim: (a, _r, ev, c) => { arity('rtrim', a, 1, 2, c); const s = toStr(ev(a[0]!)); return s === null ? null : s.trimEnd(); },
  min: (a, _r, ev) => { const ns = a.map((e) => toNum(ev(e))).filter((n): n is number => n !== null); return ns.length ? Math.min(...ns) : null; },
  max: (a, _r, ev) => { const ns = a.map((e) => toNum(ev(e))).filter((n): n is number => n !== null); return ns.length ? Math.max(...ns) : null; },
  null: (a, _r, _ev, c) => { arity('null', a, 0, 0, c); return null; },
  true: (a, _r, _ev, c) => { arity('true', a, 0, 0, c); return true; },
  false: (a, _r, _ev, c) => { arity('false', a, 0, 0, c); return false; },
  now: (a, _r, _ev, c) => { arity('now', a, 0, 0, c); return Math.floor(Date.now() / 1000); },
  time: (a, _r, _ev, c) => { arity('time', a, 0, 0, c); return Date.now() / 1000; },
};

/** Evaluate an expression on a row. */
export function evaluate(e: Expr, row: Row, command: string): EvalValue {
  const ev = (x: Expr): EvalValue => evaluate(x, row, command);
  switch (e.k) {
    case 'lit': return e.v;
    case 'field': return fieldValue(row[e.name]);
    case 'call': return FUNCTIONS[e.fn]!(e.args, row, ev, command);
    case 'un': {
      const v = ev(e.e);
      if (e.op === 'NOT') return v === null ? null : !truthy(v, command);
      const n = toNum(v);
      return n === null ? null : -n;
    }
    case 'bin': {
      if (e.op === 'AND') { const l = ev(e.l); if (l !== null && !truthy(l, command)) return false; const r = ev(e.r); return l === null || r === null ? (r !== null && !truthy(r, command) ? false : null) : truthy(r, command); }
      if (e.op === 'OR') { const l = ev(e.l); if (l !== null && truthy(l, command)) return true; const r = ev(e.r); return r === null ? (l === null ? null : false) : truthy(r, command); }
      if (e.op === 'XOR') { const l = ev(e.l); const r = ev(e.r); return l === null || r === null ? null : truthy(l, command) !== truthy(r, command); }
      const l = ev(e.l);
      const r = ev(e.r);
      if (['=', '!=', '<', '>', '<=', '>='].includes(e.op)) return cmpValues(e.op, l, r);
      if (e.op === '.') { const a = toStr(l); const b = toStr(r); return a === null || b === null ? null : a + b; }
      if (l === null || r === null) return null;
      if (e.op === '+' && (typeof l === 'string' || typeof r === 'string') && (toNum(l) === null || toNum(r) === null)) return toStr(l)! + toStr(r)!;
      const a = toNum(l); const b = toNum(r);
      if (a === null || b === null) return null;
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return b === 0 ? null : a / b;
        default: return b === 0 ? null : a % b;
      }
    }
  }
}

/** `where`: keep a row when the expression is true (null counts as false). */
export function evalCondition(e: Expr, row: Row, command: string): boolean {
  const v = evaluate(e, row, command);
  return v === null ? false : truthy(v, command);
}

/** Convert an eval result into a stored field value (null → field removed). */
export function toFieldValue(v: EvalValue, command: string): Value | null {
  if (v === null) return null;
  if (typeof v === 'boolean') throw new SplError(`Error in '${command}' command: Fields cannot be assigned a boolean result. Instead, try if([bool expr], [expr], [expr]).`);
  if (Array.isArray(v)) return v.length === 0 ? null : v;
  return toStr(v)!;
}

