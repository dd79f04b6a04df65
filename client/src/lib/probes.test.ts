/**
 * The test probes are in the e2e build only (lib/probes.ts). Oracle: the built bundles themselves —
 * the production build (vite's default mode) is grepped for the probe names, and the e2e build for the
 * same names, so the grep is shown to find them where they are.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'vite';

const CLIENT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE_NAMES = ['__lineage', 'graph-state'];
const out = mkdtempSync(join(tmpdir(), 'lineage-probes-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function bundle(mode: 'production' | 'e2e'): Promise<string> {
  const outDir = join(out, mode);
  await build({ root: CLIENT, mode, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const dir = join(outDir, 'assets');
  return readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('test probes', () => {
  it('are absent from the production bundle and present in the e2e bundle', async () => {
    const prod = await bundle('production');
    const e2e = await bundle('e2e');
    for (const name of PROBE_NAMES) {
      expect(prod.includes(name), `${name} in the production bundle`).toBe(false);
      expect(e2e.includes(name), `${name} in the e2e bundle`).toBe(true);
    }
  }, 180_000);
});
