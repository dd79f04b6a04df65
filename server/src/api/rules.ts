/**
 * Lineage-rule routes:
 *   POST /api/rules/validate { rules }            → { rules: [summary], errors: [{line, column, field, message}] }
 *   POST /api/rules/run      { rules, from, to, host? } → { hits: RuleHit[], stats, truncated }
 *   GET  /api/rules/pack                          → the shipped rules (id, title, severity, text)
 * `rules` is YAML text (one or many rules) or a one-liner. Invalid rules answer 400 `invalid_rule` with the
 * positioned errors alongside, so the editor can mark the lines.
 */
import { Router, type Request, type RequestHandler } from 'express';
import { RulesRunBody, RulesValidateBody, type RuleErrorWire, type RuleSummary } from '@lineage/shared';
import { loadPack } from '../rules/pack.js';
import { parseRules, type ParseOptions } from '../rules/language/parse.js';
import { runRules } from '../rules/run/run.js';
import { DEFAULT_RULE_BUDGET_MS, withinBudget } from '../services/rule-budget.js';
import type { CompiledRule } from '../rules/model.js';
import { AppError } from './errors.js';
import { jsonRoute, type SourceFor } from './handle.js';
import { toRange } from './params.js';

/** Most hits one run returns (the rest are counted, not sent). */
export const MAX_HITS = 5000;


/** What the editor shows for a compiled rule. */
function summary(r: CompiledRule): RuleSummary {
  return {
    id: r.id, title: r.title, severity: r.severity, line: r.source.line,
    steps: r.steps.map((s) => ({ as: s.as, hops: [s.lo, Number.isFinite(s.hi) ? s.hi : null], names: s.pred.names ? [...s.pred.names] : null })),
    tests: r.tests.length,
  };
}

/** Thrown for invalid rule text: carries the positioned errors into the 400 body. */
class InvalidRuleError extends AppError {
  constructor(readonly errors: RuleErrorWire[]) {
    super(400, 'invalid_rule', errors.map((e) => `line ${e.line}${e.field ? ` (${e.field})` : ''}: ${e.message}`).join('; '));
  }
}

function compile(text: string, opts: ParseOptions): CompiledRule[] {
  const { rules, errors } = parseRules(text, null, opts);
  if (errors.length > 0) throw new InvalidRuleError(errors);
  return rules;
}

/**
 * `budgetMs`: the time budget of one `POST /api/rules/run` (its queries are interrupted when spent);
 * `parse`: the parse options of posted rules (the Sigma library of `serve --sigma`).
 */
export function rulesRouter(sourceFor: SourceFor, budgetMs: number = DEFAULT_RULE_BUDGET_MS, parse: ParseOptions = {}): Router {
  const r = Router();

  // Validation needs no data source (works before a Splunk login too).
  r.post('/rules/validate', ((req, res, next) => {
    try {
      const body = RulesValidateBody.parse(req.body);
      const { rules, errors } = parseRules(body.rules, null, parse);
      res.json({ rules: rules.map(summary), errors });
    } catch (err) { next(err); }
  }) as RequestHandler);

  r.get('/rules/pack', ((_req, res, next) => {
    try {
      res.json({ rules: loadPack().map((x) => ({ ...summary(x), file: x.source.file?.split(/[\\/]/).pop() ?? null, text: x.source.text })) });
    } catch (err) { next(err); }
  }) as RequestHandler);

  const run = jsonRoute(sourceFor, async (req: Request, { source, ctx }) => {
    const body = RulesRunBody.parse(req.body);
    const rules = compile(body.rules, parse);
    const range = toRange(body, null) ?? undefined;
    const result = await withinBudget(budgetMs, 'the rule run', ctx.signal, (c) => runRules(source, rules, { ctx: c, range, host: body.host }));
    return {
      hits: result.hits.slice(0, MAX_HITS),
      truncated: result.hits.length > MAX_HITS ? { limit: MAX_HITS, total: result.hits.length } : null,
      stats: result.stats,
      rules: rules.map(summary),
    };
  });
  r.post('/rules/run', ((req, res, next) => {
    run(req, res, (err?: unknown) => {
      if (err instanceof InvalidRuleError && !res.headersSent) {
        res.status(400).json({ error: { code: err.code, message: err.message }, errors: err.errors });
        return;
      }
      next(err);
    });
  }) as RequestHandler);
  return r;
}
