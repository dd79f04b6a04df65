/**
 * Upload in the browser (embedded mode): drop the real capattack .evtx onto the page, watch its
 * progress bar fill and the events-stored count arrive, read the summary, then open the procdump
 * chain it brought (cmd.exe → procdump.exe → procdump64.exe). Expected GUIDs are read from the same
 * file with the server's reader, never hard-coded.
 * Needs `lineage serve` to hand its writable EmbeddedStore to createApp (AppDeps.store).
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { canonicalGuid } from '../shared/src/guid.js';
import { readEvtxFile } from '../server/src/ingest/evtx/index.js';
import type { ParsedEvent } from '../server/src/ingest/record.js';
import { dataset, datasetsPresent } from '../server/test/datasets.js';
import { InvestigationPage } from './pages/investigation-page.js';

const FILE = 'splunk-attack_data/capattack_T1003.001_procdump/Microsoft-Windows-Sysmon%4Operational.evtx';
const NAME = 'Microsoft-Windows-Sysmon%4Operational.evtx';

async function procdumpChain(): Promise<{ records: number; cmd: string; procdump: string; procdump64: string; pid: string }> {
  const creates: ParsedEvent[] = [];
  let records = 0;
  for await (const item of readEvtxFile(dataset(FILE))) {
    if (item.kind !== 'event') continue;
    records++;
    if (item.event.system.eventId === 1) creates.push(item.event);
  }
  const pd64 = creates.find((e) => /\\procdump64\.exe$/i.test(e.data.Image ?? ''))!;
  const pd = creates.find((e) => e.data.ProcessGuid === pd64.data.ParentProcessGuid)!;
  return {
    records,
    pid: pd64.data.ProcessId!,
    procdump64: canonicalGuid(pd64.data.ProcessGuid)!,
    procdump: canonicalGuid(pd.data.ProcessGuid)!,
    cmd: canonicalGuid(pd.data.ParentProcessGuid)!,
  };
}

test.skip(!datasetsPresent && process.env.CI !== 'true', 'datasets folder absent (../shared/datasets)');

test('when an .evtx is dropped on the page, then progress completes and its procdump chain opens', async ({ page, request }) => {
  // An empty upload stores nothing: 400 when uploads are wired, 409 when serve gave no store.
  const probe = await request.post('/api/upload', { data: Buffer.alloc(0), headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1' } });
  expect(probe.status(), '`lineage serve` must pass its writable EmbeddedStore to createApp (AppDeps.store)').toBe(400);
  const chain = await procdumpChain();
  expect(chain.records).toBe(429);
  const ui = new InvestigationPage(page);
  await ui.open();
  await page.getByRole('button', { name: 'Upload Sysmon files' }).click();
  const zone = page.getByRole('region', { name: 'Drop zone for Sysmon files' });
  await expect(zone).toBeVisible();

  // A real drop: a DataTransfer holding the file's bytes, dispatched as dragover + drop.
  const bytes = readFileSync(dataset(FILE));
  const dataTransfer = await page.evaluateHandle(({ b64, name }) => {
    const bin = atob(b64);
    const arr = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([arr], name, { type: 'application/octet-stream' }));
    return dt;
  }, { b64: bytes.toString('base64'), name: NAME });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });

  const bar = page.getByRole('progressbar', { name: `${NAME} upload progress` });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('max', String(bytes.length));
  await expect(bar).toHaveAttribute('value', String(bytes.length));
  const row = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: NAME });
  await expect(row).toContainText(`${chain.records} events stored`);
  const summary = page.getByRole('status', { name: 'Upload summary' });
  await expect(summary).toContainText(`${chain.records} events stored from 1 of 1 file`);
  await expect(summary).toContainText('0 rejected');
  await ui.screenshot('upload-01-done');

  // Open the chain the file brought: search its image, open the hit.
  const search = page.getByRole('search', { name: 'Find processes' });
  await search.getByRole('textbox', { name: 'Image' }).fill('procdump64.exe');
  await search.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('list', { name: 'Search hits list' }).getByRole('button', { name: new RegExp(`procdump64\\.exe pid ${chain.pid}\\b`, 'i') }).click();
  const s = await ui.waitFor((st) => [chain.cmd, chain.procdump, chain.procdump64].every((g) => st.nodes.includes(g)), 'procdump chain drawn');
  expect(s.selected).toBe(chain.procdump64);
  await ui.screenshot('upload-02-procdump-chain');
});

test('when files are dragged onto the page with the upload drawer closed, then it opens and the page stays', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open();
  const zone = page.getByRole('region', { name: 'Drop zone for Sysmon files' });
  await expect(zone).toHaveCount(0);
  const urlBefore = page.url();
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['<Events></Events>'], 'x.xml', { type: 'text/xml' }));
    return dt;
  });
  // The drawer opens once the page knows it is embedded (health loaded): retry the drag until then.
  await expect(page.getByRole('button', { name: 'Upload Sysmon files' })).toBeVisible();
  await expect(async () => {
    await page.locator('body').dispatchEvent('dragenter', { dataTransfer });
    await expect(zone).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(page.getByRole('button', { name: 'Upload Sysmon files' })).toHaveAttribute('aria-expanded', 'true');
  // A drop outside the zone is swallowed: the browser does not navigate to the file.
  const dropped = await page.evaluate((dt) => {
    const ev = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
    return document.body.dispatchEvent(ev) ? 'not-prevented' : 'prevented';
  }, dataTransfer);
  expect(dropped).toBe('prevented');
  expect(page.url()).toBe(urlBefore);
});
