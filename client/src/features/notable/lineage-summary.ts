/**
 * The short markdown lineage summary "Add to notable" writes on an ES notable: the chain from the topmost
 * known ancestor (root) down to the selected process (leaf), one line per process with its start time,
 * host and pid, and the notable / rule hits on it. Long chains keep the root end and the leaf end and say
 * how many processes in between were left out.
 */
import type { ProcessNode } from '@lineage/shared';

/** A notable or rule hit on one process of the chain. */
export interface SummaryHit { guid: string; title: string }

/** Most process lines written; beyond it the middle of the chain is cut (and the cut is stated). */
export const MAX_LINES = 12;
/** Longest parent walk (a parent cycle in bad data must not loop). */
const MAX_WALK = 256;

/** Names as inline code: a backtick inside would end the span, so it is dropped. */
const code = (s: string) => `\`${s.replace(/`/g, '')}\``;

function when(iso: string | null): string {
  if (!iso) return 'time unknown';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? 'time unknown' : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Root-first chain ending at `leaf`, following parentGuid through the known processes. */
export function chainTo(leaf: string, known: ReadonlyMap<string, ProcessNode>): ProcessNode[] {
  const out: ProcessNode[] = [];
  const seen = new Set<string>();
  let cur = known.get(leaf);
  while (cur && !seen.has(cur.guid) && out.length < MAX_WALK) {
    seen.add(cur.guid);
    out.push(cur);
    cur = cur.parentGuid ? known.get(cur.parentGuid) : undefined;
  }
  return out.reverse();
}

function line(n: ProcessNode, hits: readonly SummaryHit[]): string {
  const on = hits.filter((h) => h.guid === n.guid).map((h) => h.title);
  const pid = n.pid === null ? '' : ` pid ${n.pid}`;
  const note = n.placeholder ? ' (no process-create logged)' : '';
  return `- ${when(n.startTime)} ${code(n.name || n.image || n.guid)}${pid} on ${n.host || 'unknown host'}${note}${on.length ? ` — hit: ${on.join('; ')}` : ''}`;
}

/** The markdown summary, or '' when the leaf is not a known process. */
export function lineageSummary(leaf: string, known: ReadonlyMap<string, ProcessNode>, hits: readonly SummaryHit[] = [], maxLines = MAX_LINES): string {
  const chain = chainTo(leaf, known);
  if (chain.length === 0) return '';
  const names = chain.map((n) => code(n.name || n.guid));
  const arrow = chain.length > maxLines ? [...names.slice(0, 2), '…', ...names.slice(-2)] : names;
  const hosts = [...new Set(chain.map((n) => n.host).filter(Boolean))];
  const head = `**Lineage** (${chain.length} process${chain.length === 1 ? '' : 'es'}, root → leaf${hosts.length ? ` on ${hosts.join(', ')}` : ''}): ${arrow.join(' → ')}`;
  let body: string[];
  if (chain.length <= maxLines) body = chain.map((n) => line(n, hits));
  else {
    const tail = maxLines - 2;
    const omitted = chain.length - 2 - tail;
    body = [...chain.slice(0, 2).map((n) => line(n, hits)), `- … ${omitted} process${omitted === 1 ? '' : 'es'} between left out …`, ...chain.slice(-tail).map((n) => line(n, hits))];
  }
  const unmatched = hits.filter((h) => !chain.some((n) => n.guid === h.guid));
  const extra = unmatched.length ? [`Hits elsewhere in the graph: ${[...new Set(unmatched.map((h) => h.title))].join('; ')}`] : [];
  return [head, ...body, ...extra].join('\n');
}
