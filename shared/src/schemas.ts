/**
 * The types that cross the wire, as zod schemas (the TypeScript types are inferred from them).
 * Shapes are documented in docs/api.md; fields beyond the contract are additions.
 */
import { z } from 'zod';
import { CATEGORIES } from './categories.js';
import { ExpansionSchema } from './expansion.js';

export const CategorySchema = z.enum(CATEGORIES);

/** Why a node is a placeholder (a parent without a process-create record in range). */
export const PlaceholderReasonSchema = z.enum(['zero-guid', 'not-in-range', 'not-logged']);
export type PlaceholderReason = z.infer<typeof PlaceholderReasonSchema>;

export const TimeRangeSchema = z.object({ from: z.string(), to: z.string() });
export type TimeRange = z.infer<typeof TimeRangeSchema>;

/** Where a node came from: the exact query and job that produced it (Splunk provenance). */
export const ProvenanceSchema = z.object({
  source: z.enum(['embedded', 'splunk']),
  query: z.string(),
  jobId: z.string().nullable(),
  url: z.string().nullable(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** Sigma rule levels, lowest first. */
export const SigmaLevelSchema = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
export type SigmaLevel = z.infer<typeof SigmaLevelSchema>;

/** One Sigma rule hit on one event (`lineage sigma`, and per node in the graph document). */
export const SigmaHitSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  level: SigmaLevelSchema,
  /** The rule's tags as written (`attack.t1059.001`, `attack.execution`…). */
  tags: z.array(z.string()),
  /** Detection identifiers that matched (e.g. `selection_img`). */
  selections: z.array(z.string()),
  host: z.string(),
  guid: z.string().nullable(),
  eventId: z.number().int(),
  time: z.string(),
  recordId: z.number().nullable(),
});
export type SigmaHit = z.infer<typeof SigmaHitSchema>;

/** A node's Sigma summary: hit count and highest level (the badge), and the hits (the panel). */
export const NodeSigmaSchema = z.object({
  count: z.number().int(),
  highest: SigmaLevelSchema,
  hits: z.array(SigmaHitSchema),
});
export type NodeSigma = z.infer<typeof NodeSigmaSchema>;

export const ProcessStateSchema = z.enum(['running', 'terminated', 'placeholder']);

export const ProcessNodeSchema = z.object({
  /** Canonical ProcessGuid; for a sibling group, a synthetic `group:` id. */
  guid: z.string(),
  kind: z.enum(['process', 'group']).default('process'),
  host: z.string(),
  pid: z.number().int().nullable(),
  image: z.string(),
  /** Basename of image, lowercase. */
  name: z.string(),
  commandLine: z.string(),
  user: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  parentGuid: z.string().nullable(),
  parentPid: z.number().int().nullable(),
  parentImage: z.string(),
  integrityLevel: z.string(),
  hashes: z.string(),
  currentDirectory: z.string(),
  logonGuid: z.string(),
  placeholder: z.boolean(),
  placeholderReason: PlaceholderReasonSchema.nullable(),
  /** For a `not-in-range` placeholder: the window to ask for to find its create ("search wider"). */
  searchWider: TimeRangeSchema.nullable(),
  state: ProcessStateSchema,
  eventCounts: z.record(z.string(), z.number().int()),
  /** Generation relative to the origin (origin 0, parent -1, child 1). */
  depth: z.number().int(),
  /** For a sibling group: how many processes it stands for, and the cursor that lists them. */
  group: z.object({ count: z.number().int(), parentGuid: z.string(), key: z.string(), cursor: z.string() }).nullable(),
  provenance: ProvenanceSchema.nullable(),
  /**
   * How many children this process has in the window, where the answer says (children pages); null when
   * it was not counted, absent from answers that do not count (graphs, where truncation records say it).
   */
  childCount: z.number().int().min(0).nullable().optional(),
  /** Sigma hits on this process's own events (embedded store with Sigma rules configured); absent otherwise. */
  sigma: NodeSigmaSchema.optional(),
});
export type ProcessNode = z.infer<typeof ProcessNodeSchema>;

export const EdgeKindSchema = z.enum(['spawn', 'remote-thread', 'process-access']);
export type EdgeKind = z.infer<typeof EdgeKindSchema>;

export const GraphEdgeSchema = z.object({
  source: z.string(),
  target: z.string(),
  kind: EdgeKindSchema,
  /** spawn: ms from parent start to child start; null when either start is unknown. */
  deltaMs: z.number().nullable(),
  /** cross edges: how many events this edge stands for. */
  count: z.number().int(),
});
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const GraphEventSchema = z.object({
  guid: z.string(),
  host: z.string(),
  eventId: z.number().int(),
  category: CategorySchema,
  time: z.string(),
  recordId: z.number().nullable(),
  targetGuid: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
});
export type GraphEvent = z.infer<typeof GraphEventSchema>;

export const TruncationSchema = z.object({
  limit: z.number().int(),
  cursor: z.string(),
  /** How many more are known to exist, when the source can tell. */
  remaining: z.number().int().nullable(),
});
export type Truncation = z.infer<typeof TruncationSchema>;

export const GraphStatsSchema = z.object({
  searches: z.number().int(),
  rows: z.number().int(),
  ms: z.number(),
  /** The source's own words when a search returned partial results (Splunk: peer down, truncated …). */
  warnings: z.array(z.string()).optional(),
});
export type GraphStats = z.infer<typeof GraphStatsSchema>;

/* Cross-host stitching (docs/lateral.md): a `lateral` link from a process on one host to the tree root it started on another. */
export const LateralMechanismSchema = z.enum(['service', 'wmi', 'winrm']);
export type LateralMechanism = z.infer<typeof LateralMechanismSchema>;
/** high: both ends logged the same connection; medium: only the source did, the address resolved to one host. */
export const LateralConfidenceSchema = z.enum(['high', 'medium']);
export type LateralConfidence = z.infer<typeof LateralConfidenceSchema>;

/** How the target host was known: its own inbound record, its own address, or a DNS answer for its name. */
export const LateralResolutionSchema = z.object({ via: z.enum(['inbound-connection', 'own-address', 'dns']), detail: z.string() });
export type LateralResolution = z.infer<typeof LateralResolutionSchema>;

export const LateralLinkSchema = z.object({
  kind: z.literal('lateral'),
  /** Source process (the tool that connected) and its host. */
  source: z.string(),
  sourceHost: z.string(),
  sourceImage: z.string(),
  /** The target-side tree root it started, and its host. */
  target: z.string(),
  targetHost: z.string(),
  targetImage: z.string(),
  mechanism: LateralMechanismSchema,
  confidence: LateralConfidenceSchema,
  evidence: z.object({
    /** The connection as the source wrote it; `targetTime`/`targetProcess` from the target's inbound record when logged. */
    connection: z.object({
      protocol: z.string(), sourceIp: z.string(), sourcePort: z.number().int(), destinationIp: z.string(), destinationPort: z.number().int(),
      sourceTime: z.string(), targetTime: z.string().nullable(),
      targetProcess: z.object({ guid: z.string(), image: z.string() }).nullable(),
    }),
    resolution: z.array(LateralResolutionSchema),
    /** The target process that started the root (services.exe, WmiPrvSE.exe, wsmprovhost.exe). */
    launcher: z.object({ guid: z.string(), image: z.string() }),
    /** ms from the connection to the root's start. */
    startDelayMs: z.number(),
    /** Service name from the target's `Services\<name>\ImagePath` write (mechanism `service`). */
    service: z.string().nullable(),
    /** The root's own logon (a network logon), when it is not a built-in account's. */
    logonGuid: z.string().nullable(),
  }),
});
export type LateralLink = z.infer<typeof LateralLinkSchema>;

export const GraphDocumentSchema = z.object({
  origin: z.string(),
  range: TimeRangeSchema,
  nodes: z.array(ProcessNodeSchema),
  edges: z.array(GraphEdgeSchema),
  events: z.array(GraphEventSchema).optional(),
  /** Keyed `children:<guid>`, `ancestors:<guid>`, `events:<guid>`, `group:<id>`. Empty when complete. */
  truncated: z.record(z.string(), TruncationSchema),
  stats: GraphStatsSchema,
  /** With `expand`: which nodes the expansion by suspicion opened, and why (shared/src/expansion.ts). */
  expansion: ExpansionSchema.optional(),
  /** Cross-host `lateral` links (docs/lateral.md). Reserved: `/api/graph` does not fill it yet; links come from `/api/processes/:guid/lateral`. */
  lateral: z.array(LateralLinkSchema).optional(),
});
export type GraphDocument = z.infer<typeof GraphDocumentSchema>;

export function pageSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable(), stats: GraphStatsSchema.optional() });
}
export interface Page<T> { items: T[]; nextCursor: string | null; stats?: GraphStats }

export const NotableSchema = z.object({
  id: z.string(),
  title: z.string(),
  host: z.string(),
  time: z.string(),
  severity: z.string(),
  guid: z.string().nullable(),
  image: z.string().nullable(),
  source: z.enum(['splunk-es', 'rule', 'demo']),
  /** ES incident-review status label (New, In Progress, Pending, Resolved, Closed) and owner, when known. */
  status: z.string().optional(),
  owner: z.string().optional(),
  /** Chain to highlight when the notable came from a lineage rule. */
  chain: z.array(z.string()).optional(),
  /** The rule's tags (ATT&CK technique ids as `attack.t1059.001`), for rule notables. */
  tags: z.array(z.string()).optional(),
  /** Window (ISO) that holds the whole rule-hit chain: open the investigation with it (rule notables). */
  from: z.string().optional(),
  to: z.string().optional(),
});
export type Notable = z.infer<typeof NotableSchema>;

/** A lineage-rule hit (docs/api.md). */
export const RuleHitSchema = z.object({
  rule: z.string(),
  host: z.string(),
  /** Oldest first. */
  chain: z.array(z.string()),
  images: z.array(z.string()),
  /** Which rule step each chain node matched (null for an intermediate). */
  steps: z.array(z.number().int().nullable()).optional(),
  time: z.string(),
  url: z.string(),
  truncated: z.boolean().optional(),
  severity: z.string().optional(),
  /** The lineage rule's tags (ATT&CK: `attack.t1059.001`…). */
  tags: z.array(z.string()).optional(),
  /** Investigation window `url` carries (ISO): earliest known chain start − 1 h … leaf start + 24 h. */
  from: z.string().optional(),
  to: z.string().optional(),
});
export type RuleHit = z.infer<typeof RuleHitSchema>;

export const HealthSchema = z.object({
  source: z.enum(['embedded', 'splunk']),
  version: z.string(),
  splunk: z.object({ url: z.string(), web: z.string().nullable(), user: z.string().nullable() }).optional(),
  authenticated: z.boolean().optional(),
});
export type Health = z.infer<typeof HealthSchema>;

export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** POST /api/upload (embedded mode): the ingest report of one uploaded file. */
export const UploadReportSchema = z.object({
  /** The file name the client gave. */
  file: z.string(),
  bytes: z.number(),
  /** Events newly stored. */
  events: z.number(),
  /** Events the store already had. */
  duplicates: z.number(),
  /** Records that are not Sysmon (other channels). */
  skipped: z.number(),
  /** Rejected records (at most a few hundred listed) with line/record number and reason. */
  rejected: z.array(z.object({ line: z.number(), reason: z.string() })),
  rejectedTotal: z.number(),
  /**
   * Reader warnings: nothing was lost, but the file is damaged or a live copy (e.g. an .evtx chunk
   * checksum mismatch), with the byte offset and .evtx chunk index. Absent from older servers.
   */
  warnings: z.array(z.object({ reason: z.string(), offset: z.number().optional(), chunk: z.number().optional() })).optional(),
  /** All warnings, including those beyond the listed ones. */
  warningsTotal: z.number().optional(),
});
export type UploadReport = z.infer<typeof UploadReportSchema>;

/** One line of the NDJSON answer of POST /api/upload: body received, ingest progress, the report, or a failure. */
export const UploadMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('received'), bytes: z.number() }),
  /** Running totals while the file is ingested: events newly stored and duplicates so far. */
  z.object({ type: z.literal('progress'), events: z.number(), duplicates: z.number() }),
  z.object({ type: z.literal('done'), report: UploadReportSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type UploadMessage = z.infer<typeof UploadMessageSchema>;

/** GET /api/upload/limits: the largest accepted upload, so the client can refuse before sending. */
export const UploadLimitsSchema = z.object({ maxBytes: z.number() });
