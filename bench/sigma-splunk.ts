/**
 * `npm run bench -- sigma-splunk [--runs 3] [--latency-ms 0] [--rules N]`
 *
 * Sigma-based lineage rules on Splunk with and without the Sigma → SPL push-down of the rule scan
 * (server/src/sigma/spl.ts, docs/sigma.md "On Splunk"). Every SigmaHQ process_creation rule that a
 * lineage step can use (no keyword search) becomes a one-step lineage rule `match: { sigma: <id> }`,
 * run over the real captures the Splunk test server reads (../shared/datasets: XML and JSON-lines
 * files) — once as shipped (image names + the Sigma predicate pushed down) and once with the scan
 * filter stripped (image names only: the state before the push-down). Reported, median of `runs`:
 * records the scans returned, searches, result rows, wall time; hits must be identical both ways.
 */
import { readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSplunkd } from '../tools/splunkd-sim/index.js';
import { newContext } from '../server/src/sources/event-source.js';
import { SplunkClient } from '../server/src/sources/splunk/client.js';
import { resolveConfig, type SplunkConfig } from '../server/src/sources/splunk/config.js';
import { SplunkSource } from '../server/src/sources/splunk/source.js';
import { loadRules, sigmaLibrary } from '../server/src/sigma/load.js';
import { parseRulesOrThrow } from '../server/src/rules/language/parse.js';
import { runRules } from '../server/src/rules/run/run.js';
import type { CompiledRule } from '../server/src/rules/model.js';

const ROOT = resolve(import.meta.dirname, '..');
const DATASETS = process.env.LINEAGE_DATASETS ?? resolve(ROOT, '..', 'shared', 'datasets');
const SIGMAHQ = process.env.LINEAGE_SIGMAHQ ?? resolve(ROOT, '..', 'shared', 'sigmahq');

function captures(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.xml\.log$|xmlwineventlog\/.*\.log$|OTRF-Security-Datasets\/.*\.json$/.test(p)) out.push(p);
  }
  return out;
}

/** The same rules without the Sigma scan filter (only image names pushed down, as before). */
const stripped = (rules: CompiledRule[]): CompiledRule[] =>
  rules.map((r) => ({ ...r, steps: r.steps.map((s) => ({ ...s, pred: { ...s.pred, scanFilter: null } })) }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '3' }, 'latency-ms': { type: 'string', default: '0' }, rules: { type: 'string' } } });
  const runs = Number(values.runs);
  const files = captures(DATASETS);
  const set = loadRules([join(SIGMAHQ, 'rules', 'rules', 'windows', 'process_creation')]);
  const usable = set.rules.filter((r) => r.fields !== null).slice(0, values.rules ? Number(values.rules) : undefined);
  const text = usable.map((r, i) => `title: s${i}\nid: s${i}\nchain:\n  - match: { sigma: ${JSON.stringify(r.id)} }\n`).join('---\n');
  const rules = parseRulesOrThrow(text, null, { sigma: sigmaLibrary(usable, 'SigmaHQ process_creation') });
  const splunkd = await startSplunkd({ latency: { dispatchMs: Number(values['latency-ms']), perEventMs: 0 }, data: { sysmonFiles: files } });
  try {
    const config: SplunkConfig = { ...resolveConfig({ url: splunkd.url }), pollMs: 20, retryBaseMs: 20 };
    const source = new SplunkSource(await SplunkClient.login(config, { username: 'admin', password: 'changeme' }), config);
    console.log(`sigma-splunk: ${files.length} captures, ${usable.length} SigmaHQ process_creation rules as lineage steps, ${runs} runs, dispatch latency ${values['latency-ms']} ms`);
    const key = (h: { rule: string; host: string; chain: string[] }) => `${h.rule} ${h.host} ${h.chain.join(',')}`;
    const hitsOf: Record<string, string[]> = {};
    for (const [label, rs] of [['push-down', rules], ['names only', stripped(rules)]] as const) {
      const ms: number[] = [];
      let last: Awaited<ReturnType<typeof runRules>> | null = null;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        last = await runRules(source, rs, { ctx: newContext() });
        ms.push(performance.now() - t0);
      }
      const s = last!.stats;
      hitsOf[label] = last!.hits.map(key).sort();
      console.log(`  ${label.padEnd(10)}  scanned ${String(s.scanned).padStart(6)} records  scans ${s.scans}  searches ${s.searches}  rows ${s.rows}  hits ${last!.hits.length}  wall ${median(ms).toFixed(0)} ms (median of ${runs})`);
    }
    let same = JSON.stringify(hitsOf['push-down']) === JSON.stringify(hitsOf['names only']);
    console.log(`  identical hits: ${same} (one rule needing a full scan makes the whole run one full scan)`);
    // Each rule alone (a pack with a few Sigma steps): records each rule's scan returns, both ways.
    const per = { on: [] as number[], off: [] as number[], fullOn: 0, fullOff: 0, differ: 0 };
    const t0 = performance.now();
    for (let i = 0; i < rules.length; i++) {
      const on = await runRules(source, [rules[i]!], { ctx: newContext() });
      const off = await runRules(source, stripped([rules[i]!]), { ctx: newContext() });
      per.on.push(on.stats.scanned);
      per.off.push(off.stats.scanned);
      if (on.stats.pushedNames === null && on.stats.scanned === off.stats.scanned && off.stats.pushedNames === null) per.fullOn++;
      if (off.stats.pushedNames === null) per.fullOff++;
      if (JSON.stringify(on.hits.map(key).sort()) !== JSON.stringify(off.hits.map(key).sort())) per.differ++;
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    console.log(`  each rule alone (${rules.length} runs × 2, ${((performance.now() - t0) / 1000).toFixed(0)} s): records scanned per rule — push-down: total ${sum(per.on)}, `
      + `median ${median(per.on)}, max ${Math.max(...per.on)}; names only: total ${sum(per.off)}, median ${median(per.off)} (full scans: ${per.fullOff} rules, `
      + `${per.fullOn} still unconstrained with push-down); ratio ${(sum(per.off) / Math.max(1, sum(per.on))).toFixed(1)}×; rules with different hits: ${per.differ}`);
    same &&= per.differ === 0;
    console.log(`  load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    if (!same) process.exitCode = 1;
  } finally {
    await splunkd.stop();
  }
}
