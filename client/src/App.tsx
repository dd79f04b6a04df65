/**
 * The application shell: top bar (product, source badge, search, rules, upload, theme), the left rail
 * (notables, search hits) and the main area (an investigation, the entry screen, or the Rules page).
 * The view lives in the URL (state/url-state.ts); this component only routes.
 */
import { Suspense, lazy, useEffect, useState } from 'react';
import { useIsFetching, useQuery, useQueryClient } from '@tanstack/react-query';
import { lineageQueries } from './api/queries';
import { InvestigationPage } from './app/InvestigationPage';
import { optionalFeature } from './app/optional-features';
import { navigate, usePathname, useViewState } from './state/use-view-state';
import { StateMessage } from './components/StateMessage';
import { LeftRail, SearchBar } from './features/entry';
import type { Theme } from './features/graph';

const RulesPage = optionalFeature('rules', 'RulesPage');
const UploadPanel = optionalFeature('upload', 'UploadPanel');
const LoginPage = optionalFeature('session', 'LoginPage');
const LogoutButton = optionalFeature('session', 'LogoutButton');
/** The compare view (features/compare), loaded on first use. */
const ComparePage = lazy(() => import('./features/compare/ComparePage').then((m) => ({ default: m.ComparePage })));

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('lineage:theme') === 'light' ? 'light' : 'dark'));
  useEffect(() => { document.documentElement.dataset.theme = theme; localStorage.setItem('lineage:theme', theme); }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

/** Global progress: any request in flight shows a bar and a cancel button. */
function Progress() {
  const qc = useQueryClient();
  const n = useIsFetching();
  if (n === 0) return null;
  return (
    <div className="progress" role="status" aria-label={`${n} requests running`}>
      <div className="progress-bar" />
      <span>{n} search{n === 1 ? '' : 'es'} running</span>
      <button type="button" className="link" onClick={() => void qc.cancelQueries()}>Cancel</button>
    </div>
  );
}

/**
 * Files dragged anywhere onto the page open the upload drawer (whose panel then takes the drop), and the browser
 * never navigates away to show a dropped file — that would lose the analyst's view.
 */
function useOpenOnFileDrag(enabled: boolean, setOpen: (open: boolean) => void): void {
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (e: DragEvent) => { if (hasFiles(e)) setOpen(true); };
    const keep = (e: DragEvent) => { if (hasFiles(e)) e.preventDefault(); };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', keep);
    window.addEventListener('drop', keep);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', keep);
      window.removeEventListener('drop', keep);
    };
  }, [enabled, setOpen]);
}

export function App() {
  const health = useQuery(lineageQueries.health());
  const [view, setView] = useViewState();
  const path = usePathname();
  const [theme, toggleTheme] = useTheme();
  const [uploadOpen, setUploadOpen] = useState(false);
  const source = health.data?.source;
  const onRules = path.startsWith('/rules');
  useOpenOnFileDrag(source === 'embedded', setUploadOpen);

  if (health.data?.source === 'splunk' && health.data.authenticated === false) {
    return <Suspense fallback={<StateMessage kind="loading">Loading…</StateMessage>}><LoginPage /></Suspense>;
  }
  return (
    <div className="app">
      <header className="top-bar">
        <a href="/" className="brand" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Lineage</a>
        <span className={`source-badge ${source ?? 'unknown'}`} data-testid="source-badge" title={health.data?.splunk?.url ?? ''}>
          {health.isPending ? '…' : health.isError ? 'server unreachable' : source === 'splunk' ? `Splunk ${health.data?.splunk?.user ?? ''}` : 'embedded'}
        </span>
        {!onRules && <SearchBar view={view} onView={setView} />}
        <span className="grow" />
        <a href="/rules" className={onRules ? 'current' : undefined} onClick={(e) => { e.preventDefault(); navigate(onRules ? '/' : '/rules'); }}>
          {onRules ? 'Investigate' : 'Rules'}
        </a>
        {source === 'embedded' && (
          <button type="button" onClick={() => setUploadOpen(!uploadOpen)} aria-expanded={uploadOpen} aria-label="Upload Sysmon files">Upload</button>
        )}
        {source === 'splunk' && health.data?.authenticated && <Suspense fallback={null}><LogoutButton /></Suspense>}
        <button type="button" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>{theme === 'dark' ? '☀' : '☾'}</button>
      </header>
      <Progress />
      {uploadOpen && (
        <section className="upload-drawer" aria-label="Upload">
          <Suspense fallback={<StateMessage kind="loading">Loading upload…</StateMessage>}><UploadPanel /></Suspense>
        </section>
      )}
      {source && view.source && view.source !== source && (
        <p className="warning" role="alert">This link was made against a {view.source} source; this server is {source}.</p>
      )}
      <main className="main">
        {path.startsWith('/compare') ? (
          <Suspense fallback={<StateMessage kind="loading">Loading compare…</StateMessage>}><ComparePage search={window.location.search} /></Suspense>
        ) : onRules ? (
          <Suspense fallback={<StateMessage kind="loading">Loading rules…</StateMessage>}><RulesPage /></Suspense>
        ) : (
          <>
            <LeftRail view={view} onView={setView} />
            {view.guid ? (
              <InvestigationPage key={`${view.guid}|${view.host ?? ''}`} view={view} onView={setView} theme={theme} />
            ) : (
              <div className="entry-empty">
                <StateMessage kind="empty">Open a notable on the left, or search for a process by ProcessGuid, host, image or command line.</StateMessage>
              </div>
            )}
          </>
        )}
      </main>
    </div>
  );
}
