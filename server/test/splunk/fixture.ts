/**
 * Test fixture: the same real captures loaded into the Splunk-protocol test server and into an
 * embedded store, with a logged-in SplunkSource and an EmbeddedSource over them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { SplunkClient } from '../../src/sources/splunk/client.js';
import { resolveConfig, type SplunkConfig } from '../../src/sources/splunk/config.js';
import { SplunkSource } from '../../src/sources/splunk/source.js';
import { startSplunkd, type SplunkdHandle, type SplunkdOptions } from '../../../tools/splunkd-sim/index.js';

/** Both sources over the same files. */
export interface Pair {
  splunkd: SplunkdHandle;
  splunk: SplunkSource;
  embedded: EmbeddedSource;
  config: SplunkConfig;
  close(): Promise<void>;
}

/** Start splunkd with `files`, log in as admin, and build an embedded store from the same files. */
export async function openPair(files: string[], opts: SplunkdOptions = {}, cfg: Partial<Parameters<typeof resolveConfig>[0]> = {}): Promise<Pair> {
  const splunkd = await startSplunkd({ ...opts, data: { ...(opts.data ?? {}), sysmonFiles: files } });
  const config = { ...resolveConfig({ url: splunkd.url, ...cfg }), pollMs: 20, retryBaseMs: 20 };
  const client = await SplunkClient.login(config, { username: 'admin', password: 'changeme' });
  const dir = mkdtempSync(join(tmpdir(), 'lineage-splunk-pair-'));
  const store = await EmbeddedStore.open(join(dir, 'e.duckdb'));
  await ingestPaths(files, { write: (b) => store.writeEvents(b) });
  return {
    splunkd, config, splunk: new SplunkSource(client, config), embedded: new EmbeddedSource(store),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await splunkd.stop();
    },
  };
}

/** Log in a second client on the same server (e.g. with other settings). */
export async function loginSource(splunkd: SplunkdHandle, over: Partial<SplunkConfig> = {}, creds: { username: string; password: string } | { token: string } = { username: 'admin', password: 'changeme' }): Promise<SplunkSource> {
  const config: SplunkConfig = { ...resolveConfig({ url: splunkd.url }), pollMs: 20, retryBaseMs: 20, ...over };
  return new SplunkSource(await SplunkClient.login(config, creds), config);
}
