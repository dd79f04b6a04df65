/** The process tree list beside the graph. */
export { TreeList } from './TreeList';
