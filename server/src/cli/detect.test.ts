/** `lineage detect`: JSON hits over a store file, self-test of the pack, and clear errors for bad input. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleHitSchema } from '@lineage/shared';
import { writeDemo } from '../demo/generate.js';
import { plantedManifest } from '../demo/planted.js';
import { PACK_DIR } from '../rules/pack.js';
import { EmbeddedStore } from '../sources/embedded/index.js';
import { run } from './detect.js';
import { runCli } from '../../test/cli-capture.js';

const capture = (argv: string[]) => runCli(run, argv);

describe('lineage detect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-detect-'));
  const db = join(dir, 'demo.duckdb');
  beforeAll(async () => {
    const store = await EmbeddedStore.open(db);
    await writeDemo(store, { hosts: 3 });
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints contract hits as JSON for the pack over a store', async () => {
    const m = plantedManifest({ hosts: 3 });
    const r = await capture(['--db', db, '--rules', PACK_DIR, '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { hits: unknown[]; stats: { scanned: number } };
    const hits = body.hits.map((h) => RuleHitSchema.parse(h));
    expect(hits.map((h) => `${h.rule} ${h.chain.at(-1)}`)).toEqual([
      `lin-office-shell ${m.phishing.cmd}`, `lin-office-shell ${m.phishing.powershell}`,
      // the planted lateral movements' payloads on their target (PSEXESVC → cmd, WmiPrvSE → powershell)
      `lin-psexesvc-shell ${m.psexec!.payload}`, `lin-wmi-powershell ${m.wmi!.payload}`,
      `lin-0001 ${m.cmdPowershellWinword.winword}`, `lin-0001 ${m.conhostChain.excel}`,
    ]);
    expect(r.err).toMatch(/6 hits from \d+ rules/);
  });

  it('runs the inline tests of the pack with --test', async () => {
    const r = await capture(['--rules', PACK_DIR, '--test', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ failed: [] });
  });

  it('fails clearly on bad rules, bad times and missing files', async () => {
    const bad = await capture(['--db', db, '--rules', 'cmd.exe -[0]-> x.exe']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--rules:1:\d+: hops must be ≥ 1/);
    expect((await capture(['--db', db, '--rules', 'a.exe -> b.exe', '--from', 'soon'])).code).toBe(2);
    expect((await capture(['--db', join(dir, 'absent.duckdb'), '--rules', 'a.exe -> b.exe'])).err).toMatch(/does not exist/);
    expect((await capture(['--db', db])).code).toBe(2);
  });
});
