/**
 * Page object for the investigation UI: domain verbs over accessible names and the `graph-state`
 * element the Cytoscape adapter publishes (derived from the live Cytoscape instance). Nodes are clicked
 * at their real rendered position on the canvas, so the adapter's own tap handlers are exercised.
 */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

/** Cytoscape's double-tap window (ms) and a margin. */
const DOUBLE_TAP_MS = 500;

/** What the adapter publishes (client/src/features/graph/components/CytoscapeCanvas.tsx). */
export interface GraphState {
  nodes: string[];
  edges: string[];
  selected: string | null;
  matches: string[];
  dimmed: string[];
  chain: string[];
  /** Nodes marked rare (prevalence). */
  rare: string[];
  faded: string[];
  /** Host groups (expand across): compound node id → the ids inside it; empty with one host. */
  hosts?: Record<string, string[]>;
  ready: boolean;
  animating: boolean;
  renders: number;
}

export interface Box { x1: number; y1: number; x2: number; y2: number }
/** Rendered boxes the adapter reports (client/src/features/graph/components/cy-updates.ts readBoxes). */
export interface DrawnBoxes {
  nodes: Array<{ id: string; box: Box; label: Box | null }>;
  cross: Array<{ id: string; label: Box | null; mid: { x: number; y: number } }>;
  /** Host groups (compound nodes, expand across), label included. */
  hosts?: Array<{ id: string; box: Box }>;
  zoom: number;
}

/** True when two boxes share area (touching edges do not count). */
export const overlap = (a: Box, b: Box, slack = 0.5) => a.x1 < b.x2 - slack && b.x1 < a.x2 - slack && a.y1 < b.y2 - slack && b.y1 < a.y2 - slack;
/** Every pair of drawn node boxes and node labels that overlap (quadratic; fine for a few hundred nodes). */
export function overlapsOf(b: DrawnBoxes): string[] {
  const bad: string[] = [];
  for (let i = 0; i < b.nodes.length; i++) for (let j = i + 1; j < b.nodes.length; j++) {
    const p = b.nodes[i]!, q = b.nodes[j]!;
    if (overlap(p.box, q.box)) bad.push(`box ${p.id} / ${q.id}`);
    if (p.label && q.label && overlap(p.label, q.label)) bad.push(`label ${p.id} / ${q.id}`);
  }
  return bad;
}

export const ARTIFACTS = 'e2e/artifacts';

export class InvestigationPage {
  private lastClick = 0;

  constructor(readonly page: Page) {}

  async open(path = '/'): Promise<void> {
    await this.page.goto(path);
  }

  async state(): Promise<GraphState> {
    const text = await this.page.getByTestId('graph-state').textContent();
    return JSON.parse(text || '{"nodes":[],"edges":[],"selected":null,"matches":[],"dimmed":[],"chain":[],"rare":[],"faded":[],"ready":false,"renders":0}') as GraphState;
  }

  /** Waits until the graph is drawn, idle, and satisfies `predicate`. */
  async waitFor(predicate: (s: GraphState) => boolean, message = 'graph state'): Promise<GraphState> {
    await expect.poll(async () => {
      // Read live from the instance (the published copy is written per update, not per animation frame).
      const s = await this.page.evaluate(() => window.__lineage?.state() ?? null);
      if (!s) return false;
      const busy = await this.page.locator('.busy').count();
      return s.ready && !s.animating && busy === 0 && predicate(s);
    }, { message, timeout: 20_000 }).toBe(true);
    // The live state just checked (the published copy in the page may lag it by one update).
    const live = await this.page.evaluate(() => window.__lineage?.state() ?? null);
    return live ?? this.state();
  }

  async visibleNodes(): Promise<string[]> {
    return (await this.state()).nodes;
  }

  async openNotable(title: RegExp): Promise<void> {
    await this.page.getByRole('list', { name: 'Notables' }).getByRole('button', { name: title }).click();
    await this.waitFor((s) => s.nodes.length > 0, 'graph after opening notable');
  }

  /** Clicks a node where Cytoscape drew it (centring it first so it is on screen). */
  async clickNode(id: string, opts: { double?: boolean } = {}): Promise<void> {
    await this.waitFor((s) => s.nodes.includes(id), `node ${id} drawn`);
    const pos = await this.page.evaluate((nodeId) => window.__lineage!.nodePosition(nodeId), id);
    const box = await this.page.getByTestId('graph-canvas').boundingBox();
    if (!pos || !box || pos.x < box.x || pos.y < box.y || pos.x > box.x + box.width || pos.y > box.y + box.height) {
      // Off screen: centre it (Fit frames only the selection's neighbourhood on big graphs), then click.
      await this.page.evaluate((nodeId) => window.__lineage!.reveal(nodeId), id);
    }
    const p = await this.page.evaluate((nodeId) => window.__lineage!.nodePosition(nodeId), id);
    if (!p) throw new Error(`node ${id} has no position`);
    // Two single clicks at one screen point within Cytoscape's double-tap interval are a double tap
    // (expand/collapse); `reveal` centres every node at the same point, so space single clicks out.
    const since = Date.now() - this.lastClick;
    if (!opts.double && since < DOUBLE_TAP_MS) await this.page.waitForTimeout(DOUBLE_TAP_MS - since);
    if (opts.double) await this.page.mouse.dblclick(p.x, p.y);
    else await this.page.mouse.click(p.x, p.y);
    this.lastClick = Date.now();
  }

  async select(id: string): Promise<void> {
    await this.clickNode(id);
    await this.waitFor((s) => s.selected === id, `selection ${id}`);
  }

  /** Selects `id` and presses Enter in the graph (expand / collapse / load more). */
  async expand(id: string): Promise<void> {
    await this.clickNode(id);
    await this.graphRegion().focus();
    if (!id.startsWith('more:')) await this.page.keyboard.press('Enter');
  }

  /** Waits for a sibling group ("×N similar siblings") on the graph; its id and the state. */
  async firstGroup(): Promise<{ group: string; state: GraphState }> {
    const state = await this.waitFor((st) => st.nodes.some((n) => n.startsWith('group:')), 'groups drawn');
    return { group: state.nodes.find((n) => n.startsWith('group:'))!, state };
  }

  /** Expands `group` and waits until it is replaced by its members (processes drawn one by one). */
  async expandGroup(group: string): Promise<GraphState> {
    await this.expand(group);
    return this.waitFor((st) => !st.nodes.includes(group) && st.nodes.filter((n) => n.startsWith('{')).length > 8, 'group members drawn');
  }

  graphRegion() {
    return this.page.getByRole('application', { name: /Process graph/ });
  }

  async find(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Find in graph' }).fill(text);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
  }
}

declare global {
  interface Window {
    __lineage?: {
      state(): GraphState; nodePosition(id: string): { x: number; y: number } | null; boxes(): DrawnBoxes;
      camera(): { zoom: number; x: number; y: number };
      reveal(id: string): void;
    };
  }
}
