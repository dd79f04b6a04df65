/** Request ranges for routes: the shared range check, refused as a 400 before any query runs. */
import { resolveRange, type TimeRange } from '@lineage/shared';
import { AppError } from './errors.js';

/** `from`/`to` → a range, or null when neither given; 400 when inverted. Missing ends come from `fallback`. */
export function toRange(q: { from?: string | undefined; to?: string | undefined }, fallback: TimeRange | null): TimeRange | null {
  const r = resolveRange(q, fallback);
  if ('error' in r) throw new AppError(400, 'invalid_request', r.error);
  return r.range;
}
