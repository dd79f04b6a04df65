/**
 * `expand=suspicion` on a real capture (../shared/datasets): sbousseaden's Atomic Red Team run read
 * from the .evtx, where one powershell.exe spawns 136 children. What must be opened, and why, is
 * found in the store with plain SQL (process-creates and network events), not by the code under test:
 * the regsvr32.exe that fetches a scriptlet over HTTP (a LOLBin with network events) is opened with
 * those two reasons, after its whole path from the origin; every child of the wide powershell is
 * accounted for (drawn, in a group, or counted as hidden).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { dataset, requireDatasets } from '../datasets.js';
import { claimsHold } from './expansion-claims.js';
import { rawCreates, type RawCreate } from './prevalence-oracle.js';

const FILE = 'sbousseaden-EVTX-ATTACK-SAMPLES/evtx/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx';
/** The capture's cmd.exe under a never-logged explorer (server/test/api/real-data.test.ts, checked by hand). */
const ORIGIN = '{747f3d96-d6ed-5d31-0000-0010c88a2500}';

const run = requireDatasets('expansion by suspicion on a real capture');

describe.runIf(run)('expand=suspicion on a real capture', () => {
  let dir: string;
  let store: EmbeddedStore;
  let app: ReturnType<typeof createApp>;
  let creates: RawCreate[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lineage-expand-real-'));
    store = await EmbeddedStore.open(join(dir, 'real.duckdb'));
    await ingestPaths([dataset(FILE)], { write: (b) => store.writeEvents(b) });
    const source = new EmbeddedSource(store);
    app = createApp({ mode: 'embedded', version: 'test', sourceFor: () => source });
    creates = await rawCreates(store);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function networkEvents(guid: string): Promise<number> {
    const conn = await store.acquire();
    try {
      const rows = (await conn.runAndReadAll(`SELECT count(*) FROM events WHERE event_id IN (3, 22) AND lower(json_extract_string(fields, '$.ProcessGuid')) = $1`, [guid])).getRowsJS();
      return Number(rows[0]![0]);
    } finally {
      store.release(conn);
    }
  }

  const base = (p: string) => (p.split('\\').pop() ?? '').toLowerCase();
  /** Path from the origin down to `guid` in the raw creates (origin first). */
  function pathTo(guid: string): string[] {
    const byGuid = new Map(creates.map((c) => [c.guid, c]));
    const out = [guid];
    for (let c = byGuid.get(guid); c && c.guid !== ORIGIN; c = byGuid.get(c.parentGuid)) out.unshift(c.parentGuid);
    return out;
  }

  it('when expanded with a 25-node budget, then the regsvr32.exe fetching over HTTP is opened with its reasons, after its path', async () => {
    const res = await request(app).get('/api/graph').query({ guid: ORIGIN, expand: 'suspicion', budget: '25' });
    expect(res.status).toBe(200);
    const doc = res.body as GraphDocument;
    const x = doc.expansion!;
    expect(x.opened.length).toBeLessThanOrEqual(25);
    expect(x.truncated).toBe(true);
    claimsHold(doc);
    // From the data: the regsvr32 with an http /i: argument, and its network events.
    const regsvr = creates.filter((c) => base(c.image) === 'regsvr32.exe' && /\/i:https?:/i.test(c.commandLine));
    expect(regsvr).toHaveLength(1);
    const r = regsvr[0]!;
    const net = await networkEvents(r.guid);
    expect(net).toBeGreaterThan(0);
    const opened = new Map(x.opened.map((o) => [o.id, o]));
    const o = opened.get(r.guid)!;
    expect(o.reasons.map((y) => y.kind)).toEqual(expect.arrayContaining(['lolbin', 'network']));
    expect(o.reasons.find((y) => y.kind === 'lolbin')!.text).toMatch(/^LOLBin regsvr32\.exe \(T1218\.010\)$/);
    // Its path from the origin is opened, each step before the next.
    const path = pathTo(r.guid);
    expect(path[0]).toBe(ORIGIN);
    const orders = path.map((g) => opened.get(g)?.order);
    expect(orders.every((v) => v !== undefined)).toBe(true);
    expect([...orders].sort((a, b) => a! - b!)).toEqual(orders);
  });

  it('when the wide powershell is opened, then each of its children is drawn, grouped or counted hidden', async () => {
    const res = await request(app).get('/api/graph').query({ guid: ORIGIN, expand: 'suspicion', budget: '25' });
    const doc = res.body as GraphDocument;
    const counts = new Map<string, number>();
    for (const c of creates) counts.set(c.parentGuid, (counts.get(c.parentGuid) ?? 0) + 1);
    const wide = [...counts].filter(([g]) => creates.some((c) => c.guid === g && base(c.image) === 'powershell.exe')).sort((a, b) => b[1] - a[1])[0]!;
    expect(wide[1]).toBe(136);
    const kids = doc.edges.filter((e) => e.kind === 'spawn' && e.source === wide[0]).map((e) => doc.nodes.find((n) => n.guid === e.target)!);
    const drawn = kids.filter((n) => n.kind === 'process').length + kids.filter((n) => n.kind === 'group').reduce((s, n) => s + n.group!.count, 0);
    const t = doc.truncated[`children:${wide[0]}`]!;
    expect(t.limit).toBe(drawn);
    expect(drawn + t.remaining!).toBe(136);
  });
});
