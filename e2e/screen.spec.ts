/**
 * The investigation screen at real size (docs/ui.md), against the demo fleet (playwright.config.ts):
 * layout geometry read back from the live Cytoscape instance (no screenshots compared), the process
 * tree list, find-and-jump, cross edges, side panel, exports, entry search, and URL round trips of
 * every new piece of state. Planted GUIDs come from the demo manifest.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage, overlapsOf, type DrawnBoxes } from './pages/investigation-page.js';
import { ancestorsOtherChildren, pathFromRoot } from './pages/ancestry.js';

const planted = plantedManifest();
const ph = planted.phishing;
const big = planted.bigParent;
const boxes = (page: Page) => page.evaluate(() => window.__lineage!.boxes()) as Promise<DrawnBoxes>;


test('when the 500-child parent is opened and a sibling group expanded, then the children stand in one column right of the parent, nothing overlaps, and the list shows the same rows', async ({ page, request }) => {
  const ui = new InvestigationPage(page);
  const answer = page.waitForResponse((r) => r.url().includes('/api/graph') && r.status() === 200);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const range = (await (await answer).json() as { range: { to: string } }).range;
  const { group } = await ui.firstGroup();
  // Processes, not boxes: the parent's children plus the parent and its ancestors to the root (the
  // topmost one never logged: System, named only by its child's create), plus the ancestors' other
  // children their "N more" boxes stand for (issue 15; changed from children + path when those came in).
  const path = await pathFromRoot(request, big.guid, big.host);
  const others = await ancestorsOtherChildren(request, path, big.host, range.to);
  await expect(page.getByTestId('graph-stats')).toContainText(`${big.childCount + path.length + others} processes`);
  const s2 = await ui.expandGroup(group);
  await page.getByRole('button', { name: 'Fit graph to view' }).click();
  await ui.waitFor(() => true);
  const b = await boxes(page);
  const parent = b.nodes.find((n) => n.id === big.guid)!;
  const kids = b.nodes.filter((n) => n.id !== big.guid && s2.nodes.includes(n.id) && n.box.x1 > parent.box.x2);
  // All but the parent, its ancestors and their own "N more" boxes (issue 15: ancestors' other children).
  const ancestorMores = s2.nodes.filter((n) => path.some((a) => n === `more:${a.guid}`)).length;
  expect(kids.length).toBeGreaterThanOrEqual(s2.nodes.length - path.length - 1 - ancestorMores);
  // One column: every child box (and the "more" box) is centred on the same x, right of the parent.
  expect(new Set(kids.map((k) => Math.round((k.box.x1 + k.box.x2) / 2))).size).toBe(1);
  expect(overlapsOf(b)).toEqual([]);
  // The list has one row per drawn node, indented under the parent.
  await expect(page.getByRole('tree', { name: 'Process tree list' })).toHaveAttribute('data-rows', String(s2.nodes.length));
});

test('when the phishing chain opens, then the camera shows the origin, labels do not overlap at the default zoom, and zooming far out keeps the path labelled', async ({ page }) => {
  const ui = new InvestigationPage(page);
  // Left to right forced: unforced, this deep narrow chain is drawn top down (screen-size.spec.ts).
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&views=graph&layout=lr`);
  await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'chain drawn');
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  const b = await boxes(page);
  const origin = b.nodes.find((n) => n.id === ph.cmd)!;
  expect(origin.box.x1).toBeGreaterThanOrEqual(0);
  expect(origin.box.x2).toBeLessThanOrEqual(canvas.width);
  expect(overlapsOf(b)).toEqual([]);
  // Generations are columns: winword left of cmd left of powershell, on one row.
  const at = (id: string) => b.nodes.find((n) => n.id === id)!.box;
  expect(at(ph.winword).x2).toBeLessThan(at(ph.cmd).x1);
  expect(at(ph.cmd).x2).toBeLessThan(at(ph.powershell).x1);
  await ui.select(ph.powershell);
  for (let i = 0; i < 8; i++) await page.getByRole('button', { name: 'Zoom out' }).click();
  await ui.waitFor(() => true);
  const far = await boxes(page);
  expect(far.zoom).toBeLessThan(0.5);
  // Level of detail: the selection and its path to the root keep a label; labels still do not collide.
  for (const id of [ph.powershell, ph.cmd, ph.winword]) expect(far.nodes.find((n) => n.id === id)!.label, id).not.toBeNull();
  expect(overlapsOf(far)).toEqual([]);
});

test('when find has matches, then Enter / Shift+Enter jump through them (camera and list follow); with none it says so and dims nothing', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  const box = page.getByRole('searchbox', { name: 'Find in graph' });
  await box.fill('.exe');
  await box.press('Enter');
  const first = await ui.waitFor((st) => st.selected != null, 'first match selected');
  const count = first.matches.length;
  expect(count).toBeGreaterThan(2);
  await expect(page.getByTestId('find-count')).toHaveText(`1 of ${count} matches`);
  await box.press('Shift+Enter');
  await box.press('Shift+Enter');
  await expect(page.getByTestId('find-count')).toHaveText(`${count - 1} of ${count} matches`);
  const sel = (await ui.waitFor((st) => st.selected !== first.selected)).selected!;
  // The camera moved onto the match and the list row is in view and selected.
  // (The camera animates: poll until it has arrived.)
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  await expect.poll(async () => {
    const pos = (await page.evaluate((id) => window.__lineage!.nodePosition(id), sel))!;
    return pos.x > canvas.x && pos.x < canvas.x + canvas.width && pos.y > canvas.y && pos.y < canvas.y + canvas.height;
  }, { message: 'the match is on screen' }).toBe(true);
  await expect(page.locator(`.tree-row[data-id="${sel}"]`)).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator(`.tree-row[data-id="${sel}"]`)).toBeInViewport();
  await box.fill('zzz-no-such-process');
  await expect(page.getByTestId('find-count')).toHaveText('No matches');
  const none = await ui.waitFor(() => true);
  expect(none.dimmed).toEqual([]);
});

test('when the list is used, then selection and collapse are shared with the graph, it is keyboard navigable, and views round-trip in the URL', async ({ page, browser }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  await page.locator(`.tree-row[data-id="${ph.winword}"]`).click();
  await ui.waitFor((st) => st.selected === ph.winword, 'row click selects in the graph');
  const list = page.getByRole('tree', { name: 'Process tree list' });
  await list.focus();
  await page.keyboard.press('ArrowDown');
  await ui.waitFor((st) => st.selected === ph.cmd, 'ArrowDown selects the next row');
  await page.keyboard.press('ArrowLeft'); // cmd has children drawn: collapse
  await ui.waitFor((st) => !st.nodes.includes(ph.powershell), 'collapse from the list hides the subtree in the graph');
  expect(page.url()).toContain(`hide=${ph.cmd}`);
  await page.keyboard.press('ArrowRight');
  await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'expand again');
  await page.getByRole('button', { name: 'Show graph' }).click();
  await expect(page.getByRole('region', { name: 'Process graph' })).toBeHidden();
  expect(page.url()).toContain('views=list');
  const other = await browser.newPage();
  await other.goto(page.url());
  await expect(other.getByRole('tree', { name: 'Process tree list' })).toBeVisible();
  await expect(other.getByRole('region', { name: 'Process graph' })).toBeHidden();
  await other.close();
});

test('when the camera moves and the timeline is brushed, then both are in the URL and a fresh browser restores them', async ({ page, browser }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect.poll(() => page.url()).toMatch(/cam=[\d.]+,-?\d+,-?\d+/);
  const tl = (await page.getByTestId('timeline').boundingBox())!;
  await page.mouse.move(tl.x + tl.width * 0.3, tl.y + tl.height / 2);
  await page.mouse.down();
  await page.mouse.move(tl.x + tl.width * 0.7, tl.y + tl.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => page.url()).toMatch(/brush=\d+,\d+/);
  const cam = await page.evaluate(() => window.__lineage!.camera());
  const url = page.url();
  const other = await browser.newPage();
  const ui2 = new InvestigationPage(other);
  await other.goto(url);
  await ui2.waitFor((st) => st.nodes.includes(ph.powershell));
  const cam2 = await other.evaluate(() => window.__lineage!.camera());
  expect(cam2.zoom).toBeCloseTo(cam.zoom, 2);
  expect(Math.abs(cam2.x - cam.x)).toBeLessThan(2);
  expect(Math.abs(cam2.y - cam.y)).toBeLessThan(2);
  await expect(other.getByRole('button', { name: 'Clear time brush' })).toBeVisible();
  await other.close();
});

test('when a powershell -enc process is selected, then the command is decoded beside the original, and the panel resizes', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&sel=${ph.powershell}`);
  await ui.waitFor((st) => st.selected === ph.powershell);
  const cmdline = (await page.getByTestId('side-panel').locator('dd.mono span').nth(1).textContent())!;
  const b64 = /-enc\s+(\S+)/.exec(cmdline)![1]!;
  // Oracle: Node decodes the same base64 as UTF-16LE.
  await expect(page.getByTestId('decoded-command')).toContainText(Buffer.from(b64, 'base64').toString('utf16le'));
  const panel = page.getByTestId('side-panel');
  const w0 = (await panel.boundingBox())!.width;
  await page.getByRole('separator', { name: 'Resize details panel' }).focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Shift+ArrowLeft');
  await expect.poll(async () => (await panel.boundingBox())!.width).toBeGreaterThan(w0 + 100);
});

test('when exporting SVG and the markdown timeline, then the files hold every drawn process with GUIDs', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export graph as SVG' }).click()]);
  const svg = readFileSync((await svgDl.path())!, 'utf8');
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: { g: Array<{ 'data-id': string }> } };
  expect(parsed.svg.g.map((x) => x['data-id']).sort()).toEqual([...s.nodes].sort());
  const [mdDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export timeline as Markdown' }).click()]);
  const md = readFileSync((await mdDl.path())!, 'utf8');
  for (const g of [ph.winword, ph.cmd, ph.powershell]) expect(md).toContain(`\`${g}\``);
  const times = md.split('\n').filter((l) => /^\| \d{4}-/.test(l)).map((l) => l.slice(2, 25));
  expect(times).toEqual([...times].sort());
});

test('when a host is typed short and a 24-hour UTC time given, then the search uses the known FQDN and the exact UTC instant', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open('/');
  await expect(page.getByRole('list', { name: 'Notables' })).toBeVisible();
  const short = planted.lsassAccess.host.split('.')[0]!;
  await page.getByLabel('Host', { exact: true }).fill(short);
  await page.getByLabel('From (UTC)').fill('2026-03-02 21:05');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect.poll(() => decodeURIComponent(page.url())).toContain(`qhost=${planted.lsassAccess.host}`);
  expect(decodeURIComponent(page.url())).toContain('from=2026-03-02T21:05:00.000Z');
  await page.getByLabel('To (UTC)').fill('9 PM');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert')).toContainText('To: expected a UTC time like');
});

test('when the minimap is clicked, then the camera moves there and the move is recorded in the URL', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  await ui.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')));
  await expect(page.getByTestId('minimap')).toHaveCount(0); // small graph: off by default, nothing covered
  await page.getByRole('button', { name: 'Toggle minimap' }).click();
  const before = await page.evaluate(() => window.__lineage!.camera());
  const mm = (await page.getByTestId('minimap').boundingBox())!;
  await page.mouse.click(mm.x + 8, mm.y + mm.height / 2);
  await expect.poll(async () => (await page.evaluate(() => window.__lineage!.camera())).x).toBeGreaterThan(before.x + 20);
  await expect.poll(() => page.url()).toMatch(/cam=/);
});

test('when a sibling group\'s events are opened, from its panel or by a link, then its members\' events are listed in time order', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const s = await ui.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')));
  const group = s.nodes.find((n) => n.startsWith('group:'))!;
  await ui.open(`/?guid=${big.guid}&host=${big.host}&sel=${group}`);
  await ui.waitFor((st) => st.selected === group);
  const panel = page.getByTestId('side-panel');
  await expect(page.getByTestId('group-events-note')).toBeVisible();
  const all = panel.getByRole('button', { name: /^All \d+/ });
  const total = Number((await all.locator('.count').textContent()) ?? '0');
  expect(total).toBeGreaterThan(0);
  await all.click();
  const rows = panel.getByRole('list', { name: 'Events' }).getByRole('listitem');
  await expect(rows).toHaveCount(Math.min(total, 50));
  const times = await rows.locator('.ev-time').allTextContents();
  expect(times).toEqual([...times].sort()); // one day: HH:MM:SS text sorts like time
  await expect(panel.getByText(/not a GUID|Could not load/)).toHaveCount(0);
  // A shared link straight to the group's events lists them too.
  await ui.open(`/?guid=${big.guid}&host=${big.host}&sel=${group}&panel=events`);
  await expect(page.getByTestId('side-panel').getByRole('list', { name: 'Events' }).getByRole('listitem')).toHaveCount(Math.min(total, 50));
});

test('when the critical phishing notable is opened, then outlook\'s ancestors are drawn up to the boot root without steering a window, and "Parent ▲" stays disabled with nothing above', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await ui.openNotable(/phishing/i);
  // The demo's boot chain (server/src/demo/benign.ts): smss → smss (session) → winlogon → userinit → explorer → outlook → winword → cmd.
  const s = await ui.waitFor((st) => [ph.explorer, ph.outlook, ph.winword, ph.cmd].every((g) => st.nodes.includes(g)), 'phishing chain drawn');
  const parentOf = new Map(s.edges.filter((e) => e.startsWith('spawn:')).map((e) => e.slice(6).split('>').reverse() as [string, string]));
  const up: string[] = [];
  for (let g = parentOf.get(ph.cmd); g; g = parentOf.get(g)) up.push(g);
  expect(up.slice(0, 3)).toEqual([ph.winword, ph.outlook, ph.explorer]);
  expect(up.length).toBeGreaterThanOrEqual(7); // explorer's userinit, winlogon and both smss above it
  // The list's first row is the root: System (pid 4), which has no create of its own, drawn as a placeholder.
  const rows = page.getByRole('tree', { name: 'Process tree list' }).getByRole('treeitem');
  await expect(rows.first()).toContainText(/^\W*system4/i);
  await expect(rows.first()).toHaveAttribute('data-id', up[up.length - 1]!);
  const doc = await (await page.request.get(`/api/graph?guid=${encodeURIComponent(ph.cmd)}&up=1&down=0`)).json() as { nodes: Array<{ placeholderReason: string | null }> };
  expect(doc.nodes.filter((n) => n.placeholderReason === 'not-in-range')).toEqual([]);
  await expect(page.getByRole('button', { name: 'Show parent of topmost node' })).toBeDisabled();
});
