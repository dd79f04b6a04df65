/**
 * The compare view (`/compare?a=…&b=…`, the comparison is the URL): both roots, the summary, the merged
 * tree with what is only in A, only in B and where counts differ, and a markdown export.
 */
import { useQuery } from '@tanstack/react-query';
import { StateMessage } from '../../components/StateMessage';
import { CopyButton } from '../../components/CopyButton';
import { lateralQueries } from '../lateral';
import { compareMarkdown } from './compare-markdown';
import { parseCompareUrl } from './compare-url';

const counts = (c: Record<string, number>): string => Object.entries(c).sort().map(([k, v]) => `${k} ${v}`).join(', ');

export function ComparePage({ search }: { search: string }) {
  const parsed = parseCompareUrl(search);
  const request = 'request' in parsed ? parsed.request : null;
  const q = useQuery({ ...lateralQueries.compare(request ?? { a: '', b: '' }), enabled: request !== null });
  if (!request) return <div className="compare-page"><p className="error" role="alert">This comparison link is not valid: {'error' in parsed ? parsed.error : ''}</p></div>;
  if (q.isPending) return <div className="compare-page"><StateMessage kind="loading">Reading both trees…</StateMessage></div>;
  if (q.error) return <div className="compare-page"><p className="error" role="alert">{q.error.message}</p></div>;
  const c = q.data;
  const md = compareMarkdown(c);
  const download = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([md], { type: 'text/markdown' }));
    a.download = 'lineage-compare.md';
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <div className="compare-page" data-testid="compare-page">
      <h2>Compare two process trees</h2>
      <ul>
        {([['A', c.a], ['B', c.b]] as const).map(([label, s]) => (
          <li key={label}><strong>{label}</strong>: {s.name} on {s.host} <span className="mono">{s.guid}</span> — {s.processes} processes
            {!s.complete && <span className="warning" role="alert"> (tree cut: the comparison is partial)</span>}</li>
        ))}
      </ul>
      <p data-testid="compare-summary">Only in A: {c.summary.onlyA} · only in B: {c.summary.onlyB} · count differs: {c.summary.countDiffers} · events differ: {c.summary.eventsDiffer} · same: {c.summary.same}</p>
      <div className="panel-actions">
        <CopyButton text={md} label="Copy markdown" />
        <button type="button" onClick={download}>Download markdown</button>
      </div>
      <table className="compare-table">
        <thead><tr><th>process (folded command line)</th><th>status</th><th>A</th><th>B</th><th>events A</th><th>events B</th></tr></thead>
        <tbody>
          {c.rows.map((r) => (
            <tr key={JSON.stringify(r.path)} className={r.status} data-testid="compare-row" data-status={r.status}>
              <td style={{ paddingLeft: `${0.4 + r.depth}rem` }}><strong>{r.name}</strong> <span className="mono muted">{r.commandLine}</span></td>
              <td>{r.status}</td><td>{r.a.length}</td><td>{r.b.length}</td>
              <td>{counts(r.eventsA)}</td><td>{counts(r.eventsB)}{Object.keys(r.eventDiff).length > 0 && <strong> (Δ {counts(r.eventDiff)})</strong>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{c.stats.searches} searches · {c.stats.ms} ms</p>
    </div>
  );
}
