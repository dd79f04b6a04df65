/** The side panel's public face: the panel and the one-line event summary exports reuse. */
export { SidePanel } from './SidePanel';
export { eventSummary } from './explain';
