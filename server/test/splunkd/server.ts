/**
 * The HTTP face of the emulated splunkd: routing under `/services/` and `/servicesNS/<owner>/<app>/`,
 * auth, server/info, search jobs v1 and v2, oneshot, export, and Splunk-style error bodies
 * (splunk-protocol.md §1–2, §8). One handler function serves both HTTP and HTTPS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth, Principal } from './auth.js';
import { feed, jobAtom, jobEntry, messagesBody, renderResults, RESULT_MODES, xmlText, type Generator } from './format.js';
import { isTerminal, type Job, type JobManager } from './jobs.js';
import { readParams, type Params } from './params.js';
import { SplError, type SplunkMessage } from './spl/errors.js';
import { compilePostProcess, compileSearch, runStages } from './spl/execute.js';
import { matchesFieldName, type Row } from './spl/values.js';

/** One search string the server received (for injection tests asserting on the exact SPL). */
export interface ReceivedSearch { spl: string; endpoint: string; user: string; params: Record<string, string>; at: number; sid: string | null; error: string | null }

/** One request as seen by the server. */
export interface RequestRecord { method: string; path: string; status: number | 'reset'; auth: Principal['scheme'] | null; user: string | null; at: number }

/** Server settings that tests may change at run time. */
export interface ServerSettings {
  version: string;
  build: string;
  instanceType: string | null;
  serverName: string;
  /** Mimic Splunk 10.x: v1 results/events/results_preview answer 404 (§8.10). */
  disableV1: boolean;
}

/** Faults armed for upcoming requests. */
export interface FaultState {
  /** Destroy the socket of the next request whose path matches (null = any). */
  resets: (RegExp | null)[];
  /** Next export stream emits a FATAL message after this many result rows. */
  exportFatalAfter: number | null;
}

/** Everything the handler works with. */
export interface ServerContext {
  auth: Auth;
  jobs: JobManager;
  settings: ServerSettings;
  faults: FaultState;
  received: ReceivedSearch[];
  requests: RequestRecord[];
  scheme: 'http' | 'https';
  port: () => number;
}

const JSON_TYPE = 'application/json; charset=UTF-8';
/** `[restapi] maxresultrows` (§3). */
export const MAX_RESULT_ROWS = 50_000;

function wantsJson(mode: string | undefined): boolean { return mode !== undefined && mode.startsWith('json'); }

function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    Server: 'Splunkd',
    Vary: 'Cookie, Authorization',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
    ...headers,
  });
  res.end(body);
}

function sendMessages(res: ServerResponse, status: number, messages: SplunkMessage[], json: boolean): void {
  send(res, status, messagesBody(messages, json), json ? JSON_TYPE : 'text/xml; charset=UTF-8');
}

/** Route match of a jobs path: family (v1/v2), sid and sub-resource. */
interface JobsRoute { v2: boolean; prefix: string; sid: string | null; sub: string | null }

function matchJobs(rest: string[], nsPrefix: string): JobsRoute | null {
  if (rest[0] !== 'search') return null;
  let i = 1;
  let v2 = false;
  if (rest[1] === 'v2') { v2 = true; i = 2; } else if (rest[1] === 'v1') i = 2;
  if (rest[i] !== 'jobs') return null;
  const prefix = `${nsPrefix}/search${v2 ? '/v2' : ''}/jobs`;
  const sid = rest[i + 1] ?? null;
  const sub = rest[i + 2] ?? null;
  if (rest.length > i + 3) return null;
  return { v2, prefix, sid, sub };
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Build the request handler. */
export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const record: RequestRecord = { method: req.method ?? 'GET', path: '', status: 0, auth: null, user: null, at: Date.now() };
    handle(ctx, req, res, record).catch((e: unknown) => {
      if (!res.headersSent) {
        const err = e instanceof SplError ? e : new SplError(e instanceof Error ? e.message : String(e), 500);
        sendMessages(res, err.status, [{ type: err.type, text: err.message }], true);
      } else {
        res.destroy();
      }
    }).finally(() => {
      if (record.status === 0) record.status = res.statusCode;
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
  const url = new URL(req.url ?? '/', `${ctx.scheme}://127.0.0.1`);
  record.path = url.pathname;
  ctx.requests.push(record);
  const resetAt = ctx.faults.resets.findIndex((m) => m === null || m.test(url.pathname));
  if (resetAt >= 0) {
    ctx.faults.resets.splice(resetAt, 1);
    record.status = 'reset';
    req.socket.destroy();
    return;
  }
  res.on('finish', () => { record.status = res.statusCode; });
  let json = wantsJson(url.searchParams.get('output_mode') ?? undefined);
  try {
    const params = await readParams(req, url);
    json = wantsJson(params.outputMode());
    await dispatch(ctx, req, res, record, url, params, json);
  } catch (e) {
    if (!(e instanceof SplError) || res.headersSent) throw e;
    sendMessages(res, e.status, [{ type: e.type, text: e.message }], json);
  }
}

async function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord, url: URL, params: Params, json: boolean): Promise<void> {
  // §8.9: /services/… or /servicesNS/<owner>/<app>/…, trailing slashes ignored.
  const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  let rest: string[];
  let nsPrefix: string;
  if (segments[0] === 'services') { rest = segments.slice(1); nsPrefix = '/services'; }
  else if (segments[0] === 'servicesNS' && segments.length >= 3) { rest = segments.slice(3); nsPrefix = `/servicesNS/${segments[1]}/${segments[2]}`; }
  else { sendMessages(res, 404, [{ type: 'ERROR', text: 'Not Found' }], json); return; }
  const method = (req.method ?? 'GET').toUpperCase();
  const path = rest.join('/');

  if (path === 'auth/login') {
    if (method !== 'POST') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
    login(ctx, params, res, json);
    return;
  }

  const principal = ctx.auth.authenticate(req.headers.authorization, req.headers.cookie, ctx.port());
  if (!principal) { sendMessages(res, 401, [{ type: 'WARN', text: 'call not properly authenticated' }], json); return; }
  record.auth = principal.scheme;
  record.user = principal.user;

  if (path === 'server/info' || path === 'server/info/server-info') { serverInfo(ctx, res, json); return; }
  if (path === 'authentication/current-context' || path === 'authentication/current-context/context') {
    const base = `${ctx.scheme}://127.0.0.1:${ctx.port()}`;
    const content = { username: principal.user, roles: ctx.auth.users.get(principal.user)?.roles ?? [] };
    send(res, 200, feed(`${base}/services/authentication/current-context`, generator(ctx), [{ name: 'context', content }], { total: 1, perPage: 30, offset: 0 }), JSON_TYPE);
    return;
  }
  if (path === 'authentication/httpauth-tokens' && method === 'DELETE') { sendMessages(res, 200, [], json); return; }

  const route = matchJobs(rest, nsPrefix);
  if (!route) { sendMessages(res, 404, [{ type: 'ERROR', text: `Not Found: ${url.pathname}` }], json); return; }
  if (route.sid === null) {
    if (method === 'POST') { await createJob(ctx, params, principal, route, res, json, req); return; }
    if (method === 'GET') { listJobs(ctx, params, principal, route, res); return; }
    sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json);
    return;
  }
  if (route.sid === 'export' && route.sub === null) {
    if (method !== 'GET' && method !== 'POST') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
    await exportSearch(ctx, params, principal, res, req, route);
    return;
  }
  const job = ctx.jobs.get(route.sid, principal.user, principal.isAdmin, route.sub !== 'control');
  if (!job) { sendMessages(res, 404, [{ type: 'FATAL', text: 'Unknown sid.' }], json); return; }
  if (route.sub === null) {
    if (method === 'DELETE') { ctx.jobs.remove(job); sendMessages(res, 200, [{ type: 'INFO', text: 'Search job cancelled.' }], json); return; }
    jobStatus(ctx, job, route, res, json);
    return;
  }
  switch (route.sub) {
    case 'control': {
      if (method !== 'POST') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
      const action = params.get('action');
      if (!action) { sendMessages(res, 400, [{ type: 'FATAL', text: 'Missing action.' }], json); return; }
      job.lastTouched = Date.now();
      const text = ctx.jobs.control(job, action, params.record());
      sendMessages(res, 200, [{ type: 'INFO', text }], json);
      return;
    }
    case 'results': case 'events': case 'results_preview':
      results(ctx, job, route, route.sub, params, res);
      return;
    case 'search.log':
      send(res, 200, `INFO  SearchParser - PARSING: ${job.compiled.spl}\n`, 'text/plain; charset=UTF-8');
      return;
    case 'summary':
      send(res, 200, JSON.stringify({ fields: {} }), JSON_TYPE);
      return;
    case 'timeline':
      send(res, 200, JSON.stringify({ buckets: [] }), JSON_TYPE);
      return;
    default:
      sendMessages(res, 404, [{ type: 'ERROR', text: `Not Found: ${url.pathname}` }], json);
  }
}

function generator(ctx: ServerContext): Generator { return { build: ctx.settings.build, version: ctx.settings.version }; }

function login(ctx: ServerContext, params: Params, res: ServerResponse, json: boolean): void {
  const username = params.get('username');
  const password = params.get('password');
  const user = username !== undefined && password !== undefined ? ctx.auth.checkPassword(username, password) : null;
  if (!user) { sendMessages(res, 401, [{ type: 'WARN', text: 'Login failed' }], json); return; }
  const key = ctx.auth.createSession(user);
  const headers: Record<string, string> = {};
  const cookie = params.get('cookie');
  if (cookie === '1' || cookie === 'true') {
    headers['Set-Cookie'] = `splunkd_${ctx.port()}=${encodeURIComponent(key)}; Path=/; HttpOnly; Max-Age=${Math.floor(ctx.auth.sessionTimeoutMs / 1000)}${ctx.scheme === 'https' ? '; Secure' : ''}`;
  }
  if (json) send(res, 200, JSON.stringify({ sessionKey: key, message: '', code: '' }), JSON_TYPE, headers);
  else send(res, 200, `<response>\n  <sessionKey>${xmlText(key)}</sessionKey>\n  <messages>\n    <msg code=""></msg>\n  </messages>\n</response>\n`, 'text/xml; charset=UTF-8', headers);
}

function serverInfo(ctx: ServerContext, res: ServerResponse, json: boolean): void {
  const s = ctx.settings;
  const content: Record<string, unknown> = {
    build: s.build, version: s.version, serverName: s.serverName, host: s.serverName, product_type: 'enterprise',
    os_name: 'Linux', cpu_arch: 'x86_64', guid: '6A0D5A3C-2F1B-4C7E-9B55-0E1F2A3B4C5D', mode: 'normal', isFree: false, isTrial: false,
    server_roles: ['indexer', 'search_head'], numberOfCores: 2,
  };
  if (s.instanceType) content.instance_type = s.instanceType;
  const gen: Record<string, unknown> = { ...generator(ctx) };
  if (s.instanceType) gen.instance_type = s.instanceType;
  const base = `${ctx.scheme}://127.0.0.1:${ctx.port()}`;
  if (json) {
    send(res, 200, JSON.stringify({ links: {}, origin: `${base}/services/server/info`, updated: new Date().toISOString(), generator: gen, entry: [{ name: 'server-info', content }], paging: { total: 1, perPage: 30, offset: 0 } }), JSON_TYPE);
  } else {
    const keys = Object.entries(content).map(([k, v]) => `        <s:key name="${k}">${xmlText(String(v))}</s:key>`).join('\n');
    send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest">\n  <generator build="${s.build}" version="${s.version}"/>\n  <entry>\n    <title>server-info</title>\n    <content type="text/xml">\n      <s:dict>\n${keys}\n      </s:dict>\n    </content>\n  </entry>\n</feed>\n`, 'text/xml; charset=UTF-8');
  }
}

function logSearch(ctx: ServerContext, spl: string, endpoint: string, principal: Principal, params: Params): ReceivedSearch {
  const entry: ReceivedSearch = { spl, endpoint, user: principal.user, params: params.record(), at: Date.now(), sid: null, error: null };
  ctx.received.push(entry);
  return entry;
}

async function createJob(ctx: ServerContext, params: Params, principal: Principal, route: JobsRoute, res: ServerResponse, json: boolean, req: IncomingMessage): Promise<void> {
  const spl = params.get('search');
  const execMode = params.get('exec_mode') ?? 'normal';
  const log = spl !== undefined ? logSearch(ctx, spl, `${route.prefix}${execMode === 'oneshot' ? ' (oneshot)' : ''}`, principal, params) : null;
  try {
    if (spl === undefined || spl.trim() === '') throw new SplError('Empty search.');
    if (!['normal', 'blocking', 'oneshot'].includes(execMode)) throw new SplError(`Invalid exec_mode '${execMode}': must be normal, blocking or oneshot.`);
    const compiled = compileSearch(spl);
    const request = params.record();
    delete request.output_mode;
    const job = ctx.jobs.create(compiled, principal.user, request);
    log!.sid = job.sid;
    if (execMode === 'normal') { sendSid(res, job.sid, json); return; }
    const abort = new AbortController();
    req.socket.once('close', () => abort.abort());
    await ctx.jobs.waitDone(job, abort.signal);
    if (abort.signal.aborted) { if (!isTerminal(job.state)) ctx.jobs.remove(job); return; }
    if (execMode === 'blocking') { sendSid(res, job.sid, json); return; }
    // Oneshot: the job is internal; answer its results directly and forget it.
    ctx.jobs.remove(job);
    if (job.state === 'FAILED' || !job.output) { sendMessages(res, 400, job.messages, wantsJson(params.outputMode() ?? 'xml')); return; }
    const mode = params.outputMode() ?? 'xml';
    page(res, job.output.results, job.output.fields, job.output.groupBy, params, mode, false, [], undefined);
  } catch (e) {
    if (log && e instanceof Error) log.error = e.message;
    throw e;
  }
}

function sendSid(res: ServerResponse, sid: string, json: boolean): void {
  // §8.12: third-party clients expect 201 Created for a new job.
  if (json) send(res, 201, JSON.stringify({ sid }), JSON_TYPE);
  else send(res, 201, `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <sid>${xmlText(sid)}</sid>\n</response>\n`, 'text/xml; charset=UTF-8');
}

function jobStatus(ctx: ServerContext, job: Job, route: JobsRoute, res: ServerResponse, json: boolean): void {
  if (ctx.jobs.poll(job)) { res.writeHead(204, { Server: 'Splunkd' }); res.end(); return; }
  const base = `${ctx.scheme}://127.0.0.1:${ctx.port()}`;
  if (json) send(res, 200, feed(`${base}${route.prefix}`, generator(ctx), [jobEntry(job, ctx.jobs, base, route.prefix)], { total: 1, perPage: 0, offset: 0 }), JSON_TYPE);
  else send(res, 200, jobAtom(job, ctx.jobs, base, route.prefix), 'text/xml; charset=UTF-8');
}

function listJobs(ctx: ServerContext, params: Params, principal: Principal, route: JobsRoute, res: ServerResponse): void {
  const count = Number(params.get('count') ?? 30);
  const offset = Number(params.get('offset') ?? 0);
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(offset) || offset < 0) throw new SplError('Invalid count or offset.');
  const filter = params.get('search')?.toLowerCase();
  let jobs = ctx.jobs.list(principal.user, principal.isAdmin);
  if (filter) jobs = jobs.filter((j) => j.compiled.spl.toLowerCase().includes(filter) || j.sid.toLowerCase().includes(filter) || j.owner.toLowerCase().includes(filter));
  const slice = count === 0 ? jobs.slice(offset) : jobs.slice(offset, offset + count);
  const base = `${ctx.scheme}://127.0.0.1:${ctx.port()}`;
  // The listing is always JSON-capable; without output_mode Splunk answers Atom, which we render as JSON only on request.
  send(res, 200, feed(`${base}${route.prefix}`, generator(ctx), slice.map((j) => jobEntry(j, ctx.jobs, base, route.prefix)), { total: jobs.length, perPage: count, offset }), JSON_TYPE);
}

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

function page(res: ServerResponse, rows: Row[], fields: string[], groupBy: string[], params: Params, mode: string, preview: boolean, messages: SplunkMessage[], postProcessCount: number | undefined): void {
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

function results(ctx: ServerContext, job: Job, route: JobsRoute, kind: 'results' | 'events' | 'results_preview', params: Params, res: ServerResponse): void {
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
  let rows = kind === 'events' ? out.events : out.results;
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

function eventFields(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen].sort();
}

async function exportSearch(ctx: ServerContext, params: Params, principal: Principal, res: ServerResponse, req: IncomingMessage, route: JobsRoute): Promise<void> {
  const spl = params.get('search');
  const mode = params.outputMode() ?? 'xml';
  const log = spl !== undefined ? logSearch(ctx, spl, `${route.prefix}/export`, principal, params) : null;
  try {
    if (spl === undefined || spl.trim() === '') throw new SplError('Empty search.');
    if (params.get('exec_mode') !== undefined) throw new SplError("exec_mode is not a valid argument for export.");
    if (mode !== 'json') throw new SplError(`output_mode '${mode}' is not supported for export by the Lineage splunkd test server (use json).`);
    const compiled = compileSearch(spl);
    const request = params.record();
    delete request.output_mode;
    const job = ctx.jobs.create(compiled, principal.user, request);
    log!.sid = job.sid;
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    res.writeHead(200, { 'Content-Type': JSON_TYPE, Server: 'Splunkd', 'Transfer-Encoding': 'chunked' });
    const write = async (obj: unknown): Promise<void> => {
      if (!res.write(`${JSON.stringify(obj)}\n`)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    };
    const fatalAfter = ctx.faults.exportFatalAfter;
    ctx.faults.exportFatalAfter = null;
    const transforming = compiled.stages.some((s) => s.transforming) || compiled.generator.kind === 'tstats';
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
