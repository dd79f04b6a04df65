/**
 * The entry search: a ProcessGuid opens that process directly; otherwise host, image
 * and command-line text search for seed processes (listed in the left rail). The time range applies to
 * searches and to the graph. Times are typed and shown as 24-hour UTC; when the open graph used a
 * window the fields do not state (the server's default, or a wider one it walked to), that window is
 * shown beside them. Hosts may be typed short or as a prefix of a known host (docs/ui.md).
 */
import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { canonicalGuid } from '@lineage/shared';
import { lineageQueries } from '../../api/queries';
import { openProcess, type ViewState } from '../../state/url-state';
import { fromUtcField, knownHosts, resolveHost, toUtcField } from './entry-model';

export function SearchBar({ view, onView }: { view: ViewState; onView(fn: (v: ViewState) => ViewState): void }) {
  const [q, setQ] = useState(view.query.q);
  const [host, setHost] = useState(view.query.host);
  const [image, setImage] = useState(view.query.image);
  const [from, setFrom] = useState(toUtcField(view.from));
  const [to, setTo] = useState(toUtcField(view.to));
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // The fields follow the URL when it changes (back/forward, a link): adjusted while rendering, no effect.
  const urlQuery = `${view.query.q}\u0000${view.query.host}\u0000${view.query.image}`;
  const urlWindow = `${view.from ?? ''}\u0000${view.to ?? ''}`;
  const [synced, setSynced] = useState({ query: urlQuery, window: urlWindow });
  if (synced.query !== urlQuery || synced.window !== urlWindow) {
    setSynced({ query: urlQuery, window: urlWindow });
    if (synced.query !== urlQuery) { setQ(view.query.q); setHost(view.query.host); setImage(view.query.image); }
    if (synced.window !== urlWindow) { setFrom(toUtcField(view.from)); setTo(toUtcField(view.to)); }
  }

  // Read-only views of queries other components run: known hosts, and the window the open graph used.
  const notables = useQuery({ ...lineageQueries.notables({ from: null, to: null }), enabled: false });
  const graph = useQuery({ ...lineageQueries.graph(view.guid ?? '', { host: view.host, from: view.from, to: view.to }, view.down, view.expand), enabled: false });
  const hosts = knownHosts((notables.data ?? []).map((n) => n.host), (graph.data?.nodes ?? []).map((n) => n.host), [view.host, view.query.host]);
  const used = graph.data?.range;
  const usedFrom = toUtcField(used?.from ?? null), usedTo = toUtcField(used?.to ?? null);
  // With empty fields the placeholders already show the window used; otherwise say when it differs.
  const differs = used != null && (view.from != null || view.to != null) && (usedFrom !== toUtcField(view.from) || usedTo !== toUtcField(view.to));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    const f = fromUtcField(from, 'From'), t = fromUtcField(to, 'To');
    if ('error' in f) { setError(f.error); return; }
    if ('error' in t) { setError(t.error); return; }
    if (f.iso && t.iso && f.iso > t.iso) { setError('The start of the time range is after its end.'); return; }
    const h = resolveHost(host, hosts);
    if ('error' in h) { setError(h.error); return; }
    setError(null);
    setNote(h.note);
    if (h.host !== host.trim()) setHost(h.host);
    const guid = canonicalGuid(q);
    if (guid) { onView((s) => openProcess({ ...s, from: f.iso, to: t.iso }, guid, { host: h.host || null })); return; }
    if (!q.trim() && !h.host && !image.trim()) { setError('Enter a ProcessGuid, or a host, image or command-line text.'); return; }
    onView((s) => ({ ...s, from: f.iso, to: t.iso, query: { q: q.trim(), host: h.host, image: image.trim() } }));
  };

  return (
    <form className="search-bar" role="search" onSubmit={submit} aria-label="Find processes">
      <input aria-label="ProcessGuid or command-line text" placeholder="ProcessGuid or command-line text" value={q} onChange={(e) => setQ(e.target.value)} className="q" />
      <input aria-label="Host" placeholder="Host (short name ok)" value={host} onChange={(e) => setHost(e.target.value)} className="short" list="known-hosts" />
      <datalist id="known-hosts">{hosts.map((h) => <option key={h} value={h} />)}</datalist>
      <input aria-label="Image" placeholder="Image (e.g. powershell.exe)" value={image} onChange={(e) => setImage(e.target.value)} className="short" />
      <span className="time-range">
        <input aria-label="From (UTC)" title="From, 24-hour UTC (YYYY-MM-DD HH:MM:SS)" className="time" value={from} onChange={(e) => setFrom(e.target.value)} placeholder={usedFrom || 'from YYYY-MM-DD HH:MM'} />
        <span aria-hidden="true">→</span>
        <input aria-label="To (UTC)" title="To, 24-hour UTC (YYYY-MM-DD HH:MM:SS)" className="time" value={to} onChange={(e) => setTo(e.target.value)} placeholder={usedTo || 'to YYYY-MM-DD HH:MM'} />
        <span className="utc-label">UTC</span>
      </span>
      <button type="submit">Search</button>
      {differs && <span className="window-used" data-testid="window-used" title="The time window the open graph was built from">window used: {usedFrom} → {usedTo} UTC</span>}
      {note && <span className="muted" role="status">{note}</span>}
      {error && <span role="alert" className="form-error">{error}</span>}
    </form>
  );
}
