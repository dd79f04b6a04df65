/**
 * The prevalence table beside the side panel (docs/ui.md "Prevalence"): one row per drawn process
 * with its fleet figures over the baseline, sortable by any column; "only pairs seen on < N hosts"
 * filters it and dims the other nodes of the graph (`rare=N` in the URL).
 */
import { useState } from 'react';
import type { PrevalenceAnswer } from '@lineage/shared';
import type { ViewState } from '../../state/url-state';
import { select } from '../graph';
import { formatUtc } from '../../lib/format';
import type { VisibleGraph } from '../graph';
import { filterRows, notComputed, prevalenceRows, RARE_BELOW, sortRows, type PrevalencePart, type Sort, type SortKey } from './prevalence-model';
import './prevalence.css';

interface Props {
  view: ViewState;
  onView(fn: (v: ViewState) => ViewState): void;
  graph: VisibleGraph | null;
  answer: PrevalenceAnswer | undefined;
  error: Error | null;
}

const COLUMNS: Array<[SortKey, string, string]> = [
  ['name', 'Process', 'Image name'],
  ['pairHosts', 'Pair hosts', 'Hosts where this parent → child pair was seen in the baseline'],
  ['pairCount', 'Pair ×', 'Times the pair was seen in the baseline'],
  ['chainHosts', 'Chain hosts', 'Hosts where the chain of image names from the root was seen'],
  ['commandLineHosts', 'Cmd hosts', 'Hosts where the command line (digits, GUIDs, temp names folded) was seen'],
  ['imageHosts', 'Image hosts', 'Hosts where the image (by hash, else path) was seen'],
];

const PARTS: Array<[PrevalencePart, string]> = [['pair', 'Pair'], ['chain', 'Chain'], ['commandLine', 'Command line'], ['image', 'Image']];

export function PrevalenceTable({ view, onView, graph, answer, error }: Props) {
  const [sort, setSort] = useState<Sort>({ key: 'pairHosts', dir: 'asc' });
  if (error) return <p className="form-error" role="alert">Prevalence: {error.message}</p>;
  if (!answer || !graph) return null;
  const all = prevalenceRows([...graph.nodes.values()].flatMap((v) => (v.node ? [v.node] : [])), answer.items);
  const rows = sortRows(filterRows(all, view.rare), sort);
  const setRare = (below: number | null) => onView((s) => ({ ...s, rare: below }));
  // A figure the source never computes (e.g. chain on Splunk) says so; "—": the process lacks what it keys on.
  const cell = (part: PrevalencePart) => { const na = notComputed(answer, part); return na ? <span className="muted" title={na.reason}>n/a</span> : '—'; };
  const by = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));
  return (
    <details className="prevalence" data-testid="prevalence" open={view.rare != null}>
      <summary>Prevalence <span className="muted">baseline {formatUtc(answer.baseline.from).slice(0, 10)} → {formatUtc(answer.baseline.to).slice(0, 10)}</span></summary>
      <label className="rare-filter">
        <input type="checkbox" checked={view.rare != null} onChange={(e) => setRare(e.target.checked ? RARE_BELOW : null)} data-testid="rare-filter" />
        only pairs seen on &lt;
        <input type="number" min={1} value={view.rare ?? RARE_BELOW} aria-label="Host count"
          onChange={(e) => { const n = Number(e.target.value); if (Number.isInteger(n) && n >= 1) setRare(n); }} />
        hosts
      </label>
      <table className="prevalence-table">
        <thead>
          <tr>{COLUMNS.map(([key, label, title]) => (
            <th key={key} title={title} aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
              <button type="button" className="link" onClick={() => by(key)}>{label}{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</button>
            </th>
          ))}</tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.id === view.selected ? 'selected' : undefined} onClick={() => onView((s) => select(s, r.id))} data-id={r.id} title={r.pair}>
              <td>{r.name}</td><td>{r.pairHosts ?? cell('pair')}</td><td>{r.pairCount ?? cell('pair')}</td><td>{r.chainHosts ?? cell('chain')}</td><td>{r.commandLineHosts ?? cell('commandLine')}</td><td>{r.imageHosts ?? cell('image')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {PARTS.map(([part, label]) => {
        const na = notComputed(answer, part);
        return na ? <p key={part} className="muted" data-testid={`prevalence-not-computed-${part}`}>{label}: {na.reason}</p> : null;
      })}
      <p className="muted">{rows.length} of {all.length} drawn processes{view.rare != null ? ` (pair seen on < ${view.rare} hosts)` : ''}</p>
    </details>
  );
}
