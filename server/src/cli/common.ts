/** Pieces the commands (`tree`, `detect`, `sigma`) share: flag parsing, time flags and opening the store. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
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

/** A command's error printer: `lineage CMD: message`, plus the usage text for usage errors (exit code 2). */
export function failer(cmd: string, usage: string): (msg: string, code?: number) => number {
  return (msg, code = 2) => {
    process.stderr.write(`lineage ${cmd}: ${msg}\n${code === 2 ? usage : ''}`);
    return code;
  };
}

type Flags<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * Strict flags of one command (`-h/--help` included): the values, or the exit code once the usage error
 * (2) or the help text (0) has been printed.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string, fail: (msg: string) => number): Flags<O & { help: { type: 'boolean'; short: 'h' } }> | number {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } as const }, strict: true, allowPositionals: false }) as { values: Record<string, unknown> };
    if (values.help) { process.stderr.write(usage); return 0; }
    return values as unknown as Flags<O & { help: { type: 'boolean'; short: 'h' } }>;
  } catch (err) {
    return fail((err as Error).message);
  }
}
