/**
 * EventSource over the embedded DuckDB store. Every method is one SQL statement (counted in
 * `ctx.stats.searches`); `getTree` answers origin + ancestors + descendants in one recursive query.
 * GUID lookups go through the hash keys of schema.ts so zonemaps prune them. This file is the seam's
 * face and owns the source's state; the statements are split by role (docs/architecture.md
 * "Embedded source"): source-tree.ts (tree, ancestors, process lookups), source-events.ts (counts,
 * events, cross edges), source-processes.ts (seed search, children, rule scan, notables),
 * source-sql.ts (shared filters), lineage-keeper.ts (the lineage index over time).
 */
import type { Category, Notable, TimeRange } from '@lineage/shared';
import { CREATE_EXTRA_FIELDS } from '../event-source.js';
import type {
  BaseOptions, EventRecord, ScanRequest, EventSource, LateralFacts, PageOptions, PrevalenceResult, ProcessRecord, QueryContext, RowPage, SeedQuery, TreeOptions, TreeRows,
} from '../event-source.js';
import { embeddedPrevalence } from './prevalence-query.js';
import type { EmbeddedStore } from './store.js';
import type { ConnectionPool } from './sql-runner.js';
import { ReadPool } from './read-pool.js';
import { hasSearchIndex, planSearch, SearchIndexKeeper, type SearchPlan, type TextCriteria } from './search-index.js';
import { SearchVocabulary } from './search-vocabulary.js';
import { embeddedLateralFacts } from './lateral-sql.js';
import { LineageKeeper } from './lineage-keeper.js';
import { EmbeddedTree } from './source-tree.js';
import { countEvents, crossEvents, eventsPage } from './source-events.js';
import { childCounts, childrenPage, findSeeds, namePairs, scan, storedNotables } from './source-processes.js';
import { guidList } from './source-sql.js';

/** Options of an EmbeddedSource. */
export interface EmbeddedSourceOptions {
  /**
   * Keep a lineage index in memory (lineage-index.ts): built in the background from now on, caught up
   * after writes, used by tree, ancestor and process lookups once current. For a long-running
   * server; a one-shot command is better off without the build.
   */
  lineageIndex?: boolean;
  /**
   * Keep the store's search index caught up (search-index.ts; needs a writable store) and use it for
   * image / command-line searches. Absent: a search uses the index if the store has one (as far as
   * it is caught up). `false`: always scan (benches compare).
   */
  searchIndex?: boolean;
  /**
   * At most this many statements run at once, the others wait in order (read-pool.ts). Absent:
   * one connection per concurrent statement, unbounded. Rule scans (`scanProcesses`) are not counted.
   */
  readConnections?: number;
}

/** EventSource over an open EmbeddedStore (the store may be read-only). */
export class EmbeddedSource implements EventSource {
  readonly kind = 'embedded' as const;
  /** The rule scan returns the PE fields (stored in `processes`, schema 4; read from the create events in older read-only stores). */
  readonly scanFields = CREATE_EXTRA_FIELDS;
  /** A Sigma scan filter is not applied: every create of the scan is returned (the engine decides). */
  readonly scanAppliesFilter = false;

  /** The lineage index over time (option `lineageIndex`). */
  private readonly lineage: LineageKeeper;
  /** Trees, ancestors and process lookups, with what a request's tree fetched beside its rows. */
  private readonly tree: EmbeddedTree;

  /** Keeps the search index caught up (option `searchIndex`). */
  private readonly keeper: SearchIndexKeeper | null;
  /** The search index's word tokens in memory (plans most text searches without a statement). */
  readonly vocabulary: SearchVocabulary;
  /** Whether the store has a search index, when no keeper says (checked once). */
  private indexed: Promise<boolean> | null = null;

  /** Where request statements get their connection: the read pool, or the store itself. */
  private readonly reads: ConnectionPool;
  /** The bounded pool (option `readConnections`). */
  readonly readPool: ReadPool | null;

  constructor(private readonly store: EmbeddedStore, private readonly options: EmbeddedSourceOptions = {}) {
    this.readPool = options.readConnections ? new ReadPool(store, options.readConnections) : null;
    this.reads = this.readPool ?? store;
    this.lineage = new LineageKeeper(store, options.lineageIndex === true);
    this.tree = new EmbeddedTree(this.reads, this.lineage);
    this.keeper = options.searchIndex ? new SearchIndexKeeper(store) : null;
    this.vocabulary = new SearchVocabulary(store);
  }

  /** Resolves when the search index catch-up in progress has ended (tests, benches). */
  async searchIndexIdle(): Promise<void> {
    await this.keeper?.idle();
  }

  private async searchIndexReady(): Promise<boolean> {
    if (this.keeper) { this.keeper.poke(); return this.keeper.ready; }
    if (this.options.searchIndex === false) return false;
    this.indexed ??= hasSearchIndex(this.store).catch(() => false);
    return this.indexed;
  }

  /** Lineage index builds, catch-ups and stale lookups (benches, tests). */
  get indexStats(): { builds: number; catchUps: number; stale: number } { return this.lineage.stats; }

  /** Resolves when the lineage index build started so far has ended (tests, benches). */
  indexReady(): Promise<boolean> {
    return this.lineage.ready();
  }

  /**
   * Host and start of the process(es) with this GUID, from the lineage index without a statement;
   * null when the index is not current (the caller looks the origin up instead).
   */
  locateOrigin(guid: string, host?: string): { host: string; startTime: string }[] | null {
    return this.tree.locateOrigin(guid, host);
  }

  findSeeds(q: SeedQuery, o: BaseOptions & { limit: number }): Promise<ProcessRecord[]> {
    const host = q.host ?? o.host;
    return findSeeds(this.reads, (c, ctx) => this.planSearch(c, ctx, host), q, o);
  }

  /** How a text search uses the search index: from the word vocabulary in memory when it can, else one statement. */
  private async planSearch(c: TextCriteria, ctx: QueryContext, host: string | undefined): Promise<SearchPlan | null> {
    if (!await this.searchIndexReady()) return null;
    const fromMemory = await this.vocabulary.plan(c, this.keeper ? this.keeper.generation : 0, host);
    return fromMemory !== undefined ? fromMemory : planSearch(this.reads, ctx, c);
  }

  getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]> {
    return this.tree.getProcesses(guids, o);
  }

  getChildren(parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>> {
    return childrenPage(this.reads, parentGuids, o);
  }

  /** Children per parent (EventSource.countChildren): one GROUP BY over the parents' children. */
  countChildren(parentGuids: string[], o: BaseOptions): Promise<Map<string, number>> {
    return childCounts(this.reads, parentGuids, o);
  }

  getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]> {
    return this.tree.getAncestors(guid, o);
  }

  getTree(guid: string, o: TreeOptions): Promise<TreeRows> {
    return this.tree.getTree(guid, o);
  }

  countEvents(guids: string[], o: BaseOptions): Promise<Map<string, Partial<Record<Category, number>>>> {
    return countEvents(this.reads, this.tree.heldCounts(o.ctx), (g, h) => this.tree.memoryCounts(g, h), guids, o);
  }

  getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>> {
    return eventsPage(this.reads, guids, o);
  }

  getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]> {
    return crossEvents(this.reads, guids, o);
  }

  /** Rule-planner statistics (EventSource.countNamePairs): one GROUP BY over the matching creates. */
  countNamePairs(names: string[], o: BaseOptions): Promise<{ name: string; parentName: string; count: number }[]> {
    return namePairs(this.reads, names, o);
  }

  /** Rule scans stream on the store's own connections, outside the read pool. */
  scanProcesses(o: BaseOptions & ScanRequest): AsyncIterable<ProcessRecord[]> {
    return scan(this.store, o, this.store.createExtras);
  }

  prevalence(guids: string[], o: { baseline: TimeRange; ctx: QueryContext }): Promise<PrevalenceResult> {
    return embeddedPrevalence(this.store, guidList(guids), o.baseline, o.ctx);
  }

  /** Cross-host stitching facts of a window: three statements (lateral-sql.ts). */
  lateralFacts(range: TimeRange, ctx: QueryContext): Promise<LateralFacts> {
    return embeddedLateralFacts(this.store, range, ctx);
  }

  notables(o: BaseOptions & { limit: number }): Promise<Notable[]> {
    return storedNotables(this.reads, o);
  }

  /** The store belongs to whoever opened it; closing the source closes it too. */
  async close(): Promise<void> {
    await Promise.all([this.lineage.close(), this.keeper?.stop()]);
    await this.store.close();
  }
}
