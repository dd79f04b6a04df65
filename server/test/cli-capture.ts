/**
 * Runs a CLI command (`run(argv)` of server/src/cli/<cmd>.ts) with what it writes to stdout and
 * stderr captured — restored afterwards whatever happens — for tests that assert on its output.
 */
import { vi } from 'vitest';

/** Exit code and everything written to stdout / stderr. */
export interface CliResult { code: number; out: string; err: string }

export async function runCli(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await run(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
