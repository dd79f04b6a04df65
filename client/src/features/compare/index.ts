/**
 * Compare two trees: the URL of a comparison and the "pick for compare" memory. The page itself
 * (ComparePage.tsx) is loaded lazily by App.tsx, so it is not re-exported here.
 */
export { compareUrl, parseCompareUrl, pickForCompare, pickedForCompare, type Picked } from './compare-url';
export { compareMarkdown } from './compare-markdown';
