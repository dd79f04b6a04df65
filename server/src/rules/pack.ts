/**
 * Loading rule files: the shipped pack (`rules/*.yaml` at the project root) or any file/directory a user
 * points at. All problems across all files are collected before failing.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledRule } from './model.js';
import { RuleSyntaxError, parseRules, type ParseOptions, type RuleError } from './language/parse.js';

/** The shipped rule pack directory (`<project>/rules`), from source or from dist. */
export const PACK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'rules');

/** `.yaml`/`.yml` files under a path (a file is returned as is), sorted for stable rule order. */
export function ruleFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) out.push(...ruleFiles(full));
    else if (/\.ya?ml$/i.test(name)) out.push(full);
  }
  return out;
}

/** Load and compile every rule under `path`; throws RuleSyntaxError listing all problems. */
export function loadRules(path: string, opts: ParseOptions = {}): CompiledRule[] {
  const rules: CompiledRule[] = [];
  const errors: RuleError[] = [];
  for (const file of ruleFiles(path)) {
    const r = parseRules(readFileSync(file, 'utf8'), file, opts);
    rules.push(...r.rules);
    errors.push(...r.errors);
  }
  const ids = new Map<string, string>();
  for (const r of rules) {
    const prev = ids.get(r.id);
    if (prev !== undefined && prev !== r.source.file) {
      errors.push({ message: `rule id "${r.id}" is also defined in ${prev}`, line: r.source.line, column: 1, field: 'id', file: r.source.file });
    }
    ids.set(r.id, r.source.file ?? '');
  }
  if (errors.length > 0) throw new RuleSyntaxError(errors);
  return rules;
}

/** The shipped pack. */
export function loadPack(): CompiledRule[] {
  return loadRules(PACK_DIR);
}
