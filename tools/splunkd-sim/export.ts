/**
 * `search/jobs/export` and `search/v2/jobs/export` (splunk-protocol.md §2.6, §8.27): NDJSON streamed
 * line by line, preview rows first for transforming searches, optional injected FATAL line. The job
 * behind an export is internal and removed when the stream ends or the client goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth.js';
import { isTerminal } from './jobs.js';
import type { Params } from './params.js';
import { SplError } from './spl/errors.js';
import { dispatchJob, JSON_TYPE, logSearch, sleep, type JobsRoute, type ServerContext } from './context.js';

/** Stream an export search. */
export async function exportSearch(ctx: ServerContext, params: Params, principal: Principal, res: ServerResponse, req: IncomingMessage, route: JobsRoute): Promise<void> {
  const spl = params.get('search');
  const mode = params.outputMode() ?? 'xml';
  const log = spl !== undefined ? logSearch(ctx, spl, `${route.prefix}/export`, principal, params) : null;
  try {
    if (spl === undefined || spl.trim() === '') throw new SplError('Empty search.');
    if (params.get('exec_mode') !== undefined) throw new SplError("exec_mode is not a valid argument for export.");
    if (mode !== 'json') throw new SplError(`output_mode '${mode}' is not supported for export by the Lineage splunkd test server (use json).`);
    const job = dispatchJob(ctx, spl, params, principal, log!);
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    res.writeHead(200, { 'Content-Type': JSON_TYPE, Server: 'Splunkd', 'Transfer-Encoding': 'chunked' });
    const write = async (obj: unknown): Promise<void> => {
      if (!res.write(`${JSON.stringify(obj)}\n`)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    };
    const fatalAfter = ctx.faults.exportFatalAfter;
    ctx.faults.exportFatalAfter = null;
    const transforming = job.compiled.stages.some((s) => s.transforming) || job.compiled.generator.kind === 'tstats';
    if (transforming && job.previewEnabled) {
      // Transforming searches stream preview rows first (§2.6); consumers keep preview:false only.
      while (!isTerminal(job.state) && ctx.jobs.progress(job) < 0.5 && !abort.signal.aborted && ctx.jobs.all().includes(job)) await sleep(20);
      const partial = ctx.jobs.partial(job);
      if (partial && !isTerminal(job.state)) for (const [i, r] of partial.results.entries()) await write({ preview: true, offset: i, result: r });
    }
    await ctx.jobs.waitDone(job, abort.signal);
    ctx.jobs.remove(job);
    if (abort.signal.aborted) { res.destroy(); return; }
    if (job.state === 'FAILED' || !job.output) { await write({ preview: false, messages: job.messages }); res.end(); return; }
    const rows = job.output.results;
    for (let i = 0; i < rows.length; i++) {
      if (abort.signal.aborted) return;
      if (fatalAfter !== null && i === fatalAfter) { await write({ preview: false, messages: [{ type: 'FATAL', text: 'Search auto-canceled' }] }); res.end(); return; }
      const r = Object.fromEntries(Object.entries(rows[i]!).map(([k, v]) => [k, k === '_time' && typeof v === 'string' ? new Date(Number(v) * 1000).toISOString().replace('Z', '+00:00') : v]));
      await write(i === rows.length - 1 ? { preview: false, offset: i, lastrow: true, result: r } : { preview: false, offset: i, result: r });
      // Yield now and then so lines reach the client incrementally (§8.27).
      if (i % 200 === 199) await sleep(0);
    }
    await write({ preview: false, lastrow: true });
    res.end();
  } catch (e) {
    if (log && e instanceof Error) log.error = e.message;
    if (res.headersSent) { res.destroy(); return; }
    throw e;
  }
}
