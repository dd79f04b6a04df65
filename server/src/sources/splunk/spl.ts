/**
 * The ONE place SPL is written (docs/splunk-protocol.md §4). User input only ever enters as a value,
 * through `quote()` and the typed validators below, which either reject it (SplunkError 400) or
 * return one double-quoted term with `\` → `\\` and `"` → `\"` (§4.3). Field names, commands and
 * time modifiers are ours; time ranges travel as REST parameters, never inside the SPL.
 */
import { canonicalGuid, type Category, type TimeRange } from '@lineage/shared';
import { SplunkError } from './errors.js';

/** Longest user value we accept in a term (docs/splunk-protocol.md §4.3). */
export const MAX_VALUE_LENGTH = 4096;
/** Longest `IN (…)` clause we build; longer lists are split into OR-ed clauses or batches. */
export const IN_CLAUSE_BUDGET = 8_000;
/** Most GUIDs one search carries; more are split over several searches. */
export const GUIDS_PER_SEARCH = 1_000;

function bad(what: string, why: string): SplunkError {
  return new SplunkError('invalid_request', `${what}: ${why}`);
}

/**
 * A user value as one quoted SPL term. Rejects values Splunk cannot represent safely: `*` (a wildcard
 * that cannot be escaped), backtick (macro syntax), CR/LF/NUL and other C0 controls, and overlong values.
 */
export function quote(value: unknown, what: string): string {
  if (typeof value !== 'string') throw bad(what, 'must be a string');
  if (value.length === 0) throw bad(what, 'must not be empty');
  if (value.length > MAX_VALUE_LENGTH) throw bad(what, `longer than ${MAX_VALUE_LENGTH} characters`);
  if (value.includes('*')) throw bad(what, '"*" is a wildcard in Splunk and cannot be searched for literally');
  if (value.includes('`')) throw bad(what, 'backticks are not allowed (Splunk macro syntax)');
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad(what, 'control characters (newline, tab, NUL …) are not allowed');
  if (/[\u2028\u2029]/.test(value)) throw bad(what, 'line separators are not allowed');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) throw bad(what, 'not well-formed unicode');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `"*<value>*"`: a substring match. The wildcards are ours; the value itself may not contain `*`. */
export function containsTerm(value: unknown, what: string): string {
  const q = quote(value, what);
  return `"*${q.slice(1, -1)}*"`;
}

/** A ProcessGuid in canonical form, quoted; anything else is rejected. */
export function guidValue(value: unknown, what = 'guid'): string {
  const g = typeof value === 'string' ? canonicalGuid(value) : null;
  if (!g) throw bad(what, 'not a ProcessGuid ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})');
  return `"${g}"`;
}

const HOST_RE = /^[A-Za-z0-9._-]{1,255}$/;
const IPV6_RE = /^[0-9A-Fa-f:.]{2,45}$/;

/** A host name / IP, lowercased and quoted. */
export function hostValue(value: unknown, what = 'host'): string {
  if (typeof value !== 'string' || !(HOST_RE.test(value) || (value.includes(':') && IPV6_RE.test(value)))) {
    throw bad(what, 'not a host name (letters, digits, ".", "-", "_") or IP address');
  }
  return `"${value.toLowerCase()}"`;
}

/** An image basename such as `cmd.exe` (no path separators), for `*\name` suffix matches. */
export function imageNameSuffix(value: unknown, what = 'image name'): string {
  if (typeof value !== 'string' || /[\\/]/.test(value)) throw bad(what, 'must be a file name without a path');
  const q = quote(value, what);
  return `"*\\\\${q.slice(1, -1)}"`;
}

const INDEX_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/;
/** A configured index name (validated, not quoted: index names have no special characters). */
export function indexName(value: string): string {
  if (!INDEX_RE.test(value)) throw bad('index', `"${value}" is not a valid Splunk index name`);
  return value;
}

/**
 * `field IN (a, b, …)` clauses over already-quoted values, each clause at most `budget` characters;
 * several clauses are OR-ed inside parentheses. Empty input is a caller bug.
 */
export function inClause(field: string, quoted: readonly string[], budget = IN_CLAUSE_BUDGET): string {
  if (quoted.length === 0) throw new Error(`inClause(${field}): empty list`);
  const clauses: string[] = [];
  let cur: string[] = [];
  let len = 0;
  for (const v of quoted) {
    if (cur.length > 0 && len + v.length + 2 > budget) { clauses.push(`${field} IN (${cur.join(', ')})`); cur = []; len = 0; }
    cur.push(v);
    len += v.length + 2;
  }
  clauses.push(`${field} IN (${cur.join(', ')})`);
  return clauses.length === 1 ? clauses[0]! : `(${clauses.join(' OR ')})`;
}

/** Split a list into batches of at most `size`. */
export function batches<T>(items: readonly T[], size = GUIDS_PER_SEARCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Canonical, de-duplicated GUIDs (invalid ones rejected). */
export function canonicalGuids(values: readonly string[], what = 'guid'): string[] {
  const set = new Set<string>();
  for (const v of values) {
    const g = canonicalGuid(v);
    if (!g) throw bad(what, `"${String(v).slice(0, 80)}" is not a ProcessGuid`);
    set.add(g);
  }
  return [...set];
}

/** REST time parameters for a range: epoch seconds with ms, `to` inclusive. */
export function timeParams(range: TimeRange | undefined): { earliest_time?: string; latest_time?: string } {
  if (!range) return {};
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  if (!Number.isFinite(from)) throw bad('from', 'not an ISO 8601 time');
  if (!Number.isFinite(to)) throw bad('to', 'not an ISO 8601 time');
  if (to < from) throw bad('range', '"to" is before "from"');
  // Splunk's latest_time is exclusive; our ranges are inclusive, so add one millisecond.
  return { earliest_time: (from / 1000).toFixed(3), latest_time: ((to + 1) / 1000).toFixed(3) };
}

/** Sysmon EventIDs per category (shared/src/categories.ts); `other` is everything not listed. */
export const CATEGORY_EVENT_CODES: Readonly<Record<Exclude<Category, 'other'>, number[]>> = {
  process: [1, 5], network: [3], image: [7], 'remote-thread': [8], 'raw-access': [9], 'process-access': [10],
  file: [2, 11, 15, 23, 26, 27, 28, 29], registry: [12, 13, 14], pipe: [17, 18], wmi: [19, 20, 21], dns: [22],
  clipboard: [24], tamper: [25],
};

/** A predicate selecting one category's EventCodes. */
export function categoryPredicate(category: Category): string {
  if (category === 'other') {
    const all = Object.values(CATEGORY_EVENT_CODES).flat();
    return `NOT EventCode IN (${all.join(', ')})`;
  }
  const codes = CATEGORY_EVENT_CODES[category];
  if (!codes) throw bad('category', `unknown category "${String(category)}"`);
  return codes.length === 1 ? `EventCode=${codes[0]}` : `EventCode IN (${codes.join(', ')})`;
}

/** Process-create fields a tree needs, by raw Sysmon name (the names our results always use). */
export const PROCESS_FIELDS = [
  'ParentProcessGuid', 'ProcessId', 'ParentProcessId', 'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine',
  'ParentUser', 'User', 'IntegrityLevel', 'Hashes', 'CurrentDirectory', 'LogonGuid', 'UtcTime',
] as const;

/**
 * CIM names for the raw names we search on, as far as the Sysmon add-on defines them (docs/splunk.md
 * "Field extraction"): it has no CIM name for LogonGuid or ParentUser, so those stay raw.
 */
const CIM: Record<string, string> = {
  ProcessGuid: 'process_guid', ParentProcessGuid: 'parent_process_guid', ProcessId: 'process_id',
  ParentProcessId: 'parent_process_id', Image: 'process_path', CommandLine: 'process', ParentImage: 'parent_process_path',
  ParentCommandLine: 'parent_process', User: 'user', IntegrityLevel: 'process_integrity_level',
  Hashes: 'process_hash', CurrentDirectory: 'process_current_directory',
};

/**
 * The machine of an event (docs/splunk.md "One machine, one identity"): Splunk's `host` is whatever
 * the forwarder set (the short name on a Universal Forwarder, the collector under WEF), so machines
 * are named by the event's own `Computer` (FQDN); in CIM style by the add-on's `dvc_nt_host`, which
 * is the machine for every EventID (`dest` is the destination for EventID 3).
 */
const MACHINE = { raw: 'Computer', cim: 'dvc_nt_host' } as const;

/** EventCodes whose actor the add-on names `parent_process_*` (image load, remote thread, process access). */
const ACTOR_IS_PARENT = 'EventCode=7 OR EventCode=8 OR EventCode=10';

/** Values matching one machine however it was named: FQDN or short name. Returns quoted SPL values. */
export function machineValues(host: unknown, what = 'host'): string[] {
  const q = hostValue(host, what);
  const name = q.slice(1, -1);
  if (name.includes(':') || /^[\d.]+$/.test(name)) return [q];
  const dot = name.indexOf('.');
  // A short name matches its FQDN (`name.*`); an FQDN also matches a machine that reports only its short name.
  return dot < 0 ? [q, `"${name}.*"`] : [q, `"${name.slice(0, dot)}"`];
}

/** Where the SPL goes: the configured base predicate and field-name style. */
export interface SplTarget {
  indexes: string[];
  source: string | null;
  sourcetype: string | null;
  notableIndex: string;
  fieldStyle: 'raw' | 'cim';
  tstats: boolean;
}

/**
 * Templates for every search the Splunk source runs. Results always come back under raw Sysmon names
 * (`ProcessGuid`, `Image`, …, plus `host`), whatever the field style, so one row mapper serves all.
 */
export class SplBuilder {
  constructor(private readonly t: SplTarget) {
    t.indexes.forEach(indexName);
    indexName(t.notableIndex);
    if (t.source !== null) quote(t.source, 'source');
    if (t.sourcetype !== null) quote(t.sourcetype, 'sourcetype');
  }

  /** The search-time name of a raw field in the configured style. */
  f(raw: string): string {
    return this.t.fieldStyle === 'cim' ? CIM[raw] ?? raw : raw;
  }

  /** `search index=… source=…` — the Sysmon base predicate. */
  base(): string {
    const idx = this.t.indexes.length === 1 ? `index=${this.t.indexes[0]}` : `(${this.t.indexes.map((i) => `index=${i}`).join(' OR ')})`;
    const parts = ['search', idx];
    if (this.t.source !== null) parts.push(`source=${quote(this.t.source, 'source')}`);
    if (this.t.sourcetype !== null) parts.push(`sourcetype=${quote(this.t.sourcetype, 'sourcetype')}`);
    return parts.join(' ');
  }

  /** The search-time field naming the machine. */
  machine(): string {
    return MACHINE[this.t.fieldStyle];
  }

  private hostTerm(host: string | undefined): string {
    if (host === undefined) return '';
    const m = this.machine();
    return ` (${machineValues(host).map((v) => `${m}=${v}`).join(' OR ')})`;
  }

  /**
   * Compact process rows: one per (host, ProcessGuid, EventCode) — EventCode 1 carries the create's
   * fields (the earliest create wins, as in the embedded store), EventCode 5 the termination time.
   */
  private processTail(withTerminations: boolean): string {
    const g = this.f('ProcessGuid');
    const aggs = PROCESS_FIELDS.map((raw) => `earliest(${this.f(raw)}) as ${raw}`).join(' ');
    const evals = `| eval ProcessGuid=lower(${g}) | eval host=lower(${this.machine()})`;
    return ` ${evals} | stats ${aggs} by host ProcessGuid${withTerminations ? ' EventCode' : ''}`;
  }

  private codes(withTerminations: boolean): string {
    return withTerminations ? 'EventCode IN (1, 5)' : 'EventCode=1';
  }

  /** Every process-create (and terminate) of one host in the window: the whole-tree search. */
  hostProcesses(host: string): string {
    if (this.t.tstats) return this.tstatsHostProcesses(host);
    return `${this.base()} ${this.codes(true)}${this.hostTerm(host)}${this.processTail(true)}`;
  }

  /** The accelerated variant: Endpoint.Processes via tstats (no terminations there). */
  private tstatsHostProcesses(host: string): string {
    const cim = (raw: string) => `Processes.${CIM[raw] ?? raw}`;
    const aggs = PROCESS_FIELDS.filter((r) => r !== 'UtcTime').map((raw) => `values(${cim(raw)}) as ${raw}`).join(' ');
    return `| tstats summariesonly=false ${aggs} min(_time) as start_epoch from datamodel=Endpoint.Processes`
      + ` where (${machineValues(host).map((v) => `Processes.dest=${v}`).join(' OR ')}) by Processes.dest Processes.process_guid`
      + ` | eval host=lower('Processes.dest') | fields - Processes.dest | rename Processes.process_guid as ProcessGuid`;
  }

  /**
   * Every process-create (and terminate) whose GUID carries this machine part: the first 8 hex digits
   * of a Sysmon ProcessGuid are the same for every process of one machine (docs/splunk.md "GUID-only
   * pivots"). The bare term is an indexed segment of the raw event (hyphens and braces break
   * segments), so the search is selective without knowing the host.
   */
  machineProcesses(machinePart: string): string {
    if (!/^[0-9a-f]{8}$/.test(machinePart)) throw bad('guid', 'not the machine part of a ProcessGuid');
    return `${this.base()} ${this.codes(true)} ${machinePart} ${this.f('ProcessGuid')}="{${machinePart}-*"${this.processTail(true)}`;
  }

  /** Process-creates (and terminates) of several machine parts: `machineProcesses` for a batch of machines. */
  machinesProcesses(parts: readonly string[]): string {
    if (parts.length === 0 || parts.some((m) => !/^[0-9a-f]{8}$/.test(m))) throw bad('guid', 'not the machine part of a ProcessGuid');
    const g = this.f('ProcessGuid');
    const or = (xs: string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`);
    return `${this.base()} ${this.codes(true)} ${or([...parts])} ${or(parts.map((m) => `${g}="{${m}-*"`))}${this.processTail(true)}`;
  }

  /** Process rows for GUIDs (one batch; callers split with `batches`). */
  processesByGuid(guids: readonly string[], host?: string): string {
    const list = inClause(this.f('ProcessGuid'), guids.map((g) => guidValue(g)));
    return `${this.base()} ${this.codes(true)}${this.hostTerm(host)} ${list}${this.processTail(true)}`;
  }

  /** Process rows whose parent is one of the GUIDs, sorted by start time then GUID. */
  childrenOf(parents: readonly string[], host?: string): string {
    const list = inClause(this.f('ParentProcessGuid'), parents.map((g) => guidValue(g)));
    return `${this.base()} ${this.codes(false)}${this.hostTerm(host)} ${list}${this.processTail(false)} | sort 0 UtcTime ProcessGuid`;
  }

  /** Children per parent (distinct child GUIDs, lowercase parent GUID) for one batch of parents: one `stats` search. */
  childCountsOf(parents: readonly string[], host?: string): string {
    const list = inClause(this.f('ParentProcessGuid'), parents.map((g) => guidValue(g)));
    return `${this.base()} ${this.codes(false)}${this.hostTerm(host)} ${list} | eval lineage_parent=lower(${this.f('ParentProcessGuid')})`
      + ` | eval lineage_child=lower(${this.f('ProcessGuid')}) | stats dc(lineage_child) as count by lineage_parent`;
  }

  /** Seeds: process-creates by host and/or image / command-line substrings. */
  seeds(q: { host?: string; image?: string; text?: string }): string {
    const terms: string[] = [];
    if (q.image !== undefined) terms.push(`${this.f('Image')}=${containsTerm(q.image, 'image')}`);
    if (q.text !== undefined) terms.push(`${this.f('CommandLine')}=${containsTerm(q.text, 'text')}`);
    return `${this.base()} ${this.codes(false)}${this.hostTerm(q.host)}${terms.map((t) => ` ${t}`).join('')}${this.processTail(false)} | sort 0 UtcTime ProcessGuid`;
  }

  /**
   * Rule scan: process-creates (optionally only these image basenames, and only those whose parent image
   * basename is one of `parentNames`), sorted by start then GUID.
   */
  scan(o: { host?: string; names?: readonly string[]; parentNames?: readonly string[] }): string {
    let filter = '';
    if (o.names && o.names.length > 0) filter += ` ${this.nameFilter('Image', 'process_name', o.names)}`;
    if (o.parentNames && o.parentNames.length > 0) filter += ` ${this.nameFilter('ParentImage', 'parent_process_name', o.parentNames)}`;
    return `${this.base()} ${this.codes(false)}${this.hostTerm(o.host)}${filter}${this.processTail(false)} | sort 0 UtcTime ProcessGuid`;
  }

  /**
   * Planner statistics: process-creates whose image or parent image basename is one of `names`, counted
   * by (image, parent image) as `lineage_image` / `lineage_parent` (basenames are taken by the caller:
   * full paths group a little less, but need no regex in the SPL).
   */
  namePairCounts(names: readonly string[], host?: string): string {
    const own = this.nameFilter('Image', 'process_name', names);
    const parent = this.nameFilter('ParentImage', 'parent_process_name', names);
    const [img, par] = this.t.fieldStyle === 'cim' ? ['process_name', 'parent_process_name'] : ['Image', 'ParentImage'];
    return `${this.base()} ${this.codes(false)}${this.hostTerm(host)} (${own} OR ${parent})`
      + ` | eval lineage_image=lower(${img}) | eval lineage_parent=lower(${par}) | stats count by lineage_image lineage_parent`;
  }

  /** `Image IN ("*\\\\cmd.exe", …)` (raw) or `process_name IN ("cmd.exe", …)` (CIM): a basename filter. */
  private nameFilter(raw: string, cim: string, names: readonly string[]): string {
    const field = this.t.fieldStyle === 'cim'
      ? inClause(cim, names.map((n) => quote(n.toLowerCase(), 'image name')))
      : inClause(raw, names.map((n) => imageNameSuffix(n.toLowerCase())));
    // The basename as a keyword: indexed segments of the raw event (`cmd.exe` is `cmd` AND `exe` in the
    // index), so the index narrows the scan before the search-time field (a leading-wildcard match or a
    // TA extraction) is evaluated (docs/splunk.md "Rule scans at fleet scale").
    const kws = names.map((n) => quote(n.toLowerCase(), 'image name'));
    return `(${kws.length === 1 ? kws[0] : `(${kws.join(' OR ')})`} ${field})`;
  }

  /**
   * The acting-process GUID of any event (SourceProcessGuid for 8/10), lowercased, as `lineage_guid`.
   * The Sysmon add-on names the actor of 7/8/10 `parent_process_guid` (their `process_guid` is the
   * loaded image / the target), and has no CIM name for the source GUID of its own.
   */
  private actorEval(): string {
    const s = this.t.fieldStyle === 'cim' ? `coalesce(if(${ACTOR_IS_PARENT}, parent_process_guid, process_guid), SourceProcessGuid, SourceProcessGUID)`
      : 'coalesce(SourceProcessGuid, SourceProcessGUID, ProcessGuid)';
    return `| eval lineage_guid=lower(${s})`;
  }

  private actorFilter(guids: readonly string[]): string {
    const q = guids.map((g) => guidValue(g));
    if (this.t.fieldStyle === 'cim') {
      return `((${inClause('process_guid', q)} NOT EventCode IN (7, 8, 10)) OR (${inClause('parent_process_guid', q)} EventCode IN (7, 8, 10)))`;
    }
    return `(${['ProcessGuid', 'SourceProcessGuid', 'SourceProcessGUID'].map((f) => inClause(f, q)).join(' OR ')})`;
  }

  /** Event counts by acting GUID and EventCode for these GUIDs (the create itself is the node, not an event). */
  countsByGuid(guids: readonly string[], host?: string): string {
    return `${this.base()} NOT EventCode=1${this.hostTerm(host)} ${this.actorFilter(guids)} ${this.actorEval()} | eval host=lower(${this.machine()}) | stats count by host lineage_guid EventCode`;
  }

  /**
   * Event counts by acting GUID and EventCode for every process of a host (one search, any tree size),
   * with the cross edges folded in: 8/10 events are further split by target GUID (`lineage_target`;
   * "-" for every other event, since Splunk drops rows whose by-field is null) and carry the earliest
   * event's time, record id and target details. One row per (source, target, code) is what a graph
   * needs to draw cross edges, so the graph's counts and cross edges cost this one search.
   */
  countsByHost(host: string): string {
    const target = this.t.fieldStyle === 'cim' ? 'coalesce(process_guid, TargetProcessGuid, TargetProcessGUID, "-")'
      : 'coalesce(TargetProcessGuid, TargetProcessGUID, "-")';
    const pid = this.t.fieldStyle === 'cim' ? 'coalesce(process_id, TargetProcessId)' : 'TargetProcessId';
    const firsts = `earliest(${this.f('UtcTime')}) as UtcTime earliest(EventRecordID) as EventRecordID earliest(TargetImage) as TargetImage`
      + ` earliest(lineage_target_pid) as TargetProcessId earliest(TargetUser) as TargetUser`;
    return `${this.base()} NOT EventCode=1${this.hostTerm(host)} ${this.actorEval()} | eval host=lower(${this.machine()})`
      + ` | eval lineage_target=if(EventCode=8 OR EventCode=10, lower(${target}), "-") | eval lineage_target_pid=${pid}`
      + ` | stats count ${firsts} by host lineage_guid EventCode lineage_target`;
  }

  /** Events of GUIDs (optionally one category), oldest first; the create (EventID 1) is the node itself. */
  events(guids: readonly string[], o: { host?: string; category?: Category }): string {
    const cat = o.category ? ` ${categoryPredicate(o.category)}` : '';
    return `${this.base()} NOT EventCode=1${this.hostTerm(o.host)}${cat} ${this.actorFilter(guids)} | fields - _raw | sort 0 UtcTime EventRecordID`;
  }

  /** Cross-edge events (8/10) whose source is one of the GUIDs. */
  crossEvents(guids: readonly string[], host?: string): string {
    const q = guids.map((g) => guidValue(g));
    const fields = this.t.fieldStyle === 'cim' ? ['parent_process_guid'] : ['SourceProcessGuid', 'SourceProcessGUID'];
    return `${this.base()} EventCode IN (8, 10)${this.hostTerm(host)} (${fields.map((f) => inClause(f, q)).join(' OR ')}) | fields - _raw | sort 0 UtcTime EventRecordID`;
  }

  /** Host of a GUID (when the caller did not say). */
  hostOf(guid: string): string {
    return `${this.base()} ${this.f('ProcessGuid')}=${guidValue(guid)} | eval host=lower(${this.machine()}) | stats count by host`;
  }

  /**
   * ES notables, newest first, through ES's `notable` macro (it adds `event_id` and the incident-review
   * status/owner/urgency; raw `index=notable` has none of them). `host`: the notable's `dest` names that
   * machine (FQDN or short name); `open`: not in a review status that ends the review (Resolved, Closed).
   * The time range travels as REST parameters.
   */
  notables(limit: number, o: { host?: string; open?: boolean } = {}): string {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw bad('limit', 'must be 1–10000');
    const filters: string[] = [];
    if (o.host !== undefined) filters.push(`(${machineValues(o.host).map((v) => `dest=${v}`).join(' OR ')})`);
    if (o.open) filters.push('NOT status_end="true"');
    const where = filters.length > 0 ? ` | search ${filters.join(' ')}` : '';
    return `search \`notable\`${where} | sort 0 - _time | head ${limit}`;
  }

  /** Process-creates on given hosts with given image basenames: resolves notables without a GUID. */
  processesByHostAndName(pairs: ReadonlyArray<{ host: string; name: string }>): string {
    const ors = pairs.map((p) => `(${this.hostTerm(p.host).trim()} ${this.f('Image')}=${imageNameSuffix(p.name)})`);
    return `${this.base()} ${this.codes(false)} (${ors.join(' OR ')})${this.processTail(false)}`;
  }
}
