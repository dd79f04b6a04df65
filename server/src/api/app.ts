/**
 * The Express app: thin routes with zod-validated input over an EventSource.
 * Feature routers live in their own files and are mounted here.
 */
import express, { type Express } from 'express';
import type { EventSource } from '../sources/event-source.js';

export interface AppDeps {
  mode: 'embedded' | 'splunk';
  version: string;
  /** The source serving this request (Splunk: the analyst's own session; null when not logged in). */
  sourceFor(req: express.Request): EventSource | null;
  /** Directory of the built client to serve at /, when present. */
  clientDir?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.get('/api/health', (_req, res) => {
    res.json({ source: deps.mode, version: deps.version });
  });
  return app;
}
