/**
 * The client's import boundaries (.dependency-cruiser.mjs, run by `npm run lint`) catch violations.
 * Oracle: a small fixture tree written here, with one import per rule that breaks it and one that
 * keeps it; depcruise must name exactly the breaking imports, each with its rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const tree = mkdtempSync(join(tmpdir(), 'lineage-boundaries-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

/** file → its source; every file exports one constant, imports are the edges under test. */
const FILES: Record<string, string> = {
  'client/src/app/Shell.ts': "import { a } from '../features/alpha';\nimport { inner } from '../features/beta/inner';\nexport const shell = a + inner;",
  'client/src/app/optional.ts': "export const page = () => import('../features/rules/RulesPage');",
  'client/src/features/rules/RulesPage.tsx': 'export const RulesPage = 1;',
  'client/src/features/alpha/index.ts': "export { a } from './a';",
  'client/src/features/alpha/a.ts': "import { b } from '../beta';\nimport { inner } from '../beta/inner';\nimport { shell } from '../../app/Shell';\nimport { own } from './own';\nexport const a = b + inner + own + String(shell);",
  'client/src/features/alpha/own.ts': 'export const own = 1;',
  'client/src/features/beta/index.ts': "export { b } from './inner';",
  'client/src/features/beta/inner.ts': 'export const inner = 1;\nexport const b = 2;',
  'client/src/lib/util.ts': "import { b } from '../features/beta';\nexport const util = b;",
  'client/src/state/view.ts': "import { util } from '../lib/util';\nexport const view = util;",
};

function violations(): string[] {
  for (const [f, src] of Object.entries(FILES)) {
    mkdirSync(dirname(join(tree, f)), { recursive: true });
    writeFileSync(join(tree, f), src);
  }
  const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
  const r = spawnSync(bin, ['--config', join(ROOT, '.dependency-cruiser.mjs'), '--output-type', 'json', 'client/src'], { cwd: tree, encoding: 'utf8' });
  if (!r.stdout) throw new Error(`depcruise printed nothing: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: Array<{ from: string; to: string; rule: { name: string } }> } };
  return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('client import boundaries', () => {
  it('name every breaking import and nothing else', () => {
    expect(violations()).toEqual([
      'client-app-is-the-top: client/src/features/alpha/a.ts -> client/src/app/Shell.ts',
      'client-feature-through-its-index: client/src/features/alpha/a.ts -> client/src/features/beta/inner.ts',
      'client-lower-layers-import-no-feature: client/src/lib/util.ts -> client/src/features/beta/index.ts',
      'client-shell-through-feature-index: client/src/app/Shell.ts -> client/src/features/beta/inner.ts',
      // Shell → alpha/index → alpha/a → Shell is also a cycle, reported once at its first edge.
      'no-circular: client/src/app/Shell.ts -> client/src/features/alpha/index.ts',
    ].sort());
  }, 60_000);
});
