/**
 * `lineage serve --db FILE [--port P] [--listen ADDR]`: the web app and API on one port.
 *
 * Where events come from is decided by a source factory: each factory looks at the parsed options and
 * either declines (null) or returns the app's source side. Embedded (`--db`) is the one here; a Splunk
 * factory (`--splunk URL …`) is added to SOURCE_FACTORIES with its options in SERVE_OPTIONS.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createApp, type AppDeps } from '../api/app.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import type { SessionStore } from '../sources/splunk/sessions.js';
import type { UploadStore } from '../api/upload.js';
import { SigmaEngine } from '../sigma/engine.js';
import type { SigmaGraph } from '../sigma/graph.js';
import { loadRules as loadSigmaRules } from '../sigma/load.js';
import { storeEventReader } from '../sigma/store-scan.js';
import { SPLUNK_SERVE_OPTIONS, SPLUNK_USAGE, splunkFactory } from '../sources/splunk/serve-factory.js';

/** Command-line options of `serve`; source factories add theirs. */
export const SERVE_OPTIONS = {
  db: { type: 'string' },
  port: { type: 'string', default: '8080' },
  listen: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  sigma: { type: 'string', multiple: true },
  ...SPLUNK_SERVE_OPTIONS,
} satisfies NonNullable<ParseArgsConfig['options']>;

export type ServeValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The source side of the app: what AppDeps needs plus how to shut it down. */
export interface ServeSource {
  mode: AppDeps['mode'];
  sourceFor: AppDeps['sourceFor'];
  /** One line for the startup log, e.g. `embedded data/demo.duckdb`. */
  describe: string;
  /** Splunk mode: the analysts' sessions (mounted as /api/session). */
  sessions?: SessionStore;
  /** Embedded mode, opened writable: where POST /api/upload stores events. */
  store?: UploadStore | null;
  /** Embedded mode: the store Sigma reads a graph's own events from (`--sigma`). */
  eventStore?: EmbeddedStore;
  close(): Promise<void>;
}

/** A way to get events: returns null when the options are not for it. */
export type SourceFactory = (values: ServeValues) => Promise<ServeSource | null>;

const embeddedFactory: SourceFactory = async (values) => {
  const db = values.db;
  if (typeof db !== 'string') return null;
  let store: EmbeddedStore;
  try {
    store = await EmbeddedStore.open(db);
  } catch (err) {
    // Another process (an ingest) holds the write lock: serve read-only rather than not at all.
    process.stderr.write(`lineage serve: ${(err as Error).message}; opening read-only\n`);
    store = await EmbeddedStore.open(db, { readOnly: true });
  }
  // A server answers many graphs: keep the lineage index (built in the background, SQL until then).
  const source = new EmbeddedSource(store, { lineageIndex: true });
  return {
    mode: 'embedded', sourceFor: () => source, describe: `embedded ${db}${store.readOnly ? ' (read-only)' : ''}`,
    store: store.readOnly ? null : { writeEvents: (batch) => store.writeEvents(batch) }, eventStore: store, close: () => source.close(),
  };
};

/** Tried in order; the first that accepts the options serves. */
export const SOURCE_FACTORIES: SourceFactory[] = [embeddedFactory, splunkFactory];

const USAGE = 'usage: lineage serve --db FILE [--port P] [--listen ADDR] [--sigma RULES_PATH…]\n' + SPLUNK_USAGE;

/** The server package version (health endpoint). */
export function serverVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** client/dist relative to this file (same depth from server/src/cli and server/dist/cli). */
export const CLIENT_DIR = fileURLToPath(new URL('../../../client/dist', import.meta.url));

/** `--sigma PATH…`: the Sigma rules marking graph nodes (unevaluable ones are logged with the reason). */
function sigmaGraph(paths: ServeValues[string], store: EmbeddedStore | undefined): SigmaGraph | null | string {
  if (paths === undefined) return null;
  if (!store) return '--sigma needs the embedded store (--db FILE)';
  const list = (Array.isArray(paths) ? paths : [paths]).map(String);
  const missing = list.find((p) => !existsSync(p));
  if (missing) return `--sigma ${missing}: no such file or directory`;
  const set = loadSigmaRules(list);
  for (const u of set.unevaluable) process.stderr.write(`lineage serve: sigma: cannot evaluate ${u.source ?? u.id}: ${u.reason}\n`);
  process.stderr.write(`lineage serve: sigma: ${set.rules.length} rules (${set.unevaluable.length} cannot be evaluated)\n`);
  return { engine: new SigmaEngine(set.rules), events: storeEventReader(store) };
}

/** `lineage serve` entry: resolves (0) after SIGINT/SIGTERM; 2 on usage errors. */
export async function run(argv: string[]): Promise<number> {
  let values: ServeValues;
  try {
    ({ values } = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`lineage serve: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stderr.write(USAGE); return 0; }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`lineage serve: --port must be 0…65535, got ${String(values.port)}\n`);
    return 2;
  }
  let side: ServeSource | null = null;
  for (const factory of SOURCE_FACTORIES) { side = await factory(values); if (side) break; }
  if (!side) { process.stderr.write(`lineage serve: give a source (--db FILE)\n${USAGE}`); return 2; }

  const sigma = sigmaGraph(values.sigma, side.eventStore);
  if (typeof sigma === 'string') { process.stderr.write(`lineage serve: ${sigma}\n`); await side.close(); return 2; }
  const app = createApp({ mode: side.mode, version: serverVersion(), sourceFor: side.sourceFor, clientDir: CLIENT_DIR, sessions: side.sessions ?? null, store: side.store ?? null, sigma });
  const listen = typeof values.listen === 'string' ? values.listen : undefined;
  const server: Server = await new Promise((resolve, reject) => {
    const s = listen ? app.listen(port, listen, () => resolve(s)) : app.listen(port, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  process.stderr.write(`lineage serve: ${side.describe} on http://${listen ?? 'localhost'}:${actual}/\n`);

  // Run until a signal; then stop accepting, finish in-flight requests briefly, close the source.
  const src = side;
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.stderr.write('lineage serve: shutting down\n');
      server.close(() => { void src.close().finally(() => resolve(0)); });
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
