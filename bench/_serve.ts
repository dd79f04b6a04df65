/** Entry for bench child processes: `node --import tsx bench/_serve.ts <lineage args>` (no build needed). */
import { main } from '../server/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
