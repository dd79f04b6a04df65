/**
 * `GET /api/graph?expand=suspicion` over a real DuckDB store holding the demo fleet. Which processes
 * are planted comes from the manifest (server/src/demo/planted.ts) and the store (each scenario's
 * explorer.exe is the parent the store records); nothing is hard-coded. What the expansion claims
 * about a node (network, encoded PowerShell, credential access) is checked against the document's
 * own counts, command lines and edges.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, ProcessNode } from '@lineage/shared';
import { createApp } from '../../src/api/app.js';
import { plantedManifest } from '../../src/demo/planted.js';
import { EmbeddedStore } from '../../src/sources/embedded/index.js';
import { openDemoApp, type DemoApp } from './demo-app.js';
import { rawCreates } from './prevalence-oracle.js';
import { claimsHold } from './expansion-claims.js';

const HOSTS = 10;
const m = plantedManifest({ hosts: HOSTS });

let demo: DemoApp;
let store: EmbeddedStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  demo = await openDemoApp('lineage-expand-', { hosts: HOSTS, processesPerHostDay: 100 });
  ({ store, app } = demo);
}, 120_000);

afterAll(() => demo?.close());

async function get(path: string, q: Record<string, string>): Promise<GraphDocument & ProcessNode> {
  const res = await request(app).get(path).query(q);
  expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200);
  return res.body as GraphDocument & ProcessNode;
}
/** The parent the store records for a planted process (its explorer.exe). */
const parentOf = async (guid: string, host: string) => (await get(`/api/processes/${encodeURIComponent(guid)}`, { host })).parentGuid!;

const SCENARIOS = [
  { name: 'phishing (Outlook → Word → cmd → powershell → rundll32)', host: m.phishing.host, first: m.phishing.outlook,
    chain: [m.phishing.outlook, m.phishing.winword, m.phishing.cmd, m.phishing.powershell, m.phishing.rundll32] },
  { name: 'dropper opening lsass', host: m.lsassAccess.host, first: m.lsassAccess.powershell, chain: [m.lsassAccess.powershell, m.lsassAccess.dropper] },
  { name: 'remote thread into explorer', host: m.remoteThread.host, first: m.remoteThread.source, chain: [m.remoteThread.source] },
  { name: 'cmd → powershell → winword', host: m.cmdPowershellWinword.host, first: m.cmdPowershellWinword.cmd,
    chain: [m.cmdPowershellWinword.cmd, m.cmdPowershellWinword.powershell, m.cmdPowershellWinword.winword] },
];

describe('expand=suspicion on the demo fleet', () => {
  for (const s of SCENARIOS) {
    it(`when opened from the host's explorer.exe with a 40-node budget, then the planted branch is opened first: ${s.name}`, async () => {
      const explorer = await parentOf(s.first, s.host);
      const doc = await get('/api/graph', { guid: explorer, host: s.host, up: '1', expand: 'suspicion', budget: '40' });
      const x = doc.expansion!;
      expect(x).toMatchObject({ mode: 'suspicion', budget: 40, auto: false });
      expect(x.opened[0]!.id).toBe(explorer);
      // Opened right after the origin, in chain order.
      expect(x.opened.slice(1, 1 + s.chain.length).map((o) => o.id)).toEqual(s.chain);
      const up = doc.nodes.filter((n) => n.depth < 0).length;
      expect(doc.nodes.filter((n) => n.depth >= 0).length + up).toBeLessThanOrEqual(40 + up);
      expect(x.opened.length).toBeLessThanOrEqual(40);
      // A node's branch bounds its children's, so a best-first walk opens in non-increasing branch order.
      for (let i = 2; i < x.opened.length; i++) expect(x.opened[i]!.branch).toBeLessThanOrEqual(x.opened[i - 1]!.branch);
      for (const o of x.opened) expect(o.reasons.reduce((a, r) => a + r.weight, 0)).toBe(o.score);
      claimsHold(doc);
    });
  }

  it('when the planted phishing chain is opened, then its PowerShell says "encoded PowerShell" and its rundll32 its network', async () => {
    const explorer = await parentOf(m.phishing.outlook, m.phishing.host);
    const doc = await get('/api/graph', { guid: explorer, host: m.phishing.host, expand: 'suspicion', budget: '40' });
    const why = (g: string) => doc.expansion!.opened.find((o) => o.id === g)!.reasons.map((r) => r.text);
    expect(why(m.phishing.powershell)).toContain('encoded PowerShell');
    const rd = doc.nodes.find((n) => n.guid === m.phishing.rundll32)!;
    expect(why(m.phishing.rundll32)).toContain(`network: ${rd.eventCounts.network} connections, ${rd.eventCounts.dns} DNS queries`);
    // Outlook scores nothing itself: it is opened because it leads to the chain.
    const outlook = doc.expansion!.opened.find((o) => o.id === m.phishing.outlook)!;
    expect(outlook.score).toBe(0);
    expect([m.phishing.winword, m.phishing.cmd, m.phishing.powershell, m.phishing.rundll32]).toContain(outlook.leadsTo!.guid);
  });

  it('when prevalence is known, then the phishing cmd.exe is scored on its pair, with the figures a plain count of the store gives', async () => {
    const explorer = await parentOf(m.phishing.outlook, m.phishing.host);
    const doc = await get('/api/graph', { guid: explorer, host: m.phishing.host, expand: 'suspicion', budget: '40' });
    expect(doc.expansion!.rarity).toBe(true);
    // The default baseline: the 30 days before the window, inside whole hours.
    const HOUR = 3_600_000;
    const start = Date.parse(doc.range.from);
    const from = Math.ceil((start - 30 * 24 * HOUR) / HOUR) * HOUR;
    const to = Math.floor(start / HOUR) * HOUR;
    const base = (p: string) => (p.split('\\').pop() ?? '').toLowerCase();
    const seen = (await rawCreates(store)).filter((c) => base(c.parentImage) === 'winword.exe' && base(c.image) === 'cmd.exe' && c.ms >= from && c.ms < to);
    const hosts = new Set(seen.map((c) => c.host)).size;
    const want = hosts === 0 ? 'new pair winword.exe→cmd.exe (never seen in the baseline)'
      : `rare pair winword.exe→cmd.exe on ${hosts} host${hosts === 1 ? '' : 's'} (${seen.length} time${seen.length === 1 ? '' : 's'})`;
    const cmd = doc.expansion!.opened.find((o) => o.id === m.phishing.cmd)!;
    if (hosts < 3) expect(cmd.reasons.map((r) => r.text)).toContain(want);
    else expect(cmd.reasons.map((r) => r.kind)).not.toContain('rare-pair');
  });

  it('when the benign 500-child parent is expanded, then its children stay in their sibling groups (each one node)', async () => {
    const bp = m.bigParent;
    const doc = await get('/api/graph', { guid: bp.guid, host: bp.host, expand: 'suspicion', budget: '40' });
    const children = doc.edges.filter((e) => e.kind === 'spawn' && e.source === bp.guid).map((e) => doc.nodes.find((n) => n.guid === e.target)!);
    const groups = children.filter((n) => n.kind === 'group');
    const processes = children.filter((n) => n.kind === 'process');
    // Every child the store holds is in a group or drawn; none is drawn on its own beyond the groups.
    expect(groups.reduce((s, gn) => s + gn.group!.count, 0) + processes.length).toBe(bp.childCount);
    expect(processes).toEqual([]);
    expect(groups.length).toBeLessThanOrEqual(40);
    // Each group was opened as one unit, and no member of a group is a node of the document.
    const opened = new Set(doc.expansion!.opened.map((o) => o.id));
    for (const gn of groups) expect(opened.has(gn.guid)).toBe(true);
    expect(doc.nodes.filter((n) => n.kind === 'process' && n.depth === 1)).toEqual([]);
    expect(doc.expansion!.truncated).toBe(false);
  });

  it('when `auto` meets a small tree, then it is the plain graph; on a large one it expands by suspicion', async () => {
    const small = await get('/api/graph', { guid: m.cmdPowershellWinword.cmd, host: m.cmdPowershellWinword.host, expand: 'auto', up: '1', down: '1' });
    expect(small.expansion).toBeUndefined();
    const plain = await get('/api/graph', { guid: m.cmdPowershellWinword.cmd, host: m.cmdPowershellWinword.host, up: '1', down: '1' });
    expect(small.nodes.map((n) => n.guid).sort()).toEqual(plain.nodes.map((n) => n.guid).sort());
    const big = await get('/api/graph', { guid: m.bigParent.guid, host: m.bigParent.host, expand: 'auto' });
    expect(big.expansion).toMatchObject({ auto: true, budget: 150 });
  });

  it('when the budget cuts the view, then the answer says so and counts its searches', async () => {
    const explorer = await parentOf(m.phishing.outlook, m.phishing.host);
    const doc = await get('/api/graph', { guid: explorer, host: m.phishing.host, expand: 'suspicion', budget: '3' });
    expect(doc.expansion!.truncated).toBe(true);
    expect(doc.expansion!.hidden).toBeGreaterThan(0);
    expect(doc.truncated[`children:${explorer}`]!.remaining).toBeGreaterThan(0);
    expect(doc.stats.searches).toBeGreaterThan(0);
  });

  it('when the mode is unknown, then 400 names the parameter', async () => {
    const res = await request(app).get('/api/graph').query({ guid: m.phishing.cmd, expand: 'everything' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/expand/);
  });
});
