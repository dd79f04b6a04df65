import { useQuery } from '@tanstack/react-query';
import type { Health } from '@lineage/shared';

export function App() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: async ({ signal }) => (await (await fetch('/api/health', { signal })).json()) as Health,
  });
  return (
    <main>
      <h1>Lineage</h1>
      <p>{health.isPending ? 'Loading…' : health.isError ? 'Server unreachable' : `Source: ${health.data.source}`}</p>
    </main>
  );
}
