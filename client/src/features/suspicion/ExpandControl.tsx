/**
 * "Expand what matters" (docs/ui.md): asks the first graph again with its nodes chosen by suspicion
 * (`xp=suspicion` in the URL: the mode and budget, never a node list, so a reopened link shows the
 * same nodes). While an expansion is shown it says what it opened and whether the budget cut it.
 */
import { DEFAULT_EXPAND_BUDGET, type Expansion } from '@lineage/shared';
import type { ViewState } from '../../state/url-state';
import { expansionSummary } from './suspicion-model';
import './suspicion.css';

interface Props {
  view: ViewState;
  onView(fn: (v: ViewState) => ViewState): void;
  /** The shown graph's expansion, when the server chose its nodes by suspicion. */
  expansion: Expansion | undefined;
  disabled?: boolean;
}

export function ExpandControl({ view, onView, expansion, disabled }: Props) {
  const start = () => onView((s) => ({ ...s, expand: { mode: 'suspicion', budget: s.expand?.budget ?? DEFAULT_EXPAND_BUDGET }, expanded: new Map(), hidden: [] }));
  const stop = () => onView((s) => ({ ...s, expand: null, expanded: new Map(), hidden: [] }));
  if (!view.expand || (view.expand.mode === 'auto' && !expansion)) {
    return (
      <button type="button" disabled={disabled} onClick={start} data-testid="expand-suspicion"
        title={`Open up to ${DEFAULT_EXPAND_BUDGET} nodes, the most suspicious branches first`}>Expand what matters</button>
    );
  }
  return (
    <span className="expansion-note" data-testid="expansion-note" role="status">
      {expansion ? expansionSummary(expansion) : 'Expanding by suspicion…'}
      <button type="button" className="link" onClick={stop} aria-label="Back to the plain view">✕</button>
    </span>
  );
}
