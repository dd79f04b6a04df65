/**
 * `lineage sigma`: the SigmaHQ process_creation regression captures ingested into one store, the SigmaHQ
 * rules as they are: each capture's rule hits at least SigmaHQ's `match_count` events (their oracle),
 * hits carry the event's host/GUID, and unevaluable rules are listed with reasons. Bad input: clear errors.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigmaHitSchema } from '@lineage/shared';
import { ingestPaths } from '../ingest/pipeline.js';
import { EmbeddedStore } from '../sources/embedded/index.js';
import { runCli } from '../../test/cli-capture.js';
import { SIGMAHQ, requireSigmaHQ } from '../../test/datasets.js';
import { run } from './sigma.js';

const capture = (argv: string[]) => runCli(run, argv);
const present = requireSigmaHQ('lineage sigma over SigmaHQ captures');

function infos(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) { const p = join(dir, n); if (statSync(p).isDirectory()) infos(p, out); else if (n === 'info.yml') out.push(p); }
  return out;
}

describe('lineage sigma', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-sigma-'));
  const db = join(dir, 'sigma.duckdb');
  const pcDir = join(SIGMAHQ, 'regression_data', 'rules', 'windows', 'process_creation');
  const tests = present ? infos(pcDir).map((f) => parse(readFileSync(f, 'utf8')) as { rule_metadata: Array<{ id: string }>; regression_tests_info: Array<{ path: string; match_count?: number }> }) : [];
  beforeAll(async () => {
    const store = await EmbeddedStore.open(db);
    if (present) await ingestPaths([pcDir], { write: (b) => store.writeEvents(b) });
    await store.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(present)('hits every process_creation capture\'s rule at least match_count times, with host and GUID', async () => {
    const r = await capture(['--db', db, '--rules', join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation'), '--json']);
    expect(r.code, r.err).toBe(0);
    const body = JSON.parse(r.out) as { hits: unknown[]; perRule: Array<{ ruleId: string; hits: number }>; unevaluable: unknown[]; stats: { scanned: number; searches: number } };
    const hits = body.hits.map((h) => SigmaHitSchema.parse(h));
    expect(tests.length).toBeGreaterThan(90);
    for (const t of tests) {
      const id = t.rule_metadata[0]!.id;
      const n = hits.filter((h) => h.ruleId === id).length;
      expect(n, id).toBeGreaterThanOrEqual(t.regression_tests_info[0]!.match_count ?? 1);
    }
    expect(hits.every((h) => h.eventId === 1 && /^\{[0-9a-f-]{36}\}$/.test(h.guid ?? '') && h.host !== '')).toBe(true);
    expect(body.stats.searches).toBe(1);
    expect(r.err).toMatch(/\d+ hits by \d+ of \d+ rules over \d+ events/);
  }, 120_000);

  it('lists unevaluable rules with the reason', async () => {
    const rules = join(dir, 'rules');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'agg.yml'), 'title: agg\nid: agg-1\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: x.exe\n  condition: sel | count() > 3\n');
    const r = await capture(['--db', db, '--rules', rules, '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { unevaluable: Array<{ ruleId: string; reason: string }> };
    expect(body.unevaluable).toEqual([expect.objectContaining({ ruleId: 'agg-1', reason: expect.stringMatching(/aggregation/) })]);
    expect(r.err).toMatch(/cannot evaluate: .*agg\.yml: aggregation/);
  });

  it('bad input: missing flags, missing paths', async () => {
    expect((await capture(['--db', db])).err).toMatch(/--rules PATH is required/);
    expect((await capture(['--rules', dir])).err).toMatch(/--db FILE is required/);
    const r = await capture(['--db', join(dir, 'nope.duckdb'), '--rules', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such file/);
  });
});
