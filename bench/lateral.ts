/**
 * `npm run bench -- lateral [--hosts 20] [--runs 7]`
 *
 * Embedded cross-host features on the demo fleet (planted PsExec / WMI / inventory compare): the cost of
 * one "expand across" from a drawn node (the window's facts, 3 statements, then the pure linker), the same
 * without the node's times (+ origin lookup), a compare of the two inventory trees, and — as the yardstick
 * an analyst already waits for — the graph of the same PsExec process. Medians (ms) and ratios, with the
 * load average (the machine is shared).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { writeDemo } from '../server/src/demo/generate.js';
import { plantedManifest } from '../server/src/demo/planted.js';
import { investigate } from '../server/src/graph/investigate.js';
import { compareTrees } from '../server/src/services/compare.js';
import { expandAcross } from '../server/src/services/lateral.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { hosts: { type: 'string', default: '20' }, runs: { type: 'string', default: '7' } } });
  const hosts = Number(values.hosts);
  const m = plantedManifest({ hosts });
  const px = m.psexec!;
  const c = m.compare!;
  const store = await EmbeddedStore.open(':memory:');
  const demo = await writeDemo(store, { hosts });
  const source = new EmbeddedSource(store);
  const end = new Date(Date.parse(px.time) + 9_000).toISOString();
  const t = { drawn: [] as number[], lookup: [] as number[], compare: [] as number[], graph: [] as number[] };
  let links = 0;
  for (let r = 0; r < Number(values.runs); r++) {
    t.drawn.push(await timed(async () => { links = (await expandAcross(source, { guid: px.psexec, host: px.source.host, start: px.time, end }, newContext())).links.length; }));
    t.lookup.push(await timed(() => expandAcross(source, { guid: px.psexec, host: null }, newContext())));
    t.compare.push(await timed(() => compareTrees(source, { a: c.rootA, aHost: c.hostA, b: c.rootB, bHost: c.hostB }, newContext())));
    t.graph.push(await timed(() => investigate(source, { guid: px.psexec, host: px.source.host, up: true, down: Infinity }, newContext())));
  }
  const ms = (xs: number[]) => Math.round(median(xs) * 10) / 10;
  const out = {
    bench: 'lateral', hosts, events: demo.events, runs: Number(values.runs), load: os.loadavg().map((x) => Math.round(x * 10) / 10), links,
    expandAcrossDrawnMs: ms(t.drawn), expandAcrossWithLookupMs: ms(t.lookup), compareMs: ms(t.compare), graphMs: ms(t.graph),
    expandVsGraph: Math.round((median(t.drawn) / median(t.graph)) * 100) / 100,
  };
  console.log(JSON.stringify(out, null, 2));
  await source.close();
}
