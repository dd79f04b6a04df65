/**
 * EmbeddedSource over a real demo store (10 hosts, so every planted scenario has its own host).
 *
 *   explorer ── OUTLOOK ── WINWORD ── cmd ── powershell ── rundll32   (phishing, C2 + Run key)
 *   TaniumClient ──┬── 500 probes (reg/wmic/cmd/netstat/sc)          (children paging)
 *   [contoso-agent: never logged] ── collector ── cmd                 (not-logged parent)
 *   powershell_ise ──(65 min)── whoami                                 (outside the default window)
 *   dllhost {G} on ws-0001 / sihost {G} on ws-0002                     (same GUID, two hosts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemo } from '../../demo/generate.js';
import { plantedManifest } from '../../demo/planted.js';
import { newContext, type EventRecord, type ProcessRecord } from '../event-source.js';
import { SourceCursorError } from './cursor.js';
import { EmbeddedSource } from './source.js';
import { EmbeddedStore } from './store.js';

const OPTS = { hosts: 10, seed: 4242, processesPerHostDay: 80 };
const m = plantedManifest(OPTS);
let dir: string;
let store: EmbeddedStore;
let src: EmbeddedSource;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-src-'));
  store = await EmbeddedStore.open(join(dir, 'demo.duckdb'));
  await writeDemo(store, OPTS);
  src = new EmbeddedSource(store);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const byGuid = (ps: ProcessRecord[]) => new Map(ps.map((p) => [p.guid, p]));

describe('EmbeddedSource.getTree', () => {
  it('when asked from the phishing leaf with up, then one query returns the whole chain with parent links', async () => {
    const ctx = newContext();
    const tree = await src.getTree(m.phishing.rundll32, { ctx, up: true, down: 5, nodeBudget: 100 });
    expect(ctx.stats.searches).toBe(1);
    const p = byGuid(tree.processes);
    const chain = [m.phishing.explorer, m.phishing.outlook, m.phishing.winword, m.phishing.cmd, m.phishing.powershell, m.phishing.rundll32];
    for (let i = 1; i < chain.length; i++) expect(p.get(chain[i]!)?.parentGuid).toBe(chain[i - 1]);
    expect(chain.map((g) => p.get(g)?.name)).toEqual(['explorer.exe', 'outlook.exe', 'winword.exe', 'cmd.exe', 'powershell.exe', 'rundll32.exe']);
    expect(tree.complete).toBe(true);
  });

  it('when asked from OUTLOOK down, then descendants come in one query and include the rundll32 leaf', async () => {
    const ctx = newContext();
    const tree = await src.getTree(m.phishing.outlook, { ctx, up: false, down: Infinity, nodeBudget: 1000 });
    expect(ctx.stats.searches).toBe(1);
    expect(tree.processes.map((x) => x.guid).sort()).toEqual(
      [m.phishing.outlook, m.phishing.winword, m.phishing.cmd, m.phishing.powershell, m.phishing.rundll32].sort());
  });

  it('when the node budget is smaller than the descendants, then it is honoured and complete is false', async () => {
    const tree = await src.getTree(m.bigParent.guid, { ctx: newContext(), up: false, down: 1, nodeBudget: 50 });
    expect(tree.processes).toHaveLength(51);
    expect(tree.complete).toBe(false);
    const exact = await src.getTree(m.bigParent.guid, { ctx: newContext(), up: false, down: 1, nodeBudget: 500 });
    expect(exact.processes).toHaveLength(501);
    expect(exact.complete).toBe(true);
  });

  it('cmd → powershell → winword and cmd → conhost → powershell → excel come back as chains', async () => {
    const a = byGuid((await src.getTree(m.cmdPowershellWinword.winword, { ctx: newContext(), up: true, down: 0, nodeBudget: 10 })).processes);
    expect(a.get(m.cmdPowershellWinword.winword)?.parentGuid).toBe(m.cmdPowershellWinword.powershell);
    expect(a.get(m.cmdPowershellWinword.powershell)?.parentGuid).toBe(m.cmdPowershellWinword.cmd);
    const b = await src.getAncestors(m.conhostChain.excel, { ctx: newContext(), maxDepth: 3 });
    expect(b.map((x) => x.name)).toEqual(['powershell.exe', 'conhost.exe', 'cmd.exe']);
  });

  it('when the parent was created outside the range, then the walk stops below it; without range it is found', async () => {
    const child = (await src.getProcesses([m.outsideWindow.child], { ctx: newContext() }))[0]!;
    const start = Date.parse(child.startTime);
    const range = { from: new Date(start - 3_600_000).toISOString(), to: new Date(start + 86_400_000).toISOString() };
    const inRange = await src.getTree(m.outsideWindow.child, { ctx: newContext(), range, up: true, down: 0, nodeBudget: 10 });
    expect(inRange.processes.map((x) => x.guid)).toEqual([m.outsideWindow.child]);
    const all = await src.getTree(m.outsideWindow.child, { ctx: newContext(), up: true, down: 0, nodeBudget: 10 });
    expect(all.processes.map((x) => x.guid)).toContain(m.outsideWindow.parent);
  });
});

describe('EmbeddedSource lookups', () => {
  it('a parent that was never logged has no process row, its child names it', async () => {
    const ctx = newContext();
    const [child] = await src.getProcesses([m.notLogged.child], { ctx });
    expect(child?.parentGuid).toBe(m.notLogged.parentGuid);
    expect(child?.parentImage).toMatch(/contoso-agent\.exe$/);
    expect(await src.getProcesses([m.notLogged.parentGuid], { ctx })).toEqual([]);
  });

  it('a GUID on two hosts is returned twice, and host disambiguates it', async () => {
    const sg = m.sharedGuid!;
    const both = await src.getProcesses([sg.guid], { ctx: newContext() });
    expect(both.map((x) => x.host).sort()).toEqual([...sg.hosts].sort());
    const one = await src.getProcesses([sg.guid], { ctx: newContext(), host: sg.hosts[1].toUpperCase() });
    expect(one.map((x) => [x.host, x.name])).toEqual([[sg.hosts[1], 'sihost.exe']]);
    const tree = await src.getTree(sg.guid, { ctx: newContext(), host: sg.hosts[0], up: true, down: 1, nodeBudget: 10 });
    expect(tree.processes.every((x) => x.host === sg.hosts[0])).toBe(true);
  });

  it('cross events: the dropper opens lsass (EventID 10), the injector starts a thread in explorer (EventID 8)', async () => {
    const lsass = await src.getCrossEvents([m.lsassAccess.dropper], { ctx: newContext() });
    expect(lsass.map((e) => [e.eventId, e.targetGuid])).toEqual([[10, m.lsassAccess.lsass], [10, m.lsassAccess.lsass]]);
    const rt = await src.getCrossEvents([m.remoteThread.source], { ctx: newContext() });
    expect(rt.filter((e) => e.eventId === 8).map((e) => e.targetGuid)).toEqual([m.remoteThread.target]);
    const [target] = await src.getProcesses([m.remoteThread.target], { ctx: newContext() });
    expect(target?.name).toBe('explorer.exe');
  });

  it('findSeeds by host + image text, and by GUID', async () => {
    const seeds = await src.findSeeds({ host: m.phishing.host, image: 'RUNDLL32' }, { ctx: newContext(), limit: 10 });
    expect(seeds.map((x) => x.guid)).toContain(m.phishing.rundll32);
    const byText = await src.findSeeds({ text: 'msupd.dll,DllRegisterServer' }, { ctx: newContext(), limit: 10 });
    expect(byText.map((x) => x.guid)).toEqual([m.phishing.rundll32]);
    const [g] = await src.findSeeds({ guid: m.phishing.cmd.toUpperCase().replace(/[{}]/g, '') }, { ctx: newContext(), limit: 1 });
    expect(g?.guid).toBe(m.phishing.cmd);
  });

  it('notables list the phishing one first, pointing at a stored process', async () => {
    const ns = await src.notables({ ctx: newContext(), limit: 10 });
    expect(ns).toHaveLength(5);
    expect(ns[0]).toMatchObject({ severity: 'critical', guid: m.phishing.cmd, host: m.phishing.host, source: 'demo' });
    for (const n of ns) expect(await src.getProcesses([n.guid!], { ctx: newContext(), host: n.host })).toHaveLength(1);
  });
});

describe('EmbeddedSource paging', () => {
  it('when paging the 500 children, then each child comes exactly once in (startTime, guid) order', async () => {
    const ctx = newContext();
    const seen: ProcessRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let total: number | undefined;
    do {
      const page = await src.getChildren([m.bigParent.guid], { ctx, limit: 37, cursor });
      if (pages === 0) total = page.total;
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(total).toBe(500);
    expect(pages).toBe(Math.ceil(500 / 37));
    expect(ctx.stats.searches).toBe(pages);
    expect(new Set(seen.map((x) => x.guid)).size).toBe(500);
    const keys = seen.map((x) => `${x.startTime}|${x.guid}`);
    expect([...keys].sort()).toEqual(keys);
    expect(seen.every((x) => x.parentGuid === m.bigParent.guid)).toBe(true);
  });

  it('when paging events, then pages never repeat or skip, also across equal timestamps', async () => {
    // The phishing rundll32: registry write + 6 DNS + 6 network + terminate? (no terminate) = 13 events.
    const all = (await src.getEvents([m.phishing.rundll32], { ctx: newContext(), limit: 1000 })).items;
    expect(all.filter((e) => e.eventId === 22)).toHaveLength(6);
    expect(all.filter((e) => e.eventId === 3).every((e) => e.fields.DestinationIp === m.phishing.c2Ip)).toBe(true);
    expect(all.filter((e) => e.category === 'registry').map((e) => e.fields.TargetObject)).toEqual([expect.stringMatching(/\\CurrentVersion\\Run\\OfficeUpdate$/)]);
    const paged: EventRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await src.getEvents([m.phishing.rundll32], { ctx: newContext(), limit: 4, cursor });
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  it('when a cursor was not handed out by us, then a clear error names it', async () => {
    await expect(src.getChildren([m.bigParent.guid], { ctx: newContext(), limit: 5, cursor: 'garbage' })).rejects.toThrow(SourceCursorError);
  });

  it('scanProcesses streams every process in (startTime, guid) order in one statement; names filter pushes down', async () => {
    const ctx = newContext();
    const keys: string[] = [];
    let batches = 0;
    for await (const b of src.scanProcesses({ ctx, batchSize: 700 })) {
      batches += 1;
      expect(b.length).toBeLessThanOrEqual(700);
      keys.push(...b.map((x) => `${x.startTime}|${x.guid}|${x.host}`));
    }
    expect(ctx.stats.searches).toBe(1);
    expect(keys.length).toBe((await store.counts()).processes);
    expect(batches).toBe(Math.ceil(keys.length / 700));
    expect([...keys].sort()).toEqual(keys);
    const winword: ProcessRecord[] = [];
    for await (const b of src.scanProcesses({ ctx: newContext(), names: ['WINWORD.EXE'] })) winword.push(...b);
    expect(winword.length).toBeGreaterThan(0);
    expect(winword.every((x) => x.name === 'winword.exe')).toBe(true);
  });

  it('when the request is aborted, then the query rejects with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(src.getTree(m.bigParent.guid, { ctx: newContext(ac.signal), up: true, down: 5, nodeBudget: 100 })).rejects.toThrow(/abort/i);
  });
});

describe('EmbeddedSource.notables', () => {
  it('a stored notable with a chain comes back with the same chain, oldest first, and its fields intact', async () => {
    const s = await EmbeddedStore.open(':memory:');
    const source = new EmbeddedSource(s);
    try {
      const chain = ['{aaaaaaaa-0000-0000-0000-000000000001}', '{aaaaaaaa-0000-0000-0000-000000000002}'];
      await s.writeNotables([
        { id: 'n-chain', title: 'Chain "quoted" \\ title', host: 'WS-9', time: '2026-03-02T10:00:00.000Z', severity: 'high',
          guid: chain[1]!, image: 'C:\\x.exe', source: 'demo', chain },
        { id: 'n-plain', title: 'No chain', host: 'ws-9', time: '2026-03-02T09:00:00.000Z', severity: 'low', guid: null, image: null, source: 'demo' },
      ]);
      const items = await source.notables({ ctx: newContext(), limit: 10 });
      expect(items).toEqual([
        { id: 'n-chain', title: 'Chain "quoted" \\ title', host: 'ws-9', time: '2026-03-02T10:00:00.000Z', severity: 'high',
          guid: chain[1], image: 'C:\\x.exe', source: 'demo', chain },
        { id: 'n-plain', title: 'No chain', host: 'ws-9', time: '2026-03-02T09:00:00.000Z', severity: 'low', guid: null, image: null, source: 'demo' },
      ]);
    } finally {
      await source.close();
    }
  });
});
