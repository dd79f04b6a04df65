/**
 * Opening a rule hit's link: the URL's own parameters (guid, host, from, to) sent to /api/graph, as the
 * client does, draw every chain node as a real process with the chain's spawn edges — on the demo fleet
 * and on a host whose chain spans hours (server/test/hit-chain.ts), where the graph's default window
 * around the leaf would leave the chain's older nodes outside. Rule notables carry the same window.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphDocumentSchema, NotableSchema, RuleHitSchema, type GraphDocument, type RuleHit } from '@lineage/shared';
import type { Express } from 'express';
import { LONG, LONG_CHAIN_RULE, LONG_HOST, LONG_TIMES, longChainEvents } from '../../test/hit-chain.js';
import { writeDemo } from '../demo/generate.js';
import { normalise } from '../sysmon/fields.js';
import { loadPack } from '../rules/pack.js';
import { runRules } from '../rules/run/run.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { newContext } from '../sources/event-source.js';
import { createApp } from './app.js';
import { foldContinuations } from '../services/rule-notables.js';

/** The /api/graph query the client sends for a link: its guid, host and window, ancestors up, one level down. */
function graphQuery(url: string, withWindow = true): Record<string, string> {
  const q = new URLSearchParams(url.replace(/^\/\?/, ''));
  const out: Record<string, string> = { guid: q.get('guid')!, host: q.get('host')!, up: '1', down: '1' };
  if (withWindow) { out.from = q.get('from')!; out.to = q.get('to')!; }
  return out;
}

describe('a rule hit\'s link opens a graph with the whole chain drawn', () => {
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  let app: Express;
  beforeAll(async () => {
    store = await EmbeddedStore.open(':memory:');
    await writeDemo(store, { hosts: 3 });
    const events = longChainEvents().map((p) => { const r = normalise(p); if (r.kind !== 'event') throw new Error(r.reason); return r.event; });
    await store.writeEvents(events);
    source = new EmbeddedSource(store);
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
  });
  afterAll(async () => { await source?.close(); });

  async function graph(query: Record<string, string>): Promise<GraphDocument> {
    const res = await request(app).get('/api/graph').query(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return GraphDocumentSchema.parse(res.body);
  }

  /** Every chain node is a real (non-placeholder) node, and each consecutive pair is a spawn edge. */
  function expectChainDrawn(doc: GraphDocument, hit: RuleHit): void {
    const nodes = new Map(doc.nodes.map((n) => [n.guid, n]));
    for (const g of hit.chain) {
      expect(nodes.get(g), `${hit.rule} ${g}`).toBeDefined();
      expect(nodes.get(g)!.placeholder, `${hit.rule} ${g} is a placeholder (${nodes.get(g)!.placeholderReason})`).toBe(false);
    }
    for (let i = 1; i < hit.chain.length; i++) {
      expect(doc.edges.some((e) => e.kind === 'spawn' && e.source === hit.chain[i - 1] && e.target === hit.chain[i]), `${hit.chain[i - 1]} → ${hit.chain[i]}`).toBe(true);
    }
  }

  it('a chain spanning hours: the link\'s window (cmd − 1 h … leaf + 24 h) draws it all; the default window would not', async () => {
    const res = await request(app).post('/api/rules/run').send({ rules: LONG_CHAIN_RULE, from: '2026-03-04T00:00:00Z', to: '2026-03-05T00:00:00Z' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const hits = (res.body.hits as unknown[]).map((h) => RuleHitSchema.parse(h));
    expect(hits.map((h) => [h.host, h.chain])).toEqual([[LONG_HOST, [LONG.cmd, LONG.powershell, LONG.winword]]]);
    const hit = hits[0]!;
    expect([hit.from, hit.to]).toEqual(['2026-03-04T06:00:00.000Z', '2026-03-05T09:31:00.000Z']);
    const doc = await graph(graphQuery(hit.url));
    expectChainDrawn(doc, hit);
    // explorer above cmd (06:30) is in the window too, so the graph is rooted at the host's top process.
    expect(doc.nodes.find((n) => n.guid === LONG.explorer)?.placeholder).toBe(false);
    expect(doc.edges.some((e) => e.kind === 'spawn' && e.source === LONG.explorer && e.target === LONG.cmd)).toBe(true);
    // What the link used to open (no window: leaf − 1 h = 08:31 …): cmd (07:00) is outside the window;
    // `up` walks on through parents above the window (docs/ingest.md), so it is drawn as itself there too.
    expect(Date.parse(LONG_TIMES.cmd)).toBeLessThan(Date.parse(LONG_TIMES.winword) - 3_600_000);
    const old = await graph(graphQuery(hit.url, false));
    expect(old.nodes.find((n) => n.guid === LONG.cmd)?.placeholder).toBe(false);
    // Naming host and window skips the origin lookup: fewer statements than the window-less request.
    expect(doc.stats.searches).toBeLessThan(old.stats.searches);
  });

  it('every pack hit on the demo fleet opens with its chain drawn, and its rule notable carries the same window', async () => {
    const { hits } = await runRules(source, loadPack(), { ctx: newContext() });
    expect(hits.length).toBeGreaterThanOrEqual(4); // the planted chains (rules/run.test.ts lists them)
    for (const hit of hits) {
      expect(hit.from && hit.to, hit.url).toBeTruthy();
      expect(hit.url).toContain(`from=${hit.from}&to=${hit.to}`);
      expectChainDrawn(await graph(graphQuery(hit.url)), hit);
    }
    const res = await request(app).get('/api/notables').query({ limit: '500' });
    expect(res.status).toBe(200);
    const rule = (res.body.items as unknown[]).map((n) => NotableSchema.parse(n)).filter((n) => n.source === 'rule');
    expect(rule.length).toBe(foldContinuations(hits).length); // a hit continuing another's chain is folded into it
    for (const n of rule) {
      const hit = hits.find((h) => h.host === n.host && h.chain.at(-1) === n.guid && `rule:${h.rule}:${h.host}:${n.guid}` === n.id)!;
      expect(hit, n.id).toBeDefined();
      expect([n.from, n.to]).toEqual([hit.from, hit.to]);
    }
  });
});
