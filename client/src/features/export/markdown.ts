/**
 * Markdown timeline export (ready to paste into a ticket): every loaded process start and end, and the
 * loaded events of the selected process, in time order, with GUIDs and full command lines.
 */
import type { GraphEvent } from '@lineage/shared';
import { formatUtc } from '../../lib/format';
import type { VisibleGraph } from '../graph';
import { eventSummary } from '../panel';

/** Table cell: pipes escaped, line breaks flattened, inline code when `code`. */
function md(s: string, code = false): string {
  const flat = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  if (!code || !flat) return flat;
  const ticks = flat.includes('`') ? '``' : '`';
  return `${ticks}${ticks === '``' ? ' ' : ''}${flat}${ticks === '``' ? ' ' : ''}${ticks}`;
}

interface Row { t: number; iso: string; what: string; name: string; pid: string; guid: string; detail: string; code: boolean }

export function toMarkdownTimeline(g: VisibleGraph, events: GraphEvent[], title: string): string {
  const rows: Row[] = [];
  let undated = 0;
  for (const id of g.treeOrder) {
    const n = g.known.get(id);
    if (!n || n.kind !== 'process') continue;
    const base = { name: n.name || n.image, pid: n.pid != null ? String(n.pid) : '', guid: n.guid };
    const start = n.startTime ? Date.parse(n.startTime) : NaN;
    if (Number.isFinite(start)) rows.push({ ...base, t: start, iso: n.startTime!, what: n.placeholder ? `placeholder (${n.placeholderReason ?? '?'})` : 'process start', detail: n.commandLine, code: true });
    else undated++;
    const end = n.endTime ? Date.parse(n.endTime) : NaN;
    if (Number.isFinite(end)) rows.push({ ...base, t: end, iso: n.endTime!, what: 'process end', detail: '', code: false });
  }
  for (const ev of events) {
    const t = Date.parse(ev.time);
    if (!Number.isFinite(t)) continue;
    const n = g.known.get(ev.guid);
    rows.push({ t, iso: ev.time, what: `${ev.category} (EventID ${ev.eventId})`, name: n?.name ?? '', pid: n?.pid != null ? String(n.pid) : '', guid: ev.guid, detail: eventSummary(ev), code: false });
  }
  rows.sort((a, b) => a.t - b.t || a.guid.localeCompare(b.guid));
  const out = [
    `# ${md(title)}`, '',
    `Origin ${md(g.origin, true)} · ${rows.length} entries · times in UTC${undated ? ` · ${undated} processes without a start time left out` : ''}`, '',
    '| Time (UTC) | What | Process | PID | ProcessGuid | Command line / detail |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${formatUtc(r.iso)} | ${md(r.what)} | ${md(r.name)} | ${r.pid} | ${md(r.guid, true)} | ${md(r.detail, r.code)} |`),
  ];
  return `${out.join('\n')}\n`;
}
