/**
 * "Across hosts" in the side panel: on request (lazy: one expansion, docs/lateral.md), the lateral links
 * of the selected process with their evidence, the cross-host picture grouped by host, and a way to
 * investigate the far side. Also the "compare" pick: remember this process as A, compare another with it.
 */
import { useMemo, useState } from 'react';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { LateralLink, ProcessNode } from '@lineage/shared';
import { lineageQueries } from '../../api/queries';
import { navigate, useViewState } from '../../state/use-view-state';
import { formatUtc } from '../../lib/format';
import { compareUrl, pickedForCompare, pickForCompare } from '../compare';
import { AcrossGraph } from './AcrossGraph';
import { acrossElements, acrossNodeId } from './across-elements';
import { drawnLinksOf, lateralQueries } from './api';
import './lateral.css';

function Evidence({ l }: { l: LateralLink }) {
  const c = l.evidence.connection;
  return (
    <dl className="across-evidence" data-testid="across-evidence">
      <dt>Connection</dt><dd className="mono">{c.protocol} {c.sourceIp}:{c.sourcePort} → {c.destinationIp}:{c.destinationPort}</dd>
      <dt>Seen at source</dt><dd>{formatUtc(c.sourceTime)}</dd>
      <dt>Seen at target</dt><dd>{c.targetTime ? `${formatUtc(c.targetTime)} (${c.targetProcess?.image ?? '?'})` : 'not logged by the target'}</dd>
      <dt>Target host by</dt><dd>{l.evidence.resolution.map((r) => <div key={r.via}>{r.via}: {r.detail}</div>)}</dd>
      <dt>Started by</dt><dd className="mono">{l.evidence.launcher.image} after {l.evidence.startDelayMs} ms</dd>
      {l.evidence.service && <><dt>Service</dt><dd className="mono">{l.evidence.service}</dd></>}
      {l.evidence.logonGuid && <><dt>Logon</dt><dd className="mono">{l.evidence.logonGuid}</dd></>}
    </dl>
  );
}

export function AcrossPanel({ node, onOpen }: { node: ProcessNode; onOpen: (guid: string, host: string) => void }) {
  const [asked, setAsked] = useState(false);
  const [opened, setOpened] = useState<string[]>([]);
  const [, repaint] = useState(0);
  const q = useQuery({ ...lateralQueries.across(node), enabled: asked });
  const far = (q.data?.links ?? []).map((l) => (l.source === node.guid && l.sourceHost === node.host ? { guid: l.target, host: l.targetHost } : { guid: l.source, host: l.sourceHost }));
  const kids = useQueries({ queries: opened.map((id) => { const [host, guid] = id.split('\n') as [string, string]; return lineageQueries.childrenPage(guid, { host, from: null, to: null }, null); }) });
  const kidsKey = kids.map((k) => k.dataUpdatedAt).join(',');
  const elements = useMemo(() => {
    if (!q.data) return [];
    const m = new Map<string, ProcessNode[]>();
    opened.forEach((id, i) => { const d = kids[i]?.data; if (d) m.set(id, d.items); });
    return acrossElements(node, q.data, m);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- kids change identity every render; kidsKey tracks their data
  }, [q.data, node, opened, kidsKey]);
  const picked = pickedForCompare();
  const [view, setView] = useViewState();
  const qc = useQueryClient();
  const expandedAcross = view.across.includes(node.guid);
  // Links drawn in the main graph (expand across) that end at this process: their evidence, no new search.
  const drawn = drawnLinksOf(qc, view.across, node.guid);
  const nameOf = (guid: string, host: string): string => q.data?.nodes.find((n) => n.guid === guid && n.host === host)?.name ?? guid;
  return (
    <section className="across" aria-label="Across hosts" data-testid="across-panel">
      <h3>Across hosts</h3>
      {drawn.map((l) => (
        <div key={`${l.source}>${l.target}`} className="across-link" data-testid="drawn-link">
          <p><strong>Lateral edge in the graph:</strong> {l.mechanism} · {l.confidence} · {l.sourceHost} → {l.targetHost}</p>
          <Evidence l={l} />
        </div>
      ))}
      <button type="button" aria-pressed={expandedAcross} data-testid="expand-across"
        onClick={() => setView((s) => ({ ...s, across: expandedAcross ? s.across.filter((g) => g !== node.guid) : [...s.across, node.guid] }))}>
        {expandedAcross ? 'Remove across-host links from the graph' : 'Expand across hosts in the graph'}
      </button>
      {!asked && <button type="button" onClick={() => setAsked(true)}>Find lateral movement</button>}
      {q.isFetching && <p className="muted">Searching both ends of this process's connections…</p>}
      {q.error && <p className="error" role="alert">{q.error.message}</p>}
      {q.data && !q.data.complete && <p className="warning" role="alert">The window held more rows than are read: links may be missing.</p>}
      {q.data && q.data.links.length === 0 && <p className="muted" data-testid="across-none">No lateral link: no connection of this process has evidence on another host (docs/lateral.md).</p>}
      {q.data && q.data.links.length > 0 && (
        <>
          <AcrossGraph elements={elements} onTap={(id) => { if (id !== acrossNodeId(node.host, node.guid) && !opened.includes(id)) setOpened([...opened, id]); }} />
          {q.data.links.map((l, i) => (
            <div key={`${l.target}${l.source}`} className="across-link" data-testid="across-link">
              <p><strong>{l.mechanism}</strong> · {l.confidence} · {l.sourceHost} → {l.targetHost}</p>
              <Evidence l={l} />
              <button type="button" onClick={() => onOpen(far[i]!.guid, far[i]!.host)}>Investigate on {far[i]!.host}</button>
              <button type="button" disabled={opened.includes(acrossNodeId(far[i]!.host, far[i]!.guid))}
                onClick={() => setOpened([...opened, acrossNodeId(far[i]!.host, far[i]!.guid)])}>
                Show children of {nameOf(far[i]!.guid, far[i]!.host)}
              </button>
            </div>
          ))}
          <p className="muted">Tap a process on the other host to load its children; {q.data.stats.searches} search{q.data.stats.searches === 1 ? '' : 'es'}.</p>
        </>
      )}
      <div className="panel-actions">
        <button type="button" onClick={() => { pickForCompare({ guid: node.guid, host: node.host, name: node.name }); repaint((x) => x + 1); }}>Compare: pick as A</button>
        {picked && picked.guid !== node.guid && (
          <button type="button" onClick={() => navigate(compareUrl({ a: picked.guid, aHost: picked.host, b: node.guid, bHost: node.host }))}>Compare with {picked.name} on {picked.host}</button>
        )}
      </div>
    </section>
  );
}
