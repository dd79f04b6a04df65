/** Loading / empty / error states: never a blank area without a reason. */
import type { ReactNode } from 'react';

export function StateMessage({ kind, children, onRetry }: { kind: 'loading' | 'empty' | 'error'; children: ReactNode; onRetry?: () => void }) {
  return (
    <div className={`state state-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={`state-${kind}`}>
      {kind === 'loading' && <span className="spinner" aria-hidden="true" />}
      <span>{children}</span>
      {onRetry && <button type="button" onClick={onRetry}>Retry</button>}
    </div>
  );
}
