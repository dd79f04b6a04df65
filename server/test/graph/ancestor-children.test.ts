/**
 * Ancestors' other children (issue 15, item 6): every drawn ancestor whose children are not all drawn
 * carries `truncated["children:<guid>"]` with the exact remaining count, and its cursor pages in exactly
 * its children (as a descendant's: from the first, the drawn on-path child included, `limit` of them) —
 * never a "more" that yields nothing. Oracles: SQL run
 * directly against the demo store, and a JS pass over the raw events this file writes for the Splunk
 * test server; the count is one search for all ancestors (what splunkd received).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, type DemoStore } from '../demo-store.js';
import type { GraphDocument } from '@lineage/shared';
import { plantedManifest } from '../../src/demo/planted.js';
import { investigate } from '../../src/graph/investigate.js';
import { listChildren } from '../../src/graph/paging.js';
import { EmbeddedSource, EmbeddedStore } from '../../src/sources/embedded/index.js';
import { newContext, type EventSource } from '../../src/sources/event-source.js';
import type { WinEvent } from '../../../tools/splunkd-sim/winevent.js';
import { startSplunkd, type SplunkdHandle } from '../../../tools/splunkd-sim/index.js';
import { loginSource } from '../splunk/fixture.js';

/** Every child GUID behind a children cursor, paged `limit` at a time; fails on an empty page after a cursor. */
async function pageAll(source: EventSource, parent: string, cursor: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let cur: string | null = cursor;
  let first = true;
  while (cur) {
    const page = await listChildren(source, parent, { ctx: newContext(), host: null, range: null, limit, cursor: cur });
    if (!first) expect(page.items.length, `a next cursor of ${parent} that yields nothing`).toBeGreaterThan(0);
    first = false;
    out.push(...page.items.map((i) => i.guid));
    cur = page.nextCursor;
  }
  return out;
}

/** Drawn processes above the origin (the test's own reading of the document). */
const ancestorsOf = (doc: GraphDocument) => doc.nodes.filter((n) => n.depth < 0 && n.kind === 'process' && !n.placeholder);

describe('demo store: the critical phishing chain opened at cmd', () => {
  const m = plantedManifest({ hosts: 10 });
  let demo: DemoStore | undefined;
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  beforeAll(async () => {
    demo = await openDemoStore('lineage-anc-children-', { hosts: 10, processesPerHostDay: 100 });
    store = demo.store;
    source = new EmbeddedSource(store);
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
  });

  /** Children of `parent` in the store started no later than `to` (the window's end), by plain SQL. */
  async function storeChildren(parent: string, to: string): Promise<string[]> {
    const conn = await store.acquire();
    try {
      const rows = (await conn.runAndReadAll('SELECT DISTINCT guid FROM processes WHERE parent_guid = $1 AND start_time <= CAST($2 AS TIMESTAMP)', [parent, to.replace('Z', '')])).getRowsJS();
      return rows.map((r) => String(r[0])).sort();
    } finally {
      store.release(conn);
    }
  }

  it('every ancestor with children not drawn has an exact record; its cursor pages in exactly the others', async () => {
    const ctx = newContext();
    const doc = await investigate(source, { guid: m.phishing.cmd, up: true, down: Infinity }, ctx);
    const ancestors = ancestorsOf(doc);
    expect(ancestors.map((a) => a.guid)).toEqual(expect.arrayContaining([m.phishing.explorer, m.phishing.outlook, m.phishing.winword]));
    let withMore = 0;
    for (const a of ancestors) {
      const drawn = doc.edges.filter((e) => e.kind === 'spawn' && e.source === a.guid).map((e) => e.target);
      const others = (await storeChildren(a.guid, doc.range.to)).filter((g) => !drawn.includes(g));
      const rec = doc.truncated[`children:${a.guid}`];
      if (others.length === 0) { expect(rec, `${a.name}: no "more" without other children`).toBeUndefined(); continue; }
      withMore++;
      expect(rec, `${a.name}: ${others.length} other children`).toBeDefined();
      expect([a.name, rec!.remaining, rec!.limit]).toEqual([a.name, others.length, drawn.length]);
      const listed = await pageAll(source, a.guid, rec!.cursor, 5);
      expect(new Set(listed).size, `${a.name}: no child listed twice`).toBe(listed.length);
      expect([...listed].sort(), `${a.name}: the drawn child and the others`).toEqual([...others, ...drawn].sort());
    }
    // Explorer started many things besides outlook that day (the defect: it offered none).
    expect(doc.truncated[`children:${m.phishing.explorer}`]?.remaining).toBeGreaterThan(5);
    expect(withMore).toBeGreaterThan(1);
    // stats.searches is every statement of the request, the ancestors' count and the walk included.
    expect(doc.stats.searches).toBe(ctx.stats.searches);
  });

  it('a leaf ancestor (its only child is drawn) has no record; descendants\' records are untouched', async () => {
    const doc = await investigate(source, { guid: m.phishing.cmd, up: true, down: Infinity }, newContext());
    const onlyChild = [];
    for (const a of ancestorsOf(doc)) {
      if ((await storeChildren(a.guid, doc.range.to)).length === 1) onlyChild.push(a.guid);
    }
    expect(onlyChild.length).toBeGreaterThan(0); // winword's only child is cmd
    for (const g of onlyChild) expect(doc.truncated[`children:${g}`]).toBeUndefined();
    const down = await investigate(source, { guid: m.phishing.cmd, up: false, down: Infinity }, newContext());
    expect(Object.keys(down.truncated).filter((k) => k.startsWith('children:'))).toEqual(
      Object.keys(doc.truncated).filter((k) => k.startsWith('children:') && !ancestorsOf(doc).some((a) => k === `children:${a.guid}`)));
  });
});

describe('Splunk test server: a generated tree, one counting search', () => {
  const FQDN = 'sib-host.corp.local';
  const T0 = Date.parse('2026-04-02T10:00:00.000Z');
  const H = 3_600_000;
  const guid = (n: number) => `{b2c3d4e5-0000-4000-8000-${n.toString(16).padStart(12, '0')}}`;
  const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  // root(1) ← shell(2) ← office(3) ← origin(4); siblings: shell has 8 more children (six before the
  // window, one after its end), office 2 more, root none.
  const creates: { g: string; parent: string; t: number }[] = [
    { g: guid(1), parent: '{00000000-0000-0000-0000-000000000000}', t: T0 - 10 * H },
    { g: guid(2), parent: guid(1), t: T0 - 9 * H },
    { g: guid(3), parent: guid(2), t: T0 - 2 * H },
    { g: guid(4), parent: guid(3), t: T0 },
    ...[1, 2, 3, 4, 5, 6].map((i) => ({ g: guid(20 + i), parent: guid(2), t: T0 - 8 * H + i * 60_000 })),
    { g: guid(27), parent: guid(2), t: T0 + 2 * H },
    { g: guid(28), parent: guid(2), t: T0 + 30 * H },
    { g: guid(31), parent: guid(3), t: T0 - H },
    { g: guid(32), parent: guid(3), t: T0 + H },
  ];
  const events: WinEvent[] = creates.map((c, i) => ({
    system: { eventId: 1, computer: FQDN, recordId: i + 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: new Date(c.t).toISOString() },
    data: {
      UtcTime: utc(c.t), ProcessGuid: c.g, ProcessId: String(100 + i), Image: `C:\\Tools\\p${i}.exe`, CommandLine: `p${i}.exe --n ${i}`,
      CurrentDirectory: 'C:\\', User: 'CORP\\alice', LogonGuid: '{b2c3d4e5-0000-4000-8000-00000000beef}', IntegrityLevel: 'Medium',
      Hashes: 'SHA256=00', ParentProcessGuid: c.parent, ParentProcessId: '1', ParentImage: 'C:\\Tools\\parent.exe', ParentCommandLine: 'parent.exe',
    },
  }));
  let h: SplunkdHandle;
  beforeAll(async () => { h = await startSplunkd({ data: { sysmonEvents: events } }); });
  afterAll(async () => { await h?.stop(); });

  it('records the other children per ancestor (counted from the raw events), pages them in, one search more', async () => {
    const src = await loginSource(h);
    const range = { from: new Date(T0 - 30 * 60_000).toISOString(), to: new Date(T0 + 24 * H).toISOString() };
    const req = { guid: guid(4), host: FQDN, range, down: Infinity };
    const before = h.received.length;
    const ctx = newContext();
    const doc = await investigate(src, { ...req, up: true }, ctx);
    const withUp = h.received.length - before;
    const upSpl = h.received.slice(before).map((r) => r.spl);
    expect(doc.stats.searches).toBe(withUp);
    // Oracle: the raw creates, children per parent started between the root's start and the window's end.
    const to = Date.parse(range.to);
    const from = Math.min(...creates.filter((c) => [guid(1), guid(2), guid(3)].includes(c.g)).map((c) => c.t));
    for (const a of [guid(1), guid(2), guid(3)]) {
      const onPath = a === guid(1) ? guid(2) : a === guid(2) ? guid(3) : guid(4);
      const others = creates.filter((c) => c.parent === a && c.g !== onPath && c.t >= from && c.t <= to).map((c) => c.g).sort();
      const rec = doc.truncated[`children:${a}`];
      if (others.length === 0) { expect(rec, a).toBeUndefined(); continue; }
      expect([a, rec?.remaining, rec?.limit]).toEqual([a, others.length, 1]);
      expect((await pageAll(src, a, rec!.cursor, 2)).sort(), a).toEqual([...others, onPath].sort());
    }
    expect(doc.truncated[`children:${guid(2)}`]?.remaining).toBe(7); // 8 others, one past the window's end
    // The count is one search for all three ancestors (no search per ancestor).
    const countSearches = upSpl.filter((s) => /stats dc\(lineage_child\) as count by lineage_parent/.test(s));
    expect(countSearches.length, upSpl.join('\n')).toBe(1);
  });

  it('a window holding every ancestor: the same records, counted from the tree search\'s rows, no counting search', async () => {
    const src = await loginSource(h);
    const range = { from: new Date(T0 - 11 * H).toISOString(), to: new Date(T0 + 24 * H).toISOString() };
    const before = h.received.length;
    const doc = await investigate(src, { guid: guid(4), host: FQDN, range, up: true, down: Infinity }, newContext());
    const spl = h.received.slice(before).map((r) => r.spl);
    expect(spl.filter((s) => /stats dc\(lineage_child\) as count by lineage_parent/.test(s)), spl.join('\n')).toEqual([]);
    expect(doc.stats.searches).toBe(spl.length);
    const to = Date.parse(range.to);
    for (const [a, onPath] of [[guid(1), guid(2)], [guid(2), guid(3)], [guid(3), guid(4)]] as const) {
      const others = creates.filter((c) => c.parent === a && c.g !== onPath && c.t <= to).length;
      expect([a, doc.truncated[`children:${a}`]?.remaining ?? 0]).toEqual([a, others]);
    }
  });
});
