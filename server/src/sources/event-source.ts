/**
 * The one seam between the graph engine and where Sysmon lives (embedded DuckDB or Splunk).
 * Sources return rows; ../graph assembles them (pure). Every method takes one options object
 * with the request context: time range, limits, AbortSignal and the per-request query counter.
 */
import type { Category, Notable, PrevalenceNotComputed, ProcessPrevalence, TimeRange } from '@lineage/shared';
import type { ScanFilter } from '../sigma/spl.js';

/** One process-create (EventID 1), normalised; `endTime` from EventID 5 when known. */
export interface ProcessRecord {
  guid: string;
  parentGuid: string | null;
  host: string;
  pid: number | null;
  parentPid: number | null;
  image: string;
  /** basename of image, lowercase */
  name: string;
  commandLine: string;
  parentImage: string;
  parentCommandLine: string;
  parentUser: string;
  user: string;
  integrityLevel: string;
  hashes: string;
  currentDirectory: string;
  logonGuid: string;
  /** ISO 8601 UTC */
  startTime: string;
  endTime: string | null;
  /** Splunk provenance: the SPL and job id that produced this row (null for embedded). */
  query?: string | null;
  jobId?: string | null;
  /** Splunk provenance: "open in Splunk" link re-running `query` in Splunk Web (null when no web URL configured). */
  url?: string | null;
  /**
   * Rule scans only (`scanProcesses`): the create's fields of the source's `scanFields` that it has, non-empty
   * (absent when it has none). Other reads leave it out.
   */
  fields?: Record<string, string>;
}

/**
 * Process-create fields beyond ProcessRecord's that a rule scan can return in a record's `fields`: the PE
 * version resource Sigma detections read (renamed binaries: `OriginalFileName: 'certutil.exe'` while the
 * image is `\x.exe`). Both sources return all of them (`EventSource.scanFields`); the rule-scan planner
 * decides a predicate on any other non-record field as absent (docs/sigma.md "Create fields of a rule scan").
 */
export const CREATE_EXTRA_FIELDS = ['OriginalFileName', 'Description', 'Product', 'Company', 'FileVersion'] as const;
export type CreateExtraField = (typeof CREATE_EXTRA_FIELDS)[number];

/** One non-process-create Sysmon event attached to a process. */
export interface EventRecord {
  guid: string;
  host: string;
  eventId: number;
  category: Category;
  time: string;
  recordId: number | null;
  targetGuid: string | null;
  fields: Record<string, string>;
  /**
   * How many events this record stands for (default 1): a source may answer cross events (8/10)
   * aggregated per (source, target, EventID) — the earliest one's details, with this count.
   */
  count?: number;
}

/** Per-request cost counters: honest `stats.searches` (SQL statements or Splunk jobs) and rows moved. */
/**
 * Per-request counters. `warnings`: Splunk's own words when a search finished with a warning (a peer
 * was down, results were truncated …): what the request shows is then partial and must say so.
 */
export interface QueryStats { searches: number; rows: number; warnings?: string[] }

export interface QueryContext {
  signal?: AbortSignal;
  stats: QueryStats;
  /**
   * Every process-create of a host in a window, when a source read them whole during this request (Splunk's
   * tree search): later steps of the same request may count from them instead of searching again
   * (graph/ancestor-children.ts).
   */
  windowCreates?: { range: TimeRange; rows: readonly ProcessRecord[] }[];
}

/** Which notables by review status: open ones (not Resolved/Closed) or all. */
export type NotableStatusFilter = 'open' | 'all';

export interface BaseOptions {
  ctx: QueryContext;
  /** Restricts processes by start time and events by time; absent = all time. */
  range?: TimeRange;
  /** Disambiguates a GUID seen on two hosts. */
  host?: string;
}

export interface PageOptions extends BaseOptions { limit: number; cursor?: string | null }
export interface RowPage<T> { items: T[]; nextCursor: string | null; total?: number }

export interface SeedQuery {
  guid?: string;
  host?: string;
  /** substring of image path (case-insensitive) */
  image?: string;
  /** substring of command line (case-insensitive) */
  text?: string;
}

export interface TreeOptions extends BaseOptions {
  /** Walk parents to the root. */
  up: boolean;
  /** Descendant levels to fetch (Infinity = all). */
  down: number;
  /** Stop fetching descendants beyond this many processes (the source reports `complete: false`). */
  nodeBudget: number;
}

export interface TreeRows {
  /** Every process found: origin, ancestors and descendants (any order). */
  processes: ProcessRecord[];
  /** False when the node budget cut the descendant walk. */
  complete: boolean;
}

/** What `prevalence` answers: figures per known GUID, and the GUIDs with no process-create. */
export interface PrevalenceResult {
  items: Map<string, ProcessPrevalence>; unknown: string[]; /** Every figure came from a cache. */ cached?: boolean;
  /** Figures this source never answers (always null), with the reason (the API's `notComputed`). */
  notComputed?: PrevalenceNotComputed;
}
/**
 * What cross-host stitching (graph/lateral.ts) reads for one window, all hosts: embedded
 * `embedded/lateral-sql.ts`, Splunk `splunk/lateral.ts` (one search).
 */
export interface LateralFacts {
  /** EventID 3 on a remote-execution port (either end), both directions, all hosts. */
  connections: EventRecord[];
  /** Each host's own addresses seen in the window: the SourceIp of its outbound (`Initiated=true`) EventID 3. */
  addresses: { host: string; ip: string }[];
  /** EventID 22 whose answer may name a host. */
  dns: EventRecord[];
  /** EventID 13 writes of `…\Services\<name>\ImagePath`. */
  services: EventRecord[];
  /** Process-creates whose parent is a remote-execution host process (services, WmiPrvSE, wsmprovhost, winrshost). */
  creates: ProcessRecord[];
  /** False when a source cut the window's rows (the links may then be incomplete). */
  complete: boolean;
}

/** What a rule scan asks for (EventSource.scanProcesses). */
export interface ScanRequest {
  names?: string[];
  parentNames?: string[];
  filter?: ScanFilter | undefined;
  fields?: readonly CreateExtraField[];
  batchSize?: number;
}

/** One row of `countNamePairs`. */
export interface NamePairCount { name: string; parentName: string; count: number }

export interface EventSource {
  readonly kind: 'embedded' | 'splunk';
  /** Seeds: by GUID, or host + image/command-line text within the range. */
  findSeeds(q: SeedQuery, o: BaseOptions & { limit: number }): Promise<ProcessRecord[]>;
  /** Process-creates for these GUIDs (within range when given). */
  getProcesses(guids: string[], o: BaseOptions): Promise<ProcessRecord[]>;
  /** Children of the given parents, ordered by (startTime, guid), paged. */
  getChildren(parentGuids: string[], o: PageOptions): Promise<RowPage<ProcessRecord>>;
  /**
   * How many children each parent has (absent: none), in one statement or search per batch of parents:
   * children pages carry their items' `childCount` from it (server/src/graph/paging.ts). Optional: without it
   * the counts come from a children listing.
   */
  countChildren?(parentGuids: string[], o: BaseOptions): Promise<Map<string, number>>;
  /** Ancestors of a GUID, nearest first, up to `maxDepth` generations. */
  getAncestors(guid: string, o: BaseOptions & { maxDepth: number }): Promise<ProcessRecord[]>;
  /**
   * Declared by a source whose queries cost by the time span they cover and wait on the network
   * (Splunk): event counts stay in the tree's window (its counts search is already dispatched with the
   * tree), lifetime spans start at the earliest process start instead of open, and independent
   * queries run side by side. Absent: a local store (open lifetime spans, one statement at a time).
   */
  readonly timeBoundedSearches?: boolean;
  /**
   * Optional: the ancestors of a record already read, nearest first, up to `maxDepth`, several
   * generations per query (Splunk: bounded by GUID times, docs/splunk.md "Ancestors to the root").
   */
  ancestorsOf?(start: ProcessRecord, maxDepth: number, ctx: QueryContext): Promise<ProcessRecord[]>;
  /**
   * Optional: rows of these GUIDs plus, in the same query, older processes of the same machines
   * shortly before them (their likely ancestors, several generations per query). Rule runs use it to
   * fetch candidates' ancestry in few rounds; callers keep only the rows on a chain they asked for.
   */
  processesAround?(guids: string[], o: BaseOptions): Promise<ProcessRecord[]>;
  /** Origin + ancestors + descendants in as few queries as the source can. */
  getTree(guid: string, o: TreeOptions): Promise<TreeRows>;
  /** Event counts by category for each GUID. */
  countEvents(guids: string[], o: BaseOptions): Promise<Map<string, Partial<Record<Category, number>>>>;
  /** Events of the GUIDs (optionally one category), ordered by (time, recordId), paged. */
  getEvents(guids: string[], o: PageOptions & { category?: Category }): Promise<RowPage<EventRecord>>;
  /** Cross-edge events (8/10) whose source is one of the GUIDs. */
  getCrossEvents(guids: string[], o: BaseOptions): Promise<EventRecord[]>;
  /**
   * Process-creates in range (all hosts unless `host`), streamed in (startTime, guid) order in batches —
   * the lineage-rule scan. `names` pushes a filter down: only these lowercase image basenames.
   * `parentNames` narrows further (AND): only creates whose ParentImage basename is one of these.
   * `filter` (Sigma steps, server/src/sigma/spl.ts) selects a superset of what the rules can match: a
   * source may push it down (Splunk) or ignore it (embedded); the rule engine re-checks every row.
   * `fields`: the `scanFields` the caller reads (absent: all of them); a source may return more (Splunk does).
   */
  scanProcesses(o: BaseOptions & ScanRequest): AsyncIterable<ProcessRecord[]>;
  /**
   * What `scanProcesses` returns beyond ProcessRecord's own fields: these create fields, in each record's
   * `fields` when the create has them (CREATE_EXTRA_FIELDS lists the candidates). The rule-scan planner reads
   * it: a Sigma item on a field no scanned record can carry is decided as absent.
   */
  readonly scanFields: readonly CreateExtraField[];
  /**
   * Whether `scanProcesses` applies a `filter` (true: Splunk pushes it into the search), or ignores it and
   * returns every create of the term (false: the embedded store; the engine re-checks every row either way).
   */
  readonly scanAppliesFilter: boolean;
  /**
   * Optional planner statistics: process-creates in range whose image or parent image basename is one of
   * `names`, counted by (image basename, parent image basename) — lowercase; one query, one row per pair.
   */
  countNamePairs?(names: string[], o: BaseOptions): Promise<NamePairCount[]>;
  /**
   * Optional: host and start time of the creates of a GUID (on `host` when given), answered only when
   * the source knows them without a query (embedded, from its lineage index); null when it does not.
   * Lets a graph request skip its origin lookup. `host: ''` = start known, machine not (the tree
   * search then finds it).
   */
  locateOrigin?(guid: string, host?: string): { host: string; startTime: string }[] | null;
  /**
   * Optional: fleet prevalence of these processes over `baseline` (shared/src/prevalence.ts; embedded:
   * aggregate tables, one statement; Splunk: one stats search, cached per baseline).
   */
  prevalence?(guids: string[], o: { baseline: TimeRange; ctx: QueryContext }): Promise<PrevalenceResult>;
  /** Notables (Splunk ES) or, embedded, the demo/rule notables stored with the data. */
  notables(o: BaseOptions & { limit: number; status?: NotableStatusFilter }): Promise<Notable[]>;
  /** Optional: the facts of a window that cross-host links are made from (docs/lateral.md). */
  lateralFacts?(range: TimeRange, ctx: QueryContext): Promise<LateralFacts>;
  close?(): Promise<void>;
}

export function newContext(signal?: AbortSignal): QueryContext {
  return { signal, stats: { searches: 0, rows: 0 } };
}

/** Throws the standard AbortError when the request was cancelled. */
export function throwIfAborted(ctx: QueryContext): void {
  ctx.signal?.throwIfAborted();
}
