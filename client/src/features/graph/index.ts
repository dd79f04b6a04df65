/** The graph feature's public face: the investigation hook, the graph view, its model and drawing constants. */
export { useInvestigation, type Investigation } from './api/use-investigation';
export { GraphView } from './components/GraphView';
export { Legend } from './components/Legend';
export type { CanvasHandle, Marks } from './components/CytoscapeCanvas';
export { EDGE_COLOURS, KIND_COLOURS, SPAWN_TURN, type Theme } from './components/graph-styles';
export type { ProcessKind } from './model/process-kind';
export { MORE_H, MORE_W, NODE_H, NODE_W, tidyLayout } from './model/tidy-layout';
export { chooseLayout } from './model/topdown-layout';
export { nodeBoxes } from './model/cross-bends';
export { badgeText, toElements, type ElementDef } from './model/to-elements';
export { activate, collapse, expand, expandLevel, expandParent, loadMore, select, toggle } from './model/view-actions';
export {
  buildVisibleGraph, collapsedAbove, findMatches, pathToRoot, processTotal, type VisibleGraph, type VisibleNode,
} from './model/visible-graph';
