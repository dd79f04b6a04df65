/**
 * The API tests' common setup: a demo fleet written into a fresh store in a temp folder, an
 * EmbeddedSource over it and the app serving it; `close` removes it all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.js';
import { writeDemo, type DemoOptions } from '../../src/demo/generate.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';

export interface DemoApp {
  dir: string;
  store: EmbeddedStore;
  source: EmbeddedSource;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

export async function openDemoApp(prefix: string, demo: DemoOptions): Promise<DemoApp> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await EmbeddedStore.open(join(dir, 'demo.duckdb'));
  await writeDemo(store, demo);
  const source = new EmbeddedSource(store);
  const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
  return {
    dir, store, source, app,
    close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
