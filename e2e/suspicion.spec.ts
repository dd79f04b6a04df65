/**
 * "What is unusual here" in Chromium against the real server on the demo fleet: the "Expand what
 * matters" button, why each node was opened (side panel), the expansion surviving a URL round trip,
 * notables opening with `auto`, and prevalence (rare marker, table filter in the URL). Planted GUIDs
 * come from the demo manifest; which processes are rare comes from the server's prevalence answer.
 */
import { expect, test } from '@playwright/test';
import { PrevalenceAnswerSchema } from '../shared/src/prevalence.js';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage } from './pages/investigation-page.js';

const planted = plantedManifest();
const ph = planted.phishing;
const CHAIN = [ph.outlook, ph.winword, ph.cmd, ph.powershell, ph.rundll32];

test('when "Expand what matters" is pressed on the phishing host\'s explorer, then the attack chain opens with its reasons and the URL reopens it', async ({ page, browser }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.explorer}&host=${ph.host}`);
  const plain = await ui.waitFor((s) => s.nodes.includes(ph.explorer), 'plain graph');
  expect(plain.nodes).not.toContain(ph.powershell);

  await page.getByTestId('expand-suspicion').click();
  const expanded = await ui.waitFor((s) => CHAIN.every((g) => s.nodes.includes(g)), 'attack chain opened');
  await expect(page).toHaveURL(/xp=suspicion/);
  await expect(page.getByTestId('expansion-note')).toContainText(/opened \d+ of \d+ below the origin by suspicion/);

  await ui.select(ph.powershell);
  const why = page.getByTestId('why-opened');
  await expect(why).toContainText('encoded PowerShell');
  await expect(why).toContainText(/lineage rule: .+ \(\w+\)/);
  await ui.select(ph.outlook);
  await expect(why).toContainText(/leads to (winword|cmd|powershell|rundll32)\.exe/);

  // Round trip: the URL holds the mode, not the nodes; a fresh browser draws the same nodes.
  expect(page.url()).not.toContain('exp=');
  const fresh = await browser.newContext();
  const ui2 = new InvestigationPage(await fresh.newPage());
  await ui2.open(page.url());
  const again = await ui2.waitFor((s) => s.nodes.length === expanded.nodes.length, 'same expansion in a new context');
  expect([...again.nodes].sort()).toEqual([...expanded.nodes].sort());
  await fresh.close();

  // ✕ goes back to the plain view.
  await page.getByRole('button', { name: 'Back to the plain view' }).click();
  await ui.waitFor((s) => !s.nodes.includes(ph.powershell), 'plain again');
  expect(page.url()).not.toContain('xp=');
});

test('when a notable opens, then it asks for `auto`: a small tree stays plain, a large one (the 500-child parent) is expanded', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await ui.openNotable(/phishing/i);
  await expect(page).toHaveURL(/xp=auto/);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.cmd), 'notable graph');
  expect(s.nodes).not.toContain(ph.rundll32); // plain: one level below the notable's process
  await expect(page.getByTestId('expand-suspicion')).toBeVisible();

  const bp = planted.bigParent;
  await ui.open(`/?guid=${bp.guid}&host=${bp.host}&xp=auto`);
  await expect(page.getByTestId('expansion-note')).toContainText(/Large tree: opened \d+ of \d+ below the origin by suspicion/);
  const big = await ui.waitFor((st) => st.nodes.includes(bp.guid), 'big parent');
  // Its 500 children are in sibling groups: far fewer nodes than children.
  expect(big.nodes.length).toBeLessThan(40);
});

test('when prevalence is known, then rare processes carry the marker and the filter (in the URL) keeps only them', async ({ page, request }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.explorer}&host=${ph.host}&xp=suspicion*40`);
  const s = await ui.waitFor((st) => CHAIN.every((g) => st.nodes.includes(g)), 'attack chain opened');
  const res = await request.post('/api/prevalence', { data: { guids: s.nodes.filter((n) => n.startsWith('{')) }, headers: { 'x-lineage-request': '1' } });
  expect(res.status()).toBe(200);
  const answer = PrevalenceAnswerSchema.parse(await res.json());
  const rare = Object.entries(answer.items).filter(([, p]) => p.pair && p.pair.hosts < 3).map(([g]) => g).sort();
  expect(rare.length).toBeGreaterThan(0);
  expect(rare).toContain(ph.cmd); // winword → cmd is planted once in the whole fleet

  const marked = await ui.waitFor((st) => st.rare.length > 0, 'rare marks drawn');
  expect([...marked.rare].sort()).toEqual(rare.filter((g) => marked.nodes.includes(g)));
  await ui.select(ph.cmd);
  await expect(page.getByTestId('rare-badge')).toBeVisible();
  await expect(page.getByTestId('node-prevalence')).toContainText('winword.exe → cmd.exe');

  await page.getByTestId('prevalence').locator('summary').click();
  await page.getByTestId('rare-filter').check();
  await expect(page).toHaveURL(/rare=3/);
  const rows = page.getByTestId('prevalence').locator('tbody tr');
  await expect(rows).toHaveCount(marked.rare.length);
  const dimmed = await ui.waitFor((st) => st.dimmed.length > 0, 'non-rare nodes dimmed');
  for (const g of marked.rare) expect(dimmed.dimmed).not.toContain(g);

  // Reopening the URL keeps the filter.
  await ui.open(page.url());
  await expect(page.getByTestId('prevalence').locator('tbody tr')).toHaveCount(marked.rare.length);
});
