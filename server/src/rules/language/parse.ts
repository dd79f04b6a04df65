/**
 * Rule text → compiled rules. Accepts a YAML file with one rule, several `---` documents, or a
 * top-level list of rules; or the one-line form (oneline.ts). Every error names the line, column and
 * field it is about, so the editor can point at it.
 */
import { LineCounter, isMap, isNode, isPair, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import { MatchError, compileMatch, type MatchOptions, type Predicate } from './match.js';

/** Options of a parse: the Sigma library `sigma: <id>` steps resolve against (docs/rules.md §1.3). */
export type ParseOptions = MatchOptions;
import { type CompiledRule, type Step, type Then, type Unless, type Where } from '../model.js';
import { RuleDocSchema, type RuleDoc } from './schema.js';
import { compileWhere } from './where.js';
import { isOneLine, parseOneLine } from './oneline.js';
import { parseDuration, parseHops } from './units.js';

export { parseDuration, parseHops };

/** One problem in rule text, positioned (1-based line/column). */
export interface RuleError {
  message: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `chain.1.match.Image|endswith` (empty for the document). */
  field: string;
  file: string | null;
}

export interface ParseResult { rules: CompiledRule[]; errors: RuleError[] }

/** Thrown by `parseRulesOrThrow` when any rule text is invalid. */
export class RuleSyntaxError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(errors.map((e) => `${e.file ?? 'rule'}:${e.line}:${e.column}: ${e.field ? `${e.field}: ` : ''}${e.message}`).join('\n'));
  }
}

type Path = (string | number)[];

/** Position of the node at `path` (or of its nearest existing ancestor; of the key when `key`). */
function locate(doc: Document, lc: LineCounter, path: Path, key?: string): { line: number; column: number } {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const seg of path) {
    if (!isNode(node)) break;
    const next = (node as unknown as { get(k: unknown, keep: true): unknown }).get?.(seg, true);
    if (next === undefined) break;
    node = next;
    found = next;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isNode(pair.key)) found = pair.key;
  } else if (path.length > 0 && typeof path[path.length - 1] === 'string') {
    // Point at the key rather than its value: `Image|endswith:` reads better than the value's column.
    const parentPath = path.slice(0, -1);
    let parent: unknown = doc.contents;
    for (const seg of parentPath) parent = isNode(parent) ? (parent as unknown as { get(k: unknown, keep: true): unknown }).get?.(seg, true) : undefined;
    if (isMap(parent)) {
      const last = path[path.length - 1];
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key)) found = pair.key;
    }
  }
  const range = isNode(found) ? (found as Node).range : null;
  const pos = lc.linePos(range ? range[0] : 0);
  return { line: pos.line, column: pos.col };
}

/** Compile one validated rule document. Throws `{path, message}` for the first semantic problem. */
function compileDoc(doc: RuleDoc, source: CompiledRule['source'], index: number, opts: ParseOptions): CompiledRule {
  const at = (path: Path, fn: () => unknown) => {
    try { return fn(); } catch (e) {
      if (e instanceof MatchError) throw Object.assign(new Error(e.message), { path: [...path, ...e.path] });
      throw Object.assign(new Error((e as Error).message), { path });
    }
  };
  const names = new Map<string, number>();
  doc.chain.forEach((s, i) => {
    const name = s.as ?? `s${i}`;
    if (names.has(name)) throw Object.assign(new Error(`step name "${name}" is used twice`), { path: ['chain', i, 'as'] });
    names.set(name, i);
  });
  const stepOf = (name: string, path: Path): number => {
    const i = names.get(name);
    if (i === undefined) throw Object.assign(new Error(`unknown step "${name}" (steps: ${[...names.keys()].join(', ')})`), { path });
    return i;
  };
  const steps: Step[] = doc.chain.map((s, i) => {
    if (i === 0 && s.via !== undefined) throw Object.assign(new Error('the first step has no `via` (nothing above it)'), { path: ['chain', 0, 'via'] });
    const v = s.via;
    const hopsText = v === undefined ? 1 : typeof v === 'object' ? (v.hops ?? 1) : v;
    const { lo, hi } = at(['chain', i, 'via', ...(typeof v === 'object' ? ['hops'] : [])], () => parseHops(hopsText)) as { lo: number; hi: number };
    return {
      as: s.as ?? `s${i}`,
      pred: at(['chain', i, 'match'], () => compileMatch(s.match, [], opts)) as Predicate,
      lo: i === 0 ? 0 : lo,
      hi: i === 0 ? 0 : hi,
      all: typeof v === 'object' && v.all ? at(['chain', i, 'via', 'all'], () => compileMatch(v.all, [], opts)) as Predicate : null,
      none: typeof v === 'object' && v.none ? at(['chain', i, 'via', 'none'], () => compileMatch(v.none, [], opts)) as Predicate : null,
    };
  });
  const unless: Unless[] = (doc.unless ?? []).map((u, i) => {
    if ('ancestor' in u) {
      const a = u.ancestor;
      const { lo, hi } = at(['unless', i, 'ancestor', 'within'], () => parseHops(a.within ?? '1..*')) as { lo: number; hi: number };
      return { kind: 'ancestor', of: stepOf(a.of, ['unless', i, 'ancestor', 'of']), lo, hi, pred: at(['unless', i, 'ancestor', 'match'], () => compileMatch(a.match, [], opts)) as Predicate };
    }
    return { kind: 'path', pred: at(['unless', i, 'path', 'match'], () => compileMatch(u.path.match, [], opts)) as Predicate };
  });
  const where: Where[] = (doc.where ?? []).map((w, i) => at(['where', i], () => compileWhere(w, names)) as Where);
  const then: Then[] = (doc.then ?? []).map((t, i) => {
    const pred = at(['then', i, 'match'], () => compileMatch(t.match, [], opts)) as Predicate;
    const raw = Array.isArray(t.match) ? t.match : [t.match];
    // EventID pre-filter: only when every OR branch pins EventID.
    const ids = raw.map((b) => (b as Record<string, unknown>).EventID ?? (b as Record<string, unknown>).event_id);
    const eventIds = ids.every((x) => x !== undefined)
      ? new Set(ids.flatMap((x) => (Array.isArray(x) ? x : [x]).map(Number)))
      : null;
    return {
      of: stepOf(t.of, ['then', i, 'of']),
      withinMs: t.within === undefined ? null : at(['then', i, 'within'], () => parseDuration(t.within!)) as number,
      pred,
      not: t.not ? at(['then', i, 'not'], () => compileMatch(t.not, [], opts)) as Predicate : null,
      eventIds,
    };
  });
  return {
    id: doc.id ?? `rule-${index + 1}`,
    title: doc.title,
    severity: doc.severity ?? (doc.level as CompiledRule['severity'] | undefined) ?? 'medium',
    description: doc.description ?? '',
    tags: doc.tags ?? [],
    steps,
    withinMs: doc.within === undefined ? null : at(['within'], () => parseDuration(doc.within!)) as number,
    maxGapMs: doc.max_gap === undefined ? null : at(['max_gap'], () => parseDuration(doc.max_gap!)) as number,
    unless,
    where,
    then,
    unknown: doc.unknown ?? 'skip',
    unknownAncestry: doc.unknown_ancestry ?? 'suppress',
    tests: (doc.tests ?? []).map((t) => ({ name: t.name, events: t.events, expect: t.expect })),
    source,
  };
}

/** Parse rule text (YAML or one-liner). Never throws: problems come back as positioned errors. */
export function parseRules(text: string, file: string | null = null, opts: ParseOptions = {}): ParseResult {
  if (isOneLine(text)) {
    try {
      return { rules: [parseOneLine(text, file)], errors: [] };
    } catch (e) {
      const col = (e as { column?: number }).column ?? 1;
      return { rules: [], errors: [{ message: (e as Error).message, line: 1, column: col, field: '', file }] };
    }
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true });
  const rules: CompiledRule[] = [];
  const errors: RuleError[] = [];
  const docList = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    errors.push({ message: 'no rule documents found', line: 1, column: 1, field: '', file });
    return { rules, errors };
  }
  for (const doc of docList) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lc.linePos(err.pos[0]);
        errors.push({ message: err.message.split('\n')[0] ?? err.message, line: pos.line, column: pos.col, field: '', file });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      // yaml refuses a document whose aliases expand beyond its limit (an alias bomb): the text is at fault.
      const pos = lc.linePos(doc.range[0]);
      errors.push({ message: (err as Error).message, line: pos.line, column: pos.col, field: '', file });
      continue;
    }
    if (value == null) continue;
    const items: { value: unknown; base: Path }[] = Array.isArray(value)
      ? value.map((v, i) => ({ value: v, base: [i] }))
      : [{ value, base: [] }];
    for (const item of items) {
      const startLine = locate(doc, lc, item.base).line;
      const parsed = RuleDocSchema.safeParse(item.value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = [...item.base, ...(issue.path as Path)];
          const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [undefined];
          for (const key of keys) {
            const pos = locate(doc, lc, path, key);
            const field = [...(issue.path as Path), ...(key ? [key] : [])].join('.');
            const message = key ? `unknown key "${key}"` : issue.message;
            errors.push({ message, line: pos.line, column: pos.column, field, file });
          }
        }
        continue;
      }
      const srcText = item.base.length === 0 ? String(doc) : text;
      try {
        rules.push(compileDoc(parsed.data, { file, line: startLine, text: srcText }, rules.length, opts));
      } catch (e) {
        const rel = ((e as { path?: Path }).path ?? []);
        const pos = locate(doc, lc, [...item.base, ...rel]);
        errors.push({ message: (e as Error).message, line: pos.line, column: pos.column, field: rel.join('.'), file });
      }
    }
  }
  if (rules.length === 0 && errors.length === 0) errors.push({ message: 'no rules in text', line: 1, column: 1, field: '', file });
  const seen = new Map<string, number>();
  for (const r of rules) {
    if (seen.has(r.id)) errors.push({ message: `duplicate rule id "${r.id}"`, line: r.source.line, column: 1, field: 'id', file });
    seen.set(r.id, r.source.line);
  }
  return { rules, errors };
}

/** Parse or throw RuleSyntaxError listing every problem. */
export function parseRulesOrThrow(text: string, file: string | null = null, opts: ParseOptions = {}): CompiledRule[] {
  const r = parseRules(text, file, opts);
  if (r.errors.length > 0) throw new RuleSyntaxError(r.errors);
  return r.rules;
}
