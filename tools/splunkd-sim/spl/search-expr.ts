/**
 * The `search` command's boolean term language (splunk-protocol.md §4.1, §8.28–30): `field=value`,
 * comparisons, `field IN (…)`, bare keywords, `AND` (implicit) / `OR` / `NOT` (uppercase only),
 * parentheses. Field names are case-sensitive; values match case-insensitively with `*` wildcards,
 * and any value of a multivalue field may match.
 */
import { SplError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { asNumber, matchesPattern, valuesOf, wildcardRegex, type Row } from './values.js';

type CmpOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** Parsed search expression. */
export type SearchNode =
  | { k: 'all' }
  | { k: 'cmp'; field: string; op: CmpOp; value: string }
  | { k: 'in'; field: string; values: string[] }
  | { k: 'kw'; value: string }
  /** `TERM(x)`: x as one indexed term, bounded by major breakers; `CASE(x)`: a case-sensitive keyword. */
  | { k: 'term'; value: string }
  | { k: 'case'; value: string }
  | { k: 'and'; items: SearchNode[] }
  | { k: 'or'; items: SearchNode[] }
  | { k: 'not'; item: SearchNode };

/** A parsed search clause: the boolean tree and the time modifiers pulled out of it (§8.30). */
export interface ParsedSearch {
  node: SearchNode;
  earliest: string | null;
  latest: string | null;
  /** True when some term constrains `index` (otherwise the default indexes apply). */
  mentionsIndex: boolean;
}

/** Time terms Splunk accepts in a search that the emulator does not model: refused, never ignored. */
const UNSUPPORTED_TIME_TERMS = new Set(['_index_earliest', '_index_latest', 'starttime', 'endtime', 'starttimeu', 'endtimeu', 'daysago', 'hoursago', 'minutesago', 'searchtimespanhours', 'searchtimespandays']);

class Parser {
  private pos = 0;
  earliest: string | null = null;
  latest: string | null = null;
  mentionsIndex = false;

  constructor(private readonly toks: Token[], private readonly command: string, private readonly allowTime: boolean) {}

  private peek(o = 0): Token | undefined { return this.toks[this.pos + o]; }

  private isWord(t: Token | undefined, v: string): boolean { return !!t && t.t === 'word' && t.raw === v; }

  parse(): SearchNode {
    if (this.toks.length === 0) return { k: 'all' };
    const node = this.parseAnd();
    if (this.pos < this.toks.length) {
      const t = this.toks[this.pos]!;
      throw new SplError(`Error in '${this.command}' command: Unexpected '${t.v}' in search terms.`);
    }
    return node;
  }

  // In the search command OR binds tighter than AND (Splunk evaluates parentheses, NOT, OR, then
  // AND): `a OR b c` means `(a OR b) AND c`.
  private parseAnd(): SearchNode {
    const items: SearchNode[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || (t.t === 'op' && t.v === ')')) break;
      if (this.isWord(t, 'AND')) { this.pos++; continue; }
      items.push(this.parseOr());
    }
    if (items.length === 0) throw new SplError(`Error in '${this.command}' command: Missing search terms (an operator has nothing to apply to).`);
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }

  private parseOr(): SearchNode {
    const items = [this.parseNot()];
    while (this.isWord(this.peek(), 'OR')) {
      this.pos++;
      const next = this.peek();
      if (!next || (next.t === 'op' && next.v === ')') || this.isWord(next, 'OR') || this.isWord(next, 'AND')) {
        throw new SplError(`Error in '${this.command}' command: Missing search terms after OR.`);
      }
      items.push(this.parseNot());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }

  private parseNot(): SearchNode {
    if (this.isWord(this.peek(), 'NOT')) { this.pos++; return { k: 'not', item: this.parseNot() }; }
    return this.parsePrimary();
  }

  private value(): string {
    const t = this.peek();
    if (!t || t.t === 'op') throw new SplError(`Error in '${this.command}' command: Missing a value after a comparison operator.`);
    this.pos++;
    return t.v;
  }

  private parsePrimary(): SearchNode {
    const t = this.peek()!;
    if (t.t === 'op') {
      if (t.v === '(') {
        this.pos++;
        const inner = this.parseAnd();
        const close = this.peek();
        if (!close || close.t !== 'op' || close.v !== ')') throw new SplError(`Error in '${this.command}' command: Mismatched parentheses.`);
        this.pos++;
        return inner;
      }
      throw new SplError(`Error in '${this.command}' command: Unexpected '${t.v}' in search terms.`);
    }
    const next = this.peek(1);
    if (t.t === 'word' && /^(term|case)$/i.test(t.v) && next?.t === 'op' && next.v === '(') return this.directive(t.v);
    if (t.t === 'word' && next?.t === 'op' && next.v !== '(' && next.v !== ')' && next.v !== ',') {
      this.pos += 2;
      return this.comparison(t.v, next.v as CmpOp, this.value());
    }
    if (t.t === 'word' && this.isWord(next, 'IN')) {
      this.pos += 2;
      const open = this.peek();
      if (!open || open.t !== 'op' || open.v !== '(') throw new SplError(`Error in '${this.command}' command: IN requires a parenthesised list of values.`);
      this.pos++;
      const values: string[] = [];
      for (;;) {
        const v = this.peek();
        if (!v) throw new SplError(`Error in '${this.command}' command: Mismatched parentheses in IN list.`);
        if (v.t === 'op' && v.v === ')') { this.pos++; break; }
        if (v.t === 'op' && v.v === ',') { this.pos++; continue; }
        if (v.t === 'op') throw new SplError(`Error in '${this.command}' command: Unexpected '${v.v}' in IN list.`);
        values.push(v.v);
        this.pos++;
      }
      if (values.length === 0) throw new SplError(`Error in '${this.command}' command: IN list is empty.`);
      if (t.v === 'index') this.mentionsIndex = true;
      return { k: 'in', field: t.v, values };
    }
    this.pos++;
    return { k: 'kw', value: t.v };
  }

  /**
   * `TERM(x)` / `CASE(x)` as bare search terms (Splunk's search directives, uppercase). What the
   * emulator cannot evaluate as Splunk does is a 400: lowercase spellings, wildcards inside TERM,
   * more than one term, and directives as field values (`field=CASE(x)`).
   */
  private directive(name: string): SearchNode {
    if (name !== 'TERM' && name !== 'CASE') throw new SplError(`Error in '${this.command}' command: '${name}(' is not supported by the Lineage splunkd test server (directives are TERM() and CASE()).`);
    this.pos += 2;
    const arg = this.peek();
    const close = this.peek(1);
    if (!arg || arg.t === 'op' || !close || close.t !== 'op' || close.v !== ')') {
      throw new SplError(`Error in '${this.command}' command: ${name}() takes one term (the Lineage splunkd test server evaluates nothing else).`);
    }
    this.pos += 2;
    if (name === 'TERM' && arg.v.includes('*')) throw new SplError(`Error in '${this.command}' command: wildcards inside TERM() are not supported by the Lineage splunkd test server.`);
    return { k: name === 'TERM' ? 'term' : 'case', value: arg.v };
  }

  private comparison(field: string, op: CmpOp, value: string): SearchNode {
    if (/^(term|case)$/i.test(value) && this.peek()?.t === 'op' && this.peek()!.v === '(') {
      throw new SplError(`Error in '${this.command}' command: ${field}${op}${value}(…) is not supported by the Lineage splunkd test server.`);
    }
    const lower = field.toLowerCase();
    if (lower === 'earliest' || lower === 'latest') {
      if (!this.allowTime) throw new SplError(`Error in '${this.command}' command: Time modifiers are not allowed here.`);
      if (op !== '=') throw new SplError(`Error in '${this.command}' command: Only '=' is allowed with time modifier '${field}'.`);
      if (lower === 'earliest') this.earliest = value; else this.latest = value;
      return { k: 'all' };
    }
    if (UNSUPPORTED_TIME_TERMS.has(lower)) {
      throw new SplError(`Error in '${this.command}' command: Time term '${field}' is not supported by the Lineage splunkd test server.`);
    }
    if (field === 'index') this.mentionsIndex = true;
    return { k: 'cmp', field, op, value };
  }
}

/** Parse search terms. `allowTime` lets `earliest=`/`latest=` through (only the leading search). */
export function parseSearch(text: string, command = 'search', allowTime = true): ParsedSearch {
  return parseSearchTokens(tokenize(text), command, allowTime);
}

/** Parse already-tokenised search terms (tstats' `where` clause). */
export function parseSearchTokens(tokens: Token[], command: string, allowTime: boolean): ParsedSearch {
  const p = new Parser(tokens, command, allowTime);
  const node = p.parse();
  return { node, earliest: p.earliest, latest: p.latest, mentionsIndex: p.mentionsIndex };
}

/** Keyword match on `_raw`: case-insensitive, bounded by non-alphanumerics (approximates Splunk's segmentation). */
function keywordMatches(raw: string, term: string): boolean {
  if (term === '*') return true;
  const body = wildcardRegex(term).source.slice(1, -1);
  return new RegExp(`(^|[^A-Za-z0-9])${body}($|[^A-Za-z0-9])`, 'is').test(raw);
}

/**
 * Splunk's default major breakers (segmenters.conf `MAJOR`, without the URL-encoded forms): an indexed
 * term runs between two of them; minor breakers (`. / \\ : = @ - _ $ # %`) stay inside it.
 */
const MAJOR = `[\\s\\[\\]<>(){}|!;,'"*&?+]`;

/** `TERM(x)`: x, case-insensitive, with a major breaker (or the event's edge) on both sides. */
function termMatches(raw: string, term: string): boolean {
  const body = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|${MAJOR}|--)${body}($|${MAJOR}|--)`, 'i').test(raw);
}

/** `CASE(x)`: a keyword matched case-sensitively. */
function caseMatches(raw: string, term: string): boolean {
  const body = wildcardRegex(term).source.slice(1, -1);
  return new RegExp(`(^|[^A-Za-z0-9])${body}($|[^A-Za-z0-9])`, 's').test(raw);
}

function compare(actual: string, op: CmpOp, expected: string): boolean {
  const a = asNumber(actual);
  const b = asNumber(expected);
  const c = a !== null && b !== null ? a - b : actual.localeCompare(expected);
  switch (op) {
    case '<': return c < 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '>=': return c >= 0;
    default: return false;
  }
}

const inMatchers = new WeakMap<object, { exact: Set<string>; patterns: string[] }>();

/** Long GUID IN-lists are the adapter's bread and butter: match literals through a set, not a scan. */
function inMatcher(node: { values: string[] }): { exact: Set<string>; patterns: string[] } {
  let m = inMatchers.get(node);
  if (!m) {
    m = { exact: new Set(node.values.filter((v) => !v.includes('*')).map((v) => v.toLowerCase())), patterns: node.values.filter((v) => v.includes('*')) };
    inMatchers.set(node, m);
  }
  return m;
}

/** Evaluate a search expression against a row. */
export function matchRow(node: SearchNode, row: Row): boolean {
  switch (node.k) {
    case 'all': return true;
    case 'and': return node.items.every((n) => matchRow(n, row));
    case 'or': return node.items.some((n) => matchRow(n, row));
    case 'not': return !matchRow(node.item, row);
    case 'kw': {
      const raw = row._raw;
      return typeof raw === 'string' && keywordMatches(raw, node.value);
    }
    case 'term': return typeof row._raw === 'string' && termMatches(row._raw, node.value);
    case 'case': return typeof row._raw === 'string' && caseMatches(row._raw, node.value);
    case 'in': {
      const vals = valuesOf(row[node.field]);
      if (vals.length === 0) return false;
      const m = inMatcher(node);
      return vals.some((v) => m.exact.has(v.toLowerCase()) || m.patterns.some((p) => matchesPattern(v, p)));
    }
    case 'cmp': {
      const vals = valuesOf(row[node.field]);
      if (vals.length === 0) return false;
      if (node.op === '=') return node.value === '*' || vals.some((v) => matchesPattern(v, node.value));
      // `field!=value` needs the field present (unlike `NOT field=value`).
      if (node.op === '!=') return !vals.some((v) => matchesPattern(v, node.value));
      return vals.some((v) => compare(v, node.op, node.value));
    }
  }
}
