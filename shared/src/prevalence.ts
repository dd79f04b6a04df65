/**
 * Fleet prevalence on the wire: how often what a drawn process did was seen elsewhere over a baseline
 * (default: the 30 days before the investigated window). `POST /api/prevalence`; figures and their
 * exact meaning in docs/api.md "Prevalence".
 */
import { z } from 'zod';
import { GuidSchema, TimeSchema } from './requests.js';
import { rangeProblem } from './time.js';
import { TimeRangeSchema, type TimeRange } from './schemas.js';

/** Most GUIDs one prevalence request may ask for. */
export const PREVALENCE_MAX_GUIDS = 5000;
/** The default baseline: this long before the investigated window's start … up to that start. */
export const DEFAULT_BASELINE_MS = 30 * 24 * 3_600_000;

const Range = z.object({ from: TimeSchema, to: TimeSchema })
  .refine((r) => rangeProblem(r.from, r.to) === null, { message: 'inverted time range: from is after to' });

/**
 * `POST /api/prevalence` body. `window`: the investigated window (its start anchors the default
 * baseline); `baseline` overrides it. Neither given: the baseline is the 30 days before the earliest
 * start among the requested processes.
 */
export const PrevalenceBody = z.object({
  guids: z.array(GuidSchema).min(1, 'guids: give at least one GUID').max(PREVALENCE_MAX_GUIDS, `guids: at most ${PREVALENCE_MAX_GUIDS} per request`),
  window: Range.optional(),
  baseline: Range.optional(),
}).strict();
export type PrevalenceRequest = z.input<typeof PrevalenceBody>;

/** The default baseline for an investigated window: [window.from − 30 days, window.from). */
export function defaultBaseline(window: TimeRange): TimeRange {
  const start = Date.parse(window.from);
  return { from: new Date(start - DEFAULT_BASELINE_MS).toISOString(), to: new Date(start).toISOString() };
}

/** The baseline a request asks for: `baseline` as given, else the default before `window` (null: neither). */
export function requestedBaseline(body: { window?: TimeRange | undefined; baseline?: TimeRange | undefined }): TimeRange | null {
  return body.baseline ?? (body.window ? defaultBaseline(body.window) : null);
}

/** Seen on this many distinct hosts, this many times (process-creates in the baseline). */
const Seen = { hosts: z.number().int().min(0), count: z.number().int().min(0) };

/** `parentImage → image` (lowercase basenames), e.g. winword.exe → cmd.exe. */
export const PairPrevalenceSchema = z.object({ parentImage: z.string(), image: z.string(), ...Seen });
/**
 * The image names from the process's root (the earliest ancestor the source knows; its parent's image
 * first when logged) down to the process itself. Null when the source cannot answer it (Splunk).
 */
export const ChainPrevalenceSchema = z.object({ images: z.array(z.string()), ...Seen });
/** The sibling key (lowercase basename | command line with digits, GUIDs, temp names folded). */
export const CommandLinePrevalenceSchema = z.object({ key: z.string(), ...Seen });
/**
 * The image by hash (`SHA256=…`, else SHA1, else MD5 from Sysmon's Hashes) or, without a hash
 * (`hash: null`), by lowercase image path. `firstSeen`: earliest start in the baseline (null: not seen).
 */
export const ImagePrevalenceSchema = z.object({ hash: z.string().nullable(), ...Seen, firstSeen: z.string().nullable() });

/** One process's prevalence; a part is null when the process lacks what it keys on. */
export const ProcessPrevalenceSchema = z.object({
  pair: PairPrevalenceSchema.nullable(),
  chain: ChainPrevalenceSchema.nullable(),
  commandLine: CommandLinePrevalenceSchema.nullable(),
  image: ImagePrevalenceSchema.nullable(),
});
export type ProcessPrevalence = z.infer<typeof ProcessPrevalenceSchema>;

/**
 * Figures the source never answers (null on every item), each with the reason to show instead of a
 * number, e.g. `chain` on Splunk (docs/splunk.md "Prevalence").
 */
export const PrevalenceNotComputedSchema = z.object({
  pair: z.string(), chain: z.string(), commandLine: z.string(), image: z.string(),
}).partial().strict();
export type PrevalenceNotComputed = z.infer<typeof PrevalenceNotComputedSchema>;

export const PrevalenceAnswerSchema = z.object({
  source: z.enum(['embedded', 'splunk']),
  baseline: TimeRangeSchema,
  /** Keyed by canonical GUID; every requested GUID the source knows. */
  items: z.record(z.string(), ProcessPrevalenceSchema),
  /** Requested GUIDs with no process-create in the source (no item). */
  unknown: z.array(z.string()),
  /** Answered from the per-baseline cache (Splunk): `stats.searches` counts only what this request ran. */
  cached: z.boolean(),
  /** Figures this source does not compute (absent: every figure is computed where the process allows). */
  notComputed: PrevalenceNotComputedSchema.optional(),
  stats: z.object({
    searches: z.number().int(),
    rows: z.number().int(),
    ms: z.number(),
    /** The source's own words when a search returned partial results: the figures may be low. */
    warnings: z.array(z.string()).optional(),
  }),
});
export type PrevalenceAnswer = z.infer<typeof PrevalenceAnswerSchema>;
