/** Budgeted expansion by suspicion: the control, why each node was opened (docs/ui.md "Expand what matters"). */
export { ExpandControl } from './ExpandControl';
export { WhyOpened } from './WhyOpened';
export { NOTABLE_EXPAND, expansionSummary, openedById, whyLines } from './suspicion-model';
