/** The compiled-predicate contract shared by field matching (match.ts) and Sigma steps (sigma-step.ts). */
import type { FilterOptions, ScanFilter } from '../../sigma/spl.js';

/** A value lookup: the field's value, or undefined when the record does not carry that field. */
export type FieldGetter = (field: string) => string | undefined;

/** Three-valued result: a predicate over a field the record lacks is `unknown`, not false. */
export const Tri = { No: 0, Yes: 1, Unknown: 2 } as const;
export type Tri = (typeof Tri)[keyof typeof Tri];

/** A compiled predicate over one record. */
export interface Predicate {
  test(get: FieldGetter): Tri;
  /**
   * Lowercase image basenames this predicate can only match (null = any). Drives the per-image rule
   * index and the `names` push-down to sources.
   */
  readonly names: ReadonlySet<string> | null;
  /** Fields read, raw Sysmon names (to tell which predicates a placeholder can answer). */
  readonly fields: ReadonlySet<string>;
  /** The AND / OR structure, for planners that reason about branches (see `namesWithFields`). */
  readonly parts?: { op: 'and' | 'or'; preds: readonly Predicate[] };
  /** True for a field test that is Unknown (never Yes) when its field is absent (all but `exists`). */
  readonly absentIsUnknown?: boolean;
  /**
   * Sigma steps: a filter selecting a superset of the records this predicate can match (null: none),
   * given what the scanned records carry; pushed down to the rule scan (server/src/sigma/spl.ts,
   * docs/sigma.md "On Splunk").
   */
  readonly scanFilter?: ((o: FilterOptions) => ScanFilter | null) | null;
}

/** What went wrong in a match block; `path` is the YAML path of the offending key/value. */
export class MatchError extends Error {
  constructor(message: string, readonly path: (string | number)[]) { super(message); }
}
