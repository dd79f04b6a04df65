/**
 * `lineage serve`: the web app and API on one port. Settings: app/config.ts (flags + LINEAGE_* env,
 * one schema); wiring: app/compose.ts; what the server promises: docs/security.md.
 */
import { readServeConfig, USAGE } from '../app/config.js';
import { compose } from '../app/compose.js';
import { createLogger } from '../app/logger.js';

/** `lineage serve` entry: resolves (0) after SIGINT/SIGTERM; 2 on usage errors; 1 when it cannot start. */
export async function run(argv: string[]): Promise<number> {
  const read = readServeConfig(argv);
  for (const w of read.warnings) process.stderr.write(`lineage serve: ${w}\n`);
  if (!read.ok) {
    if (read.help) { process.stderr.write(USAGE); return 0; }
    process.stderr.write(`lineage serve: ${read.message}\n${USAGE}`);
    return 2;
  }
  const config = read.config;
  if (!config.db && !config.splunk.url) { process.stderr.write(`lineage serve: give a source (--db FILE or --splunk URL)\n${USAGE}`); return 2; }
  const log = createLogger(config.logLevel);

  // A signal stops a start that is waiting (for a lock) as well as a running server.
  const stopping = new AbortController();
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((r) => { stopped = r; });
  const onSignal = () => { log.info('lineage serve: shutting down'); stopping.abort(); stopped(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const running = await compose(config, log, stopping.signal);
    if (!running) return 0;
    await done;
    await running.close();
    return 0;
  } catch (err) {
    log.error(`lineage serve: ${(err as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
