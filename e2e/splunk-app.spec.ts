/**
 * Lineage inside Splunk (docs/splunk-app.md), in Splunk mode against the Splunk-protocol test server (project
 * `splunk` in playwright.config.ts): log in, open the ES notable on cmd (T1202 capture, see
 * splunk.spec.ts), select calc, "Add to notable" with a status change; the notable's comment in ES's
 * incident_review (read over splunkd's REST API) holds the investigation link and the lineage summary,
 * and opening that link in a fresh page shows the same view: same nodes, same selection.
 */
import { expect, test } from '@playwright/test';
import { InvestigationPage } from './pages/investigation-page.js';

const CMD = '{9d1ed712-fffd-623d-1b02-000000003b02}';
const PCALUA = '{9d1ed712-fffd-623d-1d02-000000003b02}';
const CALC = '{9d1ed712-fffd-623d-1e02-000000003b02}';
/** ES's notable id as the `notable` macro assigns it at search time: `<guid>@@notable@@<md5>`. */
const ES_EVENT_ID = /^[0-9A-Fa-f-]{36}@@notable@@[0-9a-f]{32}$/;

interface Review { rule_id: string; comment: string | null; status: string | null; user: string }

async function incidentReview(): Promise<Review[]> {
  const port = Number(process.env.E2E_SPLUNKD_PORT ?? 8189);
  const res = await fetch(`http://127.0.0.1:${port}/servicesNS/nobody/SA-ThreatIntelligence/storage/collections/data/incident_review?output_mode=json`, {
    headers: { Authorization: `Basic ${Buffer.from('admin:changeme').toString('base64')}` },
  });
  expect(res.ok).toBe(true);
  return (await res.json()) as Review[];
}

test('notable → graph → Add to notable → the comment links back to the same view', async ({ page, browser, baseURL }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('changeme');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('source-badge')).toHaveText(/Splunk admin/);

  await ui.openNotable(/pcalua/i);
  await ui.waitFor((s) => [CMD, PCALUA].every((g) => s.nodes.includes(g)), 'cmd and pcalua');
  // pcalua's only child, calc, is drawn with the graph (a process-access target placed under its parent).
  await ui.waitFor((s) => s.nodes.includes(CALC), 'calc drawn');
  await ui.select(CALC);
  const shown = await ui.state();

  await page.getByRole('button', { name: 'Add to notable' }).click();
  const form = page.getByTestId('add-to-notable');
  // The one notable on this graph is preselected, named by the event id ES gave it.
  await expect(form.getByLabel('Notable')).toHaveValue(ES_EVENT_ID);
  const NOTABLE = await form.getByLabel('Notable').inputValue();
  const before = (await incidentReview()).filter((r) => r.rule_id === NOTABLE).length;
  await form.getByLabel('Status').selectOption({ label: 'In Progress' });
  const preview = form.getByTestId('notable-comment-preview');
  await expect(preview).toContainText('`cmd.exe` → `pcalua.exe` → `calc.exe`');
  await expect(preview).toContainText('hit: Indirect command execution via pcalua');
  await ui.screenshot('splunk-app-01-add-to-notable');
  await form.getByRole('button', { name: 'Send to notable' }).click();
  await expect(form.getByRole('status')).toContainText(`Added to notable ${NOTABLE} as admin`);

  const mine = (await incidentReview()).filter((r) => r.rule_id === NOTABLE);
  expect(mine).toHaveLength(before + 1);
  const rec = mine.at(-1)!;
  expect(rec).toMatchObject({ status: '2', user: 'admin' });
  const m = /^Investigated in Lineage: (\S+)\n\n([\s\S]+)$/.exec(rec.comment ?? '');
  expect(m, rec.comment ?? '').not.toBeNull();
  const link = new URL(m![1]!);
  expect(link.origin).toBe(new URL(baseURL!).origin);
  expect(link.pathname + link.search).toBe(new URL(page.url()).pathname + new URL(page.url()).search);
  expect(m![2]).toMatch(/^\*\*Lineage\*\* \(\d+ processes, root → leaf on win-dc-emcginnis-47905-664\.attackrange\.local\)/);

  // The link from the notable, opened in a fresh page of the same analyst's browser: the same view.
  const context = page.context();
  const fresh = await context.newPage();
  await fresh.goto(link.href);
  const ui2 = new InvestigationPage(fresh);
  const again = await ui2.waitFor((s) => s.nodes.length === shown.nodes.length && s.selected === CALC, 'same view from the notable link');
  expect([...again.nodes].sort()).toEqual([...shown.nodes].sort());
  expect([...again.edges].sort()).toEqual([...shown.edges].sort());
  await ui2.screenshot('splunk-app-02-opened-from-notable');
  await fresh.close();
  void browser;
});
