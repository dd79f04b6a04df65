/**
 * `lineage detect --db FILE --rules PATH [--from T] [--to T] [--host H] [--json] [--sigma PATH]`: run lineage rules over
 * an embedded store. PATH is a rule file, a directory of them, or a one-line rule in quotes. With
 * `--json`: `{"hits":[RuleHit…],"stats":{…}}` on stdout; otherwise one line per hit. `--test` runs the
 * rules' inline test vectors instead (no database needed).
 */
import { existsSync } from 'node:fs';
import { scanPushdown } from '@lineage/shared';
import { failer, openReadOnly, parseFlags, parseTimeFlags } from './common.js';
import { newContext } from '../sources/event-source.js';
import type { CompiledRule } from '../rules/model.js';
import { loadRules } from '../rules/pack.js';
import { RuleSyntaxError, parseRulesOrThrow, type ParseOptions } from '../rules/language/parse.js';
import { runRules } from '../rules/run/run.js';
import { runRuleTests } from '../rules/vectors.js';
import { hecSetup, sendHits } from './detect-hec.js';
import { loadRules as loadSigmaRules, sigmaLibrary } from '../sigma/load.js';

const USAGE = 'usage: lineage detect --db FILE --rules PATH|"a.exe -[1..3]-> b.exe" [--from T] [--to T] [--host H] [--json] [--hec] [--sigma PATH]…\n'
  + '       lineage detect --rules PATH --test\n';

const fail = failer('detect', USAGE);

function load(spec: string, opts: ParseOptions): CompiledRule[] {
  return existsSync(spec) ? loadRules(spec, opts) : parseRulesOrThrow(spec, '--rules', opts);
}

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(argv, {
    db: { type: 'string' }, rules: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    host: { type: 'string' }, json: { type: 'boolean' }, hec: { type: 'boolean' }, test: { type: 'boolean' },
    sigma: { type: 'string', multiple: true },
  }, USAGE, fail);
  if (typeof values === 'number') return values;
  const opts: ParseOptions = {};
  if (values.sigma?.length) {
    // The Sigma rules a step's `sigma: <id>` resolves against (docs/rules.md §1.3).
    const missing = values.sigma.find((p) => !existsSync(p));
    if (missing) return fail(`--sigma ${missing}: no such file or directory`, 1);
    opts.sigma = sigmaLibrary(loadSigmaRules(values.sigma).rules, values.sigma.join(', '));
  }
  if (!values.rules) return fail('--rules PATH is required (a .yaml file, a directory, or a one-line rule)');
  let rules: CompiledRule[];
  try {
    rules = load(values.rules, opts);
  } catch (err) {
    if (err instanceof RuleSyntaxError) return fail(`invalid rules:\n${err.message}`, 1);
    return fail((err as Error).message, 1);
  }
  if (values.test) return selfTest(rules, values.json === true);
  if (!values.db) return fail('--db FILE is required');
  const hec = values.hec ? hecSetup() : null;
  if (typeof hec === 'string') return fail(hec);
  const flags = parseTimeFlags(values);
  if (typeof flags === 'string') return fail(flags);
  const range = { from: flags.from ?? '1970-01-01T00:00:00.000Z', to: flags.to ?? '9999-12-31T23:59:59.999Z' };
  const opened = await openReadOnly(values.db);
  if ('error' in opened) return fail(opened.error, 1);
  const { source } = opened;
  try {
    const ctx = newContext();
    const useRange = values.from !== undefined || values.to !== undefined;
    const result = await runRules(source, rules, { ctx, range: useRange ? range : undefined, host: values.host?.toLowerCase() });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ hits: result.hits, stats: result.stats })}\n`);
    } else {
      for (const h of result.hits) {
        process.stdout.write(`${h.time}  ${h.rule}  ${h.host}  ${h.images.map((i) => i.split(/[\\/]/).pop()).join(' → ')}${h.truncated ? '  (ancestry truncated)' : ''}\n`);
      }
    }
    const s = result.stats;
    process.stderr.write(`${result.hits.length} hits from ${rules.length} rules; scanned ${s.scanned} process-creates`
      + ` (${scanPushdown(s)}), ${s.ancestors} ancestors in ${s.ancestorRounds} rounds,`
      + ` ${s.searches} queries, ${s.ms} ms\n`);
    return hec ? await sendHits(hec, result.hits) : 0;
  } finally {
    await source.close();
  }
}

/** `--test`: run every rule's inline vectors; exit 1 when any fails. */
function selfTest(rules: CompiledRule[], json: boolean): number {
  const results = rules.flatMap((r) => runRuleTests(r));
  const failed = results.filter((r) => r.problems.length > 0);
  if (json) process.stdout.write(`${JSON.stringify({ tests: results.length, failed: failed.map((f) => ({ rule: f.rule, test: f.test, problems: f.problems })) })}\n`);
  for (const f of failed) process.stderr.write(`FAIL ${f.rule}: ${f.test}\n  ${f.problems.join('\n  ')}\n`);
  process.stderr.write(`${results.length - failed.length}/${results.length} rule tests passed (${rules.length} rules)\n`);
  return failed.length > 0 ? 1 : 0;
}
