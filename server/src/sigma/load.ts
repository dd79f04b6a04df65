/**
 * Loading Sigma rules from files or directories (recursively, `.yml`/`.yaml`). Each file gives one
 * compiled rule or one unevaluable entry with its reason; YAML errors are unevaluable too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileRule, isCompiled, type CompiledRule, type UnevaluableRule } from './rule.js';

export interface RuleSet {
  rules: CompiledRule[];
  unevaluable: UnevaluableRule[];
}

function listYaml(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) listYaml(join(path, name), out);
  } else if (/\.ya?ml$/i.test(path)) out.push(path);
}

/** Compiles the rules of one YAML text (a file may hold several documents). */
export function compileText(text: string, source: string | null): Array<CompiledRule | UnevaluableRule> {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1) {
    return [{ id: '', title: source ?? '(text)', level: null, tags: [], status: null, source, reason: `${list.length} YAML documents in one file (rule collection)` }];
  }
  const doc = list[0]!;
  if (doc.errors.length) {
    return [{ id: '', title: source ?? '(text)', level: null, tags: [], status: null, source, reason: `YAML: ${doc.errors[0]!.message}` }];
  }
  return [compileRule(doc.toJS(), source)];
}

/**
 * The Sigma rules a lineage rule's `sigma: <id>` step resolves against (docs/rules.md §1.3). It travels
 * with the lineage-rule parse options (`ParseOptions.sigma`); `serve --sigma` and `detect --sigma` build one.
 */
export interface SigmaLibrary { byId: ReadonlyMap<string, CompiledRule>; from: string }

export function sigmaLibrary(rules: readonly CompiledRule[], from: string): SigmaLibrary {
  return { byId: new Map(rules.map((r) => [r.id, r])), from };
}

/** Loads every rule under the given paths; duplicate ids keep the first and report the others. */
export function loadRules(paths: string[]): RuleSet {
  const files: string[] = [];
  for (const p of paths) listYaml(p, files);
  const set: RuleSet = { rules: [], unevaluable: [] };
  const seen = new Set<string>();
  for (const f of files) {
    for (const r of compileText(readFileSync(f, 'utf8'), f)) {
      if (!isCompiled(r)) { set.unevaluable.push(r); continue; }
      if (seen.has(r.id)) { set.unevaluable.push({ ...r, reason: `duplicate rule id ${r.id}` }); continue; }
      seen.add(r.id);
      set.rules.push(r);
    }
  }
  return set;
}
