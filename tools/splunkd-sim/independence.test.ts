/**
 * The simulator is an independent model of Splunk: no file under tools/splunkd-sim may import from
 * the product (server/, shared/, client/) or from the shared datasets folder. Checked on the source
 * text of every .ts file here, static and dynamic imports and re-exports alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'node_modules') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers of `import … from 'x'`, `export … from 'x'`, `import('x')`, `require('x')`. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[2]!);
  return out;
}

const FORBIDDEN = ['server', 'shared', 'client', 'e2e', 'bench'];

function offending(file: string, spec: string): boolean {
  if (spec.startsWith('@lineage/')) return true;
  if (!spec.startsWith('.')) return false;
  const target = relative(ROOT, resolve(dirname(file), spec)).split(/[\\/]/)[0]!;
  return FORBIDDEN.includes(target) || target === '..';
}

describe('tools/splunkd-sim imports nothing from the product', () => {
  it('finds imports the way the check needs (self-test on made-up text)', () => {
    // Written in upper case so that this file's own scan does not see these sample imports.
    const text = "IMPORT { a } FROM '../../server/src/x.js';\nexport * FROM \"./y.js\";\nconst z = await IMPORT('../../shared/src/index.js');\nIMPORT '@lineage/shared';"
      .replace(/IMPORT/g, 'import').replace(/FROM/g, 'from');
    expect(specifiers(text)).toEqual(['../../server/src/x.js', './y.js', '../../shared/src/index.js', '@lineage/shared']);
    expect(specifiers(text).filter((s) => offending(join(HERE, 'a.ts'), s))).toEqual(['../../server/src/x.js', '../../shared/src/index.js', '@lineage/shared']);
  });

  it('no file under tools/splunkd-sim imports from server/, shared/, client/ (or outside the repo)', () => {
    const files = tsFiles(HERE);
    expect(files.length).toBeGreaterThan(20);
    const bad = files.flatMap((f) => specifiers(readFileSync(f, 'utf8')).filter((s) => offending(f, s)).map((s) => `${relative(ROOT, f)}: ${s}`));
    expect(bad).toEqual([]);
  });
});
