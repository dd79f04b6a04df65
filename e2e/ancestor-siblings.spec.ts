/**
 * Ancestors' other children (issue 15, item 6; docs/ui.md "Ancestor cursors"), on the demo fleet: the
 * critical phishing notable opens at cmd with its ancestors drawn to the root; explorer offers its other
 * children as "N more" like any descendant, loading them draws every child once (outlook stays where it
 * is, with its subtree), the expansion round-trips through the URL (`exp=`), and an ancestor whose only
 * child is drawn (winword) offers nothing. The expected children come from the children listing of a
 * fresh, unwindowed request (every child explorer has), not from the graph's count.
 */
import { expect, test } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { allChildren } from './pages/ancestry.js';
import { InvestigationPage } from './pages/investigation-page.js';

const ph = plantedManifest().phishing;

const spawnChildren = (edges: string[], parent: string) =>
  edges.filter((e) => e.startsWith(`spawn:${parent}>`)).map((e) => e.slice(`spawn:${parent}>`.length));

test('when explorer\'s other children are loaded in the phishing chain opened at cmd, then each appears once, outlook keeps its place, and the URL restores them', async ({ page, request }) => {
  const expected = await allChildren(request, ph.explorer, ph.host);
  expect(expected).toContain(ph.outlook);
  expect(expected.length).toBeGreaterThan(5);

  const ui = new InvestigationPage(page);
  await ui.open();
  await ui.openNotable(/phishing/i);
  expect(new URL(page.url()).searchParams.get('guid')).toBe(ph.cmd);
  const more = `more:${ph.explorer}`;
  const s = await ui.waitFor((st) => st.nodes.includes(ph.explorer) && st.nodes.includes(more), 'explorer offers "N more"');
  expect(spawnChildren(s.edges, ph.explorer).filter((c) => !c.startsWith('more:'))).toEqual([ph.outlook]);
  // The "N more" row says how many: every child but the drawn outlook.
  await expect(page.getByRole('tree', { name: 'Process tree list' }).locator(`[data-id="${more}"]`)).toContainText(`${expected.length - 1} more`);
  // winword's only child (cmd) is drawn: no "more", nothing to expand.
  expect(s.nodes).not.toContain(`more:${ph.winword}`);

  // Page by page (25 a page), as an analyst clicks "N more" until none is left; each page adds children.
  const drawnKids = (st: { edges: string[] }) => spawnChildren(st.edges, ph.explorer).filter((c) => !c.startsWith('more:')).length;
  let cur = s;
  for (let i = 0; i < 20 && cur.nodes.includes(more); i++) {
    const before = drawnKids(cur);
    await ui.expand(more);
    cur = await ui.waitFor((st) => drawnKids(st) > before, `page ${i + 1} of explorer's children`);
  }
  const isDone = (st: { nodes: string[]; edges: string[] }) =>
    expected.every((g) => st.nodes.includes(g)) && !st.nodes.includes(more);
  const after = await ui.waitFor(isDone, 'explorer\'s children loaded');
  const kids = spawnChildren(after.edges, ph.explorer);
  expect([...kids].sort()).toEqual([...expected].sort());
  expect(new Set(kids).size).toBe(kids.length); // outlook not repeated
  // Outlook still leads to the origin.
  expect(spawnChildren(after.edges, ph.outlook)).toEqual([ph.winword]);
  expect(spawnChildren(after.edges, ph.winword)).toEqual([ph.cmd]);
  const exp = new URL(page.url()).searchParams.get('exp') ?? '';
  expect(exp).toContain(ph.explorer);

  // Round trip: the same URL in a fresh page draws the same children.
  const fresh = await page.context().newPage();
  const ui2 = new InvestigationPage(fresh);
  await ui2.open(page.url().replace(/^https?:\/\/[^/]+/, ''));
  const again = await ui2.waitFor(isDone, 'explorer\'s children restored from the URL');
  expect([...spawnChildren(again.edges, ph.explorer)].sort()).toEqual([...expected].sort());
  await fresh.close();
});
