/** The process timeline under the graph and its pure model. */
export { Timeline } from './Timeline';
export { barsOf, outsideBrush, timelineBounds, type Bar } from './timeline-model';
