/**
 * Rule runs under a budget: a run that cannot finish in time is interrupted (its source sees the
 * aborted signal) and answers 503 `rule_budget_exceeded`, for `POST /api/rules/run` and for the
 * notables' pack run — which then keeps that answer until the store changes instead of re-running.
 * And the composition root wires `trackWrites`: an upload through `lineage serve` re-runs the pack
 * on the uploaded host only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compose } from '../app/compose.js';
import { readServeConfig } from '../app/config.js';
import { createLogger } from '../app/logger.js';
import { createApp } from '../api/app.js';
import { writeDemo } from '../demo/generate.js';
import { parseRulesOrThrow } from '../rules/language/parse.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { newContext, type EventSource } from '../sources/event-source.js';
import { RuleBudgetError } from './rule-budget.js';
import { RuleNotables } from './rule-notables.js';

const ONE_LINER = 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe within 30m';

/** The real source, except that scans never end on their own: they wait for the run's signal. */
function stalling(source: EventSource, seen: { aborted: number }): EventSource {
  return new Proxy(source, {
    get(target, prop, receiver) {
      if (prop === 'countNamePairs') return undefined;
      if (prop === 'scanProcesses') {
        return (o: { ctx: { signal?: AbortSignal } }) => ({
          async *[Symbol.asyncIterator]() {
            const signal = o.ctx.signal;
            if (!signal) throw new Error('a rule run without a signal cannot be stopped');
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
            seen.aborted++;
            yield [];
            throw signal.reason;
          },
        });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('rule runs under a time budget', () => {
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  const rule = parseRulesOrThrow(ONE_LINER)[0]!;
  beforeAll(async () => {
    store = await EmbeddedStore.open(':memory:');
    await writeDemo(store, { hosts: 2 });
    source = new EmbeddedSource(store);
  });
  afterAll(async () => { await source?.close(); });

  it('POST /api/rules/run: a spent budget interrupts the scan and answers 503 rule_budget_exceeded', async () => {
    const seen = { aborted: 0 };
    const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => stalling(source, seen), ruleBudgetMs: 150, requestTimeoutMs: 20_000 });
    const t0 = performance.now();
    const r = await request(app).post('/api/rules/run').set('Content-Type', 'application/json').send({ rules: ONE_LINER });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('rule_budget_exceeded');
    expect(r.body.error.message).toMatch(/^the rule run took longer than its 150 ms budget and was stopped; narrow the time range or host/);
    expect(seen.aborted).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The same run on the real source finishes inside a budget.
    const ok = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source, ruleBudgetMs: 20_000 });
    const good = await request(ok).post('/api/rules/run').set('Content-Type', 'application/json').send({ rules: ONE_LINER });
    expect(good.status).toBe(200);
    expect(good.body.hits.length).toBeGreaterThan(0);
  });

  it('notables: the pack run stops at its budget, the answer is kept until the store changes, then it runs again', async () => {
    const seen = { aborted: 0 };
    let runs = 0;
    // Long enough for the real run below on a loaded machine; the stalling source waits it out.
    const notables = new RuleNotables(() => { runs++; return [rule]; }, { budgetMs: 3_000 });
    const slow = stalling(source, seen);
    const o = { ctx: newContext(), range: null, limit: 200 };
    const err = await notables.list(slow, o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleBudgetError);
    expect((err as Error).message).toMatch(/^the rule pack's run for notables took longer than its 3000 ms budget/);
    expect([runs, seen.aborted]).toEqual([1, 1]);
    // Kept: a second request does not start the run again.
    expect(await notables.list(slow, o).catch((e: unknown) => e)).toBe(err);
    expect(runs).toBe(1);
    // The store changed: the next request runs (here on the real source) and succeeds.
    notables.invalidate();
    const items = await notables.list(source, o);
    expect(runs).toBe(2);
    expect(items.some((n) => n.source === 'rule')).toBe(true);
    // Over HTTP the pack's budget error is the same 503 code.
    const spent = new RuleNotables(() => [rule], { budgetMs: 100 });
    const app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => stalling(source, { aborted: 0 }), ruleNotables: spent });
    const r = await request(app).get('/api/notables');
    expect([r.status, r.body.error.code]).toEqual([503, 'rule_budget_exceeded']);
  });
});

describe('composition root: uploads re-run the notables pack on the hosts they wrote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-trackwrites-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('after an upload of one new host, the next notables request runs the pack for that host only', async () => {
    const db = join(dir, 'demo.duckdb');
    const s = await EmbeddedStore.open(db);
    await writeDemo(s, { hosts: 2 });
    await s.close();
    const cfg = readServeConfig(['--db', db, '--port', '0'], {});
    if (!cfg.ok) throw new Error(cfg.message);
    const run = vi.spyOn(RuleNotables.prototype as unknown as { run(s: unknown, h: string | null): Promise<unknown> }, 'run');
    const running = (await compose(cfg.config, createLogger('silent')))!;
    try {
      const base = running.url.replace(/\/$/, '');
      expect((await request(base).get('/api/notables')).status).toBe(200);
      expect(run.mock.calls.map((c) => c[1])).toEqual([null]);
      const host = 'budget-upload-host.example';
      const ev = JSON.stringify({
        EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: host, EventRecordID: 1, UtcTime: '2026-03-02 09:00:01.000',
        ProcessGuid: '{8a6e0a1b-0000-0000-0000-0000000000b1}', ProcessId: 4001, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe',
        User: 'CORP\\eve', ParentProcessGuid: '{8a6e0a1b-0000-0000-0000-0000000000b9}', ParentProcessId: 1, ParentImage: 'C:\\Windows\\explorer.exe',
      });
      const up = await request(base).post('/api/upload').query({ name: 'one.ndjson' })
        .set('content-type', 'application/octet-stream').set('x-lineage-request', '1').send(Buffer.from(`${ev}\n`));
      expect(up.status).toBe(200);
      expect((await request(base).get('/api/notables')).status).toBe(200);
      expect(run.mock.calls.map((c) => c[1])).toEqual([null, host]);
    } finally {
      run.mockRestore();
      await running.close();
    }
  }, 60_000);
});
