/**
 * `| tstats … from datamodel=Endpoint.Processes [where …] [by …]` (splunk-protocol.md §4.2).
 * The Endpoint.Processes dataset is built from Sysmon EventCode 1 with CIM names prefixed by
 * `Processes.`; `summariesonly` is accepted (every event counts as summarised here).
 */
import { commandError, SplError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { parseSearchTokens, type ParsedSearch } from './search-expr.js';
import { parseAggregations, parseBy, type StatsSpec } from './stats.js';

/** The data models the emulator serves. */
export const DATAMODELS = ['Endpoint.Processes'] as const;
/** A supported data model dataset name. */
export type DataModelName = (typeof DATAMODELS)[number];

/** A parsed tstats command. */
export interface TstatsSpec { datamodel: DataModelName; stats: StatsSpec; where: ParsedSearch | null }

const OPTIONS = new Set(['summariesonly', 'allow_old_summaries', 'prestats', 'local', 'chunk_size', 'include_reduced_buckets', 'fillnull_value', 'append']);

/** Parse tstats arguments; anything the emulator cannot answer faithfully is a 400. */
export function parseTstats(args: string): TstatsSpec {
  const toks = tokenize(args);
  let i = 0;
  while (toks[i]?.t === 'word' && toks[i + 1]?.t === 'op' && toks[i + 1]!.v === '=') {
    const name = toks[i]!.v;
    const value = toks[i + 2]?.v ?? '';
    if (!OPTIONS.has(name)) throw commandError('tstats', `Unknown option '${name}'.`);
    if ((name === 'prestats' || name === 'append') && /^(t|true|1)$/i.test(value)) {
      throw commandError('tstats', `${name}=true is not supported by the Lineage splunkd test server.`);
    }
    i += 3;
  }
  const { aggs, pos } = parseAggregations(toks, i, 'tstats', ['from']);
  i = pos;
  const from = toks[i];
  if (!from || from.t !== 'word' || from.v.toLowerCase() !== 'from') throw commandError('tstats', "Expected 'from datamodel=<name>'.");
  const dmKey = toks[i + 1];
  const eq = toks[i + 2];
  const dm = toks[i + 3];
  if (!dmKey || dmKey.t !== 'word' || dmKey.v.toLowerCase() !== 'datamodel' || !eq || eq.v !== '=' || !dm || dm.t === 'op') {
    throw commandError('tstats', "Only 'from datamodel=<name>' is supported by the Lineage splunkd test server.");
  }
  const datamodel = DATAMODELS.find((d) => d === dm.v);
  if (!datamodel) throw new SplError(`Error in 'tstats' command: The data model '${dm.v}' is not available in the Lineage splunkd test server (available: ${DATAMODELS.join(', ')}).`);
  i += 4;
  let where: ParsedSearch | null = null;
  if (toks[i]?.t === 'word' && toks[i]!.v.toLowerCase() === 'where') {
    i++;
    const start = i;
    let depth = 0;
    for (; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t === 'op' && t.v === '(') depth++;
      if (t.t === 'op' && t.v === ')') depth--;
      if (depth === 0 && t.t === 'word' && t.raw.toLowerCase() === 'by') break;
    }
    const whereToks: Token[] = toks.slice(start, i);
    where = parseSearchTokens(whereToks, 'tstats', true);
  }
  const { by, pos: end } = parseBy(toks, i, 'tstats');
  if (end < toks.length) {
    const t = toks[end]!;
    throw commandError('tstats', `Unexpected '${t.v}'${t.v === 'span' ? ' (span is not supported by the Lineage splunkd test server)' : ''}.`);
  }
  return { datamodel, stats: { aggs, by }, where };
}
