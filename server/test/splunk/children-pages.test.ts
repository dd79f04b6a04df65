/**
 * Children pages on the Splunk source (test server, real captures): each page's `childCount` comes from one
 * count search, not a listing of the grandchildren; and no "more" the graph document offers (a
 * `children:<guid>` truncation record) or a children page hands out (a next cursor) comes back with nothing
 * new. Oracle: the captures' process creates as the embedded source scans them, counted in the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { investigate } from '../../src/graph/investigate.js';
import { listChildren } from '../../src/graph/paging.js';
import { newContext, type ProcessRecord } from '../../src/sources/event-source.js';
import { dataset, requireDatasets } from '../datasets.js';
import { openPair, type Pair } from './fixture.js';

const FILES = [
  'splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log',
  'splunk-attack_data/xmlwineventlog/malware_gootloader_partial_ttps__i_am_goot.log',
  'sbousseaden-EVTX-ATTACK-SAMPLES/xml/Execution/exec_sysmon_1_11_lolbin_rundll32_openurl_FileProtocolHandler.xml.log',
];
const run = requireDatasets('Splunk children pages');

describe.runIf(run)('Splunk children pages: counts in one search, no empty "more"', () => {
  let pair: Pair;
  let creates: ProcessRecord[];
  /** Children per (host, parent GUID), counted here from the scanned creates. */
  const kids = new Map<string, Set<string>>();
  const key = (host: string, g: string) => `${host}|${g}`;

  beforeAll(async () => {
    pair = await openPair(FILES.map(dataset));
    creates = [];
    for await (const b of pair.embedded.scanProcesses({ ctx: newContext() })) creates.push(...b);
    for (const r of creates) if (r.parentGuid) {
      const k = key(r.host, r.parentGuid);
      if (!kids.has(k)) kids.set(k, new Set());
      kids.get(k)!.add(r.guid);
    }
  }, 120_000);
  afterAll(async () => { await pair?.close(); });

  it('every page\'s childCount is its item\'s number of children, for one extra search per page', async () => {
    const parents = [...kids.keys()].map((k) => k.split('|') as [string, string]);
    expect(parents.length).toBeGreaterThan(5);
    let pages = 0;
    for (const [host, parent] of parents) {
      let cursor: string | null = null;
      const seen: string[] = [];
      do {
        const ctx = newContext();
        const page = await listChildren(pair.splunk, parent, { ctx, host, range: null, limit: 2, cursor });
        // The listing alone, the same page's event counts, and one count search: nothing per grandchild.
        const alone = newContext();
        const again = await pair.splunk.getChildren([parent], { ctx: alone, host, limit: 3, cursor: null });
        await pair.splunk.countEvents(again.items.slice(0, 2).map((r) => r.guid), { ctx: alone, host });
        expect(ctx.stats.searches, `page of ${parent}`).toBeLessThanOrEqual(alone.stats.searches * (cursor ? 2 : 1) + 1);
        if (cursor) expect(page.items.length, `a next cursor of ${parent} that yields nothing`).toBeGreaterThan(0);
        for (const it2 of page.items) {
          expect([it2.guid, it2.childCount]).toEqual([it2.guid, kids.get(key(host, it2.guid))?.size ?? 0]);
          seen.push(it2.guid);
        }
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen.sort()).toEqual([...kids.get(key(host, parent))!].sort());
    }
    expect(pages).toBeGreaterThan(parents.length);
  });

  it('no children truncation record of a graph document is a "more" that yields nothing', async () => {
    let checked = 0;
    for (const r of creates) {
      for (const req of [{ down: 0 }, { down: 1 }, { down: Infinity, nodeBudget: 2 }]) {
        const doc = await investigate(pair.splunk, { guid: r.guid, host: r.host, up: false, ...req }, newContext());
        // Drawn as a child = reached by a spawn edge (a cross edge's target is drawn, but not under its parent).
        const drawn = new Set(doc.edges.filter((e) => e.kind === 'spawn').map((e) => e.target));
        for (const [k, t] of Object.entries(doc.truncated)) {
          if (!k.startsWith('children:')) continue;
          const parent = k.slice('children:'.length);
          const all = kids.get(key(r.host, parent)) ?? new Set<string>();
          const hidden = [...all].filter((g) => !drawn.has(g));
          expect(hidden.length, `${k} offered under ${r.name} (down ${req.down}) with every child drawn`).toBeGreaterThan(0);
          if (t.remaining !== null) expect(t.remaining, k).toBe(hidden.length);
          const page = await listChildren(pair.splunk, parent, { ctx: newContext(), host: null, range: null, limit: 500, cursor: t.cursor });
          expect(page.items.some((i) => !drawn.has(i.guid)), `${k}: its cursor lists nothing new`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
