#!/usr/bin/env node
// Fresh-clone setup used by `npm start` and `npm test`: install (from the lockfile) when needed,
// build, and (with --demo) create the demo database if it is absent. No dependencies of its own.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const args = process.argv.slice(2);

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.error('[setup] installing dependencies from package-lock.json');
  run('npm ci --no-audit --no-fund');
}
console.error('[setup] building');
run('npm run build --silent');
if (args.includes('--demo')) {
  const db = join(root, 'data', 'demo.duckdb');
  if (!existsSync(db)) {
    console.error('[setup] generating the demo fleet into data/demo.duckdb');
    run(`node server/bin/lineage.js demo --db "${db}"`);
  }
}
