/**
 * The entry search: a ProcessGuid opens that process directly; otherwise host, image
 * and command-line text search for seed processes (listed in the left rail). The time range applies to
 * searches and to the graph.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { canonicalGuid } from '@lineage/shared';
import { openProcess, type ViewState } from '../../app/url-state';

/** `2024-05-01T13:45` (datetime-local, read as UTC) ↔ ISO. */
const toInput = (iso: string | null) => (iso ? iso.slice(0, 16) : '');
const fromInput = (v: string) => (v ? `${v}:00.000Z` : null);

export function SearchBar({ view, onView }: { view: ViewState; onView(fn: (v: ViewState) => ViewState): void }) {
  const [q, setQ] = useState(view.query.q);
  const [host, setHost] = useState(view.query.host);
  const [image, setImage] = useState(view.query.image);
  const [from, setFrom] = useState(toInput(view.from));
  const [to, setTo] = useState(toInput(view.to));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { setQ(view.query.q); setHost(view.query.host); setImage(view.query.image); }, [view.query.q, view.query.host, view.query.image]);
  useEffect(() => { setFrom(toInput(view.from)); setTo(toInput(view.to)); }, [view.from, view.to]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const f = fromInput(from), t = fromInput(to);
    if (f && t && f > t) { setError('The start of the time range is after its end.'); return; }
    setError(null);
    const guid = canonicalGuid(q);
    if (guid) { onView((s) => openProcess({ ...s, from: f, to: t }, guid, { host: host || null })); return; }
    if (!q.trim() && !host.trim() && !image.trim()) { setError('Enter a ProcessGuid, or a host, image or command-line text.'); return; }
    onView((s) => ({ ...s, from: f, to: t, query: { q: q.trim(), host: host.trim(), image: image.trim() } }));
  };

  return (
    <form className="search-bar" role="search" onSubmit={submit} aria-label="Find processes">
      <input aria-label="ProcessGuid or command-line text" placeholder="ProcessGuid or command-line text" value={q} onChange={(e) => setQ(e.target.value)} className="q" />
      <input aria-label="Host" placeholder="Host" value={host} onChange={(e) => setHost(e.target.value)} className="short" />
      <input aria-label="Image" placeholder="Image (e.g. powershell.exe)" value={image} onChange={(e) => setImage(e.target.value)} className="short" />
      <input aria-label="From (UTC)" title="From (UTC)" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
      <input aria-label="To (UTC)" title="To (UTC)" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      <button type="submit">Search</button>
      {error && <span role="alert" className="form-error">{error}</span>}
    </form>
  );
}
