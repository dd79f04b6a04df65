/**
 * The investigation screen, review of issue 15 (docs/ui.md "Issue 15, point by point"): one count of
 * processes for one view, the automatic layout kept for the view, the SVG export drawn as the layout on
 * screen, the minimap beside the canvas (never over nodes), cross edges drawn apart with their labels
 * clear of nodes, and the virtualised list. Geometry comes from the live Cytoscape instance
 * (`window.__lineage`) and from the exported file itself; expected counts from the server's own answer.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage, overlap, overlapsOf, type Box, type DrawnBoxes } from './pages/investigation-page.js';
import { ancestorsOtherChildren, pathFromRoot } from './pages/ancestry.js';

const planted = plantedManifest();
const ph = planted.phishing;
const big = planted.bigParent;
const boxes = (page: Page) => page.evaluate(() => window.__lineage!.boxes()) as Promise<DrawnBoxes>;
const spawnPairs = (edges: string[]) => edges.filter((e) => e.startsWith('spawn:')).map((e) => e.slice(6).split('>') as [string, string]);

interface DocNode { guid: string; parentGuid: string | null; kind?: string; group?: { count: number } | null }
interface GraphDoc { origin: string; range: { from: string; to: string }; nodes: DocNode[]; expansion?: { considered: number; hidden: number } }

test('when the phishing host is expanded by suspicion, then the status line and the expansion note give one count: processes, not boxes', async ({ page }) => {
  const ui = new InvestigationPage(page);
  const answer = page.waitForResponse((r) => r.url().includes('/api/graph') && r.url().includes('expand=') && r.status() === 200);
  await ui.open(`/?guid=${ph.explorer}&host=${ph.host}&xp=suspicion`);
  const doc = await (await answer).json() as GraphDoc;
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'expansion drawn');
  // From the server's answer: the origin's ancestors (walked by parentGuid), and the expansion's own figures.
  const byGuid = new Map(doc.nodes.map((n) => [n.guid, n]));
  let ancestors = 0;
  for (let g = byGuid.get(doc.origin)?.parentGuid; g && byGuid.has(g); g = byGuid.get(g)!.parentGuid) ancestors++;
  const x = doc.expansion!;
  const shown = x.considered - x.hidden + ancestors;
  // A second count of the same thing: every process node once, every sibling group as its members.
  expect(doc.nodes.reduce((n, d) => n + (d.kind === 'group' ? d.group!.count : 1), 0)).toBe(shown);
  expect(s.nodes.length).toBeLessThan(shown); // groups: fewer boxes than processes shown
  // Plus the ancestors' other children, which their "N more" boxes stand for (issue 15; listed here).
  const path = await pathFromRoot(page.request, doc.origin, ph.host);
  const others = await ancestorsOtherChildren(page.request, path, ph.host, doc.range.to);
  await expect(page.getByTestId('graph-stats')).toContainText(`${x.considered + ancestors + others} processes · ${shown} shown ·`);
  const note = page.getByTestId('expansion-note');
  await expect(note).toContainText(`of ${x.considered} below the origin by suspicion`);
  await expect(note).not.toContainText(/processes shown|drawn/);
});

test('when the automatic layout was chosen for a view, then an expansion that changes the tree\'s shape keeps it (URL-backed), and choosing "auto" again re-decides', async ({ page, browser }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  // The phishing host's explorer opened collapsed: a deep narrow chain (its ancestors), drawn top down.
  await ui.open(`/?guid=${ph.explorer}&host=${ph.host}&hide=${ph.explorer}`);
  await ui.waitFor((st) => st.nodes.includes(ph.explorer), 'chain drawn');
  // The choice is written to the URL while the select still says auto.
  await expect.poll(() => page.url()).toContain('layout=auto-td');
  const select = page.getByRole('combobox', { name: 'Graph layout' });
  await expect(select).toHaveValue('auto');
  await ui.expand(ph.explorer); // Enter on a collapsed node opens it: explorer's children and grandchildren
  const s = await ui.waitFor((st) => st.edges.filter((e) => e.startsWith(`spawn:${ph.explorer}>`)).length > 5, 'explorer\'s children drawn');
  const below = (b: DrawnBoxes, st: { edges: string[] }) => {
    const at = new Map(b.nodes.map((n) => [n.id, n.box]));
    return spawnPairs(st.edges).every(([p, c]) => at.get(c)!.y1 > at.get(p)!.y2);
  };
  expect(below(await boxes(page), s), 'still top down after the expansion').toBe(true);
  expect(page.url()).toContain('layout=auto-td');
  // The same tree chosen afresh (no pin in the URL) is drawn left to right: the expansion did change the
  // shape, so without the pin the picture would have flipped.
  const unpinned = page.url().replace(/&?layout=auto-td/, '');
  const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const ui2 = new InvestigationPage(other);
  await other.goto(unpinned);
  const s2 = await ui2.waitFor((st) => st.nodes.length === s.nodes.length, 'same tree, unpinned');
  expect(below(await boxes(other), s2)).toBe(false);
  await expect.poll(() => other.url()).toContain('layout=auto-lr');
  await other.close();
  // A reload keeps the pinned picture; picking auto again decides on today's tree (left to right).
  await page.reload();
  const s3 = await ui.waitFor((st) => st.nodes.length === s.nodes.length, 'reloaded');
  expect(below(await boxes(page), s3)).toBe(true);
  await select.selectOption('td');
  await select.selectOption('auto');
  await expect.poll(() => page.url()).toContain('layout=auto-lr');
});

type SvgRect = { x: string; y: string; width: string; height: string };
type SvgFile = { svg: { g: Array<{ 'data-id': string; rect: SvgRect }>; path: Array<{ class: string; d: string; 'data-source'?: string; 'data-target'?: string }> } };
async function exportSvg(page: Page): Promise<SvgFile> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export graph as SVG' }).click()]);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync((await dl.path())!, 'utf8')) as SvgFile;
}
/** First and last point of an SVG path made of M/H/V commands. */
function ends(d: string): [[number, number], [number, number]] {
  let cur: [number, number] = [0, 0];
  let first: [number, number] | null = null;
  for (const [, c, a, b] of d.matchAll(/([MHV])\s*(-?[\d.]+)(?:,(-?[\d.]+))?/g)) {
    cur = c === 'M' ? [Number(a), Number(b)] : c === 'H' ? [Number(a), cur[1]] : [cur[0], Number(a)];
    first ??= cur;
  }
  return [first!, cur];
}

test('when the graph is exported as SVG, then its spawn edges leave and enter the boxes as the layout on screen does (top down, then left to right)', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'chain drawn');
  for (const mode of ['td', 'lr'] as const) {
    if (mode === 'lr') {
      await page.getByRole('combobox', { name: 'Graph layout' }).selectOption('lr');
      await ui.waitFor(() => true);
    } else await expect.poll(() => page.url()).toContain('layout=auto-td');
    const screen = new Map((await boxes(page)).nodes.map((n) => [n.id, n.box]));
    const svg = await exportSvg(page);
    const rect = new Map(svg.svg.g.map((n) => [n['data-id'], { x1: +n.rect.x, y1: +n.rect.y, x2: +n.rect.x + +n.rect.width, y2: +n.rect.y + +n.rect.height }]));
    const spawns = svg.svg.path.filter((p) => p.class === 'edge spawn');
    expect(spawns.length).toBe(spawnPairs(s.edges).length);
    for (const p of spawns) {
      const a = rect.get(p['data-source']!)!, b = rect.get(p['data-target']!)!;
      const [[x0, y0], [x1, y1]] = ends(p.d);
      const sa = screen.get(p['data-source']!)!, sb = screen.get(p['data-target']!)!;
      if (mode === 'td') {
        // On screen the child is below its parent; in the file the edge leaves the parent's bottom.
        expect(sb.y1).toBeGreaterThan(sa.y2);
        expect([x0, y0]).toEqual([(a.x1 + a.x2) / 2, a.y2]);
        expect(y1 === b.y1 || x1 === b.x1, `${p.d} enters the child's top or left side`).toBe(true);
      } else {
        expect(sb.x1).toBeGreaterThan(sa.x2);
        expect([x0, y0]).toEqual([a.x2, (a.y1 + a.y2) / 2]);
        expect([x1, y1]).toEqual([b.x1, (b.y1 + b.y2) / 2]);
      }
    }
  }
});

/** `b` clipped to the rectangle `c` (page coordinates), or null when nothing of it is inside. */
const clip = (b: Box, c: Box): Box | null => {
  const r = { x1: Math.max(b.x1, c.x1), y1: Math.max(b.y1, c.y1), x2: Math.min(b.x2, c.x2), y2: Math.min(b.y2, c.y2) };
  return r.x1 < r.x2 && r.y1 < r.y2 ? r : null;
};
async function minimapCoversNothing(page: Page, label: string): Promise<void> {
  const mm = (await page.getByTestId('minimap').boundingBox())!;
  const cv = (await page.getByTestId('graph-canvas').boundingBox())!;
  const map = { x1: mm.x, y1: mm.y, x2: mm.x + mm.width, y2: mm.y + mm.height };
  const canvas = { x1: cv.x, y1: cv.y, x2: cv.x + cv.width, y2: cv.y + cv.height };
  expect(overlap(map, canvas), `${label}: minimap beside the canvas, not over it`).toBe(false);
  const b = await boxes(page);
  const covered = b.nodes.filter((n) => {
    const inPage = { x1: n.box.x1 + cv.x, y1: n.box.y1 + cv.y, x2: n.box.x2 + cv.x, y2: n.box.y2 + cv.y };
    const seen = clip(inPage, canvas);
    return seen && overlap(seen, map);
  });
  expect(covered.map((n) => n.id), `${label}: nodes under the minimap`).toEqual([]);
}

test('when the minimap is shown, then it never covers a node: under the canvas on the expanded phishing host and on the 500-child column', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.explorer}&host=${ph.host}&xp=suspicion`);
  await ui.waitFor((st) => st.nodes.length > 100, 'expanded host drawn');
  await expect(page.getByTestId('minimap')).toBeVisible(); // over 100 boxes: on by default
  await minimapCoversNothing(page, 'opened');
  for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Zoom out' }).click();
  await ui.waitFor(() => true);
  await minimapCoversNothing(page, 'zoomed out');
  // A tall graph (one column of 100 children), the minimap switched on by Fit: still under the canvas.
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const g = await ui.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')), 'groups drawn');
  const group = g.nodes.find((n) => n.startsWith('group:'))!;
  await ui.expand(group);
  await ui.waitFor((st) => !st.nodes.includes(group), 'group members drawn');
  await page.getByRole('button', { name: 'Fit graph to view' }).click();
  await ui.waitFor(() => true);
  await expect(page.getByTestId('minimap')).toBeVisible();
  const mm = (await page.getByTestId('minimap').boundingBox())!, cv = (await page.getByTestId('graph-canvas').boundingBox())!;
  expect(mm.y).toBeGreaterThanOrEqual(cv.y + cv.height);
  await minimapCoversNothing(page, 'tall, after Fit');
});

for (const layout of ['td', 'lr'] as const) test(`when a process-access and a remote-thread edge join the same pair (layout=${layout}), then they are drawn apart and their labels sit clear of every node`, async ({ page }) => {
  const rt = planted.remoteThread;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${rt.source}&host=${rt.host}&sel=${rt.source}&layout=${layout}`);
  const pair = [`process-access:${rt.source}>${rt.target}`, `remote-thread:${rt.source}>${rt.target}`];
  await ui.waitFor((st) => pair.every((e) => st.edges.includes(e)), 'both cross edges drawn');
  const b = await boxes(page);
  const cross = b.cross.filter((c) => pair.includes(c.id));
  expect(cross).toHaveLength(2);
  const [e1, e2] = cross as [typeof cross[number], typeof cross[number]];
  expect(Math.hypot(e1.mid.x - e2.mid.x, e1.mid.y - e2.mid.y), 'parallel edges fan out').toBeGreaterThan(20);
  for (const c of cross) {
    expect(c.label, c.id).not.toBeNull();
    expect(b.nodes.filter((n) => overlap(c.label!, n.box)).map((n) => n.id), `${c.id} label over a node`).toEqual([]);
  }
  expect(overlap(e1.label!, e2.label!)).toBe(false);
  expect(overlapsOf(b)).toEqual([]);
});

test('when the host\'s largest tree is listed, then the list renders only the rows in view, End reaches the last process, and it is selected in the graph too', async ({ page, request }) => {
  const ui = new InvestigationPage(page);
  const path = await pathFromRoot(request, big.guid, big.host);
  const top = path.find((a) => a.logged)!;
  await ui.open(`/?guid=${top.guid}&host=${big.host}&down=8&views=list`);
  const list = page.getByRole('tree', { name: 'Process tree list' });
  await expect.poll(async () => Number(await list.getAttribute('data-rows'))).toBeGreaterThan(150);
  const total = Number(await list.getAttribute('data-rows'));
  const rendered = await list.getByRole('treeitem').count();
  expect(rendered).toBeLessThan(80);
  await list.locator('.tree-row').first().click();
  await list.focus();
  await page.keyboard.press('End');
  const last = list.locator(`.tree-row[data-row="${total - 1}"]`);
  await expect(last).toBeInViewport();
  await expect(last).toHaveAttribute('aria-selected', 'true');
  expect(await list.getByRole('treeitem').count()).toBeLessThan(80);
  const id = (await last.getAttribute('data-id'))!;
  await expect.poll(() => page.evaluate(() => window.__lineage!.state().selected)).toBe(id);
});

test('when a graph is open with no window typed, then the time fields show the window the server used, whole, as 24-hour UTC beside a visible UTC label', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  const answer = page.waitForResponse((r) => r.url().includes('/api/graph') && r.status() === 200);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  const range = (await (await answer).json() as { range: { from: string; to: string } }).range;
  await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  // Oracle: the answer's ISO instants written as `YYYY-MM-DD HH:MM:SS` (UTC, 24-hour).
  const field = (iso: string) => iso.replace('T', ' ').slice(0, 19);
  const from = page.getByLabel('From (UTC)'), to = page.getByLabel('To (UTC)');
  await expect(from).toHaveAttribute('placeholder', field(range.from));
  await expect(to).toHaveAttribute('placeholder', field(range.to));
  await expect(page.locator('.utc-label')).toBeVisible();
  // The whole value fits the field (no cut seconds).
  await from.fill(field(range.from));
  expect(await from.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth)).toBe(true);
});

test('when a process\'s events are listed, then the timeline has a UTC axis and one labelled row per loaded category, and the panel wraps long values with a copy button', async ({ page }) => {
  const ui = new InvestigationPage(page);
  const events = page.waitForResponse((r) => r.url().includes(`/api/processes/${encodeURIComponent(ph.powershell)}/events`) && r.status() === 200);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&sel=${ph.powershell}&panel=events`);
  const items = (await (await events).json() as { items: Array<{ category: string }> }).items;
  expect(items.length).toBeGreaterThan(0);
  await ui.waitFor((st) => st.selected === ph.powershell);
  const tl = page.getByTestId('timeline');
  // One row per category of the loaded events (oracle: the answer the panel received), each labelled.
  await expect.poll(async () => (await tl.locator('.row-label').allTextContents()).sort()).toEqual([...new Set(items.map((e) => e.category))].sort());
  const ticks = await tl.locator('.tick-label').allTextContents();
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  for (const t of ticks) expect(t).toMatch(/^\d\d:\d\d:\d\d$/); // 24-hour clock
  await expect(tl).toHaveAttribute('aria-label', /from \d{4}-\d\d-\d\d/);
  // Details: nothing runs past the panel's edge; the long -enc command line wraps and has its copy button.
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&sel=${ph.powershell}`);
  await ui.waitFor((st) => st.selected === ph.powershell);
  const panel = page.getByTestId('side-panel');
  await expect(page.getByTestId('decoded-command')).toBeVisible();
  const overflowing = await panel.locator('dd').evaluateAll((dds) => dds.filter((d) => d.scrollWidth > d.clientWidth + 1).map((d) => d.textContent?.slice(0, 40)));
  expect(overflowing).toEqual([]);
  const cmd = panel.locator('dd.mono', { hasText: '-enc' }).first();
  await expect(cmd.getByRole('button', { name: /copy/i })).toBeVisible();
  const lines = await cmd.locator('span').first().evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '16')));
  expect(lines).toBeGreaterThan(1);
});

test('when a sibling group is expanded, then its members (leaves, counted by the children page) offer no expand in the list', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const { group } = await ui.firstGroup();
  const s2 = await ui.expandGroup(group);
  const members = spawnPairs(s2.edges).filter(([p]) => p === big.guid).map(([, c]) => c).filter((c) => c.startsWith('{'));
  expect(members.length).toBeGreaterThan(5);
  // The demo's tool runs (reg.exe, wmic.exe, …) have no children: no twisty, no aria-expanded.
  for (const m of members.slice(0, 3)) {
    await ui.select(m); // the list scrolls its (virtualised) row into view
    const row = page.locator(`.tree-row[data-id="${m}"]`);
    await expect(row).toBeVisible();
    expect(await row.getAttribute('aria-expanded')).toBeNull();
  }
});

test('when a host is typed as a prefix, then the known hosts are suggested and several matches are listed to pick from', async ({ page }) => {
  const ui = new InvestigationPage(page);
  const answer = page.waitForResponse((r) => r.url().includes('/api/notables') && r.status() === 200);
  await ui.open('/');
  const hosts = [...new Set((await (await answer).json() as { items: Array<{ host: string }> }).items.map((n) => n.host))].sort();
  // Suggestions: every host the notables name (the browser's datalist behind the Host field).
  await expect.poll(async () => (await page.locator('#known-hosts option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).sort()).toEqual(hosts);
  // A prefix several known hosts share: refused with those hosts listed (oracle: the notables' own hosts).
  const prefix = 'ws-000';
  const sharing = hosts.filter((h) => h.startsWith(prefix));
  expect(sharing.length).toBeGreaterThan(1);
  await page.getByLabel('Host', { exact: true }).fill(prefix);
  await page.getByRole('button', { name: 'Search' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(`matches ${sharing.length} known hosts`);
  for (const h of sharing.slice(0, 5)) await expect(alert).toContainText(h);
});
