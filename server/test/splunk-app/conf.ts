/**
 * A `.conf` reader written for the tests from Splunk's documented syntax ("About configuration files",
 * "Configuration file structure"), independent of any product code:
 *  - `[stanza]` headers; settings before the first header belong to the `default` stanza;
 *  - `key = value`, whitespace around the `=` and at both ends of the line ignored;
 *  - a line whose first non-blank character is `#` is a comment (a `#` later in a value is kept);
 *  - a line ending in `\` continues on the next line (the backslash and line break are dropped, and
 *    the next line is joined with a newline, as Splunk keeps multi-line values);
 *  - a repeated key in one stanza: the last one wins; a repeated stanza merges.
 * Anything else (a line that is neither blank, comment, header nor key = value) is an error here, so a
 * malformed file fails the test instead of being read half-way.
 */
export type Conf = Map<string, Map<string, string>>;

export function parseConf(text: string, file = 'conf'): Conf {
  const conf: Conf = new Map([['default', new Map()]]);
  let stanza = conf.get('default')!;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const start = i;
    while (/\\$/.test(line) && i + 1 < lines.length) {
      line = `${line.slice(0, -1)}\n${lines[++i]!}`;
    }
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(t);
    if (header) {
      const name = header[1]!.trim();
      if (!conf.has(name)) conf.set(name, new Map());
      stanza = conf.get(name)!;
      continue;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`${file}:${start + 1}: not a stanza header, comment or key = value: ${t}`);
    stanza.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return conf;
}
