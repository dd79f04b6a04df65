/**
 * Fleet prevalence from Splunk (docs/splunk.md "Prevalence"): the drawn processes' creates (one search
 * per 1,000 GUIDs, remembered), then ONE `stats` search over the baseline for every image name and every
 * image hash drawn — count and first time by host, image, parent image, Hashes and the folded command
 * line — folded here into the pair, command-line and image figures. The command line is folded in SPL by
 * the sibling key's own rules (`FOLD_RULES`, spelled as `replace()` calls). Answers are cached per
 * baseline, image name and hash, so a redrawn graph runs nothing new. Chain prevalence is not answered
 * (`CHAIN_NOT_COMPUTED`).
 */
import type { ProcessPrevalence, TimeRange } from '@lineage/shared';
import type { PrevalenceResult, ProcessRecord, QueryContext } from '../event-source.js';
import { preferredHash } from '../embedded/prevalence-index.js';
import { FOLD_RULES, siblingKey } from '../../graph/sibling-key.js';
import { containsTerm, imageNameSuffix, inClause, quote, timeParams, type SplBuilder } from './spl.js';
import type { SplunkRow } from './client.js';

/** Why `chain` is null on Splunk (the API's `notComputed.chain`; measured in docs/splunk.md "Prevalence"). */
export const CHAIN_NOT_COMPUTED = 'not available on Splunk: a chain needs the ancestry of every baseline process, one search cannot count it';

/** What the Splunk source lends the prevalence search. */
export interface PrevalenceHost {
  spl: SplBuilder;
  getProcesses(guids: string[], o: { ctx: QueryContext }): Promise<ProcessRecord[]>;
  search(spl: string, o: { ctx: QueryContext; earliest_time?: string; latest_time?: string }): Promise<SplunkRow[]>;
}

/** One stats row: creates of `image` under `parent` on `host` with these Hashes and this folded command line. */
interface CountRow { host: string; image: string; parent: string; hashes: string; cmd: string; n: number; first: number }

const CACHE_BASELINES = 16;
const CACHE_RECORDS = 50_000;

const basename = (path: string): string => (path.split(/[\\/]/).pop() ?? '').toLowerCase();
const one = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v == null ? '' : String(v));
const imageKey = (image: string, hashes: string): string => preferredHash(hashes) ?? `path:${image.toLowerCase()}`;

/** A constant (never a user value) as an SPL string literal: backslashes and quotes escaped. */
const literal = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** SPL eval expression folding `expr` exactly as the sibling key folds a command line. */
export function foldSpl(expr: string): string {
  let e = `lower(${expr})`;
  for (const r of FOLD_RULES) e = `replace(${e}, ${literal(r.pattern.source)}, ${literal(r.replacement.replace(/\$(\d)/g, '\\$1'))})`;
  return `trim(replace(${e}, ${literal('\\s+')}, " "))`;
}

/**
 * The SPL: creates whose image basename is one of `names` or whose Hashes hold one of `hashes`
 * (`ALG=HEX`), counted by host, image, parent image, Hashes and folded command line.
 */
export function prevalenceSpl(spl: SplBuilder, names: readonly string[], hashes: readonly string[] = []): string {
  const [img, par, hs, cmd] = [spl.f('Image'), spl.f('ParentImage'), spl.f('Hashes'), spl.f('CommandLine')];
  // Keywords first (indexed segments narrow the scan), then the exact basename suffix / hash on the field.
  const any = (kws: string[]) => (kws.length === 1 ? kws[0]! : `(${kws.join(' OR ')})`);
  const parts: string[] = [];
  if (names.length > 0) parts.push(`(${any(names.map((n) => quote(n, 'image name')))} ${inClause(img, names.map((n) => imageNameSuffix(n)))})`);
  if (hashes.length > 0) {
    const hex = hashes.map((h) => h.slice(h.indexOf('=') + 1));
    parts.push(`(${any(hex.map((x) => quote(x, 'hash')))} ${inClause(hs, hashes.map((h) => containsTerm(h, 'hash')))})`);
  }
  if (parts.length === 0) throw new Error('prevalenceSpl: nothing to count');
  return `${spl.base()} EventCode=1 ${parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`} | eval lineage_host=lower(${spl.machine()}) | eval lineage_image=lower(${img})`
    + ` | eval lineage_parent=lower(coalesce(${par}, "")) | eval lineage_hashes=coalesce(${hs}, "")`
    + ` | eval lineage_cmd=${foldSpl(`coalesce(${cmd}, "")`)}`
    + ' | stats count AS lineage_n min(_time) AS lineage_first by lineage_host lineage_image lineage_parent lineage_hashes lineage_cmd';
}

/** One baseline's rows, indexed by image basename and by preferred hash, with what has been searched. */
class BaselineRows {
  readonly names = new Set<string>();
  readonly hashes = new Set<string>();
  readonly byName = new Map<string, CountRow[]>();
  readonly byHash = new Map<string, CountRow[]>();
  private readonly seen = new Set<string>();

  add(r: CountRow): void {
    const id = JSON.stringify([r.host, r.image, r.parent, r.hashes, r.cmd]);
    if (this.seen.has(id)) return; // the same stats group found by name and by hash
    this.seen.add(id);
    push(this.byName, basename(r.image), r);
    const h = preferredHash(r.hashes);
    if (h) push(this.byHash, h, r);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

/** Per-source cache: process records by GUID, and stats rows per baseline. */
export class PrevalenceCache {
  readonly records = new Map<string, ProcessRecord>();
  readonly baselines = new Map<string, BaselineRows>();

  /** The rows of a baseline; one reaching past now is not kept (more events may still arrive in it). */
  rowsFor(b: TimeRange): BaselineRows {
    if (Date.parse(b.to) > Date.now()) return new BaselineRows();
    const key = `${b.from}|${b.to}`;
    let m = this.baselines.get(key);
    if (!m) {
      if (this.baselines.size >= CACHE_BASELINES) this.baselines.delete(this.baselines.keys().next().value as string);
      m = new BaselineRows();
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
  const b = cache.rowsFor(baseline);
  const names = [...new Set(recs.map((r) => basename(r.image)).filter((n) => n && !b.names.has(n)))].sort();
  const hashes = [...new Set(recs.map((r) => preferredHash(r.hashes)).filter((h): h is string => h !== null && !b.hashes.has(h)))].sort();
  const cached = names.length === 0 && hashes.length === 0;
  if (!cached) {
    // [from, to): Splunk's latest_time is inclusive, so end 1 ms before `to`.
    const params = timeParams({ from: baseline.from, to: new Date(Date.parse(baseline.to) - 1).toISOString() });
    const rows = await src.search(prevalenceSpl(src.spl, names, hashes), { ctx, ...params });
    for (const row of rows) {
      b.add({
        host: one(row.lineage_host), image: one(row.lineage_image), parent: one(row.lineage_parent), hashes: one(row.lineage_hashes),
        cmd: one(row.lineage_cmd), n: Number(one(row.lineage_n)) || 0, first: Number(one(row.lineage_first)) * 1000,
      });
    }
    for (const n of names) b.names.add(n);
    for (const h of hashes) b.hashes.add(h);
  }
  const items = new Map<string, ProcessPrevalence>();
  for (const p of recs) items.set(p.guid, figures(p, b));
  return { items, unknown: guids.filter((g) => !items.has(g)), cached, notComputed: { chain: CHAIN_NOT_COMPUTED } };
}

/** One process's figures from its baseline's rows. */
function figures(p: ProcessRecord, b: BaselineRows): ProcessPrevalence {
  const name = basename(p.image);
  const parentName = basename(p.parentImage);
  const rows = b.byName.get(name) ?? [];
  const pairRows = rows.filter((r) => basename(r.parent) === parentName);
  const hash = preferredHash(p.hashes);
  const key = imageKey(p.image, p.hashes);
  const imgRows = hash ? b.byHash.get(hash) ?? [] : rows.filter((r) => imageKey(r.image, r.hashes) === key);
  // The key's image part is the basename (siblingName with no separate name); its command part is the fold.
  const cmdKey = p.commandLine.trim() ? siblingKey({ name: '', image: p.image, commandLine: p.commandLine }) : null;
  const cmd = cmdKey === null ? '' : cmdKey.slice(cmdKey.indexOf('|') + 1);
  const cmdRows = rows.filter((r) => r.cmd === cmd);
  const first = imgRows.reduce((a, r) => Math.min(a, r.first), Infinity);
  return {
    pair: parentName && name ? { parentImage: parentName, image: name, ...seen(pairRows) } : null,
    chain: null,
    commandLine: cmdKey !== null ? { key: cmdKey, ...seen(cmdRows) } : null,
    image: p.image ? { hash, ...seen(imgRows), firstSeen: Number.isFinite(first) ? new Date(first).toISOString() : null } : null,
  };
}

function seen(rows: readonly CountRow[]): { hosts: number; count: number } {
  return { hosts: new Set(rows.map((r) => r.host)).size, count: rows.reduce((a, r) => a + r.n, 0) };
}
