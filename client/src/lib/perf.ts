/**
 * Named performance marks for `npm run bench -- ui` (read back with performance.getEntriesByName).
 * Only the first occurrence of a name is kept: the bench measures the first draw.
 */
export function markOnce(name: string): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(name).length) return;
  performance.mark(name);
}
