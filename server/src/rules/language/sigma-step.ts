/**
 * Sigma inside a lineage rule step (docs/rules.md §1.3): `match: { sigma: <rule id> }` (a rule of the
 * configured Sigma library, or a list of ids: any of them) or `match: { sigma: { <detection block> } }`
 * (selection maps + `condition`, as in a Sigma rule's `detection`). Evaluated by the Sigma engine
 * (server/src/sigma/) on the step's process: only process_creation rules apply to a process.
 */
import { EventView } from '../../sigma/event.js';
import { SYSMON_CHANNEL } from '../../sigma/logsource.js';
import type { SigmaLibrary } from '../../sigma/load.js';
import { anyFilter, scanFilter, type FilterOptions } from '../../sigma/spl.js';
import { compileRule, isCompiled, type CompiledRule as SigmaRule } from '../../sigma/rule.js';
import { MatchError, Tri, type FieldGetter, type Predicate } from './predicate.js';

function requireLibrary(lib: SigmaLibrary | null | undefined, path: (string | number)[]): SigmaLibrary {
  if (lib) return lib;
  throw new MatchError('a Sigma rule reference needs the Sigma rules: give them with --sigma PATH (serve or detect)', path);
}

/** A process node's fields seen as a Sigma event (the raw Sysmon names the SigmaHQ rules use). */
class NodeView extends EventView {
  constructor(private readonly getField: FieldGetter) {
    super({ eventId: 1, channel: SYSMON_CHANNEL, provider: null, computer: null, fields: {} });
  }
  override get(field: string): string | undefined {
    if (field === 'EventID') return '1';
    if (field === 'Channel') return SYSMON_CHANNEL;
    return this.getField(field);
  }
  override values(): string[] {
    // Unreachable: keyword searches are refused when the step compiles (fromRule).
    throw new Error('keyword searches read every field of an event; a lineage step reads named fields');
  }
}

function fromRule(rules: SigmaRule[], path: (string | number)[]): Predicate {
  const fields = new Set<string>();
  for (const r of rules) {
    if (r.fields === null) throw new MatchError(`Sigma rule ${r.id} has a keyword search (reads every field of an event); a lineage step reads named fields`, path);
    for (const f of r.fields) fields.add(f);
  }
  // Image names pin the step for the rule index and the scan push-down (server/src/sigma/names.ts).
  const names = rules.every((r) => r.imageNames) ? new Set(rules.flatMap((r) => [...r.imageNames!])) : null;
  // The scan push-down: the detections as a superset filter (NodeView answers Channel itself: never absent),
  // built once per options object (the planner asks for it per step and per plan, with one constant).
  const built = new WeakMap<FilterOptions, ReturnType<typeof anyFilter>>();
  const filter = (o: FilterOptions) => {
    let f = built.get(o);
    if (f === undefined) {
      f = anyFilter(rules.map((r) => scanFilter(r.detection, { ...o, absent: (x) => x !== 'Channel' && (o.absent?.(x) ?? false) })));
      built.set(o, f);
    }
    return f;
  };
  return {
    names, fields, absentIsUnknown: false, scanFilter: filter,
    test(get) {
      const view = new NodeView(get);
      for (const r of rules) if (r.evaluate(view)) return Tri.Yes;
      // Not matched, but a read field is missing (a placeholder parent, an older Sysmon): unknown.
      for (const f of fields) if (get(f) === undefined) return Tri.Unknown;
      return Tri.No;
    },
  };
}

function requireProcessCreation(r: SigmaRule, path: (string | number)[]): void {
  const a = r.applies;
  if (a.channel !== SYSMON_CHANNEL || (a.eventIds !== null && !a.eventIds.includes(1))) {
    throw new MatchError(`Sigma rule ${r.id} ("${r.title}") is not on process_creation; a lineage step matches processes`, path);
  }
}

/** Compiles the value of a step's `sigma:` key (an id, a list of ids, or a detection block). */
export function compileSigmaMatch(value: unknown, path: (string | number)[], library: SigmaLibrary | null | undefined): Predicate {
  if (typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string'))) {
    const ids = typeof value === 'string' ? [value] : value as string[];
    const lib = requireLibrary(library, path);
    const rules = ids.map((id, i) => {
      const r = lib.byId.get(id);
      if (!r) throw new MatchError(`unknown Sigma rule id "${id}" (not among the ${lib.byId.size} rules of ${lib.from})`, typeof value === 'string' ? path : [...path, i]);
      requireProcessCreation(r, path);
      return r;
    });
    return fromRule(rules, path);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MatchError('sigma: takes a Sigma rule id, a list of ids, or a detection block (selection maps + condition)', path);
  }
  const det = value as Record<string, unknown>;
  if (typeof det.condition !== 'string') throw new MatchError('a Sigma detection block needs a `condition` (e.g. "selection and not filter")', path);
  const compiled = compileRule({
    id: 'lineage-step', title: 'lineage step', logsource: { category: 'process_creation', product: 'windows' }, detection: det,
  });
  if (!isCompiled(compiled)) throw new MatchError(`Sigma detection: ${compiled.reason}`, path);
  return fromRule([compiled], path);
}
