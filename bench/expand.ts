/**
 * `npm run bench -- expand [--hosts 20] [--samples 7]`: what "Expand what matters" costs on the demo
 * fleet (embedded store, cached under .tmp/bench/), in process. For three origins — the phishing host's
 * explorer.exe, the 500-child parent, the lsass host's explorer.exe — medians over `samples` runs of:
 *   - the plain first graph (`up`, `down=1`), what the client asks without an expansion;
 *   - the plain whole subtree with the same budget (`down=all`, budget 150);
 *   - the expansion by suspicion (`expand=suspicion`, budget 150): tree + scoring facts + selection.
 * Prints JSON lines and a summary with the load average (the machine is shared: read ratios).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDemo } from '../server/src/demo/generate.js';
import { plantedManifest } from '../server/src/demo/planted.js';
import { investigate } from '../server/src/graph/investigate.js';
import { expandGraph } from '../server/src/services/expand.js';
import { EmbeddedSource, EmbeddedStore } from '../server/src/sources/embedded/index.js';
import { newContext } from '../server/src/sources/event-source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { hosts: { type: 'string', default: '20' }, samples: { type: 'string', default: '7' } } });
  const hosts = Number(values.hosts);
  const samples = Number(values.samples);
  const path = join(ROOT, '.tmp', 'bench', `expand-demo-${hosts}.duckdb`);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(`${path}.partial`, { force: true });
    const s = await EmbeddedStore.open(`${path}.partial`);
    await writeDemo(s, { hosts });
    await s.close();
    renameSync(`${path}.partial`, path);
  }
  const store = await EmbeddedStore.open(path);
  const source = new EmbeddedSource(store);
  const m = plantedManifest({ hosts });
  const parentOf = async (guid: string) => (await source.getProcesses([guid], { ctx: newContext() }))[0]!.parentGuid!;
  const origins = [
    { name: 'phishing explorer', guid: await parentOf(m.phishing.outlook), host: m.phishing.host },
    { name: '500-child parent', guid: m.bigParent.guid, host: m.bigParent.host },
    { name: 'lsass host explorer', guid: await parentOf(m.lsassAccess.powershell), host: m.lsassAccess.host },
  ];
  const modes = {
    'plain down=1': (o: typeof origins[number]) => investigate(source, { guid: o.guid, host: o.host, up: true, down: 1 }, newContext()),
    'plain down=all budget=150': (o: typeof origins[number]) => investigate(source, { guid: o.guid, host: o.host, up: true, down: Infinity, nodeBudget: 150 }, newContext()),
    'expand=suspicion budget=150': (o: typeof origins[number]) => expandGraph(source, { guid: o.guid, host: o.host, up: true, down: Infinity, expand: 'suspicion', nodeBudget: 150 }, newContext()),
  };
  const load = os.loadavg()[0]!.toFixed(1);
  for (const o of origins) {
    const line: Record<string, unknown> = { origin: o.name };
    for (const [name, f] of Object.entries(modes)) {
      await f(o); // warm
      const ms: number[] = [];
      let searches = 0;
      let nodes = 0;
      for (let i = 0; i < samples; i++) {
        const t = performance.now();
        const doc = await f(o);
        ms.push(performance.now() - t);
        searches = doc.stats.searches;
        nodes = doc.nodes.length;
      }
      line[name] = { medianMs: Math.round(median(ms)), searches, nodes };
    }
    console.log(JSON.stringify(line));
  }
  console.error(`[bench] expand: ${hosts} hosts, ${samples} samples each, load average ${load} (1 min) on ${os.cpus().length} cores`);
  await store.close();
}
