/**
 * `lineage sigma --db FILE --rules PATH… [--json]`: every Sigma rule under PATH (files or directories,
 * e.g. the SigmaHQ `rules/` folder as it is) over an embedded store. With `--json`:
 * `{"hits":[SigmaHitRecord…],"perRule":[{ruleId,title,level,hits}…],"unevaluable":[{ruleId,title,source,reason}…],"stats":{…}}`.
 * Rules that cannot be evaluated are listed with the reason, never dropped silently.
 */
import { existsSync } from 'node:fs';
import { newContext } from '../sources/event-source.js';
import { EmbeddedStore } from '../sources/embedded/index.js';
import { SigmaEngine } from '../sigma/engine.js';
import { loadRules } from '../sigma/load.js';
import { scanStore } from '../sigma/store-scan.js';
import { failer, parseFlags } from './common.js';

const USAGE = 'usage: lineage sigma --db FILE --rules PATH [--rules PATH…] [--json]\n';

const fail = failer('sigma', USAGE);

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(argv, { db: { type: 'string' }, rules: { type: 'string', multiple: true }, json: { type: 'boolean' } }, USAGE, fail);
  if (typeof values === 'number') return values;
  if (!values.rules?.length) return fail('--rules PATH is required (a Sigma .yml file or a directory of them)');
  if (!values.db) return fail('--db FILE is required');
  const missing = values.rules.find((p) => !existsSync(p));
  if (missing) return fail(`--rules ${missing}: no such file or directory`, 1);
  if (!existsSync(values.db)) return fail(`--db ${values.db}: no such file`, 1);
  const t0 = performance.now();
  const set = loadRules(values.rules);
  let store: EmbeddedStore;
  try { store = await EmbeddedStore.open(values.db, { readOnly: true }); } catch (err) { return fail((err as Error).message, 1); }
  try {
    const ctx = newContext();
    const { hits, scanned } = await scanStore(store, new SigmaEngine(set.rules), ctx);
    const perRule = new Map<string, { ruleId: string; title: string; level: string; hits: number }>();
    for (const h of hits) {
      const e = perRule.get(h.ruleId) ?? { ruleId: h.ruleId, title: h.title, level: h.level, hits: 0 };
      e.hits++;
      perRule.set(h.ruleId, e);
    }
    const ms = Math.round(performance.now() - t0);
    const unevaluable = set.unevaluable.map((u) => ({ ruleId: u.id, title: u.title, source: u.source, reason: u.reason }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ hits, perRule: [...perRule.values()], unevaluable, stats: { rules: set.rules.length, scanned, searches: ctx.stats.searches, ms } })}\n`);
    } else {
      for (const h of hits) process.stdout.write(`${h.time}  ${h.level.padEnd(8)}  ${h.title}  ${h.host}  ${h.guid ?? ''}  EventID ${h.eventId}\n`);
    }
    for (const u of unevaluable) process.stderr.write(`cannot evaluate: ${u.source ?? u.ruleId}: ${u.reason}\n`);
    process.stderr.write(`${hits.length} hits by ${perRule.size} of ${set.rules.length} rules over ${scanned} events; ${unevaluable.length} rules cannot be evaluated; ${ms} ms\n`);
    return 0;
  } finally {
    await store.close();
  }
}
