/**
 * `/results`, `/events`, `/results_preview` (splunk-protocol.md §2.5, §8.21–26): paging with
 * count/offset (50,000 cap), field lists, post-process searches, output modes.
 */
import type { ServerResponse } from 'node:http';
import { renderResults, RESULT_MODES } from './format.js';
import { isTerminal, type Job } from './jobs.js';
import type { Params } from './params.js';
import { SplError, type SplunkMessage } from './spl/errors.js';
import { compilePostProcess, runStages } from './spl/execute.js';
import { matchesFieldName, type Row } from './spl/values.js';
import { MAX_RESULT_ROWS, send, sendMessages, wantsJson, type JobsRoute, type ServerContext } from './context.js';

/** `count` / `offset` paging (§8.21): count 0 = all up to 50,000; hard cap 50,000; negative offset counts from the end. */
function pageBounds(params: Params, total: number): { start: number; end: number } {
  const rawCount = params.get('count');
  const rawOffset = params.get('offset');
  const count = rawCount === undefined ? 100 : Number(rawCount);
  const offset = rawOffset === undefined ? 0 : Number(rawOffset);
  if (!Number.isInteger(count) || count < 0) throw new SplError(`Invalid count '${rawCount ?? ''}'.`);
  if (!Number.isInteger(offset)) throw new SplError(`Invalid offset '${rawOffset ?? ''}'.`);
  const n = count === 0 ? MAX_RESULT_ROWS : Math.min(count, MAX_RESULT_ROWS);
  const start = offset < 0 ? Math.max(0, total + offset) : offset;
  return { start, end: Math.min(total, start + n) };
}

export function page(res: ServerResponse, rows: Row[], fields: string[], groupBy: string[], params: Params, mode: string, preview: boolean, messages: SplunkMessage[], postProcessCount: number | undefined): void {
  if (!(RESULT_MODES as readonly string[]).includes(mode)) throw new SplError(`Invalid output_mode '${mode}'.`);
  const { start, end } = pageBounds(params, rows.length);
  const wanted = [...params.all('f'), ...params.all('field_list').flatMap((s) => s.split(','))].map((s) => s.trim()).filter((s) => s !== '');
  const cols = wanted.length ? fields.filter((f) => wanted.some((p) => matchesFieldName(f, p))) : fields;
  const slice = rows.slice(start, end).map((r) => {
    const o: Row = {};
    for (const f of cols) { const v = r[f]; if (v !== undefined) o[f] = v; }
    return o;
  });
  const offset = Number(params.get('offset') ?? 0);
  const { body, type } = renderResults({ rows: slice, fields: cols, groupBy, offset: Number.isFinite(offset) ? offset : 0, preview, messages, postProcessCount }, mode);
  send(res, 200, body, type);
}

export function results(ctx: ServerContext, job: Job, route: JobsRoute, kind: 'results' | 'events' | 'results_preview', params: Params, res: ServerResponse): void {
  const mode = params.outputMode() ?? 'xml';
  if (!route.v2 && ctx.settings.disableV1) {
    sendMessages(res, 404, [{ type: 'ERROR', text: `The v1 endpoint search/jobs/{sid}/${kind} is deprecated and disabled on this server; use search/v2/jobs/{sid}/${kind}.` }], wantsJson(mode));
    return;
  }
  const done = isTerminal(job.state) && ctx.jobs.displayState(job) === job.state;
  if (kind !== 'results_preview' && !done) {
    // §8.25: results of an unfinished job are "not ready" — 204 No Content.
    res.writeHead(204, { Server: 'Splunkd' });
    res.end();
    return;
  }
  if (job.state === 'FAILED') { page(res, [], [], [], params, mode, false, job.messages, undefined); return; }
  const out = kind === 'results_preview' ? ctx.jobs.partial(job) : job.output;
  if (!out) { page(res, [], [], [], params, mode, kind === 'results_preview', [], undefined); return; }
  // /events exposes at most max_count events (REST default 10,000, §3); results are not limited by it.
  let rows = kind === 'events' ? out.events.slice(0, eventLimit(job)) : out.results;
  let fields = kind === 'events' ? eventFields(out.events) : out.fields;
  let groupBy = kind === 'events' ? [] : out.groupBy;
  let ppc: number | undefined;
  const post = params.get('search');
  if (post !== undefined && post.trim() !== '') {
    const stages = compilePostProcess(post, route.v2 && params.get('check_risky_command') !== 'false');
    const r = runStages(stages, rows, { order: fields, groupBy });
    rows = r.rows;
    fields = r.shape.order ?? eventFields(rows);
    fields = fields.filter((f) => rows.some((row) => row[f] !== undefined));
    groupBy = r.shape.groupBy;
    ppc = rows.length;
  }
  page(res, rows, fields, groupBy, params, mode, kind === 'results_preview' && !done, [], ppc);
}

/** Events a job keeps accessible: its `max_count` (default 10,000). */
function eventLimit(job: Job): number {
  const n = Number(job.request.max_count);
  return job.request.max_count !== undefined && Number.isInteger(n) && n > 0 ? n : 10_000;
}

function eventFields(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen].sort();
}

