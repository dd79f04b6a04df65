/** The Sigma feature's public face: hit badges and list, and the find box's Sigma filter. */
export { AttackIds, SigmaHits, sigmaBadge, techniques } from './SigmaHits';
export { parseFind, sigmaPasses, type FindQuery } from './find-filter';
