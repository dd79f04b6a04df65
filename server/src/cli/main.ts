/**
 * `lineage <command>`: each command lives in its own module exporting `run(argv): Promise<number>`.
 * JSON goes to stdout (with --json), logs to stderr.
 */
const COMMANDS: Record<string, string> = {
  ingest: './ingest.js',
  demo: './demo.js',
  tree: './tree.js',
  detect: './detect.js',
  serve: './serve.js',
  sigma: './sigma.js',
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const file = cmd ? COMMANDS[cmd] : undefined;
  if (!file) {
    process.stderr.write(`usage: lineage <${Object.keys(COMMANDS).join('|')}> [options]\n`);
    return cmd === undefined || cmd === '--help' ? 0 : 2;
  }
  const mod = (await import(file)) as { run: (argv: string[]) => Promise<number> };
  return mod.run(rest);
}
