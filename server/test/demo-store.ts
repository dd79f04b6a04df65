/**
 * Tests' common store setup: a demo fleet written into a fresh store in a temp folder. `close` closes
 * the store and removes the folder; `remove` only removes it (for a test whose source closes the store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemo, type DemoOptions } from '../src/demo/generate.js';
import { EmbeddedStore } from '../src/sources/embedded/store.js';

export interface DemoStore {
  dir: string;
  store: EmbeddedStore;
  close(): Promise<void>;
  remove(): void;
}

export async function openDemoStore(prefix: string, demo: DemoOptions): Promise<DemoStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await EmbeddedStore.open(join(dir, 'demo.duckdb'));
  await writeDemo(store, demo);
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  return { dir, store, remove, close: async () => { await store.close(); remove(); } };
}
