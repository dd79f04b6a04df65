/**
 * The Express app: thin routes with zod-validated input over an EventSource.
 * Feature routers live in their own files and are mounted here.
 */
import express, { type Express } from 'express';
import type { EventSource } from '../sources/event-source.js';
import { AppError, errorHandler } from './errors.js';
import { graphRouter } from './graph-routes.js';
import { searchRouter } from './search-routes.js';
import { sessionHealth, sessionRouter } from './session.js';
import { pivotHandler } from './pivot.js';
import type { SessionStore } from '../sources/splunk/sessions.js';
import { clientRouter } from './static.js';
import { rulesRouter } from './rules.js';
import { uploadRouter, type UploadDeps, type UploadStore } from './upload.js';
import { RuleNotables } from './rule-notables.js';
import type { SigmaGraph } from '../sigma/graph.js';

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
  /** Embedded mode: the rule-hit notables cache (default: the shipped pack; tests inject their own). */
  ruleNotables?: RuleNotables | null;
  /** Sigma rules marking the graph's process nodes (`serve --sigma PATH`); absent: no `sigma` on nodes. */
  sigma?: SigmaGraph | null;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.get('/api/health', (req, res) => {
    res.json({ source: deps.mode, version: deps.version, ...sessionHealth(deps.sessions, req) });
  });
  const sourceFor = (req: express.Request) => deps.sourceFor(req);
  app.use('/api', graphRouter(sourceFor, deps.sigma ?? null));
  // Embedded notables include the rule pack's hits, cached per store generation (an upload bumps it).
  const ruleNotables = deps.mode === 'embedded' ? deps.ruleNotables ?? new RuleNotables() : null;
  app.use('/api', searchRouter(sourceFor, ruleNotables));
  app.use('/api', sessionRouter(deps.sessions ?? null));
  app.get('/pivot', pivotHandler);
  app.use('/api', rulesRouter(sourceFor));
  app.use('/api', uploadRouter({
    store: deps.store ?? null, maxBytes: deps.maxUploadBytes,
    afterIngest: async (report) => { ruleNotables?.invalidate(); await deps.afterIngest?.(report); },
  }));
  // Feature routers mount above this line.
  app.use('/api', (req, _res, next) => next(new AppError(404, 'not_found', `no route ${req.method} ${req.originalUrl.split('?')[0]}`)));
  const client = deps.clientDir ? clientRouter(deps.clientDir) : null;
  if (client) app.use(client);
  app.use(errorHandler);
  return app;
}
