/**
 * The ONE place SPL is written (docs/splunk-protocol.md §4) — but for the Sigma predicate of a rule scan,
 * which server/src/sigma/spl.ts writes through the same value escaping. User input only ever enters as a value,
 * through `quote()` and the typed validators of spl-values.ts, which either reject it (SplunkError 400) or
 * return one double-quoted term with `\` → `\\` and `"` → `\"` (§4.3). Field names, commands and
 * time modifiers are ours (field knowledge in spl-fields.ts); time ranges travel as REST parameters,
 * never inside the SPL.
 */
import type { Category } from '@lineage/shared';
import { ACTOR_IS_PARENT, CIM, MACHINE, PROCESS_FIELDS, SCAN_EXTRA_FIELDS, categoryPredicate } from './spl-fields.js';
import { bad, containsTerm, guidValue, imageNameSuffix, inClause, indexName, machineValues, quote } from './spl-values.js';
import { filterSpl, type ScanFilter } from '../../sigma/spl.js';

export * from './spl-values.js';
export { CATEGORY_EVENT_CODES, PROCESS_FIELDS, categoryPredicate } from './spl-fields.js';

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
   * `extra`: more create fields (the rule scan's SCAN_EXTRA_FIELDS).
   */
  private processTail(withTerminations: boolean, extra: readonly string[] = []): string {
    const g = this.f('ProcessGuid');
    const aggs = [...PROCESS_FIELDS, ...extra].map((raw) => `earliest(${this.f(raw)}) as ${raw}`).join(' ');
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
   * basename is one of `parentNames`, and — Sigma steps — those the superset `filter` selects, written by
   * server/src/sigma/spl.ts with this style's field names), sorted by start then GUID. Its rows also
   * carry SCAN_EXTRA_FIELDS (OriginalFileName …), which Sigma steps read and the predicate may test.
   */
  scan(o: { host?: string; names?: readonly string[]; parentNames?: readonly string[]; filter?: ScanFilter }): string {
    let filter = '';
    if (o.names && o.names.length > 0) filter += ` ${this.nameFilter('Image', 'process_name', o.names)}`;
    if (o.parentNames && o.parentNames.length > 0) filter += ` ${this.nameFilter('ParentImage', 'parent_process_name', o.parentNames)}`;
    const sigma = o.filter ? filterSpl(o.filter, (raw) => this.f(raw)) : null;
    if (sigma !== null) filter += ` ${sigma}`;
    return `${this.base()} ${this.codes(false)}${this.hostTerm(o.host)}${filter}${this.processTail(false, SCAN_EXTRA_FIELDS)} | sort 0 UtcTime ProcessGuid`;
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
   * `guids`: only these acting GUIDs (the lifetime tail after a graph's window, lifetime.ts).
   */
  countsByHost(host: string, guids?: readonly string[]): string {
    const target = this.t.fieldStyle === 'cim' ? 'coalesce(process_guid, TargetProcessGuid, TargetProcessGUID, "-")'
      : 'coalesce(TargetProcessGuid, TargetProcessGUID, "-")';
    const pid = this.t.fieldStyle === 'cim' ? 'coalesce(process_id, TargetProcessId)' : 'TargetProcessId';
    const firsts = `earliest(${this.f('UtcTime')}) as UtcTime earliest(EventRecordID) as EventRecordID earliest(TargetImage) as TargetImage`
      + ` earliest(lineage_target_pid) as TargetProcessId earliest(TargetUser) as TargetUser`;
    const only = guids ? ` ${this.actorFilter(guids)}` : '';
    return `${this.base()} NOT EventCode=1${this.hostTerm(host)}${only} ${this.actorEval()} | eval host=lower(${this.machine()})`
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
