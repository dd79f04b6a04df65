/**
 * The Sigma filters of find-in-graph (docs/sigma.md "Use"): `has:sigma` keeps processes with at
 * least one Sigma hit, `sigma:<level>` those whose highest hit is that level or above
 * (informational < low < medium < high < critical). The rest of the text is the usual substring find.
 */
import { SigmaLevelSchema, type NodeSigma, type SigmaLevel } from '@lineage/shared';

const LEVELS: readonly SigmaLevel[] = SigmaLevelSchema.options;

export interface FindQuery {
  /** Substring to look for (lower case; '' = any). */
  text: string;
  /** null: no Sigma condition; otherwise the lowest level a node's highest hit must reach. */
  sigmaAtLeast: SigmaLevel | null;
}

/** Splits find text into the Sigma tokens and the substring; an unknown level stays plain text. */
export function parseFind(raw: string): FindQuery {
  let sigmaAtLeast: SigmaLevel | null = null;
  const rest: string[] = [];
  for (const word of raw.trim().split(/\s+/)) {
    const w = word.toLowerCase();
    if (w === 'has:sigma') { sigmaAtLeast ??= 'informational'; continue; }
    const m = /^sigma:(\w+)$/.exec(w);
    const level = m ? LEVELS.find((l) => l === m[1] || (m[1] === 'info' && l === 'informational')) : undefined;
    if (level) { sigmaAtLeast = level; continue; }
    rest.push(word);
  }
  return { text: rest.join(' ').toLowerCase(), sigmaAtLeast };
}

/** True when the node's Sigma summary satisfies the query's Sigma condition (or there is none). */
export function sigmaPasses(q: FindQuery, s: NodeSigma | undefined): boolean {
  if (q.sigmaAtLeast === null) return true;
  if (!s || s.count === 0) return false;
  return LEVELS.indexOf(s.highest) >= LEVELS.indexOf(q.sigmaAtLeast);
}
