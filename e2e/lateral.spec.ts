/**
 * Across hosts on the demo fleet's planted PsExec movement (planted.ts names GUIDs, hosts and addresses):
 * the side panel finds the lateral edge with its evidence, draws both hosts as separate boxes, loads the
 * far side's children lazily, and investigating across opens the target host's tree.
 */
import { expect, test } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage, overlap, overlapsOf } from './pages/investigation-page.js';

const px = plantedManifest().psexec!;
const url = (guid: string, host: string) => `/?guid=${encodeURIComponent(guid)}&host=${host}&sel=${encodeURIComponent(guid)}`;

test('PsExec: the lateral edge, its evidence, both machines drawn apart, expand across to the target', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(url(px.psexec, px.source.host));
  await ui.waitFor((s) => s.selected === px.psexec, 'PsExec selected');
  const panel = page.getByTestId('across-panel');
  await panel.getByRole('button', { name: 'Find lateral movement' }).click();

  const link = panel.getByTestId('across-link');
  await expect(link).toHaveCount(1);
  await expect(link).toContainText(`service · high · ${px.source.host} → ${px.target.host}`);
  const ev = link.getByTestId('across-evidence');
  await expect(ev).toContainText(`${px.source.ip}:${px.sourcePort} → ${px.target.ip}:445`);
  await expect(ev).toContainText(px.service);
  await expect(ev).toContainText('inbound-connection');

  // One compound box per machine; each process inside its own host's box; the lateral edge between them.
  const graph = panel.getByTestId('across-graph');
  const elements = async () => JSON.parse((await graph.getAttribute('data-elements')) ?? '[]') as [string, string, string][];
  await expect.poll(async () => (await elements()).filter(([c]) => c === 'host').map(([, id]) => id)).toEqual([`host:${px.source.host}`, `host:${px.target.host}`]);
  const els = await elements();
  expect(els.find(([, id]) => id === `${px.target.host}\n${px.psexesvc}`)?.[2]).toBe(`host:${px.target.host}`);
  expect(els.some(([c]) => c.startsWith('lateral high'))).toBe(true);

  // Lazy: the far root's children are loaded on request, into the target's box.
  expect(els.some(([, id]) => id.endsWith(px.payload))).toBe(false);
  await link.getByRole('button', { name: /Show children of psexesvc\.exe/ }).click();
  await expect.poll(async () => (await elements()).find(([, id]) => id === `${px.target.host}\n${px.payload}`)?.[2]).toBe(`host:${px.target.host}`);
  await ui.screenshot('lateral-01-evidence');

  // Expand across: the target host's tree, with the payload PSEXESVC started.
  await link.getByRole('button', { name: `Investigate on ${px.target.host}` }).click();
  await ui.waitFor((s) => s.nodes.includes(px.psexesvc) && s.nodes.includes(px.payload), 'target tree drawn');
  const opened = new URL(page.url()).searchParams;
  expect([opened.get('guid')?.toLowerCase(), opened.get('host')]).toEqual([px.psexesvc, px.target.host]);
  await ui.screenshot('lateral-02-across');
});

test('A process without lateral evidence says so', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(url(px.cmd, px.source.host));
  await ui.waitFor((s) => s.selected === px.cmd, 'cmd selected');
  await page.getByTestId('across-panel').getByRole('button', { name: 'Find lateral movement' }).click();
  await expect(page.getByTestId('across-none')).toBeVisible();
});

test('PsExec: expand across in the main graph, hosts grouped, evidence on the far node, URL round trip', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  await ui.open(url(px.psexec, px.source.host));
  await ui.waitFor((s) => s.selected === px.psexec, 'PsExec selected');
  expect((await ui.state()).nodes).not.toContain(px.psexesvc);
  await page.getByTestId('expand-across').click();

  // The far root and (lazily, one children page) its payload join the graph, each inside its host's box.
  const lateralEdge = `lateral:${px.psexec}>${px.psexesvc}`;
  const s = await ui.waitFor((st) => st.edges.includes(lateralEdge) && st.nodes.includes(px.payload), 'lateral edge and far tree drawn');
  expect(Object.keys(s.hosts ?? {}).sort()).toEqual([`host:${px.source.host}`, `host:${px.target.host}`].sort());
  expect(s.hosts![`host:${px.target.host}`]).toEqual(expect.arrayContaining([px.psexesvc, px.payload]));
  expect(s.hosts![`host:${px.source.host}`]).toEqual(expect.arrayContaining([px.cmd, px.psexec]));
  expect(s.hosts![`host:${px.source.host}`]).not.toContain(px.psexesvc);
  expect(new URL(page.url()).searchParams.get('across')?.toLowerCase()).toBe(px.psexec);

  // No node box overlaps another; the two host boxes do not overlap either.
  await page.getByRole('button', { name: 'Fit graph to view' }).click();
  await ui.waitFor((st) => !st.animating, 'camera still');
  const boxes = await page.evaluate(() => window.__lineage!.boxes());
  expect(overlapsOf(boxes)).toEqual([]);
  const hostBoxes = boxes.hosts ?? [];
  expect(hostBoxes).toHaveLength(2);
  expect(overlap(hostBoxes[0]!.box, hostBoxes[1]!.box)).toBe(false);

  // Selecting the far root shows the link's evidence (from the answer already loaded).
  await ui.select(px.psexesvc);
  const drawn = page.getByTestId('drawn-link');
  await expect(drawn).toHaveCount(1);
  await expect(drawn).toContainText(`service · high · ${px.source.host} → ${px.target.host}`);
  await expect(drawn.getByTestId('across-evidence')).toContainText(`${px.source.ip}:${px.sourcePort} → ${px.target.ip}:445`);
  await expect(drawn.getByTestId('across-evidence')).toContainText(px.service);
  await ui.screenshot('lateral-03-main-graph');

  // Reopening the URL in a fresh page draws the same nodes, edge and groups.
  const before = await ui.state();
  const again = new InvestigationPage(await page.context().newPage());
  await again.page.setViewportSize({ width: 1600, height: 1000 });
  await again.open(page.url());
  const after = await again.waitFor((st) => st.edges.includes(lateralEdge) && st.nodes.includes(px.payload), 'restored from the URL');
  expect(after.nodes).toEqual(before.nodes);
  expect(after.edges).toEqual(before.edges);
  expect(after.hosts).toEqual(before.hosts);

  // Both layouts keep the host blocks apart (auto chose one; force each).
  for (const layout of ['lr', 'td']) {
    const u = new URL(page.url());
    u.searchParams.set('layout', layout);
    u.searchParams.delete('cam');
    await again.open(u.pathname + u.search);
    await again.waitFor((st) => st.edges.includes(lateralEdge) && st.nodes.includes(px.payload), `restored, layout ${layout}`);
    await again.page.getByRole('button', { name: 'Fit graph to view' }).click();
    await again.waitFor((st) => !st.animating, 'camera still');
    const b = await again.page.evaluate(() => window.__lineage!.boxes());
    expect(overlapsOf(b), `layout ${layout}`).toEqual([]);
    expect(b.hosts).toHaveLength(2);
    expect(overlap(b.hosts![0]!.box, b.hosts![1]!.box), `host boxes, layout ${layout}`).toBe(false);
  }
});
