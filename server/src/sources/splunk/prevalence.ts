/**
 * Fleet prevalence from Splunk (docs/splunk.md "Prevalence"): the drawn processes' creates (one search
 * per 1,000 GUIDs, remembered), then ONE `stats` search over the baseline for every image name drawn —
 * count and first time by host, image, parent image and Hashes — folded here into the pair and image
 * figures. Answers are cached per baseline and image name, so a redrawn graph runs nothing new.
 * Command-line and chain prevalence are not answered from Splunk (null): a Sysmon event carries one
 * generation only, and folding command lines in SPL would be a second copy of the sibling key.
 */
import type { ProcessPrevalence, TimeRange } from '@lineage/shared';
import type { PrevalenceResult, ProcessRecord, QueryContext } from '../event-source.js';
import { preferredHash } from '../embedded/prevalence-index.js';
import { imageNameSuffix, inClause, quote, timeParams, type SplBuilder } from './spl.js';
import type { SplunkRow } from './client.js';

/** What the Splunk source lends the prevalence search. */
export interface PrevalenceHost {
  spl: SplBuilder;
  getProcesses(guids: string[], o: { ctx: QueryContext }): Promise<ProcessRecord[]>;
  search(spl: string, o: { ctx: QueryContext; earliest_time?: string; latest_time?: string }): Promise<SplunkRow[]>;
}

/** One stats row: creates of `image` under `parent` on `host` with these Hashes. */
interface CountRow { host: string; image: string; parent: string; hashes: string; n: number; first: number }

const CACHE_BASELINES = 16;
const CACHE_RECORDS = 50_000;

const basename = (path: string): string => (path.split(/[\\/]/).pop() ?? '').toLowerCase();
const one = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v == null ? '' : String(v));
const imageKey = (image: string, hashes: string): string => preferredHash(hashes) ?? `path:${image.toLowerCase()}`;

/** The SPL: creates whose image basename is one of `names`, counted by host, image, parent image, Hashes. */
export function prevalenceSpl(spl: SplBuilder, names: readonly string[]): string {
  const [img, par, hashes] = [spl.f('Image'), spl.f('ParentImage'), spl.f('Hashes')];
  // Keywords first (indexed segments narrow the scan), then the exact basename suffix on the field.
  const kws = names.map((n) => quote(n, 'image name'));
  const filter = `(${kws.length === 1 ? kws[0] : `(${kws.join(' OR ')})`} ${inClause(img, names.map((n) => imageNameSuffix(n)))})`;
  return `${spl.base()} EventCode=1 ${filter} | eval lineage_host=lower(${spl.machine()}) | eval lineage_image=lower(${img})`
    + ` | eval lineage_parent=lower(coalesce(${par}, "")) | eval lineage_hashes=coalesce(${hashes}, "")`
    + ' | stats count AS lineage_n min(_time) AS lineage_first by lineage_host lineage_image lineage_parent lineage_hashes';
}

/** Per-source cache: process records by GUID, and stats rows per baseline and image name. */
export class PrevalenceCache {
  readonly records = new Map<string, ProcessRecord>();
  readonly baselines = new Map<string, Map<string, CountRow[]>>();

  /** The rows of a baseline; one reaching past now is not kept (more events may still arrive in it). */
  rowsFor(b: TimeRange): Map<string, CountRow[]> {
    if (Date.parse(b.to) > Date.now()) return new Map();
    const key = `${b.from}|${b.to}`;
    let m = this.baselines.get(key);
    if (!m) {
      if (this.baselines.size >= CACHE_BASELINES) this.baselines.delete(this.baselines.keys().next().value as string);
      m = new Map();
      this.baselines.set(key, m);
    }
    return m;
  }

  remember(recs: readonly ProcessRecord[]): void {
    for (const r of recs) {
      if (this.records.size >= CACHE_RECORDS) this.records.delete(this.records.keys().next().value as string);
      this.records.set(r.guid, r);
    }
  }
}

export async function splunkPrevalence(src: PrevalenceHost, cache: PrevalenceCache, guids: string[], baseline: TimeRange, ctx: QueryContext): Promise<PrevalenceResult> {
  const unseen = guids.filter((g) => !cache.records.has(g));
  if (unseen.length > 0) cache.remember(await src.getProcesses(unseen, { ctx }));
  const recs = guids.map((g) => cache.records.get(g)).filter((r): r is ProcessRecord => r !== undefined);
  const byName = cache.rowsFor(baseline);
  const missing = [...new Set(recs.map((r) => basename(r.image)).filter((n) => n && !byName.has(n)))].sort();
  const cached = missing.length === 0;
  if (!cached) {
    // [from, to): Splunk's latest_time is inclusive, so end 1 ms before `to`.
    const params = timeParams({ from: baseline.from, to: new Date(Date.parse(baseline.to) - 1).toISOString() });
    const rows = await src.search(prevalenceSpl(src.spl, missing), { ctx, ...params });
    for (const n of missing) byName.set(n, []);
    for (const row of rows) {
      const r: CountRow = {
        host: one(row.lineage_host), image: one(row.lineage_image), parent: one(row.lineage_parent), hashes: one(row.lineage_hashes),
        n: Number(one(row.lineage_n)) || 0, first: Number(one(row.lineage_first)) * 1000,
      };
      byName.get(basename(r.image))?.push(r);
    }
  }
  const items = new Map<string, ProcessPrevalence>();
  for (const p of recs) {
    const name = basename(p.image);
    const parentName = basename(p.parentImage);
    const key = imageKey(p.image, p.hashes);
    const rows = byName.get(name) ?? [];
    const pairRows = rows.filter((r) => basename(r.parent) === parentName);
    const imgRows = rows.filter((r) => imageKey(r.image, r.hashes) === key);
    const first = imgRows.reduce((a, r) => Math.min(a, r.first), Infinity);
    items.set(p.guid, {
      pair: parentName && name ? { parentImage: parentName, image: name, ...seen(pairRows) } : null,
      chain: null,
      commandLine: null,
      image: p.image ? { hash: preferredHash(p.hashes), ...seen(imgRows), firstSeen: Number.isFinite(first) ? new Date(first).toISOString() : null } : null,
    });
  }
  return { items, unknown: guids.filter((g) => !items.has(g)), cached };
}

function seen(rows: readonly CountRow[]): { hosts: number; count: number } {
  return { hosts: new Set(rows.map((r) => r.host)).size, count: rows.reduce((a, r) => a + r.n, 0) };
}
