/**
 * Sigma hits on the graph document (`serve --sigma`): ingest SigmaHQ process_creation captures, serve
 * with their rules, and every process must carry in `/api/graph` exactly the hits of a second, simple
 * evaluation written here from the three rules' text (regular expressions over the raw events, no
 * engine code), whose per-rule counts must reach SigmaHQ's `match_count`. The store-wide scan
 * (`lineage sigma`'s path) must agree too. A graph whose events exceed the cap says so under
 * `truncated.sigma`.
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
import { loadRules, sigmaLibrary } from '../../src/sigma/load.js';
import { scanStore, storeEventReader } from '../../src/sigma/store-scan.js';
import { newContext } from '../../src/sources/event-source.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import type { SysmonEvent } from '../../src/ingest/record.js';
import { SIGMAHQ, requireSigmaHQ } from '../datasets.js';

const present = requireSigmaHQ('Sigma hits on the graph');
const CASES = ['proc_creation_win_certutil_decode', 'proc_creation_win_cmdkey_recon', 'proc_creation_win_findstr_lsass'];

/** The three rules, hand-translated (windash: `-` or `/` starting a word may be any of - / – — ―). */
const D = '[-/\u2013\u2014\u2015]';
const ORACLE: Record<string, (f: Record<string, string>) => boolean> = {
  // certutil_decode: (Image endswith \certutil.exe or OriginalFileName CertUtil.exe) and CommandLine contains -decode / -decodehex
  'cc9cbe82-7bc0-4ef5-bc23-bbfb83947be7': (f) => (/\\certutil\.exe$/i.test(f.Image ?? '') || /^certutil\.exe$/i.test(f.OriginalFileName ?? ''))
    && new RegExp(`${D}decode(hex)? `, 'i').test(f.CommandLine ?? ''),
  // cmdkey_recon: (Image endswith \cmdkey.exe or OriginalFileName cmdkey.exe) and CommandLine contains " -l"
  '07f8bdc2-c9b3-472a-9817-5a670b872f53': (f) => (/\\cmdkey\.exe$/i.test(f.Image ?? '') || /^cmdkey\.exe$/i.test(f.OriginalFileName ?? ''))
    && new RegExp(` ${D}l`, 'i').test(f.CommandLine ?? ''),
  // findstr_lsass: (find/findstr image or original name, and lsass in CommandLine) or one of the special command lines
  'fe63010f-8823-4864-a96b-a7b4a0f7b929': (f) => ((/\\(find|findstr)\.exe$/i.test(f.Image ?? '') || /^(find|findstr)\.exe$/i.test(f.OriginalFileName ?? ''))
    && /lsass/i.test(f.CommandLine ?? ''))
    || new RegExp(` ${D}i "lsass| ${D}i lsass\\.exe|findstr(\\.exe)? "?lsass`, 'i').test(f.CommandLine ?? ''),
};

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
  const events: SysmonEvent[] = [];
  beforeAll(async () => {
    store = await EmbeddedStore.open(join(dir, 'g.duckdb'));
    await ingestPaths(infos.map((i) => i.dir), { write: (b) => { events.push(...b); return store.writeEvents(b); } });
    source = new EmbeddedSource(store);
  }, 60_000);
  afterAll(async () => { await source.close?.(); rmSync(dir, { recursive: true, force: true }); });

  it('every process carries in /api/graph the hits of the hand-written evaluation (and of the store scan)', async () => {
    expect(set.unevaluable).toEqual([]);
    expect(set.rules.map((r) => r.id).sort()).toEqual(Object.keys(ORACLE).sort());
    // The oracle: each rule over each stored process-create, keyed "host guid" → rule ids hit.
    const expected = new Map<string, string[]>();
    const seen = new Set<string>(); // the same record in two captures is stored once
    for (const e of events) {
      if (e.eventId !== 1 || !e.guid) continue;
      const id = JSON.stringify([e.host, e.recordId, e.time, e.guid]);
      if (seen.has(id)) continue;
      seen.add(id);
      for (const [id, test] of Object.entries(ORACLE)) if (test(e.fields)) expected.set(`${e.host} ${e.guid}`, [...(expected.get(`${e.host} ${e.guid}`) ?? []), id]);
    }
    for (const i of infos) expect([...expected.values()].flat().filter((id) => id === i.id).length, `${i.id} vs match_count`).toBeGreaterThanOrEqual(i.min);
    const { hits } = await scanStore(store, engine, newContext());
    const app = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, sigma: { engine, events: storeEventReader(store) } });
    const plain = createApp({ mode: 'embedded', version: 't', sourceFor: () => source });
    const keys = new Set([...expected.keys(), ...hits.map((h) => `${h.host} ${h.guid}`)]);
    for (const key of keys) {
      const [host, guid] = key.split(' ') as [string, string];
      const res = await request(app).get('/api/graph').query({ guid, host, up: 'true', down: '1' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const doc = GraphDocumentSchema.parse(res.body);
      const node = doc.nodes.find((n) => n.guid === guid)!;
      expect((node.sigma?.hits ?? []).map((h) => h.ruleId).sort(), key).toEqual((expected.get(key) ?? []).sort());
      const want = hits.filter((h) => h.guid === guid && h.host === host);
      expect(node.sigma?.hits).toEqual(want);
      expect(node.sigma?.count).toBe(want.length);
      expect(['low', 'medium', 'high', 'critical']).toContain(node.sigma?.highest);
      expect(want.every((h) => h.selections.length > 0 && h.tags.some((t) => t.startsWith('attack.')))).toBe(true);
      const bare = GraphDocumentSchema.parse((await request(plain).get('/api/graph').query({ guid, host })).body);
      expect(bare.nodes.every((n) => n.sigma === undefined)).toBe(true);
    }
  });

  it('lineage rules posted to the server resolve `sigma: <id>` in the served library, and only there', async () => {
    const text = `title: t\nid: t\nchain:\n  - match: { sigma: ${infos[0]!.id} }\n`;
    const served = createApp({ mode: 'embedded', version: 't', sourceFor: () => source, sigma: { engine, events: storeEventReader(store), library: sigmaLibrary(set.rules, 'the test rules') } });
    const ok = await request(served).post('/api/rules/validate').send({ rules: text });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toEqual([]);
    const without = await request(createApp({ mode: 'embedded', version: 't', sourceFor: () => source })).post('/api/rules/validate').send({ rules: text });
    expect(without.body.errors.map((e: { message: string }) => e.message)).toEqual(['a Sigma rule reference needs the Sigma rules: give them with --sigma PATH (serve or detect)']);
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
