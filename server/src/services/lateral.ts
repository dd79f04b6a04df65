/**
 * "Expand across" (`GET /api/processes/:guid/lateral`): the cross-host links of one process — as the
 * source that connected out, or as the target-side root a remote process started — and the processes at
 * their far end, as graph nodes. One facts read per expansion (Splunk: one search), plus the origin lookup
 * when the caller does not pass the process's times, plus one process lookup for the sources of inbound
 * links. Evidence rules: graph/lateral.README.md, docs/lateral.md.
 */
import type { LateralAnswer, LateralLink, ProcessNode, TimeRange } from '@lineage/shared';
import { findOrigin } from '../graph/investigate.js';
import { DEFAULT_LATERAL_OPTIONS, linkLateral } from '../graph/lateral.js';
import { processNode } from '../graph/nodes.js';
import type { EventSource, ProcessRecord, QueryContext } from '../sources/event-source.js';

/** A launcher's child may be the root of a movement that connected this long before it. */
const BEFORE_MS = 10 * 60_000;
/** A long-lived source is searched for this long after its start at most. */
const LIFETIME_CAP_MS = 6 * 3_600_000;
/** Without an end: this long after its start. */
const OPEN_END_MS = 3_600_000;

/** The window whose facts can hold every link of a process that ran from `start` to `end`. */
export function lateralWindow(start: string, end: string | null): TimeRange {
  const s = Date.parse(start);
  const e = Math.min(end ? Date.parse(end) : s + OPEN_END_MS, s + LIFETIME_CAP_MS);
  return { from: new Date(s - BEFORE_MS).toISOString(), to: new Date(Math.max(e, s) + DEFAULT_LATERAL_OPTIONS.startWithinMs).toISOString() };
}

export interface ExpandRequest {
  guid: string;
  host: string | null;
  /** The process's start and end when the caller knows them (a drawn node): saves the origin lookup. */
  start?: string | null;
  end?: string | null;
}

export async function expandAcross(source: EventSource, req: ExpandRequest, ctx: QueryContext): Promise<LateralAnswer> {
  const started = performance.now();
  if (!source.lateralFacts) throw new Error(`the ${source.kind} source cannot read cross-host facts`);
  let host = req.host;
  let start = req.start ?? null;
  let end = req.end ?? null;
  if (!host || !start) {
    const origin = await findOrigin(source, req.guid, host, ctx);
    host = origin.host;
    start = origin.startTime;
    end = origin.endTime;
  }
  const range = lateralWindow(start, end);
  const facts = await source.lateralFacts(range, ctx);
  const mine = (g: string, h: string): boolean => g === req.guid && h === host;
  const links = linkLateral(facts).filter((l) => mine(l.source, l.sourceHost) || mine(l.target, l.targetHost));
  const nodes = await farNodes(source, links, facts.creates, (l) => mine(l.source, l.sourceHost), ctx);
  return {
    guid: req.guid, host, range, links, nodes, complete: facts.complete,
    stats: { searches: ctx.stats.searches, rows: ctx.stats.rows, ms: Math.round(performance.now() - started), ...(ctx.stats.warnings?.length ? { warnings: ctx.stats.warnings } : {}) },
  };
}

/** The process at the other end of each link: target roots from the facts; sources looked up (one query per host). */
async function farNodes(source: EventSource, links: LateralLink[], creates: ProcessRecord[], outbound: (l: LateralLink) => boolean, ctx: QueryContext): Promise<ProcessNode[]> {
  const out = new Map<string, ProcessNode>();
  const sourcesByHost = new Map<string, string[]>();
  for (const l of links) {
    if (outbound(l)) {
      const r = creates.find((c) => c.guid === l.target && c.host === l.targetHost);
      if (r) out.set(`${r.host}\n${r.guid}`, processNode(r, 0, undefined));
    } else {
      sourcesByHost.set(l.sourceHost, [...(sourcesByHost.get(l.sourceHost) ?? []), l.source]);
    }
  }
  for (const [h, guids] of sourcesByHost) {
    for (const r of await source.getProcesses(guids, { ctx, host: h })) out.set(`${r.host}\n${r.guid}`, processNode(r, 0, undefined));
  }
  return [...out.values()];
}
