/** `lineage demo`: writes a fresh database, refuses to overwrite without --force, rejects bad numbers. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './demo.js';
import { runCli } from '../../test/cli-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = (argv: string[]) => runCli(run, argv);

describe('lineage demo', () => {
  it('when run on a new file, then it prints a JSON summary; a second run needs --force', async () => {
    const db = join(dir, 'demo.duckdb');
    const first = await capture(['--db', db, '--hosts', '2', '--processes-per-host', '30', '--seed', '5']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out) as Record<string, number>;
    expect(summary).toMatchObject({ hosts: 2, days: 1, seed: 5, notables: 5 });
    expect(summary.processes).toBeGreaterThan(60);
    expect(summary.events).toBeGreaterThan(summary.processes!);
    const again = await capture(['--db', db, '--hosts', '2']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists.*--force/);
    const forced = await capture(['--db', db, '--hosts', '2', '--processes-per-host', '30', '--seed', '5', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ events: summary.events, processes: summary.processes });
  });

  it('when a number is malformed, then it says which option and exits 2 without touching files', async () => {
    const db = join(dir, 'bad.duckdb');
    writeFileSync(db, 'not a database');
    const bad = await capture(['--db', db, '--hosts', 'many', '--force']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--hosts must be a non-negative integer/);
    const zero = await capture(['--db', join(dir, 'zero.duckdb'), '--hosts', '0']);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/hosts must be an integer in 1/);
    expect(existsSync(join(dir, 'zero.duckdb'))).toBe(false);
    expect(readFileSync(db, 'utf8')).toBe('not a database');
  });
});
