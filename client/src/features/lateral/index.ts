/** Across hosts: lateral links with their evidence, the far side's tree (docs/lateral.md, docs/ui.md). */
export { AcrossPanel } from './AcrossPanel';
export { AcrossGraph } from './AcrossGraph';
export { acrossElements, acrossNodeId, lateralLabel, type AcrossElement } from './across-elements';
export { lateralQueries } from './api';
