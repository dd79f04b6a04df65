/**
 * `lineage serve --splunk URL [--index …] [--ca FILE] [--web URL] …`: the Splunk side of `serve`.
 * Flags override LINEAGE_SPLUNK_* environment variables (docs/splunk.md). No Splunk credentials are
 * configured on the server: each analyst logs in through the UI (POST /api/session).
 */
import { splunkSourceFor } from '../../api/session.js';
import type { ServeSource, ServeValues } from '../../cli/serve.js';
import { inputFromEnv, resolveConfig, type SplunkConfigInput } from './config.js';
import { SessionStore } from './sessions.js';

/** parseArgs options added to `serve`. */
export const SPLUNK_SERVE_OPTIONS = {
  splunk: { type: 'string' },
  index: { type: 'string' },
  'notable-index': { type: 'string' },
  'splunk-source': { type: 'string' },
  'splunk-sourcetype': { type: 'string' },
  fields: { type: 'string' },
  tstats: { type: 'boolean' },
  ca: { type: 'string' },
  'splunk-insecure': { type: 'boolean' },
  'splunk-server-name': { type: 'string' },
  web: { type: 'string' },
  'splunk-version': { type: 'string' },
  'search-timeout-ms': { type: 'string' },
  'tree-budget': { type: 'string' },
} as const;

export const SPLUNK_USAGE = '       lineage serve --splunk https://HOST:8089 [--index sysmon[,idx2]] [--web https://HOST:8000] [--ca FILE.pem]\n'
  + '             [--fields raw|cim] [--tstats] [--notable-index notable] [--splunk-source S] [--splunk-sourcetype ST]\n'
  + '             [--splunk-version 9.2.0] [--search-timeout-ms N] [--tree-budget N] [--splunk-insecure]\n'
  + '             [--splunk-server-name SplunkServerDefaultCert]\n';

/** Flags → config inputs (env first, flags win). */
export function splunkInput(values: ServeValues, env: NodeJS.ProcessEnv = process.env): SplunkConfigInput {
  const s = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const b = (k: string): boolean | undefined => (typeof values[k] === 'boolean' ? (values[k] as boolean) : undefined);
  const flags: SplunkConfigInput = {
    url: s('splunk'), index: s('index'), notableIndex: s('notable-index'), source: s('splunk-source'),
    sourcetype: s('splunk-sourcetype'), fieldStyle: s('fields'), tstats: b('tstats'), ca: s('ca'),
    insecure: b('splunk-insecure'), web: s('web'), version: s('splunk-version'),
    searchTimeoutMs: s('search-timeout-ms'), treeBudget: s('tree-budget'), serverName: s('splunk-server-name'),
  };
  const out: SplunkConfigInput = inputFromEnv(env);
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Accepts the options when a Splunk URL is given (flag or env); a bad option is a thrown Error. */
export async function splunkFactory(values: ServeValues): Promise<ServeSource | null> {
  const input = splunkInput(values);
  if (!input.url) return null;
  let config;
  try {
    config = resolveConfig(input);
  } catch (e) {
    throw new Error(`lineage serve: ${(e as Error).message}`, { cause: e });
  }
  const sessions = new SessionStore(config);
  return {
    mode: 'splunk',
    sessions,
    sourceFor: splunkSourceFor(sessions),
    describe: `splunk ${config.url.origin} (index ${config.indexes.join(',')}${config.web ? `, web ${config.web}` : ''})`,
    close: () => sessions.closeAll(),
  };
}
