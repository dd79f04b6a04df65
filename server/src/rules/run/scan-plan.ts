/**
 * Scan planning for a rule run: which process-creates to fetch first. Each rule is anchored on its
 * rarest pinned step (by the source's image/parent-image counts when it has them, else a prior), and
 * rules whose anchors share a shape are merged into one scan term.
 */
import type { NamePairCount } from '../../sources/event-source.js';
import { RECORD_FIELDS } from '../engine/node.js';
import { namesWithFields } from '../language/match.js';
import type { CompiledRule } from '../model.js';
import type { Predicate } from '../language/predicate.js';
import { RECORD_TEXT_FIELDS, allFilters, anyFilter, type FilterOptions, type ScanFilter } from '../../sigma/spl.js';

/** Deepest descendant walk the planner accepts below an anchor step (else that rule needs a full scan). */
const MAX_DESCEND = 16;

/**
 * Images that are everywhere on Windows fleets (shells, hosts, browsers, service plumbing). The planner
 * has no statistics from the source, so it uses this prior: scanning a rule on one of these costs about
 * COMMON_WEIGHT times more rows than on a rare image (winword, w3wp, wmiprvse, mshta …).
 */
const COMMON_IMAGES: ReadonlySet<string> = new Set([
  'cmd.exe', 'powershell.exe', 'pwsh.exe', 'conhost.exe', 'svchost.exe', 'services.exe', 'explorer.exe', 'rundll32.exe',
  'chrome.exe', 'msedge.exe', 'firefox.exe', 'teams.exe', 'taskhostw.exe', 'backgroundtaskhost.exe', 'runtimebroker.exe',
  'net.exe', 'net1.exe', 'whoami.exe', 'ipconfig.exe', 'findstr.exe', 'ping.exe', 'reg.exe', 'sc.exe', 'tasklist.exe',
  'msiexec.exe', 'dllhost.exe', 'searchprotocolhost.exe', 'searchfilterhost.exe', 'wmiprvse.exe', 'lsass.exe', 'csrss.exe',
]);
const COMMON_WEIGHT = 1000;
/** Prior share of creates that are one specific (parent image, child image) pair among common images. */
const PAIR_SELECTIVITY = 1e-5;
/** Prior children per process per generation, for the cost of walking descendants below an anchor. */
const FAN_OUT = 3;

function weight(names: ReadonlySet<string>): number {
  let w = 0;
  for (const n of names) w += COMMON_IMAGES.has(n) ? COMMON_WEIGHT : 1;
  return w;
}

/**
 * Estimated rows of the three kinds of scan: creates named `names`; those whose parent is named `parents`;
 * and every child of a process named `parents`. From the source's counts when it has them
 * (`countNamePairs`), else from the COMMON_IMAGES prior.
 */
export interface ScanCosts {
  own(names: ReadonlySet<string>): number;
  pair(names: ReadonlySet<string>, parents: ReadonlySet<string>): number;
  children(parents: ReadonlySet<string>): number;
}

const PRIOR_COSTS: ScanCosts = {
  own: weight,
  pair: (names, parents) => Math.max(1, weight(names) * weight(parents) * PAIR_SELECTIVITY),
  children: (parents) => weight(parents) * FAN_OUT,
};

/** Costs from measured (image, parent image) counts. */
export function countedCosts(counts: readonly NamePairCount[]): ScanCosts {
  const sum = (f: (c: NamePairCount) => boolean) => { let n = 0; for (const c of counts) if (f(c)) n += c.count; return n; };
  return {
    own: (names) => sum((c) => names.has(c.name)),
    pair: (names, parents) => sum((c) => names.has(c.name) && parents.has(c.parentName)),
    children: (parents) => sum((c) => parents.has(c.parentName)),
  };
}

/**
 * The fields of `offered` (a source's scanFields) that these rules read on a process (steps, `unless:`,
 * `where:`): what the scan must return. A field no rule reads is not fetched (it would be kept nowhere).
 */
export function fieldsRead<F extends string>(rules: CompiledRule[], offered: readonly F[]): F[] {
  const read = new Set<string>();
  for (const r of rules) {
    for (const s of r.steps) for (const p of [s.pred, s.all, s.none]) if (p) for (const f of p.fields) read.add(f);
    for (const u of r.unless) for (const f of u.pred.fields) read.add(f);
    for (const w of r.where) for (const f of w.fields) read.add(f);
  }
  return offered.filter((f) => read.has(f));
}

/** Image names any step of these rules pins (what `countNamePairs` is asked about); `scanFields` as planScan's. */
export function pinnedNames(rules: CompiledRule[], scanFields: readonly string[] = []): string[] {
  const shape = scanShape(scanFields);
  const out = new Set<string>();
  for (const r of rules) for (const n of stepNamesOf(r, shape)) if (n !== null && n !== 'never') for (const x of n) out.add(x);
  return [...out].sort();
}

function stepNamesOf(rule: CompiledRule, shape: ScanShape): (ReadonlySet<string> | null | 'never')[] {
  // With `unknown: skip`, an OR branch on a field no row carries (not a record field, not in scanFields) cannot match.
  return rule.steps.map((s) => (rule.unknown === 'skip' ? namesWithFields(s.pred, shape.carried) : s.pred.names));
}

/**
 * The step whose rows must come from the scan, as the only rows carrying the scan's extra fields (the
 * descendant and ancestor reads return record fields only): the one step whose match reads one. 'full':
 * a `via` condition, `unless:`, `where:` or two steps read one — no single scanned step serves them.
 * null: none reads one.
 */
function scanOnlyStep(rule: CompiledRule, extra: ReadonlySet<string>): number | null | 'full' {
  const reads = (fields: Iterable<string>) => { for (const f of fields) if (extra.has(f)) return true; return false; };
  if (rule.unless.some((u) => reads(u.pred.fields)) || rule.where.some((w) => reads(w.fields))) return 'full';
  let at: number | null = null;
  for (const [j, s] of rule.steps.entries()) {
    if ((s.all && reads(s.all.fields)) || (s.none && reads(s.none.fields))) return 'full';
    if (!reads(s.pred.fields)) continue;
    if (at !== null) return 'full';
    at = j;
  }
  return at;
}

/**
 * One `scanProcesses` call of a plan: creates named `names` (null: any name) whose parent image is one of
 * `parentNames` (when set), and how many generations of their descendants to walk (0: none).
 */
export interface ScanTerm {
  names: string[] | null;
  parentNames: string[] | null;
  descend: number;
  /** Sigma steps: a superset filter on the scanned creates (server/src/sigma/spl.ts); absent: none. */
  filter?: ScanFilter;
}

/**
 * What a scanned ProcessRecord holds: the text fields as the event wrote them, plus the create fields the
 * source's scan returns in `fields` (`EventSource.scanFields`: OriginalFileName, Description … on both
 * sources); no other field outside RECORD_FIELDS, so an item on one is decided as absent. The filter is
 * applied by a source that can (Splunk: `scanAppliesFilter`); the embedded store returns every create.
 */
interface ScanShape { filter: FilterOptions; extra: ReadonlySet<string>; carried: ReadonlySet<string> }
function scanShape(scanFields: readonly string[]): ScanShape {
  const extra: ReadonlySet<string> = new Set(scanFields.filter((f) => !RECORD_FIELDS.has(f)));
  return {
    filter: { fields: new Set([...RECORD_TEXT_FIELDS, ...extra]), absent: (f) => !RECORD_FIELDS.has(f) && !extra.has(f) },
    extra, carried: new Set([...RECORD_FIELDS, ...extra]),
  };
}

/** A predicate's scan filter: its own (Sigma steps), or its parts' (AND: all that have one; OR: all or none). */
function predFilter(p: Predicate, scan: FilterOptions): ScanFilter | null {
  if (p.parts) return (p.parts.op === 'and' ? allFilters : anyFilter)(p.parts.preds.map((q) => predFilter(q, scan)));
  return p.scanFilter?.(scan) ?? null;
}

/** The filter of step j's own create; none with `unknown: match` (a field the record lacks may match). */
function stepFilter(rule: CompiledRule, j: number, scan: FilterOptions): ScanFilter | null {
  return rule.unknown === 'match' ? null : predFilter(rule.steps[j]!.pred, scan);
}

/**
 * What to ask the source for. Each rule is anchored on the step whose pinned image names are cheapest to
 * scan (by the prior above), then the rest is walked: ancestors by batched GUID lookups, descendants by
 * batched children queries. The anchor can be
 *  - the last step: scan the leaves (then fetch ancestors);
 *  - a middle step j ≥ 1: scan it, walk descendants down to the leaf depth (its own create must be in the
 *    data anyway: a step above it can only be linked through its ParentProcessGuid);
 *  - a step j ≥ 1 exactly one hop under a pinned step: scan it with `parentNames` = the previous step's
 *    names (cmd.exe only under services.exe), since the child's ParentImage carries the parent's name;
 *  - the first step: scan its children by `parentNames` (the first step's own create may be older than the
 *    data — a placeholder built from its child's Parent* fields), walk the rest down.
 * Rules with the same (names-or-any, parentNames, depth) shape share one scan. A rule with no pinned step
 * at all needs a full scan.
 */
export interface ScanPlan {
  /** Every image name pushed down, as an image or a parent image (null: full scan). */
  names: string[] | null;
  terms: ScanTerm[];
}

/**
 * The scan the planner picks for one rule; null when the rule needs a full scan, 'never' when it cannot
 * match any row a source returns (a step only matches on fields sources do not carry).
 */
export type Anchor = { names: ReadonlySet<string> | null; parentNames: ReadonlySet<string> | null; descend: number; filter: ScanFilter | null };

/**
 * A rule with no pinned step but a Sigma step with a scan filter: the deepest such step (not the first
 * of several: its own create may predate the data) is scanned by its filter instead of a full scan —
 * only step `only` when set (scanOnlyStep), whichever its position.
 */
function filterAnchor(rule: CompiledRule, scan: FilterOptions, only: number | null): Anchor | null {
  let depth = 0;
  for (let j = rule.steps.length - 1; j >= (rule.steps.length > 1 && only === null ? 1 : 0) && depth <= MAX_DESCEND; j--) {
    const filter = only === null || only === j ? stepFilter(rule, j, scan) : null;
    if (filter) return { names: null, parentNames: null, descend: depth, filter };
    depth += rule.steps[j]!.hi;
  }
  return null;
}

/** `scanFields`: the create fields the source's scan returns besides the record's (EventSource.scanFields). */
export function anchorFor(rule: CompiledRule, costs: ScanCosts = PRIOR_COSTS, scanFields: readonly string[] = []): Anchor | null | 'never' {
  return anchorWith(rule, costs, scanShape(scanFields));
}

const NO_EXTRA = scanShape([]);

/**
 * A step reading a field only scanned rows carry (scanOnlyStep) is the anchor when it can be (its names,
 * or its Sigma filter): then its rows come from the scan. Otherwise the rule is planned as if no row
 * carried those fields — what the walks return (docs/sigma.md, "Only the scan carries them").
 */
function anchorWith(rule: CompiledRule, costs: ScanCosts, shape: ScanShape): Anchor | null | 'never' {
  const only = scanOnlyStep(rule, shape.extra);
  if (only === null) return anchorIn(rule, costs, shape, null);
  const a = only === 'full' ? null : anchorIn(rule, costs, shape, only);
  return a !== null ? a : anchorIn(rule, costs, NO_EXTRA, null);
}

/** The cheapest anchor; only step `only` when set (null then: it cannot be anchored). */
function anchorIn(rule: CompiledRule, costs: ScanCosts, shape: ScanShape, only: number | null): Anchor | null | 'never' {
  const stepNames = stepNamesOf(rule, shape);
  if (stepNames.includes('never')) return 'never';
  const scan = shape.filter;
  const steps = rule.steps;
  let best: { names: ReadonlySet<string> | null; parentNames: ReadonlySet<string> | null; descend: number; cost: number; j: number } | null = null;
  const consider = (c: NonNullable<typeof best>) => { if (best === null || c.cost < best.cost) best = c; };
  for (let j = steps.length - 1; j >= 0; j--) {
    const names = stepNames[j] as ReadonlySet<string> | null;
    if (names === null || (only !== null && only !== j)) continue;
    let depth = 0;
    for (let i = j + 1; i < steps.length; i++) depth += steps[i]!.hi;
    if (!(depth <= MAX_DESCEND)) break; // earlier steps are deeper still
    const walk = FAN_OUT ** depth;
    if (j === 0 && steps.length > 1 && only === null) {
      consider({ names: null, parentNames: names, descend: depth - 1, cost: costs.children(names) * (walk / FAN_OUT), j: -1 });
      continue;
    }
    consider({ names, parentNames: null, descend: depth, cost: costs.own(names) * walk, j });
    const prev = j > 0 ? stepNames[j - 1] as ReadonlySet<string> | null : null;
    if (prev !== null && steps[j]!.lo === 1 && steps[j]!.hi === 1) {
      consider({ names, parentNames: prev, descend: depth, cost: costs.pair(names, prev) * walk, j });
    }
  }
  if (best === null) return filterAnchor(rule, scan, only);
  const { names, parentNames, descend, j } = best;
  // The scanned rows are step j's own creates; a children-of scan (j = -1) reads the parent's step, not theirs.
  return { names, parentNames, descend, filter: j < 0 ? null : stepFilter(rule, j, scan) };
}

/** `scanFields`: the create fields the source's scan returns besides the record's (EventSource.scanFields). */
export function planScan(rules: CompiledRule[], costs: ScanCosts = PRIOR_COSTS, scanFields: readonly string[] = []): ScanPlan {
  const shape = scanShape(scanFields);
  const terms = new Map<string, { names: Set<string> | null; parentNames: Set<string> | null; descend: number; filters: ScanFilter[] }>();
  for (const r of rules) {
    const a = anchorWith(r, costs, shape);
    if (a === 'never') continue;
    if (a === null) return { names: null, terms: [] };
    // Children-of scans (any name) merge exactly by uniting parent names; name scans by uniting names;
    // filtered scans only with filtered ones, their filters OR-ed (a superset of each rule's).
    const form = a.names === null ? (a.parentNames ? '*' : '?') : a.parentNames ? [...a.parentNames].sort().join('|') : '';
    const key = `${a.descend}\u0000${form}\u0000${a.filter ? 'f' : ''}`;
    let t = terms.get(key);
    if (!t) { t = { names: a.names && new Set(), parentNames: a.parentNames && new Set(), descend: a.descend, filters: [] }; terms.set(key, t); }
    if (t.names && a.names) for (const n of a.names) t.names.add(n);
    if (t.parentNames && a.parentNames) for (const n of a.parentNames) t.parentNames.add(n);
    if (a.filter) t.filters.push(a.filter);
  }
  const sorted = (x: Set<string> | null) => x && [...x].sort();
  const list: ScanTerm[] = [...terms.values()].map((t) => {
    const filter = anyFilter(t.filters);
    return { names: sorted(t.names), parentNames: sorted(t.parentNames), descend: t.descend, ...(filter ? { filter } : {}) };
  });
  return { names: [...new Set(list.flatMap((t) => [...(t.names ?? []), ...(t.parentNames ?? [])]))].sort(), terms: list };
}
