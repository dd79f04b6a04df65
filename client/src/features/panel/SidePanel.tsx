/**
 * The side panel: process details → events by category with counts → paged event list
 * → the raw event with copyable fields, with breadcrumbs back up. Which view is open lives in the URL.
 */
import { useEffect, type ReactNode } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { GraphEvent, ProcessNode, Provenance } from '@lineage/shared';
import { nodeEventsQuery, type Scope } from '../../api/queries';
import { openProcess, type ViewState } from '../../state/url-state';
import { navigate } from '../../state/use-view-state';
import { select, type Theme, Legend, type VisibleGraph } from '../graph';
import { CopyButton } from '../../components/CopyButton';
import { StateMessage } from '../../components/StateMessage';
import { formatDelta, formatLocal, formatUtc } from '../../lib/format';
import { decodeEncodedCommand } from '../../lib/powershell';
import { ruleEditorUrl } from '../rules';
import { SigmaHits } from '../sigma';
import { AcrossPanel } from '../lateral';
import { chainImages } from './chain-path';
import { eventSummary, placeholderExplanation } from './explain';

interface Props {
  view: ViewState;
  onView(fn: (v: ViewState) => ViewState): void;
  graph: VisibleGraph | null;
  scope: Scope;
  theme: Theme;
  /** Events of the selected process as loaded (shared with the timeline). */
  /** More sections about the selected node, shown under its title in the details view (suspicion, prevalence). */
  extra?: (n: ProcessNode) => ReactNode;
}

function Field({ label, value, mono, copy }: { label: string; value: string | number | null | undefined; mono?: boolean; copy?: boolean }) {
  const text = value == null || value === '' ? '—' : String(value);
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined}>
        <span>{text}</span>
        {copy && text !== '—' && <CopyButton text={text} label={label} />}
      </dd>
    </div>
  );
}

/** PowerShell -EncodedCommand shown decoded (UTF-16LE base64) beside the original command line. */
function DecodedCommandField({ commandLine }: { commandLine: string }) {
  const d = decodeEncodedCommand(commandLine);
  if (!d) return null;
  return (
    <div className="field" data-testid="decoded-command">
      <dt>Decoded {d.param}</dt>
      <dd className="mono"><span>{d.decoded}</span><CopyButton text={d.decoded} label="decoded command" /></dd>
    </div>
  );
}

function Time({ label, iso }: { label: string; iso: string | null }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd title={formatLocal(iso)}>{formatUtc(iso)}</dd>
    </div>
  );
}

/** Where a Splunk node came from: the exact SPL, its job, and a link re-running it in Splunk Web. */
function ProvenanceInfo({ prov }: { prov: Provenance }) {
  // Only an http(s) link is rendered: the URL is built from server config, but never trust a scheme.
  const url = prov.url && /^https?:\/\//i.test(prov.url) ? prov.url : null;
  return (
    <section className="provenance" aria-label="Provenance" data-testid="provenance">
      <h3>Provenance</h3>
      <dl className="fields">
        <Field label="Source" value={prov.source} />
        <Field label="Job id" value={prov.jobId} mono copy />
      </dl>
      <div className="spl-head"><span className="muted">SPL</span> <CopyButton text={prov.query} label="SPL" /></div>
      <pre className="spl mono" data-testid="provenance-spl">{prov.query}</pre>
      {url && <a className="open-in-splunk" href={url} target="_blank" rel="noopener noreferrer">Open in Splunk ↗</a>}
    </section>
  );
}

function Details({ n, p }: { n: ProcessNode; p: Props }) {
  const { graph, onView } = p;
  const parentVisible = n.parentGuid ? graph?.nodes.has(n.parentGuid) : false;
  const parentStart = n.parentGuid ? graph?.known.get(n.parentGuid)?.startTime ?? null : null;
  const counts = Object.entries(n.eventCounts).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]);
  const chain = graph ? chainImages(n.guid, graph.known, p.view.highlight) : [];
  return (
    <>
      {n.placeholder && (
        <div className="placeholder-note" role="note" data-testid="placeholder-reason">
          <strong>Placeholder ({n.placeholderReason ?? 'unknown'})</strong>
          <p>{placeholderExplanation(n)}</p>
          {n.searchWider && (
            <button type="button" onClick={() => onView((s) => ({ ...s, from: n.searchWider!.from, to: n.searchWider!.to }))}>
              Search wider ({formatUtc(n.searchWider.from)} → {formatUtc(n.searchWider.to)})
            </button>
          )}
        </div>
      )}
      <dl className="fields">
        <Field label="Image" value={n.image} mono copy />
        <Field label="Command line" value={n.commandLine} mono copy />
        <DecodedCommandField commandLine={n.commandLine} />
        <Field label="PID" value={n.pid} />
        <Field label="User" value={n.user} copy />
        <Field label="Integrity" value={n.integrityLevel} />
        <Field label="Current directory" value={n.currentDirectory} mono copy />
        {n.hashes.split(',').filter(Boolean).map((h) => {
          const [alg, val] = h.includes('=') ? h.split('=', 2) : ['Hash', h];
          return <Field key={h} label={alg ?? 'Hash'} value={val} mono copy />;
        })}
        {!n.hashes && <Field label="Hashes" value="" />}
        <Time label="Start (UTC)" iso={n.startTime} />
        {parentStart && n.startTime && <Field label="After parent" value={formatDelta(Date.parse(n.startTime) - Date.parse(parentStart))} />}
        <Time label="End (UTC)" iso={n.endTime} />
        <Field label="State" value={n.state} />
        <Field label="Host" value={n.host} copy />
        <Field label="ProcessGuid" value={n.guid} mono copy />
        <Field label="LogonGuid" value={n.logonGuid} mono copy />
        <div className="field">
          <dt>Parent</dt>
          <dd>
            <span className="mono">{n.parentImage || '—'}{n.parentPid != null ? ` (pid ${n.parentPid})` : ''}</span>
            {n.parentGuid && parentVisible && <button type="button" onClick={() => onView((s) => select(s, n.parentGuid))}>Select</button>}
          </dd>
        </div>
      </dl>
      <div className="panel-actions">
        {n.kind === 'process' && !n.placeholder && p.view.guid !== n.guid && (
          <button type="button" onClick={() => onView((s) => openProcess(s, n.guid, { host: n.host }))}>Investigate from here</button>
        )}
        {chain.length > 0 && (
          <button
            type="button"
            title={`Open the Rules page with a rule for ${chain.map((i) => i.split(/[\\/]/).pop()).join(' → ')}`}
            onClick={() => navigate(ruleEditorUrl(chain))}
          >
            Make a rule from this chain
          </button>
        )}
      </div>
      {n.provenance && <ProvenanceInfo prov={n.provenance} />}
      <SigmaHits sigma={n.sigma} />
      {n.kind === 'process' && !n.placeholder && <AcrossPanel key={`${n.host}|${n.guid}`} node={n} onOpen={(guid, host) => onView((s) => openProcess(s, guid, { host }))} />}
      <h3>Events by category</h3>
      {n.kind === 'group' && counts.length > 0 && (
        <p className="muted" data-testid="group-events-note">
          A group's events are its members' events, listed together in time order.
        </p>
      )}
      {counts.length === 0 ? <p className="muted">No events recorded for this {n.kind === 'group' ? 'group' : 'process'} in the window.</p> : (
        <ul className="categories">
          <li><button type="button" onClick={() => onView((s) => ({ ...s, panel: 'events', category: null, event: null }))}>All <span className="count">{counts.reduce((a, [, c]) => a + c, 0)}</span></button></li>
          {counts.map(([cat, c]) => (
            <li key={cat}>
              <button type="button" aria-label={`${cat} events: ${c}`} onClick={() => onView((s) => ({ ...s, panel: 'events', category: cat, event: null }))}>
                {cat} <span className="count">{c}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Events({ n, p }: { n: ProcessNode; p: Props }) {
  const { view, onView } = p;
  const q = useInfiniteQuery(nodeEventsQuery(n, p.scope, view.category));
  const items = q.data?.pages.flatMap((pg) => pg.items) ?? [];
  // A shared link may point at an event beyond the first page: load pages until it is there.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  useEffect(() => {
    if (view.event != null && view.event >= items.length && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [view.event, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);
  if (q.isPending) return <StateMessage kind="loading">Loading events…</StateMessage>;
  if (q.isError) return <StateMessage kind="error" onRetry={() => void q.refetch()}>Could not load events: {q.error.message}</StateMessage>;
  if (view.panel === 'raw' && view.event != null) {
    const ev = items[view.event];
    if (!ev) return <StateMessage kind={q.hasNextPage ? 'loading' : 'empty'}>{q.hasNextPage ? 'Loading event…' : 'That event is not in this list.'}</StateMessage>;
    return <RawEvent ev={ev} />;
  }
  if (items.length === 0) return <StateMessage kind="empty">No {view.category ?? ''} events in the window.</StateMessage>;
  return (
    <>
      <ol className="events" aria-label="Events">
        {items.map((ev, i) => (
          <li key={`${ev.recordId ?? ''}:${i}`}>
            <button type="button" onClick={() => onView((s) => ({ ...s, panel: 'raw', event: i }))}>
              <span className="ev-time" title={formatLocal(ev.time)}>{formatUtc(ev.time).slice(11)}</span>
              <span className="ev-id">{ev.eventId}</span>
              <span className="ev-cat">{ev.category}</span>
              <span className="ev-sum mono">{eventSummary(ev)}</span>
            </button>
          </li>
        ))}
      </ol>
      {q.hasNextPage && (
        <button type="button" className="load-more" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {q.isFetchingNextPage ? 'Loading…' : 'Load more events'}
        </button>
      )}
    </>
  );
}

function RawEvent({ ev }: { ev: GraphEvent }) {
  const json = JSON.stringify(ev, null, 2);
  return (
    <div className="raw">
      <div className="panel-actions"><CopyButton text={json} label="event as JSON" /> <span className="muted">Copy as JSON</span></div>
      <dl className="fields">
        <Field label="EventID" value={ev.eventId} />
        <Time label="Time (UTC)" iso={ev.time} />
        <Field label="Host" value={ev.host} copy />
        <Field label="RecordID" value={ev.recordId} copy />
        {Object.entries(ev.fields).map(([k, v]) => <Field key={k} label={k} value={v} mono copy />)}
      </dl>
    </div>
  );
}

export function SidePanel(p: Props) {
  const { view, onView, graph } = p;
  const v = view.selected ? graph?.nodes.get(view.selected) : undefined;
  const n = v?.node ?? null;
  if (!v) {
    return (
      <aside className="side-panel" aria-label="Details">
        <p className="muted">Select a process to see its details. Arrow keys move through the tree; Enter expands.</p>
        <Legend theme={p.theme} inline />
      </aside>
    );
  }
  if (!n) {
    return (
      <aside className="side-panel" aria-label="Details">
        <h2>{v.moreCount ?? 'More'} more children</h2>
        <p className="muted">Not drawn yet. Press Enter or click the node to load the next page.</p>
      </aside>
    );
  }
  const crumbs: Array<[string, (s: ViewState) => ViewState]> = [[n.name || 'process', (s) => ({ ...s, panel: 'details', category: null, event: null })]];
  if (view.panel !== 'details') crumbs.push([`Events${view.category ? ` · ${view.category}` : ''}`, (s) => ({ ...s, panel: 'events', event: null })]);
  if (view.panel === 'raw' && view.event != null) crumbs.push([`Event #${view.event + 1}`, (s) => s]);
  return (
    <aside className="side-panel" aria-label="Details" data-testid="side-panel">
      <nav aria-label="Panel breadcrumbs" className="crumbs">
        {crumbs.map(([label, fn], i) => (
          <span key={label}>
            {i > 0 && ' › '}
            {i < crumbs.length - 1 ? <button type="button" className="link" onClick={() => onView(fn)}>{label}</button> : <strong aria-current="page">{label}</strong>}
          </span>
        ))}
      </nav>
      <h2 className="proc-title">
        <span className={`state-dot ${n.placeholder ? 'placeholder' : n.state}`} aria-hidden="true" />
        {n.kind === 'group' ? `×${n.group?.count} ${n.name}` : n.name} <span className="muted">pid {n.pid ?? '?'}</span>
      </h2>
      {view.panel === 'details' && p.extra?.(n)}
      {view.panel === 'details' ? <Details n={n} p={p} /> : <Events n={n} p={p} />}
    </aside>
  );
}
