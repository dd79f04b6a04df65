/**
 * The Splunk side of `lineage serve --splunk URL …`: settings come validated from app/config.ts
 * (flags override LINEAGE_SPLUNK_*; docs/splunk.md). No Splunk credentials are configured on the
 * server: each analyst logs in through the UI (POST /api/session).
 */
import { splunkSourceFor } from '../../api/session.js';
import { SessionStore } from '../../api/sessions.js';
import type { ServeSource } from '../../app/serve-source.js';
import { resolveConfig, type SplunkConfigInput } from './config.js';

/** The Splunk source side, or null when no Splunk URL is given; a bad option is a thrown Error. */
export function splunkFactory(input: SplunkConfigInput): ServeSource | null {
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
