/**
 * Tree keyboard navigation over the visible graph, matching the left-to-right layout (generations are
 * columns, siblings stack vertically): Left → parent, Right → first child, Up/Down → previous/next
 * sibling (roots are siblings of each other). Pure, so it is unit-tested.
 */
import type { VisibleGraph } from './visible-graph';

export type NavKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

/** The id selected after pressing `key` with `current` selected; with nothing selected, the origin. */
export function navigate(g: VisibleGraph, current: string | null, key: NavKey): string | null {
  if (!current || !g.nodes.has(current)) return g.nodes.has(g.origin) ? g.origin : g.roots[0] ?? null;
  const v = g.nodes.get(current)!;
  if (key === 'ArrowLeft') return v.parent ?? current;
  if (key === 'ArrowRight') return v.children[0] ?? current;
  const siblings = v.parent ? g.nodes.get(v.parent)!.children : g.roots;
  const i = siblings.indexOf(current);
  const j = key === 'ArrowUp' ? i - 1 : i + 1;
  return siblings[j] ?? current;
}
