/** Side-panel section: the selected process's fleet prevalence over the baseline, figures spelled out. */
import type { PrevalenceAnswer, ProcessPrevalence } from '@lineage/shared';
import { formatUtc } from '../../lib/format';
import { isRare, notComputed, pairText, type PrevalencePart } from './prevalence-model';

interface Props {
  item: ProcessPrevalence | undefined;
  /** The answer's source and `notComputed`: a figure the source never computes says so instead of "—". */
  answer?: Pick<PrevalenceAnswer, 'source' | 'notComputed'> | undefined;
}

export function NodePrevalence({ item, answer }: Props) {
  if (!item) return null;
  const seen = (x: { hosts: number; count: number } | null, part: PrevalencePart) => {
    if (x) return `${x.hosts} ${x.hosts === 1 ? 'host' : 'hosts'}, ${x.count}×`;
    const na = notComputed(answer, part);
    return na ? <span className="muted" title={na.reason} data-testid={`not-computed-${part}`}>{na.text}</span> : '—';
  };
  return (
    <section className="node-prevalence" aria-label="Prevalence" data-testid="node-prevalence">
      <h3>Prevalence {isRare(item) && <span className="rare-mark" data-testid="rare-badge">◆ rare</span>}</h3>
      <dl className="fields">
        <div className="field"><dt>Pair</dt><dd>{item.pair ? `${item.pair.parentImage} → ${item.pair.image}: ${pairText(item)}` : seen(null, 'pair')}</dd></div>
        <div className="field"><dt>Chain</dt><dd title={item.chain?.images.join(' → ')}>{seen(item.chain, 'chain')}</dd></div>
        <div className="field"><dt>Command line</dt><dd>{seen(item.commandLine, 'commandLine')}</dd></div>
        <div className="field"><dt>Image</dt><dd>{seen(item.image, 'image')}{item.image?.firstSeen ? ` · first seen ${formatUtc(item.image.firstSeen)}` : ''}</dd></div>
      </dl>
    </section>
  );
}
