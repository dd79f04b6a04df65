/**
 * Pure: fleet prevalence as the client shows it (docs/ui.md "Prevalence"): which drawn processes are
 * rare, the short figures on a node, and the rows of the prevalence table (sortable, filterable by
 * "pair seen on fewer than N hosts").
 */
import type { PrevalenceAnswer, ProcessNode, ProcessPrevalence } from '@lineage/shared';

/** A parent→child pair seen on fewer hosts than this (over the baseline) is marked rare. */
export const RARE_BELOW = 3;

const s = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Whether the process's parent→child pair was seen on fewer than `below` hosts. */
export function isRare(p: ProcessPrevalence | undefined, below = RARE_BELOW): boolean {
  return !!p?.pair && p.pair.hosts < below;
}

/** The figures drawn on a node and in the list: "new pair" (never seen in the baseline) or "2 hosts · 3×". */
export function pairText(p: ProcessPrevalence | undefined): string {
  if (!p?.pair) return '';
  return p.pair.hosts === 0 ? 'new pair' : `${s(p.pair.hosts, 'host')} · ${p.pair.count}×`;
}

/** Rare drawn processes → their figures (the graph's and the tree list's marker). */
export function rareMarks(items: Record<string, ProcessPrevalence> | undefined, below = RARE_BELOW): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, p] of Object.entries(items ?? {})) if (isRare(p, below)) out.set(id, `rare: ${pairText(p)}`);
  return out;
}

export interface PrevalenceRow {
  id: string;
  name: string;
  pair: string;
  /** Hosts / times the parent→child pair was seen; null when the process has no pair (a root). */
  pairHosts: number | null;
  pairCount: number | null;
  chainHosts: number | null;
  commandLineHosts: number | null;
  imageHosts: number | null;
  firstSeen: string | null;
}

export type SortKey = 'name' | 'pairHosts' | 'pairCount' | 'chainHosts' | 'commandLineHosts' | 'imageHosts';
export interface Sort { key: SortKey; dir: 'asc' | 'desc' }

/** One row per drawn process that has a prevalence item. */
export function prevalenceRows(nodes: Iterable<ProcessNode>, items: Record<string, ProcessPrevalence> | undefined): PrevalenceRow[] {
  const rows: PrevalenceRow[] = [];
  for (const n of nodes) {
    const p = items?.[n.guid];
    if (!p) continue;
    rows.push({
      id: n.guid, name: n.name, pair: p.pair ? `${p.pair.parentImage} → ${p.pair.image}` : '—',
      pairHosts: p.pair?.hosts ?? null, pairCount: p.pair?.count ?? null, chainHosts: p.chain?.hosts ?? null,
      commandLineHosts: p.commandLine?.hosts ?? null, imageHosts: p.image?.hosts ?? null, firstSeen: p.image?.firstSeen ?? null,
    });
  }
  return rows;
}

/** Only rows whose pair was seen on fewer than `below` hosts (null: all rows). */
export function filterRows(rows: PrevalenceRow[], below: number | null): PrevalenceRow[] {
  return below == null ? rows : rows.filter((r) => r.pairHosts != null && r.pairHosts < below);
}

/** Sorted copy; unknown figures (null) last in either direction, ties by name then id. */
export function sortRows(rows: PrevalenceRow[], sort: Sort): PrevalenceRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    if (x !== y) {
      if (x == null) return 1;
      if (y == null) return -1;
      return (x < y ? -1 : 1) * sign;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

export type PrevalencePart = 'pair' | 'chain' | 'commandLine' | 'image';

/**
 * A figure the source does not compute (the answer's `notComputed`, e.g. chain on Splunk): the short
 * words shown instead of a number and the source's reason as their tooltip; null when it is computed
 * (a null figure then means the process lacks what it keys on, shown as "—").
 */
export function notComputed(answer: Pick<PrevalenceAnswer, 'source' | 'notComputed'> | undefined, part: PrevalencePart): { text: string; reason: string } | null {
  const reason = answer?.notComputed?.[part];
  if (!reason) return null;
  return { text: `not available on ${answer.source === 'splunk' ? 'Splunk' : 'this source'}`, reason };
}
