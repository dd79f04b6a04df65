/**
 * "Add to notable" on the investigation screen (Splunk mode only): pick the ES notable (those on a process
 * of this graph or on its host; the one on the origin first), optionally a new status / urgency / owner,
 * check the comment preview, send. The comment is this view's link plus the lineage summary from the
 * selected process (or the origin) up to its root; the server writes it to ES as the analyst.
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { lineageQueries } from '../../api/queries';
import { serializeViewState, type ViewState } from '../../state/url-state';
import type { VisibleGraph } from '../graph';
import { postNotableUpdate, type NotableUpdateRequest } from './api';
import { notableCandidates } from './candidates';
import { lineageSummary } from './lineage-summary';
import './add-to-notable.css';

const STATUSES = [[1, 'New'], [2, 'In Progress'], [3, 'Pending'], [4, 'Resolved'], [5, 'Closed']] as const;
const URGENCIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

interface Props { view: ViewState; graph: VisibleGraph | null }

export function AddToNotable({ view, graph }: Props) {
  const health = useQuery(lineageQueries.health());
  const splunk = health.data?.source === 'splunk';
  const [open, setOpen] = useState(false);
  // The notables search runs when the form is opened, not on every investigation page load.
  const notables = useQuery({ ...lineageQueries.notables({ from: null, to: null }), enabled: splunk && open });
  const [chosen, setChosen] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [urgency, setUrgency] = useState('');
  const [owner, setOwner] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'sending' } | { kind: 'done'; text: string } | { kind: 'error'; text: string }>({ kind: 'idle' });

  const originHost = graph?.known.get(view.guid ?? '')?.host ?? view.host ?? null;
  const candidates = useMemo(
    () => notableCandidates(notables.data ?? [], graph?.known ?? new Set<string>(), originHost, view.guid),
    [notables.data, graph, originHost, view.guid],
  );
  const leaf = view.selected && graph?.known.has(view.selected) ? view.selected : view.guid;
  const summary = useMemo(() => {
    if (!graph || !leaf) return '';
    const hits = (notables.data ?? []).filter((n) => n.guid !== null && graph.known.has(n.guid)).map((n) => ({ guid: n.guid!, title: n.title }));
    return lineageSummary(leaf, graph.known, hits);
  }, [graph, leaf, notables.data]);

  if (!splunk || !view.guid) return null;
  const target = chosen ?? candidates[0]?.id ?? '';

  const send = () => {
    const body: NotableUpdateRequest = { notables: [target], view: serializeViewState(view), summary };
    if (status) body.status = Number(status) as NotableUpdateRequest['status'];
    if (urgency) body.urgency = urgency as NotableUpdateRequest['urgency'];
    if (owner.trim()) body.owner = owner.trim();
    setState({ kind: 'sending' });
    postNotableUpdate(body).then(
      (a) => setState({ kind: 'done', text: `Added to notable ${a.notables.join(', ')} as ${a.user} (${a.message})` }),
      (e: Error) => setState({ kind: 'error', text: e.message }),
    );
  };

  return (
    <span className="add-to-notable">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)} disabled={!graph}>Add to notable</button>
      {open && (
        <div className="notable-form" role="dialog" aria-label="Add to notable" data-testid="add-to-notable">
          {notables.isPending && <p>Loading notables…</p>}
          {notables.isError && <p role="alert" className="form-error">Notables unavailable: {notables.error.message}</p>}
          {notables.isSuccess && candidates.length === 0 && <p>No ES notable is on a process or host of this graph.</p>}
          {candidates.length > 0 && (
            <>
              <label>Notable
                <select value={target} onChange={(e) => setChosen(e.target.value)}>
                  {candidates.map((n) => <option key={n.id} value={n.id}>{n.title} · {n.host} · {n.time.slice(0, 19)}</option>)}
                </select>
              </label>
              <label>Status
                <select value={status} onChange={(e) => setStatus(e.target.value)}>
                  <option value="">(no change)</option>
                  {STATUSES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                </select>
              </label>
              <label>Urgency
                <select value={urgency} onChange={(e) => setUrgency(e.target.value)}>
                  <option value="">(no change)</option>
                  {URGENCIES.map((u) => <option key={u} value={u}>{u}</option>)}
                </select>
              </label>
              <label>Owner <input value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="(no change)" /></label>
              <pre className="notable-preview" data-testid="notable-comment-preview">{summary || '(no lineage summary: the selected process is not loaded)'}</pre>
              <button type="button" onClick={send} disabled={state.kind === 'sending' || !target}>{state.kind === 'sending' ? 'Sending…' : 'Send to notable'}</button>
            </>
          )}
          {state.kind === 'done' && <p role="status">{state.text}</p>}
          {state.kind === 'error' && <p role="alert" className="form-error">{state.text}</p>}
        </div>
      )}
    </span>
  );
}
