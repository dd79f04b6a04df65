/**
 * No XSS from evidence (docs/security.md "Evidence is shown as text"), in real Chromium: events whose
 * fields carry HTML/script payloads (process image, command line, user, current directory, parent
 * command line, a file name, a DNS name, the host name) are uploaded, then their graph, details,
 * event lists and raw events are opened. Each payload carries a `data-xss` marker: any payload the
 * page turned into markup leaves an element with that attribute (whether or not the CSP would stop
 * its script), and any that ran sets `window.__xss`. The payload text itself must be on the page
 * (so the probe looked where the data is shown).
 */
import { expect, test } from '@playwright/test';
import { investigationUrl } from '../shared/src/investigation-url.js';
import { InvestigationPage } from './pages/investigation-page.js';

const HOST = 'xss-host';
const PAYLOADS = [
  `<img src=x data-xss=1 onerror="window.__xss=1">`,
  `<script data-xss=2>window.__xss=2</script>`,
  `"><svg data-xss=3 onload="window.__xss=3">`,
  `'><b data-xss=4>bold</b>`,
  `<a data-xss=5 href="javascript:window.__xss=5">link</a>`,
  `</textarea><iframe data-xss=6 srcdoc="<script>parent.__xss=6</script>"></iframe>`,
  `<style data-xss=7>body{display:none}</style>`,
  `<details data-xss=8 open ontoggle="window.__xss=8">`,
  `&lt;b data-xss=9&gt;entity&lt;/b&gt;`,
  `{{constructor.constructor('window.__xss=10')()}} \${window.__xss=10}`,
  `<math><mi data-xss=11 xlink:href="javascript:window.__xss=11">m</mi></math>`,
  `<input data-xss=12 autofocus onfocus="window.__xss=12">`,
];

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
const PARENT = '{5770385f-c22a-43e0-bf4c-00000000a001}';
const CHILD = '{5770385f-c22a-43e0-bf4c-00000000a002}';

function event(id: number, rec: number, time: string, data: Record<string, string>): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>${id}</EventID>`
    + `<EventRecordID>${rec}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${HOST}</Computer></System><EventData>`
    + `<Data Name='UtcTime'>${time}</Data>${Object.entries(data).map(([k, v]) => `<Data Name='${k}'>${xml(v)}</Data>`).join('')}</EventData></Event>\n`;
}

/** Every payload appears in some field; the fields the UI shows most get several. */
const BODY = event(1, 1, '2024-05-01 10:00:00.000', {
  ProcessGuid: PARENT, ProcessId: '100', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: `cmd.exe /c ${PAYLOADS[0]} ${PAYLOADS[1]}`, User: `CORP\\${PAYLOADS[2]}`,
}) + event(1, 2, '2024-05-01 10:00:01.000', {
  ProcessGuid: CHILD, ProcessId: '200', ParentProcessGuid: PARENT, ParentProcessId: '100', ParentImage: 'C:\\Windows\\System32\\cmd.exe',
  ParentCommandLine: `cmd.exe /c ${PAYLOADS[0]} ${PAYLOADS[1]}`,
  Image: `C:\\Users\\${PAYLOADS[3]}\\evil.exe`, CommandLine: PAYLOADS.join(' '), User: `CORP\\${PAYLOADS[4]}`, CurrentDirectory: `C:\\${PAYLOADS[5]}\\`,
  Hashes: `SHA256=${PAYLOADS[6]}`, IntegrityLevel: PAYLOADS[7]!,
}) + event(11, 3, '2024-05-01 10:00:02.000', {
  ProcessGuid: CHILD, ProcessId: '200', Image: `C:\\Users\\${PAYLOADS[3]}\\evil.exe`, TargetFilename: `C:\\Temp\\${PAYLOADS[8]}.txt`,
}) + event(22, 4, '2024-05-01 10:00:03.000', {
  ProcessGuid: CHILD, ProcessId: '200', Image: `C:\\Users\\${PAYLOADS[3]}\\evil.exe`, QueryName: `${PAYLOADS[9]}.example`, QueryResults: PAYLOADS[10]!,
}) + event(3, 5, '2024-05-01 10:00:04.000', {
  ProcessGuid: CHILD, ProcessId: '200', Image: `C:\\Users\\${PAYLOADS[3]}\\evil.exe`, DestinationHostname: PAYLOADS[11]!, DestinationIp: '10.0.0.9', DestinationPort: '443', Protocol: 'tcp',
});

test('payloads in every shown field are displayed as text: no markup, no script, no CSP report', async ({ page, request }) => {
  const up = await request.post(`/api/upload?name=${encodeURIComponent('xss.xml')}`, { data: Buffer.from(BODY), headers: { 'content-type': 'application/octet-stream', 'x-lineage-request': '1' } });
  expect(up.status()).toBe(200);
  expect(await up.text()).toMatch(/"type":"done"/);

  const problems: string[] = [];
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  const probe = async (where: string): Promise<void> => {
    const found = await page.evaluate(() => ({
      markup: [...document.querySelectorAll('[data-xss]')].map((e) => e.getAttribute('data-xss')),
      ran: (window as { __xss?: unknown }).__xss ?? null,
    }));
    expect(found, where).toEqual({ markup: [], ran: null });
    expect(problems, where).toEqual([]);
  };

  const ui = new InvestigationPage(page);
  const url = investigationUrl({ guid: CHILD, host: HOST, from: '2024-05-01T09:00:00.000Z', to: '2024-05-01T11:00:00.000Z', sel: CHILD });
  const openChild = async (): Promise<void> => {
    await ui.open(url);
    await ui.waitFor((s) => s.nodes.length >= 2, 'parent and child drawn');
  };
  await openChild();
  // The details show the command line with its payloads as text.
  // CSS, not roles: an injected <style> could hide the page from the accessibility tree, and the
  // probe must still run.
  const details = page.locator('aside.side-panel');
  await expect(details.locator('h2', { hasText: /evil\.exe pid 200/ })).toBeAttached();
  await probe('graph + details of the child');
  await expect(details.getByText('data-xss=12', { exact: false }).first()).toBeVisible();

  // Each category's event list, and its first event's raw fields.
  const names = await page.getByRole('button', { name: /^[a-z-]+ events: \d+$/ }).evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')!));
  expect(names.sort()).toEqual(['dns events: 1', 'file events: 1', 'network events: 1']); // the create itself is the details above
  for (const name of names) {
    await openChild();
    await page.getByRole('button', { name, exact: true }).click();
    const rows = page.getByRole('list', { name: 'Events' }).getByRole('button');
    await expect(rows.first()).toBeVisible();
    await probe(`list ${name}`);
    await rows.first().click();
    await expect(details.locator('dt', { hasText: /^RecordID$/ })).toBeAttached();
    await probe(`raw event of ${name}`);
    await expect(details.getByText('data-xss=', { exact: false }).first()).toBeVisible();
  }

  // The parent: its details (user, command line).
  await openChild();
  const parent = (await ui.state()).nodes.find((n) => n.toLowerCase().includes('00000000a001'));
  expect(parent).toBeDefined();
  await ui.select(parent!);
  await expect(details.locator('h2', { hasText: /cmd\.exe pid 100/ })).toBeAttached();
  await probe('details of the parent');
  await expect(details.getByText('data-xss=3', { exact: false }).first()).toBeVisible();

  // A search on the host lists both processes (image and command line as text).
  const found = await request.get(`/api/search?host=${HOST}&q=data-xss`);
  expect(((await found.json()) as { items: unknown[] }).items.length).toBe(2);
  await probe('end');
});
