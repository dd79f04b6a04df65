/**
 * The process image basenames a process_creation rule can only match (null: any), from its detection
 * and condition: `Image|endswith: '\x.exe'` and `Image: 'C:\…\x.exe'` pin `x.exe`; AND intersects, OR
 * and `1 of` unite (only when every branch pins), `not` pins nothing. Lineage rule steps that use Sigma
 * hand these to the rule-scan planner, which pushes them down to the source (`Image` basename IN …).
 */
import { foldCondition, type Cond } from './condition.js';

type Names = Set<string> | null;

const plain = (s: string): boolean => s !== '' && !/[*?\\/]/.test(s);

/** Names one `Field|mods: value` item pins, or null. */
function itemNames(key: string, value: unknown): Names {
  const [field, ...mods] = key.split('|');
  if (field !== 'Image') return null;
  const op = mods.length === 0 ? 'equals' : mods.length === 1 && mods[0] === 'endswith' ? 'endswith' : null;
  if (op === null) return null;
  const values = Array.isArray(value) ? value : [value];
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') return null;
    const i = v.lastIndexOf('\\');
    if (op === 'endswith' && i !== 0) return null; // '\x.exe' only: a bare 'x.exe' suffix also matches 'ax.exe'
    const base = v.slice(i + 1);
    if (!plain(base) || (op === 'equals' && i < 0)) return null;
    out.add(base.toLowerCase());
  }
  return out.size > 0 ? out : null;
}

function intersect(xs: Names[]): Names {
  let out: Names = null;
  for (const x of xs) {
    if (!x) continue;
    const prev: Set<string> | null = out;
    out = prev ? new Set([...prev].filter((n: string) => x.has(n))) : new Set(x);
  }
  return out;
}
const unite = (xs: Names[]): Names => (xs.length > 0 && xs.every((x) => x) ? new Set(xs.flatMap((x) => [...x!])) : null);

function searchNames(v: unknown): Names {
  if (Array.isArray(v)) return unite(v.map(searchNames));
  if (!v || typeof v !== 'object') return null;
  return intersect(Object.entries(v as Record<string, unknown>).map(([k, x]) => itemNames(k, x)));
}

/** The image basenames (lower case) the rule can only match, or null. */
export function imageNames(cond: Cond, det: Record<string, unknown>): Names {
  return foldCondition(cond, (name) => searchNames(det[name]), { and: intersect, or: unite, not: null });
}
