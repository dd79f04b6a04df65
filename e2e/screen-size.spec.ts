/**
 * The investigation screen at real size, continued (docs/ui.md): Fit keeps a readable zoom on big trees and
 * narrow graph areas. Geometry is read back from the live Cytoscape instance (`window.__lineage`), no
 * screenshots compared. Planted GUIDs come from the demo manifest.
 */
import { expect, test, type Page } from '@playwright/test';
import { plantedManifest } from '../server/src/demo/planted.js';
import { InvestigationPage, type DrawnBoxes } from './pages/investigation-page.js';

const planted = plantedManifest();
const ph = planted.phishing;
const big = planted.bigParent;
const boxes = (page: Page) => page.evaluate(() => window.__lineage!.boxes()) as Promise<DrawnBoxes>;
/** Level-of-detail names are 26 px (graph-styles.ts); readable = at least 10 px on screen. */
const READABLE = 10 / 26;

async function fitAndRead(page: Page, ui: InvestigationPage) {
  await page.getByRole('button', { name: 'Fit graph to view' }).click();
  await ui.waitFor(() => true);
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  return { canvas, b: await boxes(page) };
}
const onScreen = (box: { x1: number; y1: number; x2: number; y2: number }, c: { width: number; height: number }) => box.x1 >= 0 && box.y1 >= 0 && box.x2 <= c.width && box.y2 <= c.height;

test('when Fit is pressed on the 500-child parent with a group expanded, then the zoom stays readable, the selection is framed and the minimap shows the rest', async ({ page }) => {
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${big.guid}&host=${big.host}`);
  const s = await ui.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')), 'groups drawn');
  const group = s.nodes.find((n) => n.startsWith('group:'))!;
  await ui.expand(group);
  const s2 = await ui.waitFor((st) => !st.nodes.includes(group) && st.nodes.filter((n) => n.startsWith('{')).length > 8, 'group members drawn');
  await ui.select(big.guid);
  const { canvas, b } = await fitAndRead(page, ui);
  expect(b.zoom).toBeGreaterThanOrEqual(READABLE);
  // Not everything fits at that zoom, so the minimap is on for the rest.
  expect(b.nodes.filter((n) => onScreen(n.box, canvas)).length).toBeLessThan(s2.nodes.length);
  await expect(page.getByRole('button', { name: 'Toggle minimap' })).toHaveAttribute('aria-pressed', 'true');
  expect(onScreen(b.nodes.find((n) => n.id === big.guid)!.box, canvas)).toBe(true);
  // Framed without empty space beyond the graph's top edge: the topmost box is near the top of the view.
  expect(Math.min(...b.nodes.map((n) => n.box.y1))).toBeLessThanOrEqual(0 + 45);
});

test('when Fit is pressed on the phishing chain with list, graph and panel open at 1600 px, then the chain is not shrunk to a strip: readable zoom, origin on screen, labelled', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const ui = new InvestigationPage(page);
  await ui.open(`/?guid=${ph.cmd}&host=${ph.host}&sel=${encodeURIComponent(ph.cmd)}`);
  const s = await ui.waitFor((st) => st.nodes.includes(ph.powershell), 'chain drawn');
  expect(s.nodes.length).toBeGreaterThanOrEqual(6);
  const { canvas, b } = await fitAndRead(page, ui);
  expect(b.zoom).toBeGreaterThanOrEqual(READABLE);
  const origin = b.nodes.find((n) => n.id === ph.cmd)!;
  expect(onScreen(origin.box, canvas)).toBe(true);
  expect(origin.label).not.toBeNull();
  // A chain wider than the view: the view is filled (some box touches each side or runs past it).
  expect(Math.min(...b.nodes.map((n) => n.box.x1))).toBeLessThanOrEqual(45);
  expect(Math.max(...b.nodes.map((n) => n.box.x2))).toBeGreaterThanOrEqual(canvas.width - 45);
});
