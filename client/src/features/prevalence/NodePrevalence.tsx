/** Side-panel section: the selected process's fleet prevalence over the baseline, figures spelled out. */
import type { ProcessPrevalence } from '@lineage/shared';
import { formatUtc } from '../../lib/format';
import { isRare, pairText } from './prevalence-model';

export function NodePrevalence({ item }: { item: ProcessPrevalence | undefined }) {
  if (!item) return null;
  const seen = (x: { hosts: number; count: number } | null) => (x ? `${x.hosts} ${x.hosts === 1 ? 'host' : 'hosts'}, ${x.count}×` : '—');
  return (
    <section className="node-prevalence" aria-label="Prevalence" data-testid="node-prevalence">
      <h3>Prevalence {isRare(item) && <span className="rare-mark" data-testid="rare-badge">◆ rare</span>}</h3>
      <dl className="fields">
        <div className="field"><dt>Pair</dt><dd>{item.pair ? `${item.pair.parentImage} → ${item.pair.image}: ${pairText(item)}` : '—'}</dd></div>
        <div className="field"><dt>Chain</dt><dd title={item.chain?.images.join(' → ')}>{seen(item.chain)}</dd></div>
        <div className="field"><dt>Command line</dt><dd>{seen(item.commandLine)}</dd></div>
        <div className="field"><dt>Image</dt><dd>{seen(item.image)}{item.image?.firstSeen ? ` · first seen ${formatUtc(item.image.firstSeen)}` : ''}</dd></div>
      </dl>
    </section>
  );
}
