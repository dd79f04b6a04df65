/**
 * Pure helpers of the entry search: host names typed short or as a prefix resolve against the hosts
 * the app knows (notables, search hits, the open graph), and 24-hour UTC time fields ↔ ISO.
 */

/** `ws-0004` for `ws-0004.corp.example`. */
const shortName = (h: string) => h.split('.')[0]!.toLowerCase();

export type HostResolution = { host: string; note: string | null } | { error: string };

/**
 * Exact (case-insensitive) name or short name wins; otherwise a unique prefix match is taken; several
 * matches are listed so the analyst can pick one; no match passes the text through (the source may
 * know hosts this browser has not seen).
 */
export function resolveHost(input: string, known: readonly string[]): HostResolution {
  const t = input.trim().toLowerCase();
  if (!t) return { host: '', note: null };
  const exact = known.find((h) => h.toLowerCase() === t) ?? known.find((h) => shortName(h) === t);
  if (exact) return { host: exact, note: exact.toLowerCase() === t ? null : `Host ${input.trim()} is ${exact}` };
  const hits = known.filter((h) => h.toLowerCase().startsWith(t));
  if (hits.length === 1) return { host: hits[0]!, note: `Host ${input.trim()} is ${hits[0]}` };
  if (hits.length > 1) {
    const shown = hits.slice(0, 5).join(', ');
    return { error: `"${input.trim()}" matches ${hits.length} known hosts: ${shown}${hits.length > 5 ? ', …' : ''}. Pick one.` };
  }
  return { host: input.trim(), note: null };
}

/** Unique host names, sorted. */
export function knownHosts(...lists: ReadonlyArray<ReadonlyArray<string | null | undefined>>): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const h of l) if (h) set.add(h);
  return [...set].sort();
}

/** ISO → `2024-05-01 13:45:07` (24-hour UTC, what the time fields show). */
export function toUtcField(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * `2024-05-01 13:45[:07]` (or with `T`, optional trailing Z) read as UTC → ISO; '' → null;
 * anything else → an error message naming the expected form.
 */
export function fromUtcField(v: string, label: string): { iso: string | null } | { error: string } {
  const t = v.trim();
  if (!t) return { iso: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/i.exec(t);
  if (m) {
    const [y, mo, d, h, mi, s = '0', ms = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
    const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, +ms.padEnd(3, '0')));
    // Reject rollovers (2024-02-31, 25:00): the parts must read back unchanged.
    if (date.getUTCFullYear() === +y! && date.getUTCMonth() === +mo! - 1 && date.getUTCDate() === +d! && date.getUTCHours() === +h! && date.getUTCMinutes() === +mi! && date.getUTCSeconds() === +s) {
      return { iso: date.toISOString() };
    }
  }
  return { error: `${label}: expected a UTC time like 2024-05-01 13:45:07 (24-hour).` };
}
