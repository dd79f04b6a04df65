/**
 * The UI in Splunk mode against the Splunk-protocol test server (playwright.config.ts project
 * `splunk`: `npm run splunkd` over a real capture + `lineage serve --splunk`): log in as the analyst,
 * open an ES notable, see the graph, expand a node. Facts from the T1202 capture
 * (splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log):
 *
 *   powershell 1602 (no create logged) ─┬─ cmd 1B02 ──┬── pcalua 1D02 ── calc 1E02
 *                                       │             └── pcalua 1F02 ── calc 2002
 *                                       └─ cmd 2102 ── forfiles 2302 ── calc 2502
 */
import { expect, test } from '@playwright/test';
import { InvestigationPage } from './pages/investigation-page.js';

const CMD = '{9d1ed712-fffd-623d-1b02-000000003b02}';
const PCALUA = '{9d1ed712-fffd-623d-1d02-000000003b02}';
const PCALUA2 = '{9d1ed712-fffd-623d-1f02-000000003b02}';
const CALC = '{9d1ed712-fffd-623d-1e02-000000003b02}';
const POWERSHELL = '{9d1ed712-fffc-623d-1602-000000003b02}';

/**
 * Searches the test server received (its own log: jobs are deleted once read, so Splunk's job list
 * no longer shows them), oldest first, and the jobs still on the server per owner.
 */
async function splunkLog(): Promise<{ searches: Array<{ search: string; author: string }>; jobs: Record<string, number> }> {
  const port = Number(process.env.E2E_SPLUNKD_PORT ?? 8189);
  const res = await fetch(`http://127.0.0.1:${port}/services/lineage-sim/received`, {
    headers: { Authorization: `Basic ${Buffer.from('admin:changeme').toString('base64')}` },
  });
  const body = (await res.json()) as { received: Array<{ spl: string; user: string; at: number }>; jobs: Record<string, number> };
  return { searches: body.received.map((r) => ({ search: r.spl, author: r.user })), jobs: body.jobs };
}
const splunkSearches = async () => (await splunkLog()).searches;

test('Splunk mode: login → notable → graph → expand', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await expect(page.getByRole('heading', { name: 'Lineage' })).toBeVisible();
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/did not accept/);
  await page.getByLabel('Password').fill('changeme');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('source-badge')).toHaveText(/Splunk admin/);
  // The session cookie is httpOnly: page script cannot read it.
  expect(await page.evaluate(() => document.cookie)).toBe('');
  await ui.screenshot('splunk-01-logged-in');

  // ES notables as a Universal Forwarder deployment shows them (host = short name, dest = FQDN), read
  // through the `notable` macro: open ones of the last 7 days by default, older or closed ones on request.
  const rail = page.getByRole('list', { name: 'Notables' });
  await expect(rail).toContainText('Forfiles execution');
  await expect(rail).not.toContainText('Closed: certutil');
  await expect(rail).not.toContainText('a month ago');
  await page.getByLabel('Notables status').selectOption('all');
  await expect(rail).toContainText('Closed: certutil');
  await page.getByLabel('Notables time range').selectOption('30d');
  await expect(rail).not.toContainText('a month ago');
  await page.getByLabel('Notables time range').selectOption('all');
  await expect(rail).toContainText('a month ago');
  await page.getByLabel('Notables status').selectOption('open');
  await expect(rail).not.toContainText('Closed: certutil');
  const beforeGraph = (await splunkSearches()).length;
  await ui.openNotable(/pcalua/i);
  const s = await ui.waitFor((st) => [CMD, PCALUA, PCALUA2].every((g) => st.nodes.includes(g)), 'cmd and its pcalua children');
  // The parent powershell has no create in the capture: a placeholder above cmd.
  expect(s.nodes).toContain(POWERSHELL);
  expect(s.edges).toContain(`spawn:${POWERSHELL}>${CMD}`);
  // pcalua's only child, calc, is drawn (a process-access target placed under its parent), so no "1 more ▸"
  // is offered under pcalua (issue 15: no "more" that yields nothing; was asserted present before).
  expect(s.nodes).toContain(CALC);
  expect(s.edges).toContain(`spawn:${PCALUA}>${CALC}`);
  expect(s.nodes).not.toContain(`more:${PCALUA}`);
  // Notable → graph to the root: few searches, and none left on the server once read.
  const graphJobs = (await splunkSearches()).length - beforeGraph;
  expect(graphJobs).toBeGreaterThan(0);
  // The graph: tree + counts, one tail search for lifetimes past the window (the capture's processes
  // never terminate), one lookup (≤ 4); then the drawn nodes' prevalence (docs/splunk.md "How many
  // searches"): ONE stats search over the baseline (their records come from the graph's searches).
  expect(graphJobs).toBeLessThanOrEqual(6);
  const opened = (await splunkSearches()).slice(beforeGraph).map((x) => x.search);
  expect(opened.filter((q) => q.includes('lineage_hashes')).length).toBe(1);
  expect((await splunkLog()).jobs.admin ?? 0).toBe(0);
  // Events of the notable's process (cmd opened pcalua: process-access events).
  await ui.select(CMD);
  await page.getByRole('button', { name: /^process-access events/ }).click();
  await expect(page.getByRole('list', { name: 'Events' })).toContainText('pcalua.exe');
  // pcalua's children page, as the client requests it: loaded from Splunk, as the analyst (session cookie),
  // holding calc with its childCount from one count search.
  const before = await splunkSearches();
  const kids = await page.request.get(`/api/processes/${encodeURIComponent(PCALUA)}/children`);
  expect(kids.status()).toBe(200);
  const body = await kids.json() as { items: Array<{ guid: string; childCount: number | null }>; nextCursor: string | null };
  expect(body.items.map((i) => i.guid)).toEqual([CALC]);
  expect(body.nextCursor).toBeNull();
  const added = (await splunkSearches()).slice(before.length);
  expect(added.some((j) => j.author === 'admin' && j.search.includes(`ParentProcessGuid IN ("${PCALUA}")`))).toBe(true);
  await ui.select(CALC);
  await expect(page.getByTestId('side-panel')).toContainText('calc.exe');
  await expect(page.getByTestId('side-panel')).toContainText('2112');
  // Provenance: the panel shows the exact SPL of a search that returned calc's row (by its GUID or as
  // a child of pcalua), one the test server really ran as the analyst.
  const spl = page.getByTestId('provenance-spl');
  await expect(spl).toContainText(/search index=sysmon .*\| stats /);
  const shownSpl = (await spl.textContent()) ?? '';
  expect(shownSpl.includes(CALC) || shownSpl.includes(`ParentProcessGuid IN ("${PCALUA}")`)).toBe(true);
  expect((await splunkSearches()).filter((j) => j.author === 'admin').map((j) => j.search)).toContain(shownSpl);
  expect((await splunkLog()).jobs.admin ?? 0).toBe(0);
  await expect(page.getByTestId('provenance')).toContainText(/Job id/);
  // "Open in Splunk" re-runs exactly that SPL in Splunk Web (serve --web), over the same window, in a new tab.
  const open = page.getByRole('link', { name: /Open in Splunk/ });
  await expect(open).toHaveAttribute('target', '_blank');
  const href = new URL((await open.getAttribute('href')) ?? '');
  expect(`${href.origin}${href.pathname}`).toBe('https://splunk-web.example:8000/app/search/search');
  expect(href.searchParams.get('q')).toBe(shownSpl);
  // The shown search (a GUID lookup) is bounded below by the GUID's start second (docs/splunk.md "Time from
  // the GUID"), not run over all time: the link carries that window, or Splunk Web's default picker (last
  // 24 h) would find nothing in this 2022 capture.
  expect(shownSpl).not.toMatch(/earliest=/);
  const earliest = Number(href.searchParams.get('earliest'));
  expect(earliest).toBeGreaterThan(Date.parse('2022-03-01T00:00:00Z') / 1000);
  expect(earliest).toBeLessThan(Date.parse('2022-04-01T00:00:00Z') / 1000);
  expect(Number(href.searchParams.get('latest'))).toBeGreaterThan(earliest);
  await ui.screenshot('splunk-02-expanded');
  await page.getByTestId('provenance').scrollIntoViewIfNeeded();
  await ui.screenshot('splunk-02b-provenance');

  // The session ends elsewhere (another tab signs out): the next API call answers 401 and the login page returns.
  const out = await page.request.delete('/api/session', { headers: { 'X-Lineage-Request': '1' } });
  expect(out.ok()).toBe(true);
  await page.getByRole('button', { name: 'Investigate from here' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await ui.screenshot('splunk-03-session-expired');
});

test('a full search-artifact disk quota reaches the analyst in Splunk\'s words', async ({ page }) => {
  // `quota-full` is a user whose role's srchDiskQuota is used up (the test server's --disk-quota-mb
  // quota-full:0): splunkd refuses every search it dispatches with its own message.
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByLabel('User name').fill('quota-full');
  await page.getByLabel('Password').fill('changeme');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('source-badge')).toHaveText(/Splunk quota-full/);
  // The notables list is the first search: its error is Splunk's refusal, not a generic failure.
  await expect(page.getByText(/disk usage quota of search artifacts for user "quota-full" has been reached/).first()).toBeVisible();
  await ui.screenshot('splunk-02-disk-quota-full');
});

test('Splunk mode: prevalence gives pair, command-line and image figures and says the chain is not available on Splunk', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('changeme');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await ui.openNotable(/pcalua/i);
  await ui.waitFor((st) => [CMD, PCALUA].every((g) => st.nodes.includes(g)), 'cmd and pcalua');
  await ui.select(PCALUA);
  const section = page.getByTestId('node-prevalence');
  await expect(section).toContainText('cmd.exe → pcalua.exe');
  await expect(section.getByTestId('not-computed-chain')).toHaveText('not available on Splunk');
  await expect(section.getByTestId('not-computed-chain')).toHaveAttribute('title', /ancestry/);
  // Command line and image are computed on Splunk now: figures, not the "not available" words.
  await expect(section.locator('.field', { hasText: 'Command line' }).locator('dd')).toHaveText(/^\d+ hosts?, \d+×$/);
  await expect(section.locator('.field', { hasText: 'Image' }).locator('dd')).toHaveText(/^\d+ hosts?, \d+×/);
  await page.getByTestId('prevalence').locator('summary').click();
  await expect(page.getByTestId('prevalence-not-computed-chain')).toContainText('Chain: not available on Splunk');
  await expect(page.getByTestId('prevalence-not-computed-commandLine')).toHaveCount(0);
});
