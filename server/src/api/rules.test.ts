/** POST /api/rules/validate, POST /api/rules/run and GET /api/rules/pack over a small demo fleet. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleHitSchema } from '@lineage/shared';
import { writeDemo } from '../demo/generate.js';
import { plantedManifest } from '../demo/planted.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { createApp } from './app.js';
import type { Express } from 'express';

describe('rules API', () => {
  const m = plantedManifest({ hosts: 3 });
  let source: EmbeddedSource;
  let app: Express;
  beforeAll(async () => {
    const store = await EmbeddedStore.open(':memory:');
    await writeDemo(store, { hosts: 3 });
    source = new EmbeddedSource(store);
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
  });
  afterAll(async () => { await source?.close(); });

  it('runs a one-liner and returns contract-shaped hits with the chain oldest first', async () => {
    const res = await request(app).post('/api/rules/run').send({ rules: 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe within 30m' });
    expect(res.status).toBe(200);
    const hits = res.body.hits.map((h: unknown) => RuleHitSchema.parse(h));
    expect(hits.map((h: { chain: string[] }) => h.chain)).toEqual([
      [m.cmdPowershellWinword.cmd, m.cmdPowershellWinword.powershell, m.cmdPowershellWinword.winword],
      [m.conhostChain.cmd, m.conhostChain.conhost, m.conhostChain.powershell, m.conhostChain.excel],
    ]);
    expect(hits[0].images.map((i: string) => i.split('\\').pop()?.toLowerCase())).toEqual(['cmd.exe', 'powershell.exe', 'winword.exe']);
    expect(res.body.stats.pushedNames).toEqual(['excel.exe', 'winword.exe']);
  });

  it('honours the time range (leaf creation time)', async () => {
    const t = Date.parse(m.cmdPowershellWinword.time);
    const res = await request(app).post('/api/rules/run').send({
      rules: 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe',
      from: new Date(t - 60_000).toISOString(), to: new Date(t + 60_000).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body.hits.map((h: { host: string }) => h.host)).toEqual([m.cmdPowershellWinword.host]);
  });

  it('answers invalid rules with 400 invalid_rule and positioned errors', async () => {
    const res = await request(app).post('/api/rules/run').send({ rules: 'title: t\nchain:\n  - match: {Image|endswiht: x}\n' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_rule');
    expect(res.body.errors[0]).toMatchObject({ line: 3, field: 'chain.0.match.Image|endswiht' });
    const empty = await request(app).post('/api/rules/run').send({ rules: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
    const badTime = await request(app).post('/api/rules/run').send({ rules: 'a.exe -> b.exe', from: 'yesterday' });
    expect(badTime.status).toBe(400);
  });

  it('validates without running, and serves the shipped pack', async () => {
    const ok = await request(app).post('/api/rules/validate').send({ rules: 'a.exe -[2..3]-> b.exe' });
    expect(ok.body.errors).toEqual([]);
    expect(ok.body.rules[0].steps.map((s: { hops: unknown }) => s.hops)).toEqual([[0, 0], [2, 3]]);
    const bad = await request(app).post('/api/rules/validate').send({ rules: 'title: t\nchain: []\n' });
    expect(bad.status).toBe(200);
    expect(bad.body.errors[0]).toMatchObject({ line: 2, field: 'chain' });
    const pack = await request(app).get('/api/rules/pack');
    expect(pack.body.rules.length).toBeGreaterThanOrEqual(15);
    expect(pack.body.rules.find((r: { id: string }) => r.id === 'lin-0001').text).toContain('chain:');
  });
});
