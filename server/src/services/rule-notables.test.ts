/**
 * GET /api/notables in embedded mode: the stored demo notables plus the rule pack's hits (each with its
 * chain). The pack runs once over all time; a range or host only filters its hits, and an upload runs
 * the pack again only on the hosts it wrote — with the same notables a whole new run finds.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotableSchema, type Notable } from '@lineage/shared';
import { writeDemo } from '../demo/generate.js';
import { plantedManifest } from '../demo/planted.js';
import { parseRulesOrThrow } from '../rules/language/parse.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { newContext } from '../sources/event-source.js';
import { createApp } from '../api/app.js';
import { RuleNotables } from './rule-notables.js';
import type { Express } from 'express';

const ONE_LINER = 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe within 30m';

/**
 * A new host's chain, uploaded as NDJSON (flat Sysmon fields, as the JSON reader takes them):
 *   cmd.exe (…0a1) → powershell.exe (…0a2) → excel.exe (…0a3) → excel.exe (…0a4)
 * Both excels match the rule (the second is 3 hops below powershell): two hits, one attack.
 */
const NEW_HOST = 'upload-host.corp.example';
const G = (n: number) => `{8a6e0a1b-0000-0000-0000-0000000000a${n}}`;
const IMAGES = ['', 'cmd.exe', 'powershell.exe', 'excel.exe', 'excel.exe'];
/** ParentImage is the parent's own Image, as Sysmon writes it (the rule planner counts image/parent-image pairs). */
function createEvent(n: number, image: string, parent: number | null, second: number): string {
  return JSON.stringify({
    EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: NEW_HOST, EventRecordID: 100 + n,
    UtcTime: `2026-03-02 09:00:0${second}.000`, ProcessGuid: G(n), ProcessId: 4000 + n, Image: `C:\\Windows\\System32\\${image}`,
    CommandLine: image, User: 'CORP\\eve', ParentProcessGuid: parent === null ? G(9) : G(parent), ParentProcessId: parent === null ? 1 : 4000 + parent,
    ParentImage: parent === null ? 'C:\\Windows\\explorer.exe' : `C:\\Windows\\System32\\${IMAGES[parent]}`,
  });
}
const UPLOAD = [createEvent(1, 'cmd.exe', null, 1), createEvent(2, 'powershell.exe', 1, 2), createEvent(3, 'excel.exe', 2, 3), createEvent(4, 'excel.exe', 3, 4)].join('\n') + '\n';

describe('embedded notables: stored + rule hits, one run reused across ranges, incremental after uploads', () => {
  const m = plantedManifest({ hosts: 3 });
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  let app: Express;
  let runs = 0;
  const rule = parseRulesOrThrow(ONE_LINER)[0]!;
  const notables = new RuleNotables(() => { runs++; return [rule]; });

  beforeAll(async () => {
    store = await EmbeddedStore.open(':memory:');
    await writeDemo(store, { hosts: 3 });
    source = new EmbeddedSource(store);
    app = createApp({
      mode: 'embedded', version: 'test', sourceFor: () => source, ruleNotables: notables,
      store: notables.trackWrites({ writeEvents: (b) => store.writeEvents(b) }),
    });
  });
  afterAll(async () => { await source?.close(); });

  async function list(query: Record<string, string> = {}): Promise<Notable[]> {
    const res = await request(app).get('/api/notables').query(query);
    expect(res.status).toBe(200);
    return (res.body.items as unknown[]).map((n) => NotableSchema.parse(n));
  }

  it('lists the stored notables and one rule notable per hit, with the chain oldest first', async () => {
    const stored = await source.notables({ ctx: { stats: { searches: 0, rows: 0 } }, limit: 200 });
    const items = await list();
    expect(items.filter((n) => n.source !== 'rule').map((n) => n.id).sort()).toEqual(stored.map((n) => n.id).sort());
    const ruleItems = items.filter((n) => n.source === 'rule');
    expect(ruleItems.map((n) => n.chain)).toEqual(expect.arrayContaining([
      [m.cmdPowershellWinword.cmd, m.cmdPowershellWinword.powershell, m.cmdPowershellWinword.winword],
      [m.conhostChain.cmd, m.conhostChain.conhost, m.conhostChain.powershell, m.conhostChain.excel],
    ]));
    expect(ruleItems).toHaveLength(2);
    const w = ruleItems.find((n) => n.guid === m.cmdPowershellWinword.winword)!;
    const [leaf] = await source.getProcesses([m.cmdPowershellWinword.winword], { ctx: { stats: { searches: 0, rows: 0 } } });
    expect(w).toMatchObject({ title: `Rule: ${rule.title}`, host: m.cmdPowershellWinword.host, severity: rule.severity, time: leaf!.startTime });
    expect(w.image?.toLowerCase()).toMatch(/winword\.exe$/);
    // Most severe first, as the store orders its own.
    const order = items.map((n) => ({ critical: 0, high: 1, medium: 2, low: 3 } as Record<string, number>)[n.severity] ?? 4);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(runs).toBe(1);
  });

  it('filters by host and range without losing stored notables, and does not re-run for a repeat', async () => {
    const before = runs;
    const onHost = await list({ host: m.conhostChain.host });
    expect(onHost.every((n) => n.host === m.conhostChain.host)).toBe(true);
    expect(onHost.some((n) => n.guid === m.conhostChain.excel && n.source === 'rule')).toBe(true);
    await list();
    expect(runs).toBe(before); // same generation, same range: cached
    const t = Date.parse(m.cmdPowershellWinword.time);
    const narrow = await list({ from: new Date(t - 60_000).toISOString(), to: new Date(t + 60_000).toISOString() });
    expect(narrow.filter((n) => n.source === 'rule').map((n) => n.guid)).toEqual([m.cmdPowershellWinword.winword]);
    expect(runs).toBe(before); // a new range filters the hits already found: no new run
  });

  it('an upload bumps the store generation: the new chain appears as a rule notable', async () => {
    expect((await list()).some((n) => n.host === NEW_HOST)).toBe(false);
    const runsBefore = runs;
    const gen = notables.storeGeneration;
    const res = await request(app).post('/api/upload').query({ name: 'chain.ndjson' })
      .set('content-type', 'application/octet-stream').set('x-lineage-request', '1').send(Buffer.from(UPLOAD));
    expect(res.status).toBe(200);
    expect(res.text).toContain('"events":4,"duplicates":0');
    expect(notables.storeGeneration).toBe(gen + 1);
    const after = await list();
    // The hit through the second excel continues the first one's chain: one notable, opening the first
    // excel (whose graph shows the second below it), not two alerts for one attack.
    const onHost = after.filter((n) => n.host === NEW_HOST);
    expect(onHost).toHaveLength(1);
    expect(onHost[0]).toMatchObject({ source: 'rule', guid: G(3), chain: [G(1), G(2), G(3)] });
    // Incremental: one run, of the uploaded host only; everything else is what a whole new run finds.
    expect(runs).toBe(runsBefore + 1);
    const fresh = new RuleNotables(() => [rule]);
    const whole = await fresh.list(source, { ctx: newContext(), range: null, limit: 200 });
    expect(after.map((n) => n.id)).toEqual(whole.map((n) => n.id));
    const hits = await request(app).post('/api/rules/run').send({ rules: ONE_LINER });
    expect(hits.status).toBe(200);
    expect((hits.body.hits as { host: string; chain: string[] }[]).filter((h) => h.host === NEW_HOST).map((h) => h.chain))
      .toEqual([[G(1), G(2), G(3)], [G(1), G(2), G(3), G(4)]]); // the rules API still lists every hit
  });
});
