/**
 * The investigation UI against the real server on the demo fleet (playwright.config.ts starts
 * `lineage demo` + `lineage serve`). Planted GUIDs come from the demo manifest, never hard-coded.
 * Screenshots of the main states go to e2e/artifacts/.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { GraphDocumentSchema } from '../shared/src/schemas.js';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage } from './pages/investigation-page.js';

const planted = plantedManifest();
const ph = planted.phishing;

test.describe('phishing chain from its notable', () => {
  test('when expanded to depth 4 and a node selected, then the copied URL reproduces the view in a fresh browser', async ({ page, browser }) => {
    const ui = new InvestigationPage(page);
    await ui.open();
    await ui.screenshot('01-entry');
    await ui.openNotable(/phishing/i);
    // The notable points at cmd.exe; its ancestors come with it: outlook (0) → winword (1) → cmd (2) → powershell (3).
    const s = await ui.waitFor((st) => [ph.outlook, ph.winword, ph.cmd, ph.powershell].every((g) => st.nodes.includes(g)), 'chain drawn');
    expect(s.selected).toBe(ph.cmd);
    expect(s.nodes).not.toContain(ph.rundll32);
    // Depth 4: powershell's child rundll32.
    await ui.expand(ph.powershell);
    await ui.waitFor((st) => st.nodes.includes(ph.rundll32), 'rundll32 after expanding powershell');
    await ui.select(ph.rundll32);
    await expect(page.getByTestId('side-panel')).toContainText('rundll32.exe');
    await expect(page.getByTestId('side-panel')).toContainText(ph.rundll32);
    await ui.screenshot('02-phishing-depth4-selected');

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy link to this view' }).click();
    await expect(page.getByRole('button', { name: 'Copy link to this view' })).toHaveText(/copied/i);
    const url = await page.evaluate(() => navigator.clipboard.readText());
    expect(url).toBe(page.url());
    const before = await ui.state();

    const fresh = await browser.newContext();
    const page2 = await fresh.newPage();
    const ui2 = new InvestigationPage(page2);
    await page2.goto(url);
    const after = await ui2.waitFor((st) => st.nodes.length === before.nodes.length && st.selected != null, 'same graph in new context');
    expect(after.nodes).toEqual(before.nodes);
    expect(after.selected).toBe(ph.rundll32);
    await expect(page2.getByTestId('side-panel')).toContainText('rundll32.exe');
    await fresh.close();
  });

  test('when the panel walks to events, then categories, the event list and a raw event with the C2 address appear', async ({ page }) => {
    const ui = new InvestigationPage(page);
    await ui.open(`/?guid=${ph.powershell}&sel=${ph.powershell}`);
    await ui.waitFor((st) => st.selected === ph.powershell);
    await page.getByRole('button', { name: /^network events/ }).click();
    const events = page.getByRole('list', { name: 'Events' });
    await expect(events).toContainText(ph.c2Ip);
    await events.getByRole('button').filter({ hasText: ph.c2Ip }).first().click();
    await expect(page.getByTestId('side-panel')).toContainText('DestinationIp');
    await expect(page.getByRole('button', { name: 'Copy DestinationIp' })).toBeVisible();
    await ui.screenshot('03-raw-event');
  });
});

test('when a parent has hundreds of children, then "N more" pages through them', async ({ page }) => {
  const big = planted.bigParent;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}`);
  const s0 = await ui.waitFor((st) => st.nodes.includes(big.guid));
  const groups = s0.nodes.filter((n) => n.startsWith('group:'));
  const plain0 = s0.nodes.filter((n) => n.startsWith('{') && n !== big.guid);
  // 500 children are summarised (sibling groups and/or a "more" node), never drawn one by one at first.
  expect(s0.nodes.length).toBeLessThan(60);
  const target = groups[0] ?? `more:${big.guid}`;
  await ui.expand(target);
  const moreId = `more:${target}`;
  let s = await ui.waitFor((st) => st.nodes.includes(moreId), 'first page with a more node');
  const page1 = s.nodes.filter((n) => n.startsWith('{')).length;
  expect(page1).toBeGreaterThan(plain0.length);
  const label1 = await page.evaluate((id) => window.__lineage!.state().nodes.includes(id), moreId);
  expect(label1).toBe(true);
  await ui.screenshot('04-fan-out-first-page');
  await ui.clickNode(moreId);
  s = await ui.waitFor((st) => st.nodes.filter((n) => n.startsWith('{')).length > page1, 'second page');
  expect(page.url()).toContain('*2');
  const ids = s.nodes.filter((n) => n.startsWith('{'));
  expect(new Set(ids).size).toBe(ids.length);
});

test('when the parent was never logged, then the placeholder shows its reason in the panel', async ({ page }) => {
  const nl = planted.notLogged;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${nl.child}`);
  await ui.waitFor((st) => st.nodes.includes(nl.parentGuid), 'placeholder parent drawn');
  await ui.select(nl.parentGuid);
  const note = page.getByTestId('placeholder-reason');
  await expect(note).toContainText('not-logged');
  await expect(note).toContainText(/never logged/);
  await ui.screenshot('05-placeholder-not-logged');
});

test('when the parent lies outside the default window, then the opening walks up to it by itself (no placeholder, no "search wider")', async ({ page }) => {
  // Before the server walked ancestors to the root, this parent came back as a `not-in-range` placeholder
  // and "Search wider" fetched it; that button now stays for sources that refuse (docs/ui.md).
  const ow = planted.outsideWindow;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ow.child}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ow.parent));
  expect(s.edges).toContain(`spawn:${ow.parent}>${ow.child}`);
  await ui.select(ow.parent);
  await expect(page.getByTestId('side-panel')).toContainText(ow.parent);
  await expect(page.getByTestId('placeholder-reason')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Search wider/ })).toHaveCount(0);
  await expect(page).not.toHaveURL(/from=/);
});

test('when arrow keys are pressed in the graph, then the selection moves parent / child / sibling (left = parent, right = child: generations run left to right)', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&sel=${ph.cmd}`);
  await ui.waitFor((st) => st.selected === ph.cmd);
  await ui.graphRegion().focus();
  await page.keyboard.press('ArrowLeft');
  await ui.waitFor((st) => st.selected === ph.winword, 'left to parent');
  await page.keyboard.press('ArrowRight');
  await ui.waitFor((st) => st.selected === ph.cmd, 'right to child');
  await page.keyboard.press('ArrowRight');
  await ui.waitFor((st) => st.selected === ph.powershell, 'right again');
  await page.keyboard.press('Enter');
  await ui.waitFor((st) => st.nodes.includes(ph.rundll32), 'Enter expands');
  await page.keyboard.press('Escape');
  await ui.waitFor((st) => st.selected === null, 'Escape clears');
  expect(page.url()).not.toContain('sel=');
});

test('when finding text, then matches are highlighted and the rest dimmed', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}`);
  await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Find in graph' })).toBeFocused();
  await page.keyboard.type('powershell');
  const s = await ui.waitFor((st) => st.matches.length > 0, 'matches');
  // cmd.exe's command line launches powershell, so it matches too; winword does not.
  expect(s.matches).toContain(ph.powershell);
  expect(s.matches).toContain(ph.cmd);
  expect(s.dimmed).toContain(ph.winword);
  expect(s.dimmed).not.toContain(ph.powershell);
  await expect(page.getByTestId('find-count')).toHaveText(`${s.matches.length} matches`);
  expect(page.url()).toContain('find=powershell');
  await ui.screenshot('06-find');
});

test('when exporting JSON, then a valid graph document of the drawn processes downloads', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export graph as JSON' }).click()]);
  const body = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  const doc = GraphDocumentSchema.parse(body);
  expect(doc.origin).toBe(ph.cmd);
  expect(doc.nodes.map((n) => n.guid).sort()).toEqual(s.nodes.filter((n) => !n.startsWith('more:')).sort());
  expect(doc.edges).toContainEqual(expect.objectContaining({ source: ph.cmd, target: ph.powershell, kind: 'spawn' }));
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export processes as CSV' }).click()]);
  const lines = readFileSync((await csv.path())!, 'utf8').trimEnd().split('\r\n');
  expect(lines.length).toBe(doc.nodes.length + 1);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export graph as PNG' }).click()]);
  expect(readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
});

test('when a rule-hit link is opened, then the chain is drawn highlighted', async ({ page }) => {
  const ui = new InvestigationPage(page);
  const chain = [ph.winword, ph.cmd, ph.powershell];
  await ui.open(`/?guid=${ph.powershell}&highlight=${chain.join(',')}`);
  const s = await ui.waitFor((st) => st.chain.length === 3);
  expect(s.chain.sort()).toEqual([...chain].sort());
  await ui.screenshot('07-rule-chain');
});

test('when a process injected a thread, then a remote-thread cross edge is drawn apart from spawn edges', async ({ page }) => {
  const rt = planted.remoteThread;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${rt.source}&sel=${rt.source}`);
  const s = await ui.waitFor((st) => st.nodes.includes(rt.source) && st.nodes.includes(rt.target));
  expect(s.edges).toContain(`remote-thread:${rt.source}>${rt.target}`);
  await ui.screenshot('08-remote-thread');
});

test('when searching command-line text, then a hit opens that process', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByRole('textbox', { name: 'ProcessGuid or command-line text' }).fill('msupd.dll');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hits = page.getByRole('list', { name: 'Search hits list' });
  await expect(hits.getByRole('button')).toHaveCount(1);
  await hits.getByRole('button', { name: /rundll32\.exe/ }).click();
  const s = await ui.waitFor((st) => st.selected === ph.rundll32);
  expect(s.nodes).toEqual(expect.arrayContaining([ph.powershell, ph.rundll32]));
  await expect(page).toHaveURL(new RegExp(`guid=${ph.rundll32.replace(/[{}]/g, '\\$&')}`));
});

test('when a ProcessGuid is typed in upper case without braces, then it opens directly', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByRole('textbox', { name: 'ProcessGuid or command-line text' }).fill(ph.winword.replace(/[{}]/g, '').toUpperCase());
  await page.keyboard.press('Enter');
  await ui.waitFor((st) => st.selected === ph.winword && st.nodes.includes(ph.cmd));
});

test('when a time range is brushed on the timeline, then processes outside it are dimmed until cleared', async ({ page }) => {
  const big = planted.bigParent;
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}`);
  const s0 = await ui.waitFor((st) => st.nodes.includes(big.guid));
  const group = s0.nodes.find((n) => n.startsWith('group:'))!;
  await ui.expand(group);
  const s1 = await ui.waitFor((st) => st.nodes.includes(`more:${group}`), 'members drawn');
  const members = s1.nodes.filter((n) => n.startsWith('{') && !s0.nodes.includes(n));
  expect(members.length).toBeGreaterThan(5);
  const strip = page.getByTestId('timeline');
  const box = (await strip.boundingBox())!;
  // A brush drawn with the mouse lands in the URL.
  await page.mouse.move(box.x + 3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await ui.waitFor((st) => st.faded.length > 0, 'mouse brush dims');
  await expect(page).toHaveURL(/brush=\d+,\d+/);
  // A brush over the parent's first minute (the axis now also spans its ancestors back to boot, so the
  // range is given in the URL): the parent stays lit, the members started minutes later are dimmed.
  const t = Date.parse(big.time);
  const url = new URL(page.url());
  url.searchParams.set('brush', `${t - 60_000},${t + 30_000}`);
  await page.goto(url.pathname + url.search);
  const s = await ui.waitFor((st) => st.faded.length > 0 && st.nodes.some((n) => members.includes(n)), 'brush dims');
  expect(s.faded).not.toContain(big.guid);
  expect(members.some((m) => s.faded.includes(m))).toBe(true);
  await ui.screenshot('09-timeline-brush');
  await page.getByRole('button', { name: 'Clear time brush' }).click();
  await ui.waitFor((st) => st.faded.length === 0, 'brush cleared');
});

test('when a subtree is collapsed, then it is hidden (and in the URL) until expanded again', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&exp=${ph.powershell}&sel=${ph.powershell}`);
  await ui.waitFor((st) => st.nodes.includes(ph.rundll32) && st.selected === ph.powershell);
  await ui.graphRegion().focus();
  await page.keyboard.press('-');
  const s = await ui.waitFor((st) => !st.nodes.includes(ph.rundll32), 'collapsed');
  expect(s.nodes).toContain(ph.powershell);
  expect(page.url()).toContain(`hide=${ph.powershell}`);
  await page.keyboard.press('Enter');
  await ui.waitFor((st) => st.nodes.includes(ph.rundll32), 'expanded again');
  expect(page.url()).not.toContain('hide=');
});
