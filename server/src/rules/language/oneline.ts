/**
 * The one-line rule form for the search bar:
 *   `cmd.exe -[1..5]-> powershell.exe|pwsh.exe -[1..5]-> winword.exe|excel.exe within 30m max_gap 5m`
 * Steps are image basenames (alternatives with `|`, `*` wildcards, `*` alone = any process); `->` is a
 * direct child, `-[n]->` exactly n hops, `-[lo..hi]->` a range, `-[lo..*]->` unbounded.
 */
import { ANY, compileMatch, type Predicate } from './match.js';
import type { CompiledRule, Step } from '../model.js';
import { parseDuration, parseHops } from './units.js';

/** True when the text is a one-liner (one line, no YAML `key:` structure). */
export function isOneLine(text: string): boolean {
  const t = text.trim();
  if (t === '' || t.includes('\n')) return false;
  return t.includes('->') || !/:\s/.test(t);
}

class OneLineError extends Error {
  constructor(message: string, readonly column: number) { super(message); }
}

function stepPredicate(token: string, column: number): Predicate {
  const alts = token.split('|').map((s) => s.trim()).filter(Boolean);
  if (alts.length === 0) throw new OneLineError('empty step', column);
  if (alts.includes('*')) return ANY;
  for (const a of alts) {
    if (!/^[^\s\\/:]+$/.test(a)) throw new OneLineError(`"${a}" is not an image name (e.g. cmd.exe)`, column);
  }
  const exact = alts.filter((a) => !a.includes('*'));
  const globs = alts.filter((a) => a.includes('*'));
  const blocks: Record<string, unknown>[] = [];
  if (exact.length) blocks.push({ 'Name': exact });
  for (const g of globs) {
    const re = '^' + g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^\\\\/]*') + '$';
    blocks.push({ 'Name|re': re });
  }
  return compileMatch(blocks.length === 1 ? blocks[0] : blocks);
}

/** Compile a one-liner. Errors carry the 1-based column of the offending token. */
export function parseOneLine(text: string, file: string | null = null): CompiledRule {
  const line = text.trim();
  const lead = text.indexOf(line) + 1;
  let body = line;
  let withinMs: number | null = null;
  let maxGapMs: number | null = null;
  // Trailing options: `within 30m`, `max_gap 5m` (any order).
  for (;;) {
    const m = /\s+(within|max_gap)\s+(\S+)\s*$/.exec(body);
    if (!m) break;
    try {
      const ms = parseDuration(m[2]!);
      if (m[1] === 'within') withinMs = ms; else maxGapMs = ms;
    } catch (e) { throw new OneLineError((e as Error).message, lead + m.index + m[0].indexOf(m[2]!)); }
    body = body.slice(0, m.index);
  }
  const arrow = /\s*(?:-\[([^\]]*)\])?->\s*/g;
  const steps: Step[] = [];
  let last = 0;
  let hops = { lo: 0, hi: 0 };
  let m: RegExpExecArray | null;
  const push = (token: string, at: number) => {
    steps.push({ as: `s${steps.length}`, pred: stepPredicate(token, lead + at), lo: hops.lo, hi: hops.hi, all: null, none: null });
  };
  while ((m = arrow.exec(body)) !== null) {
    push(body.slice(last, m.index), last);
    try { hops = m[1] === undefined ? { lo: 1, hi: 1 } : parseHops(m[1]); } catch (e) {
      throw new OneLineError((e as Error).message, lead + m.index);
    }
    last = m.index + m[0].length;
  }
  push(body.slice(last), last);
  return {
    id: 'oneline', title: line, severity: 'medium', description: '', tags: [],
    steps, withinMs, maxGapMs, unless: [], where: [], then: [],
    unknown: 'skip', unknownAncestry: 'suppress', tests: [],
    source: { file, line: 1, text: line },
  };
}
