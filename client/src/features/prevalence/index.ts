/** Fleet prevalence on the graph: the query hook, node figures, the sortable table (docs/ui.md "Prevalence"). */
export { usePrevalence, type Prevalence } from './use-prevalence';
export { PrevalenceTable } from './PrevalenceTable';
export { NodePrevalence } from './NodePrevalence';
export { RARE_BELOW, filterRows, isRare, notComputed, pairText, prevalenceRows, rareMarks, sortRows, type PrevalencePart, type PrevalenceRow, type Sort, type SortKey } from './prevalence-model';
