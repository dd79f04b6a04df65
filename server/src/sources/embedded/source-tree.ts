/**
 * The EmbeddedSource's lineage reads (source.ts delegates): trees, ancestors, process lookups and
 * `locateOrigin`. Through the lineage index when current (indexed-tree.ts: one pruned fetch, which
 * also brings the parents above the range and the rows' event counts, held per request so the
 * graph's next calls need no statement), else the recursive statement of tree-sql.ts.
 */
import { canonicalGuid, type Category } from '@lineage/shared';
import type { BaseOptions, ProcessRecord, TreeOptions, TreeRows } from '../event-source.js';
import { PROCESS_COLUMNS } from './schema.js';
import { Params, queryJson, type ConnectionPool, type SqlRow } from './sql-runner.js';
import { toProcess } from './rows.js';
import { treeSql, MAX_GENERATIONS } from './tree-sql.js';
import { asHeld, indexedTree, type HeldCount, type HeldCounts } from './indexed-tree.js';
import type { LineageKeeper } from './lineage-keeper.js';
import { filters, guidList, guidMatch } from './source-sql.js';

export type { HeldCounts };

/** Trees, ancestors and process lookups of one EmbeddedSource. */
export class EmbeddedTree {
  /**
   * Per request, what a tree fetched beside its rows, so the graph's next calls need no statement:
   * `creates` — the parents above its range (placeholders), by host + "\n" + guid; `counts` — event
   * counts (all time, with their time span) of every row fetched, by host + "\n" + guid.
   */
  private readonly prefetched = new WeakMap<BaseOptions['ctx'], {
    creates: Map<string, ProcessRecord>;
    counts: HeldCounts;
  }>();

  constructor(private readonly reads: ConnectionPool, private readonly lineage: LineageKeeper) {}

  /** The event counts this request's trees already fetched, if any. */
  heldCounts(ctx: BaseOptions['ctx']): HeldCounts | undefined {
    return this.prefetched.get(ctx)?.counts;
  }

  /** A process's event counts from memory (event-counts.ts), as held counts (every category with the process's span). */
  memoryCounts(guid: string, host: string): Partial<Record<Category, HeldCount>> | null {
    const index = this.lineage.current();
    const memory = index && this.lineage.counts();
    if (!memory) return null;
    const rows = index.find(guid, host);
    const got = rows.length === 1 ? memory.get(rows[0]!, guid) : null;
    return got ? asHeld(got) : null;
  }

  /** EmbeddedSource.locateOrigin: from the lineage index without a statement, or null. */
  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    const index = this.lineage.current();
    if (!index) return null;
    return index.find(canonicalGuid(guid) ?? guid, host?.toLowerCase())
      .map((r) => ({ host: index.hostName(r), startTime: new Date(Math.floor(index.startMicros(r) / 1000)).toISOString() }));
  }

  /** The tree statement's rows: through the index when current (one pruned fetch), else recursive SQL. */
  private async treeRows(ctx: BaseOptions['ctx'], o: Parameters<typeof treeSql>[0]): Promise<SqlRow[]> {
    const index = this.lineage.current();
    if (index) {
      const found = await indexedTree(this.reads, index, ctx, o, this.lineage.counts());
      if (found) {
        const held = this.prefetched.get(ctx) ?? { creates: new Map(), counts: new Map() };
        for (const r of found.outside) held.creates.set(`${String(r.host)}\n${String(r.guid)}`, toProcess(r));
        for (const [k, c] of found.counts) held.counts.set(k, c);
        this.prefetched.set(ctx, held);
        return found.rows;
      }
    }
    const { sql, params } = treeSql(o);
    return queryJson(this.reads, ctx, sql, params);
  }

  async getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    let wanted = guidList(guids);
    const held = this.prefetched.get(o.ctx)?.creates;
    if (held && o.host && !o.range) {
      const host = o.host.toLowerCase();
      const rows = wanted.map((g) => held.get(`${host}\n${g}`));
      if (rows.every((r) => r !== undefined)) return sortProcesses(rows as ProcessRecord[]);
    }
    // GUIDs the current index does not know have no create: no statement for them (often none is left:
    // a tree's topmost parent that was never logged).
    const index = this.lineage.current();
    if (index) wanted = wanted.filter((g) => index.has(g, o.host?.toLowerCase(), o.range));
    if (wanted.length === 0) return [];
    const p = new Params();
    const m = guidMatch(p, wanted, 'p', 'gkey', 'guid');
    const rows = await queryJson(this.reads, o.ctx,
      `SELECT ${PROCESS_COLUMNS} FROM processes p ${m.join} WHERE TRUE ${m.where} ${filters(p, o, 'p', 'start_time')} ORDER BY p.start_time, p.guid, p.host`, p);
    return rows.map(toProcess);
  }

  async getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    const rows = await this.treeRows(o.ctx, {
      guid: canonicalGuid(guid) ?? guid, host: o.host?.toLowerCase(), up: Math.max(0, o.maxDepth), down: 0, budget: 0, range: o.range,
    });
    // depth -1 is the parent: nearest first.
    return rows.filter((r) => Number(r.depth) < 0).sort((a, b) => Number(b.depth) - Number(a.depth)).map(toProcess);
  }

  async getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    const budget = Math.max(0, Math.floor(Number.isFinite(o.nodeBudget) ? o.nodeBudget : 1_000_000));
    const rows = await this.treeRows(o.ctx, {
      guid: canonicalGuid(guid) ?? guid,
      host: o.host?.toLowerCase(),
      up: o.up ? MAX_GENERATIONS : 0,
      down: Number.isFinite(o.down) ? Math.max(0, Math.floor(o.down)) : MAX_GENERATIONS,
      budget,
      range: o.range,
    });
    const descendants = rows.filter((r) => Number(r.depth) > 0).length;
    const kept = descendants > budget ? dropLastDescendant(rows) : rows;
    return { processes: kept.map(toProcess), complete: descendants <= budget };
  }
}

/** The order of getProcesses' statement: start time, GUID, host. */
function sortProcesses(rows: ProcessRecord[]): ProcessRecord[] {
  const key = (r: ProcessRecord): string[] => [r.startTime, r.guid, r.host];
  return rows.sort((a, b) => {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

/** Rows come ordered by depth, so the budget + 1-th descendant is the last descendant row. */
function dropLastDescendant(rows: SqlRow[]): SqlRow[] {
  let idx = -1;
  for (let i = rows.length - 1; i >= 0; i--) if (Number(rows[i]!.depth) > 0) { idx = i; break; }
  return idx < 0 ? rows : rows.filter((_, i) => i !== idx);
}
