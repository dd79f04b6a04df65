/**
 * The HTTP face of the emulated splunkd: routing under `/services/` and `/servicesNS/<owner>/<app>/`,
 * auth, server/info, search jobs v1 and v2, oneshot, export, and Splunk-style error bodies
 * (splunk-protocol.md §1–2, §8). One handler function serves both HTTP and HTTPS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth.js';
import { dispatchJob, generator, JSON_TYPE, logSearch, send, sendMessages, wantsJson, type JobsRoute, type RequestRecord, type ServerContext } from './context.js';
import { exportSearch } from './export.js';
import { feed, jobAtom, jobEntry, xmlText } from './format.js';
import { hecRequest } from './hec.js';
import { isTerminal, type Job } from './jobs.js';
import { incidentReviewData, notableUpdate } from './notable-update.js';
import { readParams, type Params } from './params.js';
import { page, results } from './results.js';
import { SplError } from './spl/errors.js';

export type { FaultState, ReceivedSearch, RequestRecord, ServerContext, ServerSettings } from './context.js';

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
  if (url.pathname.startsWith('/services/collector')) { await hecRequest(ctx.hec, req, res, url); return; }
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
  if (rest[0] === 'authentication' && rest[1] === 'httpauth-tokens' && rest.length === 3) {
    // Logout: DELETE …/httpauth-tokens/<session key> ends that session (a user may end only their own).
    if (method !== 'DELETE') { sendMessages(res, 405, [{ type: 'ERROR', text: 'Method Not Allowed' }], json); return; }
    const owner = ctx.auth.sessionOwner(rest[2]!);
    if (owner === null || (owner !== principal.user && !principal.isAdmin)) { sendMessages(res, 404, [{ type: 'ERROR', text: 'Could not find object id=' + rest[2]! }], json); return; }
    ctx.auth.endSession(rest[2]!);
    sendMessages(res, 200, [], json);
    return;
  }

  if (path === 'lineage-sim/received' && method === 'GET') {
    // Not a Splunk endpoint: the simulator's log of searches received (admin only), for the e2e spec,
    // which runs the simulator in another process. `jobs`: jobs still on the server, by owner.
    if (!principal.isAdmin) { sendMessages(res, 403, [{ type: 'ERROR', text: 'admin only' }], json); return; }
    const jobs: Record<string, number> = {};
    for (const j of ctx.jobs.all()) jobs[j.owner] = (jobs[j.owner] ?? 0) + 1;
    send(res, 200, JSON.stringify({ received: ctx.received.map((r) => ({ spl: r.spl, user: r.user, sid: r.sid, error: r.error, at: r.at })), jobs }), JSON_TYPE);
    return;
  }

  if (path === 'notable_update') { notableUpdate(ctx, method, principal, params, res, json); return; }
  if (path === 'storage/collections/data/incident_review') { incidentReviewData(ctx, method, res, json); return; }
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

async function createJob(ctx: ServerContext, params: Params, principal: Principal, route: JobsRoute, res: ServerResponse, json: boolean, req: IncomingMessage): Promise<void> {
  const spl = params.get('search');
  const execMode = params.get('exec_mode') ?? 'normal';
  const log = spl !== undefined ? logSearch(ctx, spl, `${route.prefix}${execMode === 'oneshot' ? ' (oneshot)' : ''}`, principal, params) : null;
  try {
    if (spl === undefined || spl.trim() === '') throw new SplError('Empty search.');
    if (!['normal', 'blocking', 'oneshot'].includes(execMode)) throw new SplError(`Invalid exec_mode '${execMode}': must be normal, blocking or oneshot.`);
    const job = dispatchJob(ctx, spl, params, principal, log!);
    if (execMode === 'normal') { sendSid(res, job.sid, json); return; }
    const abort = new AbortController();
    req.socket.once('close', () => abort.abort());
    await ctx.jobs.waitDone(job, abort.signal);
    if (abort.signal.aborted) { if (!isTerminal(job.state)) ctx.jobs.remove(job); return; }
    if (execMode === 'blocking') {
      if (!isTerminal(job.state)) { sendMessages(res, 400, [{ type: 'FATAL', text: 'Search was cancelled.' }], json); return; }
      sendSid(res, job.sid, json);
      return;
    }
    // Oneshot: the job is internal; answer its results directly and forget it.
    ctx.jobs.remove(job);
    if (!isTerminal(job.state)) { sendMessages(res, 400, [{ type: 'FATAL', text: 'Search was cancelled.' }], wantsJson(params.outputMode() ?? 'xml')); return; }
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
  if (wantsJson(params.outputMode())) {
    send(res, 200, feed(`${base}${route.prefix}`, generator(ctx), slice.map((j) => jobEntry(j, ctx.jobs, base, route.prefix)), { total: jobs.length, perPage: count, offset }), JSON_TYPE);
    return;
  }
  // Without output_mode splunkd answers an Atom feed.
  const entries = slice.map((j) => jobAtom(j, ctx.jobs, base, route.prefix).replace(/^<\?xml[^>]*>\n/, '').replace(' xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest"', '')).join('');
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n  <title>jobs</title>\n  <id>${xmlText(`${base}${route.prefix}`)}</id>\n  <generator build="${ctx.settings.build}" version="${ctx.settings.version}"/>\n  <opensearch:totalResults>${jobs.length}</opensearch:totalResults>\n  <opensearch:itemsPerPage>${count}</opensearch:itemsPerPage>\n  <opensearch:startIndex>${offset}</opensearch:startIndex>\n${entries}</feed>\n`, 'text/xml; charset=UTF-8');
}

