/**
 * The real captures in ../shared/datasets beside the project (or LINEAGE_DATASETS), for this
 * workspace's own tests: absent → a visible skip, or a failure under CI=true.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = process.env.LINEAGE_DATASETS ?? resolve(ROOT, '..', 'shared', 'datasets');

/** Absolute path of a capture, relative to the datasets folder. */
export const dataset = (rel: string): string => join(DIR, rel);

/** The Splunk field lists (../shared/splunk beside the datasets). */
export const splunkShared = (rel: string): string => join(DIR, '..', 'splunk', rel);

/** true when the suite should run; throws under CI=true when the folder is missing. */
export function requireDatasets(suite: string): boolean {
  if (existsSync(DIR)) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${DIR} is absent while CI=true`);
  console.warn(`\n*** SKIPPING ${suite}: ${DIR} not found ***\n`);
  return false;
}
