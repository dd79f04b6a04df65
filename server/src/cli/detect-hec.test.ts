/**
 * `lineage detect --hec`: the pack's hits over the demo store reach the test server's HEC as one event
 * each, with the fields an ES correlation search keys on, and are found by an ordinary search; a missing
 * setting fails before any rule runs; a refused token exits 1 with HEC's reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RuleHitSchema } from '@lineage/shared';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { writeDemo } from '../demo/generate.js';
import { PACK_DIR } from '../rules/pack.js';
import { EmbeddedStore } from '../sources/embedded/index.js';
import { run } from './detect.js';
import { runCli } from '../../test/cli-capture.js';

const TOKEN = 'hec-token-for-detect-0123456789';

describe('lineage detect --hec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-detect-hec-'));
  const db = join(dir, 'demo.duckdb');
  let h: SplunkdHandle;
  beforeAll(async () => {
    const store = await EmbeddedStore.open(db);
    await writeDemo(store, { hosts: 3 });
    await store.close();
    h = await startSplunkd({ hecTokens: { [TOKEN]: { name: 'lineage', index: 'lineage', ack: true } } });
  });
  afterEach(() => { vi.unstubAllEnvs(); });
  afterAll(async () => { await h?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('sends every hit as one acknowledged event, searchable in the index', async () => {
    const json = await runCli(run, ['--db', db, '--rules', PACK_DIR, '--json']);
    const hits = (JSON.parse(json.out) as { hits: unknown[] }).hits.map((x) => RuleHitSchema.parse(x));
    expect(hits.length).toBeGreaterThan(0);
    vi.stubEnv('LINEAGE_HEC_URL', h.url);
    vi.stubEnv('LINEAGE_HEC_TOKEN', TOKEN);
    vi.stubEnv('LINEAGE_HEC_INDEX', 'lineage');
    vi.stubEnv('LINEAGE_HEC_ACK', '1');
    vi.stubEnv('LINEAGE_PUBLIC_URL', 'https://lineage.corp.example');
    const r = await runCli(run, ['--db', db, '--rules', PACK_DIR, '--hec']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`HEC: sent ${hits.length} hits in 1 batch to ${h.url} (index lineage), acknowledged`);
    expect(r.err).not.toContain(TOKEN);
    // What an ES correlation search would run over the index.
    const res = await fetch(`${h.url}/services/search/jobs/export?output_mode=json`, {
      method: 'POST', headers: { Authorization: `Basic ${Buffer.from('admin:changeme').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ search: 'search index=lineage sourcetype="lineage:rule_hit" type=lineage_rule_hit | table rule dest process_guid lineage_url' }).toString(),
    });
    const rows = (await res.text()).trim().split('\n').map((l) => (JSON.parse(l) as { result?: Record<string, string> }).result).filter(Boolean) as Record<string, string>[];
    const key = (rule: string, dest: string, guid: string) => `${rule} ${dest} ${guid}`;
    expect(rows.map((x) => key(x.rule!, x.dest!, x.process_guid!)).sort()).toEqual(hits.map((x) => key(x.rule, x.host, x.chain.at(-1)!)).sort());
    for (const x of rows) expect(x.lineage_url).toMatch(/^https:\/\/lineage\.corp\.example\/\?/);
  });

  it('fails before running the rules when HEC is not configured, and exits 1 on a refused token', async () => {
    const missing = await runCli(run, ['--db', db, '--rules', PACK_DIR, '--hec']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--hec needs LINEAGE_HEC_URL and LINEAGE_HEC_TOKEN');
    expect(missing.err).not.toMatch(/hits from/);
    vi.stubEnv('LINEAGE_HEC_URL', h.url);
    vi.stubEnv('LINEAGE_HEC_TOKEN', 'not-the-token');
    const bad = await runCli(run, ['--db', db, '--rules', PACK_DIR, '--hec']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('lineage detect: HEC: batch 1/1: HEC refused the token: Invalid token (HEC code 4)');
  });
});
