/**
 * Sigma hits on the graph document (`serve --sigma`): ingest SigmaHQ process_creation captures, serve
 * with their rules, and every process the store-wide scan (`lineage sigma`'s path: one SQL statement)
 * finds hit must carry the same hits in `/api/graph` (the lazy per-graph path: the node's own events
 * read through the EventSource). SigmaHQ's `match_count` is the floor of the per-capture count. A graph
 * whose events exceed the cap says so under `truncated.sigma`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphDocumentSchema } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { annotateGraph } from '../../src/sigma/graph.js';
import { loadRules } from '../../src/sigma/load.js';
import { scanStore, storeEventReader } from '../../src/sigma/store-scan.js';
import { newContext } from '../../src/sources/event-source.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { SIGMAHQ, requireSigmaHQ } from '../datasets.js';

const present = requireSigmaHQ('Sigma hits on the graph');
const CASES = ['proc_creation_win_certutil_decode', 'proc_creation_win_cmdkey_recon', 'proc_creation_win_findstr_lsass'];

describe.runIf(present)('Sigma hits on the graph document', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-sigma-graph-'));
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  const infos = CASES.map((c) => {
    const file = join(SIGMAHQ, 'regression_data', 'rules', 'windows', 'process_creation', c, 'info.yml');
    const info = parse(readFileSync(file, 'utf8')) as { rule_metadata: Array<{ id: string }>; regression_tests_info: Array<{ path: string; match_count?: number }> };
    return { dir: dirname(file), id: info.rule_metadata[0]!.id, min: info.regression_tests_info[0]!.match_count ?? 1 };
  });
  const set = loadRules(CASES.map((c) => join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation', `${c}.yml`)));
  const engine = new SigmaEngine(set.rules);
  beforeAll(async () => {
    store = await EmbeddedStore.open(join(dir, 'g.duckdb'));
    await ingestPaths(infos.map((i) => i.dir), { write: (b) => store.writeEvents(b) });
    source = new EmbeddedSource(store);
  }, 60_000);
  afterAll(async () => { await source.close?.(); rmSync(dir, { recursive: true, force: true }); });

  it('every hit of the store scan is on its node in /api/graph, with level, tags and selections', async () => {
    expect(set.unevaluable).toEqual([]);
    const { hits } = await scanStore(store, engine, newContext());
    for (const i of infos) expect(hits.filter((h) => h.ruleId === i.id).length, i.id).toBeGreaterThanOrEqual(i.min);
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, sigma: { engine, events: storeEventReader(store) } });
    const plain = createApp({ mode: 'embedded', version: 't', sourceFor: () => source });
    for (const guid of new Set(hits.map((h) => h.guid!))) {
      const host = hits.find((h) => h.guid === guid)!.host;
      const res = await request(app).get('/api/graph').query({ guid, host, up: 'true', down: '1' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const doc = GraphDocumentSchema.parse(res.body);
      const node = doc.nodes.find((n) => n.guid === guid)!;
      const want = hits.filter((h) => h.guid === guid);
      expect(node.sigma?.hits).toEqual(want);
      expect(node.sigma?.count).toBe(want.length);
      expect(['low', 'medium', 'high', 'critical']).toContain(node.sigma?.highest);
      expect(want.every((h) => h.selections.length > 0 && h.tags.some((t) => t.startsWith('attack.')))).toBe(true);
      const bare = GraphDocumentSchema.parse((await request(plain).get('/api/graph').query({ guid, host })).body);
      expect(bare.nodes.every((n) => n.sigma === undefined)).toBe(true);
    }
  });

  it('a graph with more events than the cap is marked cut under truncated.sigma', async () => {
    const { hits } = await scanStore(store, engine, newContext());
    const h = hits[0]!;
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source });
    const doc = GraphDocumentSchema.parse((await request(app).get('/api/graph').query({ guid: h.guid, host: h.host, up: 'true', down: '5' })).body);
    const sigma = { engine, events: storeEventReader(store) };
    const guids = doc.nodes.filter((n) => !n.placeholder && n.kind === 'process').map((n) => n.guid);
    const total = (await sigma.events(guids, h.host, 1e6, newContext())).length;
    expect(total).toBeGreaterThan(0);
    const cut = await annotateGraph(doc, sigma, newContext(), { maxEvents: total - 1 });
    expect(cut.truncated.sigma).toMatchObject({ limit: total - 1 });
    expect(await annotateGraph(doc, sigma, newContext(), { maxEvents: total })).not.toHaveProperty('truncated.sigma');
    const whole = await annotateGraph(doc, sigma, newContext());
    expect(whole.truncated.sigma).toBeUndefined();
  });
});
