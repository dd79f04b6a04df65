/**
 * Which chain "make a rule from this chain" turns into a rule: the highlighted rule-hit chain up to the
 * selected node when the selection is on it, else the selected node's path to its topmost known
 * ancestor. Only logged processes count: a sibling group is not one process, and a placeholder for a
 * parent that was never logged (or has a zero GUID) is only a guess from its child's Parent* fields,
 * so the path stops below them. A `not-in-range` placeholder is a real create outside the window: kept.
 */
import type { ProcessNode } from '@lineage/shared';

/** Longest path walked (a parent cycle in bad data must not loop). */
const MAX_PATH = 64;

const isProcess = (n: ProcessNode | undefined): n is ProcessNode =>
  !!n && n.kind === 'process' && (!n.placeholder || n.placeholderReason === 'not-in-range') && n.image !== '';

/** Images of the chain ending at `selected`, oldest first (empty when `selected` is not a real process). */
export function chainImages(selected: string, known: ReadonlyMap<string, ProcessNode>, highlight: readonly string[] = []): string[] {
  const at = highlight.indexOf(selected);
  if (at >= 0) {
    const nodes = highlight.slice(0, at + 1).map((g) => known.get(g));
    if (nodes.every(isProcess)) return nodes.map((n) => n.image);
  }
  const path: string[] = [];
  const seen = new Set<string>();
  let cur = known.get(selected);
  while (isProcess(cur) && !seen.has(cur.guid) && path.length < MAX_PATH) {
    seen.add(cur.guid);
    path.push(cur.image);
    cur = cur.parentGuid ? known.get(cur.parentGuid) : undefined;
  }
  return path.reverse();
}
