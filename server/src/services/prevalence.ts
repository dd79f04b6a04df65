/**
 * `POST /api/prevalence`: fleet prevalence of the drawn processes over a baseline (docs/api.md
 * "POST /api/prevalence"). The baseline is the one asked for (or the 30 days before the window, or
 * before the earliest requested start) rounded inward to whole UTC hours — the embedded tables count
 * per hour — and the answer names the baseline it used.
 */
import { DEFAULT_BASELINE_MS, requestedBaseline, type PrevalenceAnswer, type TimeRange } from '@lineage/shared';
import type { EventSource, QueryContext } from '../sources/event-source.js';
import { AppError } from '../api/errors.js';

const HOUR_MS = 3_600_000;

/** `[from, to)` shrunk to whole hours: from rounded up, to rounded down (never wider than asked). */
export function hourBaseline(b: TimeRange): TimeRange {
  const from = Math.ceil(Date.parse(b.from) / HOUR_MS) * HOUR_MS;
  const to = Math.max(from, Math.floor(Date.parse(b.to) / HOUR_MS) * HOUR_MS);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export interface PrevalenceInput { guids: string[]; window?: TimeRange | undefined; baseline?: TimeRange | undefined }

export async function prevalence(source: EventSource, input: PrevalenceInput, ctx: QueryContext): Promise<PrevalenceAnswer> {
  const t0 = performance.now();
  if (!source.prevalence) throw new AppError(501, 'unavailable', `the ${source.kind} source cannot answer prevalence`);
  const guids = [...new Set(input.guids)];
  let asked = requestedBaseline(input);
  if (!asked) {
    // Neither window nor baseline: anchor on the earliest start among the requested processes.
    const starts = (await source.getProcesses(guids, { ctx })).map((p) => Date.parse(p.startTime)).filter(Number.isFinite);
    const first = starts.length > 0 ? Math.min(...starts) : Date.now();
    asked = { from: new Date(first - DEFAULT_BASELINE_MS).toISOString(), to: new Date(first).toISOString() };
  }
  const baseline = hourBaseline(asked);
  const searchesBefore = ctx.stats.searches;
  const result = await source.prevalence(guids, { baseline, ctx }).catch((err: unknown) => {
    throw (err as Error).name === 'PrevalenceUnavailableError' ? new AppError(503, 'unavailable', (err as Error).message) : err;
  });
  return {
    source: source.kind,
    baseline,
    items: Object.fromEntries(result.items),
    unknown: result.unknown,
    cached: result.cached === true && ctx.stats.searches === searchesBefore,
    ...(result.notComputed ? { notComputed: result.notComputed } : {}),
    stats: { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - t0), ...(ctx.stats.warnings?.length ? { warnings: ctx.stats.warnings } : {}) },
  };
}
