/**
 * The investigation screen at real size, continued (docs/ui.md): both layouts (left to right, top down with
 * stacked leaves) without overlaps, chosen by shape or forced in the URL; Fit keeps a readable zoom on big trees
 * and narrow graph areas. Geometry is read back from the live Cytoscape instance (`window.__lineage`), no
 * screenshots compared. Planted GUIDs come from the demo manifest.
 */
import { expect, test, type Page } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage, overlapsOf, type DrawnBoxes } from './pages/investigation-page.js';
import { pathFromRoot } from './pages/ancestry.js';

const planted = plantedManifest();
const ph = planted.phishing;
const big = planted.bigParent;
const boxes = (page: Page) => page.evaluate(() => window.__lineage!.boxes()) as Promise<DrawnBoxes>;
/** Level-of-detail names are 26 px (graph-styles.ts); readable = at least 10 px on screen. */
const READABLE = 10 / 26;

async function fitAndRead(page: Page, ui: InvestigationPage) {
  await page.getByRole('button', { name: 'Fit graph to view' }).click();
  await ui.waitFor(() => true);
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  return { canvas, b: await boxes(page) };
}
const onScreen = (box: { x1: number; y1: number; x2: number; y2: number }, c: { width: number; height: number }) => box.x1 >= 0 && box.y1 >= 0 && box.x2 <= c.width && box.y2 <= c.height;

test('when Fit is pressed on the 500-child parent with a group expanded, then the zoom stays readable, the selection is framed and the minimap shows the rest', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const { group } = await ui.firstGroup();
  const s2 = await ui.expandGroup(group);
  await ui.select(big.guid);
  const { canvas, b } = await fitAndRead(page, ui);
  expect(b.zoom).toBeGreaterThanOrEqual(READABLE);
  // Not everything fits at that zoom, so the minimap is on for the rest.
  expect(b.nodes.filter((n) => onScreen(n.box, canvas)).length).toBeLessThan(s2.nodes.length);
  await expect(page.getByRole('button', { name: 'Toggle minimap' })).toHaveAttribute('aria-pressed', 'true');
  expect(onScreen(b.nodes.find((n) => n.id === big.guid)!.box, canvas)).toBe(true);
  // Framed without empty space beyond the graph's top edge: the topmost box is near the top of the view.
  expect(Math.min(...b.nodes.map((n) => n.box.y1))).toBeLessThanOrEqual(0 + 45);
});

test('when Fit is pressed on the phishing chain drawn left to right with list, graph and panel open at 1600 px, then the chain is not shrunk to a strip: readable zoom, origin on screen, labelled', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  // Left to right (forced): the 10-process chain is ~3,000 px wide, far wider than the graph area.
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&sel=${encodeURIComponent(ph.cmd)}&layout=lr`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'chain drawn');
  expect(s.nodes.length).toBeGreaterThanOrEqual(6);
  const { canvas, b } = await fitAndRead(page, ui);
  expect(b.zoom).toBeGreaterThanOrEqual(READABLE);
  const origin = b.nodes.find((n) => n.id === ph.cmd)!;
  expect(onScreen(origin.box, canvas)).toBe(true);
  expect(origin.label).not.toBeNull();
  // A chain wider than the view: the view is filled (some box touches each side or runs past it).
  expect(Math.min(...b.nodes.map((n) => n.box.x1))).toBeLessThanOrEqual(45);
  expect(Math.max(...b.nodes.map((n) => n.box.x2))).toBeGreaterThanOrEqual(canvas.width - 45);
});

for (const layout of ['lr', 'td'] as const) {
  test(`when the host's whole tree and the 500-child parent are drawn ${layout === 'lr' ? 'left to right' : 'top down'} (layout=${layout}), then no boxes or labels overlap at the default zoom and generations run ${layout === 'lr' ? 'rightwards' : 'downwards'}`, async ({ page, request }) => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    const ui = new InvestigationPage(page);
    // The demo's largest tree: the big parent's host from its topmost logged ancestor, 8 generations down.
    const path = await pathFromRoot(request, big.guid, big.host);
    const top = path.find((a) => a.logged)!;
    await ui.open(`/?guid=${top.guid}&host=${big.host}&down=8&layout=${layout}`);
    const s = await ui.waitFor((st) => st.nodes.length > 20, 'host tree drawn');
    const b = await boxes(page);
    expect(overlapsOf(b)).toEqual([]);
    // Direction: every spawn edge's child lies right of (lr) or below (td) its parent.
    const at = new Map(b.nodes.map((n) => [n.id, n.box]));
    const spawns = s.edges.filter((e) => e.startsWith('spawn:')).map((e) => e.slice(6).split('>') as [string, string]);
    expect(spawns.length).toBeGreaterThan(20);
    for (const [p, c] of spawns) {
      if (layout === 'lr') expect(at.get(c)!.x1, `${p} > ${c}`).toBeGreaterThan(at.get(p)!.x2);
      else expect(at.get(c)!.y1, `${p} > ${c}`).toBeGreaterThan(at.get(p)!.y2);
    }
    // The choice survives a reload (URL round trip) and the control shows it.
    await expect(page.getByRole('combobox', { name: 'Graph layout' })).toHaveValue(layout);
    expect(page.url()).toContain(`layout=${layout}`);

    await ui.open(`/?guid=${big.guid}&host=${big.host}&layout=${layout}`);
    await ui.expandGroup((await ui.firstGroup()).group);
    expect(overlapsOf(await boxes(page))).toEqual([]);
  });
}

test('when no layout is forced, then a deep narrow chain is drawn top down and a wide list left to right; picking one in the toolbar goes in the URL', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'chain drawn');
  let b = await boxes(page);
  const box = (id: string) => b.nodes.find((n) => n.id === id)!.box;
  // The phishing chain is deep and narrow (one process per generation): top down.
  expect(s.nodes.length).toBeGreaterThanOrEqual(8);
  expect(box(ph.powershell).y1).toBeGreaterThan(box(ph.cmd).y2);
  expect(box(ph.cmd).y1).toBeGreaterThan(box(ph.winword).y2);
  expect(overlapsOf(b)).toEqual([]);
  await page.getByRole('combobox', { name: 'Graph layout' }).selectOption('lr');
  await expect.poll(() => page.url()).toContain('layout=lr');
  await ui.waitFor(() => true);
  b = await boxes(page);
  expect(box(ph.powershell).x1).toBeGreaterThan(box(ph.cmd).x2);
  // The 500-child parent (a wide list of leaves) stays left to right when nothing is forced.
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const g = await ui.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')), 'groups drawn');
  b = await boxes(page);
  const kids = g.edges.filter((e) => e.startsWith(`spawn:${big.guid}>`)).map((e) => e.split('>')[1]!);
  expect(kids.length).toBeGreaterThan(3);
  for (const k of kids) expect(box(k).x1).toBeGreaterThan(box(big.guid).x2);
});

test('when four levels of children are opened page by page, then the search counter is the sum of every answer\'s searches and each children page costs at most one search beyond its listing and event counts', async ({ page, request }) => {
  const ui = new InvestigationPage(page);
  const answers: Array<{ url: string; searches: number }> = [];
  page.on('response', async (r) => {
    if (!/\/api\/(graph|processes\/[^/]+\/children)\b/.test(r.url()) || r.status() !== 200) return;
    const body = await r.json().catch(() => null) as { stats?: { searches: number } } | null;
    if (body?.stats) answers.push({ url: r.url(), searches: body.stats.searches });
  });
  const path = await pathFromRoot(request, big.guid, big.host);
  const top = path.find((a) => a.logged)!;
  await ui.open(`/?guid=${top.guid}&host=${big.host}&down=0&layout=lr`);
  await ui.waitFor((st) => st.nodes.includes(top.guid), 'root drawn');
  for (let level = 0; level < 4; level++) {
    const before = answers.length;
    await page.getByRole('button', { name: 'Expand one more level everywhere' }).click();
    await expect.poll(() => answers.length, { message: `level ${level + 1} loaded` }).toBeGreaterThan(before);
    await ui.waitFor(() => true);
  }
  const pages = answers.filter((a) => a.url.includes('/children'));
  expect(pages.length).toBeGreaterThan(3);
  // Embedded: the listing (one statement, one row past the page), event counts, child counts.
  for (const p of pages) expect(p.searches, p.url).toBeLessThanOrEqual(3);
  const total = answers.reduce((s, a) => s + a.searches, 0);
  await expect(page.getByTestId('graph-stats')).toContainText(`${total} source searches`);
});

test('when list, graph and side panel are open at 1600 × 1000, then the graph has the larger share and the list is a narrow name column; screenshots of the three reference trees', async ({ page, request }, info) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  const path = await pathFromRoot(request, big.guid, big.host);
  const top = path.find((a) => a.logged)!;
  const scenes: Array<[string, string, (st: { nodes: string[] }) => boolean]> = [
    ['500-child-parent', `/?guid=${big.guid}&host=${big.host}&sel=${encodeURIComponent(big.guid)}`, (st) => st.nodes.some((n) => n.startsWith('group:'))],
    ['phishing-chain', `/?guid=${ph.cmd}&host=${ph.host}&sel=${encodeURIComponent(ph.cmd)}`, (st) => st.nodes.includes(ph.powershell)],
    ['largest-tree', `/?guid=${top.guid}&host=${big.host}&down=8&sel=${encodeURIComponent(top.guid)}`, (st) => st.nodes.length > 20],
  ];
  for (const [name, url, ready] of scenes) {
    await ui.open(url);
    await ui.waitFor(ready, `${name} drawn`);
    const graph = (await page.getByTestId('graph-canvas').boundingBox())!;
    const list = (await page.getByRole('tree', { name: 'Process tree list' }).boundingBox())!;
    const panel = (await page.getByRole('complementary', { name: 'Details' }).boundingBox())!;
    expect(panel.width, name).toBeGreaterThan(250);
    expect(graph.width, `${name}: graph width`).toBeGreaterThanOrEqual(700);
    expect(graph.width, name).toBeGreaterThan(2.5 * list.width);
    // The narrow list still names every row's process.
    await expect(page.locator('.tree-row .c-name').first()).toBeVisible();
    await expect(page.locator('.tree-head .c-cmd')).toBeHidden();
    await page.screenshot({ path: info.outputPath(`${name}-1600x1000.png`) });
  }
  // The full-width list keeps every column.
  await page.getByRole('button', { name: 'Show graph' }).click();
  await expect(page.locator('.tree-head .c-cmd')).toBeVisible();
});
