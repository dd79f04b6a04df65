/**
 * The left rail: notables (Splunk ES notables, or rule hits when embedded), then search hits. Clicking
 * one opens that process as the origin, with a rule-hit chain highlighted when the notable carries one.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { canonicalGuid } from '@lineage/shared';
import { lineageQueries, type NotableStatus } from '../../api/queries';
import { openProcess, type ViewState } from '../../state/url-state';
import { StateMessage } from '../../components/StateMessage';
import { NOTABLE_EXPAND } from '../suspicion';
import { AttackIds } from '../sigma';
import { formatLocal, formatUtc } from '../../lib/format';

interface Props { view: ViewState; onView(fn: (v: ViewState) => ViewState): void }

/** Notable windows: '' is the server's default (Splunk: the last 7 days; embedded: all data). */
const SPANS: Record<string, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: Infinity };
const SPAN_LABELS: Record<string, string> = { '': 'Default window', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', all: 'All time' };

function notableRange(span: string): { from: string | null; to: string | null } {
  const ms = SPANS[span];
  if (ms === undefined) return { from: null, to: null };
  // Rounded to the minute so the query key stays stable between renders.
  const now = Math.ceil(Date.now() / 60_000) * 60_000;
  return { from: ms === Infinity ? '1970-01-01T00:00:00.000Z' : new Date(now - ms).toISOString(), to: new Date(now).toISOString() };
}

/** Window and review-status pickers of the notables list (status only where notables have one: Splunk ES). */
function NotableFilters(p: { splunk: boolean; span: string; status: NotableStatus; onSpan(s: string): void; onStatus(s: NotableStatus): void }) {
  const spans = p.splunk ? ['', '24h', '30d', 'all'] : ['', '24h', '7d', '30d'];
  return (
    <div className="notable-filters">
      <select aria-label="Notables time range" value={p.span} onChange={(e) => p.onSpan(e.target.value)}>
        {spans.map((s) => <option key={s} value={s}>{s === '' && p.splunk ? 'Last 7 days' : s === '' ? 'All time' : SPAN_LABELS[s]}</option>)}
      </select>
      {p.splunk && (
        <select aria-label="Notables status" value={p.status} onChange={(e) => p.onStatus(e.target.value as NotableStatus)}>
          <option value="open">Open</option>
          <option value="all">All statuses</option>
        </select>
      )}
    </div>
  );
}

function Notables({ view, onView }: Props) {
  const splunk = useQuery(lineageQueries.health()).data?.source === 'splunk';
  const [span, setSpan] = useState('');
  const [status, setStatus] = useState<NotableStatus>('open');
  const q = useQuery(lineageQueries.notables(notableRange(span), splunk ? status : 'open'));
  const filters = <NotableFilters splunk={splunk} span={span} status={status} onSpan={setSpan} onStatus={setStatus} />;
  if (q.isPending) return <>{filters}<StateMessage kind="loading">Loading notables…</StateMessage></>;
  if (q.isError) return <>{filters}<StateMessage kind="error" onRetry={() => void q.refetch()}>Notables unavailable: {q.error.message}</StateMessage></>;
  if (q.data.length === 0) return <>{filters}<StateMessage kind="empty">No notables in this window. Widen it, or search for a process above.</StateMessage></>;
  return (<>{filters}
    <ul className="rail-list" aria-label="Notables">
      {q.data.map((n) => {
        const guid = canonicalGuid(n.guid ?? '');
        return (
          <li key={n.id}>
            <button
              type="button" disabled={!guid} className={guid && guid === view.guid ? 'current' : undefined}
              onClick={() => guid && onView((s) => openProcess(s, guid, { host: n.host, highlight: (n.chain ?? []).map((g) => canonicalGuid(g) ?? g), ...(n.from && n.to ? { from: n.from, to: n.to } : {}), expand: NOTABLE_EXPAND }))}
            >
              <span className={`sev sev-${n.severity.toLowerCase()}`}>{n.severity}</span>
              <span className="title">{n.title}<AttackIds tags={n.tags} /></span>
              <span className="meta" title={formatLocal(n.time)}>{n.host} · {formatUtc(n.time).slice(0, 19)}{n.status ? ` · ${n.status}` : ''}</span>
            </button>
          </li>
        );
      })}
    </ul>
  </>);
}

function SearchHits({ view, onView }: Props) {
  const { q: text, host, image } = view.query;
  const q = useQuery(lineageQueries.search({ q: text, host, image, from: view.from, to: view.to }));
  if (!text && !host && !image) return null;
  return (
    <section aria-label="Search hits">
      <h2>Search hits</h2>
      {q.isPending ? <StateMessage kind="loading">Searching…</StateMessage>
        : q.isError ? <StateMessage kind="error" onRetry={() => void q.refetch()}>Search failed: {q.error.message}</StateMessage>
          : q.data.length === 0 ? <StateMessage kind="empty">No process matches.</StateMessage> : (
            <ul className="rail-list" aria-label="Search hits list">
              {q.data.map((n) => (
                <li key={`${n.host}:${n.guid}`}>
                  <button type="button" className={n.guid === view.guid ? 'current' : undefined} onClick={() => onView((s) => openProcess(s, n.guid, { host: n.host, query: s.query }))}>
                    <span className="title">{n.name} <span className="muted">pid {n.pid ?? '?'}</span></span>
                    <span className="meta mono">{n.commandLine.slice(0, 90)}</span>
                    <span className="meta" title={formatLocal(n.startTime)}>{n.host} · {formatUtc(n.startTime).slice(0, 19)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
    </section>
  );
}

export function LeftRail(p: Props) {
  return (
    <nav className="left-rail" aria-label="Notables and search hits">
      <SearchHits {...p} />
      <section aria-label="Notables list">
        <h2>Notables</h2>
        <Notables {...p} />
      </section>
    </nav>
  );
}
