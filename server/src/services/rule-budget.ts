/**
 * A rule run's time budget (docs/security.md "Rule runs"). Rules scan the store, so a broad rule over a
 * large store can run for minutes; every run — `POST /api/rules/run` and the notables' pack run — gets
 * a budget. When it is spent the run's queries are interrupted (the source sees the aborted signal:
 * DuckDB interrupt, Splunk job cancel) and the caller gets a RuleBudgetError naming the budget and what
 * to change, answered as 503 `rule_budget_exceeded`.
 */
import { newContext, type QueryContext } from '../sources/event-source.js';

/** Default budget of one rule run (serve: --rule-budget-ms / LINEAGE_RULE_BUDGET_MS). */
export const DEFAULT_RULE_BUDGET_MS = 60_000;

export class RuleBudgetError extends Error {
  override readonly name = 'RuleBudgetError';
  constructor(readonly budgetMs: number, what: string) {
    super(`${what} took longer than its ${budgetMs} ms budget and was stopped; narrow the time range or host, `
      + 'or make the rule name rarer processes (the admin can raise --rule-budget-ms)');
  }
}

/**
 * Run `work` with a context whose signal fires when `parent` does or the budget is spent. A spent
 * budget (and not a cancelled parent) turns whatever the work threw into a RuleBudgetError.
 */
export async function withinBudget<T>(budgetMs: number, what: string, parent: AbortSignal | undefined, work: (ctx: QueryContext) => Promise<T>): Promise<T> {
  const budget = AbortSignal.timeout(budgetMs);
  const ctx = newContext(parent ? AbortSignal.any([parent, budget]) : budget);
  try {
    return await work(ctx);
  } catch (err) {
    if (budget.aborted && !parent?.aborted) throw new RuleBudgetError(budgetMs, what);
    throw err;
  }
}
