/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.ts. Results print as JSON lines on stdout
 * plus a human summary on stderr, with the machine noted.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}> [options]`);
  process.exit(name ? 2 : 0);
}
console.error(`[bench] ${name} on ${os.cpus().length}x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
const mod = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as { run: (argv: string[]) => Promise<void> };
await mod.run(rest);
