/**
 * `lineage tree --db FILE --guid G [--up] [--down N] [--events] [--json]`: the graph around one
 * process from an embedded store — the same graph document `/api/graph` returns. Without `--json`
 * an indented tree is printed for people.
 */
import { canonicalGuid, type GraphDocument, type ProcessNode } from '@lineage/shared';
import { InvertedRangeError, NotFoundError, investigate } from '../graph/investigate.js';
import { failer, openReadOnly, parseFlags, parseTimeFlags } from './common.js';
import { newContext } from '../sources/event-source.js';

const USAGE = 'usage: lineage tree --db FILE --guid G [--host H] [--up] [--down N] [--events] [--from T] [--to T] [--budget N] [--json]\n';

const fail = failer('tree', USAGE);

/** `lineage tree` entry: 0 ok, 1 not found / unusable database, 2 usage. */
export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(argv, {
    db: { type: 'string' }, guid: { type: 'string' }, host: { type: 'string' }, up: { type: 'boolean' },
    down: { type: 'string' }, events: { type: 'boolean' }, json: { type: 'boolean' }, from: { type: 'string' },
    to: { type: 'string' }, budget: { type: 'string' },
  }, USAGE, fail);
  if (typeof values === 'number') return values;
  if (!values.db) return fail('--db FILE is required');
  if (!values.guid) return fail('--guid G is required');
  const guid = canonicalGuid(values.guid);
  if (!guid) return fail(`--guid: not a GUID: ${values.guid}`);
  const down = values.down === undefined ? Infinity : Number(values.down);
  if (!(down === Infinity || (Number.isInteger(down) && down >= 0))) return fail(`--down must be a whole number ≥ 0, got ${values.down}`);
  const budget = values.budget === undefined ? undefined : Number(values.budget);
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1)) return fail(`--budget must be a whole number ≥ 1, got ${values.budget}`);
  const range = parseTimeFlags(values);
  if (typeof range === 'string') return fail(range);
  const opened = await openReadOnly(values.db);
  if ('error' in opened) return fail(opened.error, 1);
  const { source } = opened;
  try {
    const doc = await investigate(source, {
      guid, host: values.host?.toLowerCase() ?? null, up: values.up === true, down, events: values.events === true,
      range, ...(budget ? { nodeBudget: budget } : {}),
    }, newContext());
    process.stdout.write(values.json ? `${JSON.stringify(doc)}\n` : renderText(doc));
    return 0;
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof InvertedRangeError) return fail(err.message, 1);
    throw err;
  } finally {
    await source.close();
  }
}

/** An indented tree for a terminal: `├─ name (pid) cmdline`, placeholders and groups marked. */
export function renderText(doc: GraphDocument): string {
  const kids = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const e of doc.edges) {
    if (e.kind !== 'spawn') continue;
    kids.set(e.source, [...(kids.get(e.source) ?? []), e.target]);
    hasParent.add(e.target);
  }
  const byId = new Map(doc.nodes.map((n) => [n.guid, n]));
  const label = (n: ProcessNode) => {
    const tag = n.kind === 'group' ? ` ×${n.group?.count}` : n.placeholder ? ` [placeholder: ${n.placeholderReason}]` : '';
    const origin = n.guid === doc.origin ? ' ◀ origin' : '';
    return `${n.name || '?'}${n.pid !== null ? ` (${n.pid})` : ''}${tag}${origin}  ${n.commandLine.replace(/\s+/g, " ").slice(0, 120)}  ${n.guid}`;
  };
  const lines: string[] = [];
  const walk = (id: string, prefix: string, last: boolean, top: boolean) => {
    const n = byId.get(id);
    if (!n) return;
    lines.push(top ? label(n) : `${prefix}${last ? '└─ ' : '├─ '}${label(n)}`);
    const list = kids.get(id) ?? [];
    list.forEach((k, i) => walk(k, top ? '' : `${prefix}${last ? '   ' : '│  '}`, i === list.length - 1, false));
  };
  for (const n of doc.nodes) if (!hasParent.has(n.guid) && (kids.has(n.guid) || n.guid === doc.origin)) walk(n.guid, '', true, true);
  const cross = doc.edges.filter((e) => e.kind !== 'spawn');
  for (const e of cross) lines.push(`${byId.get(e.source)?.name} ─${e.kind} ×${e.count}→ ${byId.get(e.target)?.name}  ${e.target}`);
  for (const [k, t] of Object.entries(doc.truncated)) lines.push(`… ${k}: ${t.remaining ?? 'more'} not shown`);
  lines.push(`${doc.nodes.length} nodes, ${doc.edges.length} edges; ${doc.stats.searches} queries, ${doc.stats.ms} ms`);
  return `${lines.join('\n')}\n`;
}
