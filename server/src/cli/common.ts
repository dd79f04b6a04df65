/** Pieces the read-only commands (`tree`, `detect`) share: time flags and opening the store. */
import { TimeSchema, rangeProblem } from '@lineage/shared';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';

/** `--from`/`--to` as validated ISO times; a string is the usage error to print. */
export function parseTimeFlags(values: { from?: string; to?: string }): { from?: string; to?: string } | string {
  const range: { from?: string; to?: string } = {};
  for (const k of ['from', 'to'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const t = TimeSchema.safeParse(v);
    if (!t.success) return `--${k}: ${t.error.issues[0]?.message ?? 'not a time'}`;
    range[k] = t.data;
  }
  if (range.from && range.to && rangeProblem(range.from, range.to)) {
    return `inverted time range: --from ${range.from} is after --to ${range.to}`;
  }
  return range;
}

/** Opens `db` read-only (so a running `serve` or `ingest` keeps its lock); null + message when it cannot. */
export async function openReadOnly(db: string): Promise<{ source: EmbeddedSource } | { error: string }> {
  try {
    return { source: new EmbeddedSource(await EmbeddedStore.open(db, { readOnly: true })) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
