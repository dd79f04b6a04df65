/** Adding an investigation to an ES notable. */
export { AddToNotable } from './AddToNotable';
