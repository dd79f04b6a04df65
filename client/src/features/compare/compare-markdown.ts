/** Markdown export of a comparison (ready to paste into a ticket): both roots, the summary, every differing position. */
import type { CompareAnswer } from '@lineage/shared';

const cell = (s: string): string => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
const counts = (c: Record<string, number>): string => Object.entries(c).sort().map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`).join(', ');

export function compareMarkdown(c: CompareAnswer): string {
  const side = (label: string, s: CompareAnswer['a']) =>
    `- **${label}**: ${cell(s.name)} on ${cell(s.host)}, ${s.startTime ?? 'start unknown'}, \`${s.guid}\` — ${s.processes} processes${s.complete ? '' : ' (cut: partial)'}`;
  const lines = [
    '# Process tree comparison', '',
    side('A', c.a), side('B', c.b), '',
    `Only in A: ${c.summary.onlyA} · only in B: ${c.summary.onlyB} · count differs: ${c.summary.countDiffers} · events differ: ${c.summary.eventsDiffer} · same: ${c.summary.same}`, '',
    '| position | status | A | B | events B − A |', '|---|---|---|---|---|',
  ];
  for (const r of c.rows) {
    if (r.status === 'both' && Object.keys(r.eventDiff).length === 0) continue;
    const where = `${'  '.repeat(r.depth)}${cell(r.name)} \`${cell(r.commandLine)}\``;
    lines.push(`| ${where} | ${r.status} | ${r.a.length} | ${r.b.length} | ${counts(r.eventDiff)} |`);
  }
  return `${lines.join('\n')}\n`;
}
