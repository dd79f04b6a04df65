/**
 * The Express app: thin routes with zod-validated input over an EventSource, behind the guards of
 * guard.ts (Host check, same-origin proof, security headers, concurrency limit; docs/security.md).
 * Feature routers live in their own files and are mounted here.
 */
import express, { type Express } from 'express';
import { requestLogger, silentLogger, type Logger } from '../app/logger.js';
import type { EventSource } from '../sources/event-source.js';
import { AppError, errorHandler } from './errors.js';
import { concurrencyLimit, hostCheck, LOOPBACK_NAMES, malformedPath, sameOrigin, securityHeaders } from './guard.js';
import { graphRouter } from './graph-routes.js';
import { lateralRouter } from './lateral-routes.js';
import { searchRouter } from './search-routes.js';
import { sessionHealth, sessionIdOf, sessionRouter } from './session.js';
import { pivotHandler } from './pivot.js';
import type { SessionStore } from './sessions.js';
import { clientRouter } from './static.js';
import { rulesRouter } from './rules.js';
import { uploadRouter, type UploadDeps, type UploadStore } from './upload.js';
import { RuleNotables } from '../services/rule-notables.js';
import { notableWritebackRouter } from './notable-writeback.js';
import { hecRouter } from './hec-routes.js';
import type { HecConfig } from '../sinks/hec.js';
import type { SigmaGraph } from '../sigma/graph.js';
import { prevalenceRouter } from './prevalence-routes.js';

export interface AppDeps {
  mode: 'embedded' | 'splunk';
  version: string;
  /** The source serving this request (Splunk: the analyst's own session; null when not logged in). */
  sourceFor(req: express.Request): EventSource | null;
  /** Directory of the built client to serve at /, when present. */
  clientDir?: string;
  /** Splunk mode: analyst sessions behind POST/GET/DELETE /api/session (absent: embedded, no login). */
  sessions?: SessionStore | null;
  /** Embedded mode: the writable store behind POST /api/upload (absent: uploads answer 409). */
  store?: UploadStore | null;
  /** Largest accepted upload in bytes (default 2 GiB). */
  maxUploadBytes?: number;
  /** Embedded mode: runs after an upload is ingested (besides refreshing the rule notables). */
  afterIngest?: UploadDeps['afterIngest'];
  /** HTTP Event Collector for rule hits (serve: LINEAGE_HEC_* read by app/config.ts; absent or null: off). */
  hec?: HecConfig | null;
  /** Lineage's address as analysts reach it, for links sent to Splunk (absent: each request's own origin). */
  publicUrl?: string | null;
  /** Embedded mode: the rule-hit notables cache (default: the shipped pack; tests inject their own). The
   *  uploads to `store` go through its `trackWrites`, so one re-runs only the hosts it wrote. */
  ruleNotables?: RuleNotables | null;
  /** Time budget of one rule run (POST /api/rules/run, the default notables pack run); default 60 s. */
  ruleBudgetMs?: number;
  /** Request and audit log (default: silent). */
  log?: Logger;
  /** Host names the Host header may carry (default: loopback names; `*`: any). */
  allowedHosts?: readonly string[];
  /** Served over TLS: send HSTS. */
  tls?: boolean;
  /** Reverse proxies in front (X-Forwarded-Proto/For trusted from this many hops; 0: none). */
  trustProxy?: number;
  /** Most API requests in flight before 503 busy (default 64). */
  maxConcurrent?: number;
  /** Deadline of one API request in ms; its queries are interrupted when it passes (default 30 s; 0: none). */
  requestTimeoutMs?: number;
  /** Most uploads at once (default 2). */
  maxUploads?: number;
  /** Sigma rules marking the graph's process nodes (`serve --sigma PATH`); absent: no `sigma` on nodes. */
  sigma?: SigmaGraph | null;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.locals.log = deps.log ?? silentLogger();
  app.locals.requestTimeoutMs = deps.requestTimeoutMs ?? 30_000;
  if (deps.trustProxy) app.set('trust proxy', deps.trustProxy);
  app.use(requestLogger(app.locals.log as Logger));
  app.use(malformedPath());
  app.use(hostCheck(deps.allowedHosts ?? LOOPBACK_NAMES));
  app.use(securityHeaders(!!deps.tls));
  app.use(sameOrigin());
  app.use(concurrencyLimit(deps.maxConcurrent ?? 64));
  app.use(express.json({ limit: '1mb' }));
  app.get('/api/health', (req, res) => {
    res.json({ source: deps.mode, version: deps.version, ...sessionHealth(deps.sessions, req) });
  });
  const sourceFor = (req: express.Request) => deps.sourceFor(req);
  app.use('/api', graphRouter(sourceFor, deps.sigma ?? null));
  app.use('/api', lateralRouter(sourceFor));
  // Embedded notables include the rule pack's hits, cached per store generation (an upload bumps it).
  const ruleNotables = deps.mode === 'embedded' ? deps.ruleNotables ?? new RuleNotables(undefined, { budgetMs: deps.ruleBudgetMs }) : null;
  app.use('/api', searchRouter(sourceFor, ruleNotables));
  app.use('/api', sessionRouter(deps.sessions ?? null));
  app.get('/pivot', pivotHandler);
  app.use('/api', rulesRouter(sourceFor, deps.ruleBudgetMs, { sigma: deps.sigma?.library ?? null }));
  app.use('/api', uploadRouter({
    // Uploads go through trackWrites, so the next notables request re-runs only the hosts they wrote.
    store: deps.store && ruleNotables ? ruleNotables.trackWrites(deps.store) : deps.store ?? null, maxBytes: deps.maxUploadBytes, maxConcurrent: deps.maxUploads,
    afterIngest: async (report) => { ruleNotables?.invalidate(); await deps.afterIngest?.(report); },
  }));
  app.use('/api', notableWritebackRouter(deps.sessions ?? null, deps.publicUrl ?? null));
  app.use('/api', hecRouter(sourceFor, deps.hec ?? null, (req) => deps.sessions?.get(sessionIdOf(req))?.user ?? null, deps.publicUrl ?? null));
  app.use('/api', prevalenceRouter(sourceFor));
  // Feature routers mount above this line.
  app.use('/api', (req, _res, next) => next(new AppError(404, 'not_found', `no route ${req.method} ${req.originalUrl.split('?')[0]}`)));
  const client = deps.clientDir ? clientRouter(deps.clientDir) : null;
  if (client) app.use(client);
  app.use(errorHandler);
  return app;
}
