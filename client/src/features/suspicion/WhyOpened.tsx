/** Side-panel section: why the expansion by suspicion opened this node (its reasons and weights). */
import type { OpenedNode } from '@lineage/shared';
import { whyLines } from './suspicion-model';

export function WhyOpened({ opened }: { opened: OpenedNode | undefined }) {
  if (!opened) return null;
  return (
    <section className="why-opened" aria-label="Why this node was opened" data-testid="why-opened">
      <h3>Why opened <span className="muted">#{opened.order} · score {opened.score}{opened.branch > opened.score ? ` · branch ${opened.branch}` : ''}</span></h3>
      <ul>{whyLines(opened).map((l) => <li key={l}>{l}</li>)}</ul>
    </section>
  );
}
