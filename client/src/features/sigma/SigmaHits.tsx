/**
 * The Sigma hits of one process (server: `serve --sigma`, docs/sigma.md): each rule hit with its level,
 * ATT&CK technique ids, the matched event and which detection selections matched.
 */
import type { NodeSigma } from '@lineage/shared';
import { formatUtc } from '../../lib/format';

/** `attack.t1059.001` → `T1059.001`; other tags are left out of the technique list. */
export function techniques(tags: string[]): string[] {
  return tags.filter((t) => /^attack\.t\d{4}(\.\d{3})?$/i.test(t)).map((t) => t.slice(7).toUpperCase());
}

/** The ATT&CK technique ids of a rule's tags (lineage rule hits, notables), or nothing when it has none. */
export function AttackIds({ tags }: { tags: string[] | undefined }) {
  const ids = techniques(tags ?? []);
  return ids.length > 0 ? <span className="attack-ids" title="ATT&CK techniques"> {ids.join(' ')}</span> : null;
}

/** The badge line of a node: count and highest level. */
export function sigmaBadge(s: NodeSigma | undefined): string {
  return s ? `⚑ Sigma ${s.count} · ${s.highest}` : '';
}

export function SigmaHits({ sigma }: { sigma: NodeSigma | undefined }) {
  if (!sigma) return null;
  return (
    <section className="sigma-hits" aria-label="Sigma hits" data-testid="sigma-hits">
      <h3>Sigma hits <span className="count">{sigma.count}</span></h3>
      <ul>
        {sigma.hits.map((h, i) => (
          <li key={`${h.ruleId}-${h.recordId ?? i}-${i}`} className={`sigma-level-${h.level}`}>
            <strong>{h.title}</strong> <span className="sigma-level">{h.level}</span>
            {techniques(h.tags).length > 0 && <span className="sigma-attack"> {techniques(h.tags).join(' ')}</span>}
            <div className="muted">
              EventID {h.eventId} · {formatUtc(h.time)}{h.recordId != null ? ` · record ${h.recordId}` : ''} · matched {h.selections.join(', ')}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
