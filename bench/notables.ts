/**
 * `npm run bench -- notables [--hosts 20] [--ranges 6] [--runs 3]`
 *
 * Embedded `/api/notables` with the rule pack's hits (server/src/services/rule-notables.ts): the cost of
 * answering a request for a range not asked before, and of the first request after an upload of one
 * host. Compared, on the same demo store:
 *   - whole: a whole pack run per new range (what the cache did when it was keyed by range) — runRules
 *     over that range;
 *   - cached: RuleNotables.list for that range (one all-time run, then filtering);
 *   - after an upload of one host's events: RuleNotables re-running that host only vs a whole run.
 * Reports medians (ms) and the ratio, with the load average.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { writeDemo } from '../server/src/demo/generate.js';
import { hostName } from '../server/src/demo/planted.js';
import { loadPack } from '../server/src/rules/pack.js';
import { runRules } from '../server/src/rules/run/run.js';
import { RuleNotables } from '../server/src/services/rule-notables.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { hosts: { type: 'string', default: '20' }, ranges: { type: 'string', default: '6' }, runs: { type: 'string', default: '3' } } });
  const hosts = Number(values.hosts);
  const store = await EmbeddedStore.open(':memory:');
  await writeDemo(store, { hosts });
  const source = new EmbeddedSource(store);
  const pack = loadPack();
  const day0 = Date.parse('2026-03-02T00:00:00Z');
  const ranges = Array.from({ length: Number(values.ranges) }, (_, i) => ({
    from: new Date(day0 + i * 3_600_000).toISOString(), to: new Date(day0 + (i + 6) * 3_600_000).toISOString(),
  }));
  const whole: number[] = [];
  const cached: number[] = [];
  const afterUploadHost: number[] = [];
  const afterUploadWhole: number[] = [];
  for (let r = 0; r < Number(values.runs); r++) {
    for (const range of ranges) whole.push(await timed(() => runRules(source, pack, { ctx: newContext(), range })));
    const notables = new RuleNotables(() => pack);
    await notables.list(source, { ctx: newContext(), range: null, limit: 200 }); // the one all-time run
    for (const range of ranges) cached.push(await timed(() => notables.list(source, { ctx: newContext(), range, limit: 200 })));
    // An upload that wrote one host: re-run that host only, against a whole run.
    notables.invalidate([hostName(0)]);
    afterUploadHost.push(await timed(() => notables.list(source, { ctx: newContext(), range: null, limit: 200 })));
    notables.invalidate();
    afterUploadWhole.push(await timed(() => notables.list(source, { ctx: newContext(), range: null, limit: 200 })));
  }
  const out = {
    bench: 'notables', hosts, ranges: ranges.length, runs: Number(values.runs), load: os.loadavg().map((x) => Math.round(x * 10) / 10),
    newRangeWholeRunMs: Math.round(median(whole)), newRangeCachedMs: Math.round(median(cached) * 10) / 10,
    afterUploadOneHostMs: Math.round(median(afterUploadHost)), afterUploadWholeMs: Math.round(median(afterUploadWhole)),
  };
  console.log(JSON.stringify(out));
  console.error(`[notables] new range: whole run ${out.newRangeWholeRunMs} ms vs cached ${out.newRangeCachedMs} ms; after a one-host upload: ${out.afterUploadOneHostMs} ms vs whole ${out.afterUploadWholeMs} ms (medians, load ${out.load.join(' ')})`);
  await source.close();
}
