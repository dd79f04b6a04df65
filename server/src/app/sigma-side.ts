/**
 * `serve --sigma PATH…`: load the Sigma rules that mark graph nodes (docs/sigma.md). Rules the engine
 * cannot evaluate are logged once each with the reason; a missing path or a non-embedded source is a
 * startup error, never a silently empty rule set.
 */
import { existsSync } from 'node:fs';
import { SigmaEngine } from '../sigma/engine.js';
import type { SigmaGraph } from '../sigma/graph.js';
import { loadRules, sigmaLibrary } from '../sigma/load.js';
import { storeEventReader } from '../sigma/store-scan.js';
import type { EmbeddedStore } from '../sources/embedded/index.js';
import type { Logger } from './logger.js';

/** The Sigma side of the graph routes, null when no rules are configured; throws on a bad setting. */
export function sigmaSide(paths: readonly string[], store: EmbeddedStore | undefined, log: Logger): SigmaGraph | null {
  if (!paths.length) return null;
  if (!store) throw new Error('--sigma needs the embedded store (--db FILE)');
  const missing = paths.find((p) => !existsSync(p));
  if (missing) throw new Error(`--sigma ${missing}: no such file or directory`);
  const set = loadRules([...paths]);
  for (const u of set.unevaluable) log.warn({ rule: u.source ?? u.id }, `sigma: cannot evaluate: ${u.reason}`);
  log.info({ rules: set.rules.length, unevaluable: set.unevaluable.length }, 'sigma rules loaded');
  // `library`: lineage rules' `sigma: <id>` steps resolve here (POST /api/rules/*).
  return { engine: new SigmaEngine(set.rules), events: storeEventReader(store), library: sigmaLibrary(set.rules, paths.join(', ')) };
}
