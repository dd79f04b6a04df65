/**
 * The left rail: notables (Splunk ES notables, or rule hits when embedded), then search hits. Clicking
 * one opens that process as the origin, with a rule-hit chain highlighted when the notable carries one.
 */
import { useQuery } from '@tanstack/react-query';
import { canonicalGuid } from '@lineage/shared';
import { lineageQueries } from '../../api/queries';
import { openProcess, type ViewState } from '../../app/url-state';
import { StateMessage } from '../../components/StateMessage';
import { formatLocal, formatUtc } from '../../lib/format';

interface Props { view: ViewState; onView(fn: (v: ViewState) => ViewState): void }

function Notables({ view, onView }: Props) {
  const q = useQuery(lineageQueries.notables({ from: null, to: null }));
  if (q.isPending) return <StateMessage kind="loading">Loading notables…</StateMessage>;
  if (q.isError) return <StateMessage kind="error" onRetry={() => void q.refetch()}>Notables unavailable: {q.error.message}</StateMessage>;
  if (q.data.length === 0) return <StateMessage kind="empty">No notables. Search for a process above.</StateMessage>;
  return (
    <ul className="rail-list" aria-label="Notables">
      {q.data.map((n) => {
        const guid = canonicalGuid(n.guid ?? '');
        return (
          <li key={n.id}>
            <button
              type="button" disabled={!guid} className={guid && guid === view.guid ? 'current' : undefined}
              onClick={() => guid && onView((s) => openProcess(s, guid, { host: n.host, highlight: (n.chain ?? []).map((g) => canonicalGuid(g) ?? g), ...(n.from && n.to ? { from: n.from, to: n.to } : {}) }))}
            >
              <span className={`sev sev-${n.severity.toLowerCase()}`}>{n.severity}</span>
              <span className="title">{n.title}</span>
              <span className="meta" title={formatLocal(n.time)}>{n.host} · {formatUtc(n.time).slice(0, 19)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
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
