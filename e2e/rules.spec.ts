/**
 * The Rules page and "make a rule from this chain" against the real server on the demo fleet
 * (playwright.config.ts starts `lineage demo` + `lineage serve`). Planted GUIDs come from the demo
 * manifest; the demo's day 0 is 2026-03-02 (DEMO_EPOCH_MS). Screenshots go to e2e/artifacts/.
 */
import { expect, test } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage } from './pages/investigation-page.js';
import { pathFromRoot } from './pages/ancestry.js';

const planted = plantedManifest();
const cpw = planted.cmdPowershellWinword;
const ph = planted.phishing;
const ONE_LINER = 'cmd.exe -[1..5]-> powershell.exe -[1..5]-> winword.exe|excel.exe within 30m';

test('Rules page: paste, validate and run a rule over the demo range; a hit opens the investigation with the chain highlighted', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open('/rules');
  const editor = page.getByTestId('rule-text');
  await editor.fill(ONE_LINER);
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByTestId('rule-valid')).toBeVisible();
  await page.getByLabel('From (UTC)').fill('2026-03-02T00:00');
  await page.getByLabel('To (UTC)').fill('2026-03-09T00:00');
  await page.getByTestId('run-rule').click();

  // The planted cmd → powershell → winword chain is a hit: host, time (UTC) and the path, oldest first.
  const row = page.getByTestId('rule-hit').filter({ hasText: cpw.host }).filter({ hasText: 'winword.exe' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/cmd\.exe\s*→\s*powershell\.exe\s*→\s*winword\.exe/i);
  await expect(row).toContainText(cpw.time.slice(0, 10));
  await ui.screenshot('rules-01-hits');

  await row.getByTestId('rule-hit-link').click();
  await expect(page).toHaveURL(/\/\?guid=/);
  const s = await ui.waitFor((st) => st.chain.length === 3, 'rule-hit chain highlighted');
  expect([...s.chain].sort()).toEqual([cpw.cmd, cpw.powershell, cpw.winword].sort());
  expect(s.selected).toBe(cpw.winword);
  // The link names a window holding the whole chain, so the server needs no origin lookup.
  const url = new URL(page.url());
  const leafMs = Date.parse(cpw.time);
  expect(Date.parse(url.searchParams.get('from') ?? '')).toBeLessThan(leafMs);
  expect(Date.parse(url.searchParams.get('to') ?? '')).toBeGreaterThan(leafMs);
  await ui.screenshot('rules-02-hit-opened');
});

test('A rule notable in the left rail opens its chain highlighted, over the window of its hit', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  const notable = page.getByRole('list', { name: 'Notables' }).getByRole('button', { name: /Rule: Office app launched under PowerShell under cmd/ })
    .filter({ hasText: cpw.host });
  // The rule's ATT&CK technique ids (rules/office.yaml lin-0001 tags) show on the notable.
  await expect(notable).toContainText('T1059.001 T1059.003 T1204.002');
  await notable.click();
  const s = await ui.waitFor((st) => st.chain.length === 3, 'rule-notable chain highlighted');
  expect([...s.chain].sort()).toEqual([cpw.cmd, cpw.powershell, cpw.winword].sort());
  for (const g of [cpw.cmd, cpw.powershell, cpw.winword]) expect(s.nodes).toContain(g);
  const url = new URL(page.url());
  expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(Date.parse(url.searchParams.get('to') ?? '')).toBeGreaterThan(Date.parse(cpw.time));
});

test('"Make a rule from this chain" fills the Rules editor with the selected path, and that rule finds the chain', async ({ page, request }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await ui.openNotable(/phishing/i);
  await ui.waitFor((st) => [ph.outlook, ph.winword, ph.cmd].every((g) => st.nodes.includes(g)) && st.selected === ph.cmd, 'phishing chain');
  await ui.screenshot('rules-03-make-rule-button');
  await page.getByRole('button', { name: 'Make a rule from this chain' }).click();

  await expect(page).toHaveURL(/\/rules\?rule=/);
  const editor = page.getByTestId('rule-text');
  // The path to the root, as the graph now draws it (ancestors above the window are walked): every
  // logged ancestor of cmd, found here one parent at a time through the process route.
  const path = (await pathFromRoot(request, ph.cmd, ph.host)).filter((a) => a.logged);
  expect(path.slice(-3).map((a) => a.guid)).toEqual([ph.outlook, ph.winword, ph.cmd]);
  await expect(editor).toHaveValue(path.map((a) => a.image).join(' -> '));
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByTestId('rule-valid')).toBeVisible();
  await page.getByLabel('From (UTC)').fill('2026-03-02T00:00');
  await page.getByLabel('To (UTC)').fill('2026-03-09T00:00');
  await page.getByTestId('run-rule').click();
  // The hit whose leaf is the phishing cmd.exe (its link opens that process).
  const hit = page.getByTestId('rule-hit').filter({ has: page.locator(`[data-testid="rule-hit-link"][href*="guid=${ph.cmd}"]`) });
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText(ph.host);
  await ui.screenshot('rules-04-editor-filled');
});

test('A Sigma step on the PE name (OriginalFileName) finds the planted chain on the embedded store; the stats say what was pushed down', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open('/rules');
  const editor = page.getByTestId('rule-text');
  const stats = page.getByTestId('rule-stats');
  await page.getByLabel('From (UTC)').fill('2026-03-02T00:00');
  await page.getByLabel('To (UTC)').fill('2026-03-09T00:00');
  const rule = (id: string, leaf: string) => [
    `title: ${id}`, `id: ${id}`, 'within: 30m', 'chain:', '  - match: { Name: cmd.exe }', '  - via: 1..5', '    match: { Name: powershell.exe }',
    '  - via: 1..5', `    match: ${leaf}`,
  ].join('\n');
  const hit = () => page.getByTestId('rule-hit').filter({ hasText: cpw.host }).filter({ hasText: 'winword.exe' });

  // The leaf named only by its PE name: scanned by its Sigma filter, which the embedded store does not apply,
  // so every create is read — said as a full scan (it read "0 image names pushed down" before); the
  // embedded rule scan returns OriginalFileName, so the planted chain is found.
  await editor.fill(rule('e2e-pe-name', '{ sigma: { pe: { OriginalFileName: [winword.exe, excel.exe] }, condition: pe } }'));
  await page.getByTestId('run-rule').click();
  await expect(hit()).toHaveCount(1);
  await expect(hit()).toContainText(/cmd\.exe\s*→\s*powershell\.exe\s*→\s*winword\.exe/i);
  await expect(stats).toContainText('(full scan)');
  await expect(stats).not.toContainText('0 image names');

  // The same leaf also pinned by name: its creates are scanned by that name, with their PE fields.
  await editor.fill(rule('e2e-pe-and-name', '{ Name: winword.exe, sigma: { pe: { OriginalFileName: winword.exe }, condition: pe } }'));
  await page.getByTestId('run-rule').click();
  await expect(stats).toContainText('(1 image name pushed down)');
  await expect(hit()).toHaveCount(1);
});
