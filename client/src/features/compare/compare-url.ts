/**
 * The comparison lives in the URL: `/compare?a=<guid>&aHost=<host>&b=<guid>&bHost=<host>`. The side
 * picked first ("pick as A") is remembered for this browser tab only.
 */
import { CompareQuery, type CompareRequest } from '@lineage/shared';

export function compareUrl(r: { a: string; aHost?: string | null; b: string; bHost?: string | null }): string {
  const q = new URLSearchParams({ a: r.a, ...(r.aHost ? { aHost: r.aHost } : {}), b: r.b, ...(r.bHost ? { bHost: r.bHost } : {}) });
  return `/compare?${q.toString()}`;
}

/** The request in a `/compare` query string, or an error message naming what is wrong. */
export function parseCompareUrl(search: string): { request: CompareRequest } | { error: string } {
  const raw = Object.fromEntries(new URLSearchParams(search));
  const r = CompareQuery.safeParse(raw);
  if (r.success) return { request: r.data };
  return { error: r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') };
}

const KEY = 'lineage:compare-a';

export interface Picked { guid: string; host: string; name: string }

export function pickForCompare(p: Picked): void {
  sessionStorage.setItem(KEY, JSON.stringify(p));
}

export function pickedForCompare(): Picked | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Picked | null;
    return v && typeof v.guid === 'string' && typeof v.host === 'string' ? v : null;
  } catch {
    return null;
  }
}
