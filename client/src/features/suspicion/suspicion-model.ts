/**
 * Pure helpers for the expansion by suspicion on the client (docs/ui.md "Expand what matters"): what
 * the side panel says about why a node was opened, and the one-line summary beside the button.
 */
import { DEFAULT_EXPAND_BUDGET, type Expansion, type OpenedNode } from '@lineage/shared';
import type { ExpandView } from '../../state/url-state';

/** A notable opens with `auto`: by suspicion when its tree holds more than 200 processes (AUTO_EXPAND_THRESHOLD). */
export const NOTABLE_EXPAND: ExpandView = { mode: 'auto', budget: DEFAULT_EXPAND_BUDGET };

/** Opened nodes by id. */
export function openedById(x: Expansion | undefined | null): Map<string, OpenedNode> {
  return new Map((x?.opened ?? []).map((o) => [o.id, o]));
}

/** The reasons as the panel lists them: own reasons, then where the branch leads (when it scores higher). */
export function whyLines(o: OpenedNode): string[] {
  const lines = o.reasons.map((r) => (r.weight > 0 ? `${r.text} (+${r.weight})` : r.text));
  if (o.leadsTo) lines.push(`leads to ${o.leadsTo.name || o.leadsTo.guid} (score ${o.leadsTo.score})`);
  if (lines.length === 0) lines.push(o.order === 0 ? 'the origin' : 'nothing unusual: opened while budget remained');
  return lines;
}

/**
 * "opened 40 of 61 below the origin by suspicion (budget 40) · cut by the budget". It states what the
 * expansion did, never a second count of what is on screen: that is the status line's one count of
 * processes shown (`processTotal`), which a "N processes shown" here contradicted (363 · 151 vs 182).
 */
export function expansionSummary(x: Expansion): string {
  const cut = x.truncated ? ' · cut by the budget' : '';
  return `${x.auto ? 'Large tree: ' : ''}opened ${x.opened.length} of ${x.considered} below the origin by suspicion (budget ${x.budget})${cut}`;
}
