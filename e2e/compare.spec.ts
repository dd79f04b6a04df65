/**
 * Compare two trees on the demo fleet: the same inventory task on two hosts, host B with one planted
 * extra process (planted.ts `compare`). The comparison is the URL; it is reached from the side panel
 * (pick A, compare B with it) and exported as markdown.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage } from './pages/investigation-page.js';

const c = plantedManifest().compare!;
const open = (guid: string, host: string) => `/?guid=${encodeURIComponent(guid)}&host=${host}&sel=${encodeURIComponent(guid)}`;

test('pick A, compare B with it: only B has net.exe, the URL holds the comparison, markdown export', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(open(c.rootA, c.hostA));
  await ui.waitFor((s) => s.selected === c.rootA, 'A selected');
  await page.getByRole('button', { name: 'Compare: pick as A' }).click();
  await ui.open(open(c.rootB, c.hostB));
  await ui.waitFor((s) => s.selected === c.rootB, 'B selected');
  await page.getByRole('button', { name: `Compare with cmd.exe on ${c.hostA}` }).click();

  await expect(page).toHaveURL(/\/compare\?/);
  const q = new URL(page.url()).searchParams;
  expect([q.get('a')?.toLowerCase(), q.get('aHost'), q.get('b')?.toLowerCase(), q.get('bHost')]).toEqual([c.rootA, c.hostA, c.rootB, c.hostB]);
  await expect(page.getByTestId('compare-summary')).toContainText('Only in A: 0 · only in B: 1');
  const onlyB = page.locator('[data-testid="compare-row"][data-status="only-b"]');
  await expect(onlyB).toHaveCount(1);
  await expect(onlyB).toContainText('net.exe');
  await expect(page.locator('[data-testid="compare-row"]').filter({ hasText: 'cscript.exe' })).toContainText('network 1');
  await ui.screenshot('compare-01');

  // Reloading the URL gives the same comparison.
  await page.reload();
  await expect(page.locator('[data-testid="compare-row"][data-status="only-b"]')).toContainText('net.exe');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download markdown' }).click()]);
  const md = readFileSync((await download.path())!, 'utf8');
  expect(md).toContain('| position | status | A | B | events B − A |');
  expect(md).toMatch(/net\.exe `net\.exe user svc-backup winter#! \/add` \| only-b \| 0 \| 1/);
});

test('a broken comparison link says what is wrong', async ({ page }) => {
  await page.goto('/compare?a=nope&b=x');
  await expect(page.getByRole('alert')).toContainText('not valid');
});
