/** Importing splunk-sdk must not change the process environment (docs/splunk-protocol.md §9 pitfalls 2–3). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSdk } from './sdk.js';

describe('loadSdk', () => {
  it('leaves LOG_LEVEL alone and loads no .env from the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-sdk-'));
    const cwd = process.cwd();
    writeFileSync(join(dir, '.env'), 'LINEAGE_SDK_DOTENV_PROBE=loaded\nLOG_LEVEL=3\n');
    process.env.LOG_LEVEL = 'debug';
    try {
      process.chdir(dir);
      const sdk = loadSdk();
      expect(typeof sdk.Service).toBe('function');
      expect(process.env.LOG_LEVEL).toBe('debug');
      expect(process.env.LINEAGE_SDK_DOTENV_PROBE).toBeUndefined();
    } finally {
      process.chdir(cwd);
      delete process.env.LOG_LEVEL;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
