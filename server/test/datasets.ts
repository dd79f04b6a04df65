/**
 * Locating the shared real-capture datasets (../shared/datasets beside the project root).
 * Tests on them skip with a visible message when absent, and fail when absent under CI=true.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATASETS = process.env.LINEAGE_DATASETS ?? resolve(PROJECT_ROOT, '..', 'shared', 'datasets');

export const datasetsPresent = existsSync(DATASETS);

/** Absolute path of a dataset file; relative to ../shared/datasets. */
export function dataset(rel: string): string {
  return join(DATASETS, rel);
}

/**
 * Call at the top of a describe block using datasets: returns true when the tests should run.
 * Absent + CI=true → throws (the suite fails). Absent otherwise → prints a visible skip message.
 */
export function requireDatasets(suite: string): boolean {
  if (datasetsPresent) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${suite}: datasets folder ${DATASETS} is absent while CI=true`);
  }
  console.warn(`\n*** SKIPPING ${suite}: datasets folder ${DATASETS} not found (clone elsewhere) ***\n`);
  return false;
}

/** SigmaHQ rules and regression captures (../shared/sigmahq beside the project root). */
export const SIGMAHQ = process.env.LINEAGE_SIGMAHQ ?? resolve(PROJECT_ROOT, '..', 'shared', 'sigmahq');

/** As `requireDatasets`, for the SigmaHQ folder. */
export function requireSigmaHQ(suite: string): boolean {
  if (existsSync(SIGMAHQ)) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: SigmaHQ folder ${SIGMAHQ} is absent while CI=true`);
  console.warn(`\n*** SKIPPING ${suite}: SigmaHQ folder ${SIGMAHQ} not found ***\n`);
  return false;
}
