import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App';
import { lineageKeys, lineageQueries } from './api/queries';
import { parseViewState } from './state/url-state';
import { ApiError, onAuthExpired } from './lib/api-client';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry only what may heal (network, 5xx); a 4xx will answer the same again.
      retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

// Any 401 `not_authenticated` (Splunk session expired or ended): re-ask /api/health, whose
// `authenticated: false` makes App show the login page again.
onAuthExpired(() => { void queryClient.invalidateQueries({ queryKey: lineageKeys.health() }); });

// Start the origin graph request now, while React renders its first frame (same key as the graph view).
const initial = parseViewState(window.location.search);
if (initial.guid && window.location.pathname === '/') {
  void queryClient.prefetchQuery(lineageQueries.graph(initial.guid, { host: initial.host, from: initial.from, to: initial.to }, initial.down, initial.expand));
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
