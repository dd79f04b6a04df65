/**
 * The API tests' common setup: a demo fleet written into a fresh store in a temp folder, an
 * EmbeddedSource over it and the app serving it; `close` removes it all.
 */
import { createApp } from '../../src/api/app.js';
import type { DemoOptions } from '../../src/demo/generate.js';
import { EmbeddedSource, type EmbeddedStore } from '../../src/sources/embedded/index.js';
import { openDemoStore } from '../demo-store.js';

export interface DemoApp {
  dir: string;
  store: EmbeddedStore;
  source: EmbeddedSource;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

export async function openDemoApp(prefix: string, demo: DemoOptions): Promise<DemoApp> {
  const { dir, store, close } = await openDemoStore(prefix, demo);
  const source = new EmbeddedSource(store);
  const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
  return { dir, store, source, app, close };
}
