/**
 * React binding of the URL view state: the location is the store. Big steps (new origin, expansions)
 * push a history entry so Back undoes them; small ones (selection, find, panel) replace it.
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { isHistoryStep, parseViewState, serializeViewState, type ViewState } from './url-state';

const CHANGE = 'lineage:urlchange';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(CHANGE, cb);
  return () => { window.removeEventListener('popstate', cb); window.removeEventListener(CHANGE, cb); };
}
const getSearch = () => window.location.search;

/** Navigates within the app (pathname + search) without a reload. */
export function navigate(url: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The current view and an updater taking a function of the previous view. */
export function useViewState(): [ViewState, (fn: (prev: ViewState) => ViewState) => void] {
  const search = useSyncExternalStore(subscribe, getSearch);
  const state = useMemo(() => parseViewState(search), [search]);
  const update = useCallback((fn: (prev: ViewState) => ViewState) => {
    const prev = parseViewState(window.location.search);
    const next = fn(prev);
    const url = `${window.location.pathname}${serializeViewState(next)}` || '/';
    if (url === `${window.location.pathname}${window.location.search}`) return;
    navigate(url, !isHistoryStep(prev, next));
  }, []);
  return [state, update];
}
