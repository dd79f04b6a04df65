/**
 * The compiled form of a lineage rule (what the YAML and the one-line form both compile to) and the
 * engine's input/output shapes. See docs/rules.md §1 for the format.
 */
import type { ProcessRecord } from '../sources/event-source.js';
import type { FieldGetter, Predicate, Tri } from './language/match.js';

/** Hop bound meaning "no limit" (`via: 1..*`). Walks are still capped by MAX_WALK against GUID cycles. */
export const UNBOUNDED = Number.POSITIVE_INFINITY;
/** Longest ancestor walk, even for unbounded rules (bad data can contain parent cycles). */
export const MAX_WALK = 256;

/** One chain element: the node must match `pred`, `lo..hi` parent edges below the previous element. */
export interface Step {
  as: string;
  pred: Predicate;
  lo: number;
  hi: number;
  /** Every intermediate between the previous element and this one must match (`via.all`). */
  all: Predicate | null;
  /** No intermediate between the previous element and this one may match (`via.none`). */
  none: Predicate | null;
}

/** `unless:` negations. */
export type Unless =
  | { kind: 'ancestor'; of: number; lo: number; hi: number; pred: Predicate }
  | { kind: 'path'; pred: Predicate };

/** A cross-step `where:` constraint, compiled; `Unknown` when a field it reads is absent. */
export interface Where {
  text: string;
  /** Raw field names it reads (so the engine knows which record fields to keep). */
  fields: string[];
  test(get: (step: number) => FieldGetter): Tri;
}

/** `then:` — a non-process event of a chain node (EQL `event of`). */
export interface Then {
  of: number;
  /** Event time must be within this many ms after the node's creation (null: any time). */
  withinMs: number | null;
  pred: Predicate;
  not: Predicate | null;
  /** EventIDs the predicate can only match (null: any), for pre-filtering stored events. */
  eventIds: ReadonlySet<number> | null;
}

/** A compact event for inline test vectors (see testvectors.ts). */
export type VectorEvent = Record<string, string | number | boolean>;

/** One inline `tests:` vector. */
export interface RuleTest {
  name: string;
  events: VectorEvent[];
  /** Expected hits: leaf short id and, optionally, the path leaf-first (as docs/rules.md §1.1 `tests` writes it). */
  expect: { leaf: string; path?: string[]; host?: string }[];
}

/** A rule ready to run. */
export interface CompiledRule {
  id: string;
  title: string;
  severity: string;
  description: string;
  /** Tags as written (ATT&CK: `attack.t1059.001`); [] when none. */
  tags: string[];
  steps: Step[];
  withinMs: number | null;
  maxGapMs: number | null;
  unless: Unless[];
  where: Where[];
  then: Then[];
  /** How a predicate over a field a placeholder lacks counts (docs/rules.md §1.2). Default `skip`. */
  unknown: 'skip' | 'match';
  /** How negation treats ancestry that is cut off (unknown is not absent). Default `suppress`. */
  unknownAncestry: 'suppress' | 'match';
  tests: RuleTest[];
  /** The rule's source text (YAML document or one-liner) and where it came from. */
  source: { file: string | null; line: number; text: string };
}

/** Engine input: a process-create; `fields` may carry extra raw Sysmon fields (OriginalFileName, …). */
export type ProcessInput = ProcessRecord & { fields?: Record<string, string> };

/** A hit as the engine reports it (converted to the wire RuleHit by hits.ts). */
export interface EngineHit {
  rule: CompiledRule;
  host: string;
  /** Oldest first. */
  chain: string[];
  images: string[];
  /** Step index each chain node matched, null for intermediates. */
  steps: (number | null)[];
  /** Placeholders in the path, or ancestry above it unknown within the rule's reach. */
  truncated: boolean;
  /** Leaf creation time (ISO). */
  time: string;
  /**
   * Creation time of each chain node in epoch ms (oldest first, parallel to `chain`; NaN when its time
   * cannot be read); null for a placeholder (a parent seen only through its child's Parent* fields).
   * Numbers, not ISO text: hits can be many (tens of thousands per million creates), and the window the
   * hit link opens (run.ts hitWindow) needs only the earliest and the leaf's.
   */
  starts: (number | null)[];
  /** Ids of `then:` events that completed the match. */
  events: { guid: string; eventId: number; time: string }[];
}
