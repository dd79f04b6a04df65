/**
 * An independent count of fleet prevalence for the prevalence tests: process-creates read with plain
 * SQL from the raw `events` table (never the prevalence tables), and every figure recomputed in a JS
 * loop with its own spelling of the keys as docs/api.md "POST /api/prevalence" states them.
 */
import type { EmbeddedStore } from '../../src/sources/embedded/index.js';

export interface RawCreate { guid: string; host: string; parentGuid: string; image: string; parentImage: string; commandLine: string; hashes: string; ms: number }
export interface Figure { hosts: number; count: number }

/** The first EventID 1 of each (host, ProcessGuid), from the raw events. */
export async function rawCreates(store: EmbeddedStore): Promise<RawCreate[]> {
  const conn = await store.acquire();
  try {
    const rows = (await conn.runAndReadAll(`SELECT host, epoch_ms(time) AS ms, fields FROM events WHERE event_id = 1 ORDER BY time, seq`)).getRowObjectsJS();
    const seen = new Set<string>();
    const out: RawCreate[] = [];
    for (const r of rows) {
      const f = JSON.parse(String(r.fields)) as Record<string, string | undefined>;
      const guid = (f.ProcessGuid ?? '').toLowerCase();
      const id = `${String(r.host)}|${guid}`;
      if (!guid || seen.has(id)) continue;
      seen.add(id);
      out.push({
        guid, host: String(r.host), parentGuid: (f.ParentProcessGuid ?? '').toLowerCase(), image: f.Image ?? '', parentImage: f.ParentImage ?? '',
        commandLine: f.CommandLine ?? '', hashes: f.Hashes ?? '', ms: Number(r.ms),
      });
    }
    return out;
  } finally {
    store.release(conn);
  }
}

const base = (path: string) => (path.split(/[\\/]/).pop() ?? '').toLowerCase();

/** Command line folded as the spec says: lowercase; GUIDs, temp-dir file names, *.tmp, hex runs, digits. */
export function foldCommandLine(c: string): string {
  let s = c.toLowerCase();
  s = s.replace(/\{?[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?/g, '{guid}');
  s = s.replace(/(\\(windows\\)?te?mp\\)[^\s"'\\,;]+/g, '$1*');
  s = s.replace(/(?<![\w~$.-])[\w~$.-]{1,100}?\.tmp\b/g, '*.tmp');
  s = s.replace(/\b0x[0-9a-f]+\b/g, '#').replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/g, '#').replace(/\d+/g, '#');
  return s.replace(/\s+/g, ' ').trim();
}

/** SHA256, else SHA1, else MD5 of a Hashes value (`ALG=HEX` uppercase), else the lowercase path. */
function imageKey(c: RawCreate): { hash: string | null; key: string } {
  for (const alg of ['SHA256', 'SHA1', 'MD5']) {
    const part = c.hashes.split(',').map((p) => p.trim()).find((p) => p.toUpperCase().startsWith(`${alg}=`));
    if (part) { const key = `${alg}=${part.slice(alg.length + 1).toUpperCase()}`; return { hash: key, key }; }
  }
  return { hash: null, key: `path:${c.image.toLowerCase()}` };
}

/** Root → node image names: up the parent links, headed by the topmost known one's parent image; last 16. */
function chains(creates: RawCreate[]): Map<RawCreate, string> {
  const byId = new Map(creates.map((c) => [`${c.host}|${c.guid}`, c]));
  const out = new Map<RawCreate, string>();
  for (const c of creates) {
    const names: string[] = [];
    let at: RawCreate | undefined = c;
    let top = c;
    const visited = new Set<RawCreate>();
    while (at && !visited.has(at)) { visited.add(at); names.unshift(base(at.image)); top = at; at = byId.get(`${at.host}|${at.parentGuid}`); }
    if (base(top.parentImage)) names.unshift(base(top.parentImage));
    out.set(c, names.slice(-16).join('>'));
  }
  return out;
}

export interface Expected {
  pair: (Figure & { parentImage: string; image: string }) | null;
  chain: (Figure & { images: string[] }) | null;
  commandLine: (Figure & { key: string }) | null;
  image: (Figure & { hash: string | null; firstSeen: string | null }) | null;
}

/** The expected prevalence of `guids` over [from, to), from every create grouped by each key. */
export function expectedPrevalence(creates: RawCreate[], guids: string[], from: string, to: string): Map<string, Expected> {
  const lo = Date.parse(from);
  const hi = Date.parse(to);
  const chain = chains(creates);
  const inBase = creates.filter((c) => c.ms >= lo && c.ms < hi);
  const pairOf = (x: RawCreate) => (base(x.parentImage) ? `${base(x.parentImage)}>${base(x.image)}` : null);
  const cmdOf = (x: RawCreate) => (x.commandLine.trim() ? `${base(x.image)}|${foldCommandLine(x.commandLine)}` : null);
  // Baseline creates grouped by each key (a plain loop; the figures are read from the groups).
  const groups = (keyOf: (c: RawCreate) => string | null | undefined) => {
    const g = new Map<string, RawCreate[]>();
    for (const c of inBase) { const k = keyOf(c); if (k == null) continue; const list = g.get(k); if (list) list.push(c); else g.set(k, [c]); }
    return g;
  };
  const byPair = groups(pairOf);
  const byChain = groups((c) => chain.get(c));
  const byCmd = groups(cmdOf);
  const byImage = groups((c) => imageKey(c).key);
  const figure = (hits: RawCreate[] = []) => ({
    hosts: new Set(hits.map((c) => c.host)).size, count: hits.length, first: hits.length ? hits.reduce((a, c) => Math.min(a, c.ms), Infinity) : null,
  });
  const out = new Map<string, Expected>();
  const firstOf = new Map<string, RawCreate>();
  for (const c of creates) if (!firstOf.has(c.guid)) firstOf.set(c.guid, c);
  for (const g of guids) {
    const c = firstOf.get(g);
    if (!c) continue;
    const img = imageKey(c);
    const p = figure(byPair.get(pairOf(c) ?? ''));
    const ch = figure(byChain.get(chain.get(c)!));
    const cl = figure(byCmd.get(cmdOf(c) ?? ''));
    const im = figure(byImage.get(img.key));
    out.set(g, {
      pair: base(c.parentImage) ? { parentImage: base(c.parentImage), image: base(c.image), hosts: p.hosts, count: p.count } : null,
      chain: { images: chain.get(c)!.split('>'), hosts: ch.hosts, count: ch.count },
      commandLine: cmdOf(c) ? { key: cmdOf(c)!, hosts: cl.hosts, count: cl.count } : null,
      image: { hash: img.hash, hosts: im.hosts, count: im.count, firstSeen: im.first === null ? null : new Date(im.first).toISOString() },
    });
  }
  return out;
}
