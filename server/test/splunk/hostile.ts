/**
 * A corpus of hostile user values for SPL-injection tests (≥ 200): quotes, backslashes, pipes,
 * brackets, backticks, newlines, `| delete`, `[ subsearch ]`, `*`, unicode, very long values — alone
 * and combined — plus an independent SPL lexer to find where each value landed.
 */
const ATOMS = [
  '"', '\\', '\\"', '"\\', '|', '||', '[', ']', '(', ')', '`', '``', '\n', '\r\n', '\r', '\t', '\0', '*', '=', '!=',
  ',', ';', "'", '$', '$field$', '#', '<', '>', '&', '%', '\u2028', '\u00e9', '\u4e2d\u6587', '\ud83d\ude00', '\u202e',
  '\ufeff', ' ', '  ', 'OR', 'NOT', 'AND', 'IN', '\\\\', '"""',
];
const PAYLOADS = [
  '| delete', ' | delete', '" | delete', '"| delete "', 'x" OR 1=1 OR "', '") OR ("', '\\" | delete \\"',
  '[ search index=_internal ]', '[search index=* | head 1]', '"[ | rest /services/auth/users ]"',
  '`notable`', '`sysmon` | delete', 'x" | outputlookup evil.csv | "', '| script python evil', '| sendemail to=a@b',
  '| collect index=main', 'index=_audit', 'earliest=0', 'latest=now', '| eval x=1', '| where 1=1',
  'host=* OR host=*', '" host=* "', 'C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\', '\\\\server\\share\\x',
  'cmd.exe /c "whoami"', "powershell -enc 'abc'", 'a"b"c', 'a\\"b', 'end\\', '\\', 'x\\\\"y', '"', '""',
  '%22%7C%20delete', '&#34;|delete', '\u201c| delete\u201d', '\uff02| delete\uff02', '\u0000| delete',
  'x\n| delete', 'x\r\n| delete', 'x\u2028| delete', 'evil`macro`', '$earliest$', '*', '**', 'a*b', '*| delete',
];

/** Deterministic corpus: payloads, atoms, atoms wrapped in text, pairs, very long values. */
export function hostileCorpus(): string[] {
  const out = new Set<string>(PAYLOADS);
  for (const a of ATOMS) { out.add(a); out.add(`cmd${a}.exe`); out.add(`${a}x${a}`); }
  for (let i = 0; i < ATOMS.length; i++) {
    for (let j = 0; j < ATOMS.length; j += 7) out.add(`${ATOMS[i]}${ATOMS[j]}| delete`);
  }
  out.add('a'.repeat(4096));
  out.add('a'.repeat(4097));
  out.add('"'.repeat(2000));
  out.add('\\'.repeat(3000));
  out.add('| delete '.repeat(500));
  out.add('\u00e9'.repeat(5000));
  out.add(`${'x'.repeat(4000)}" | delete`);
  return [...out];
}

/** One SPL token: a quoted string (unescaped content) or a bare run. */
export type SplToken = { quoted: true; value: string; raw: string } | { quoted: false; value: string; raw: string };

/**
 * Lex SPL the way splunkd's search parser separates terms: double-quoted strings with `\\` and `\"`
 * escapes are single tokens; everything else splits on whitespace and the characters | ( ) [ ] , .
 * Throws on an unterminated quote (which would itself be an injection).
 */
export function lexSpl(spl: string): SplToken[] {
  const toks: SplToken[] = [];
  let i = 0;
  while (i < spl.length) {
    const c = spl[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= spl.length) throw new Error(`unterminated quote at ${i}`);
        const d = spl[j]!;
        if (d === '\\' && (spl[j + 1] === '\\' || spl[j + 1] === '"')) { v += spl[j + 1]; j += 2; continue; }
        if (d === '"') break;
        v += d;
        j++;
      }
      toks.push({ quoted: true, value: v, raw: spl.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if ('|()[],='.includes(c)) { toks.push({ quoted: false, value: c, raw: c }); i++; continue; }
    let j = i;
    while (j < spl.length && !/\s/.test(spl[j]!) && !'|()[],="'.includes(spl[j]!)) j++;
    toks.push({ quoted: false, value: spl.slice(i, j), raw: spl.slice(i, j) });
    i = j;
  }
  return toks;
}

/**
 * The SPL's structure with each quoted token whose content satisfies `isUser` replaced by `<V>`:
 * equal skeletons for a benign and a hostile value prove the hostile one changed nothing but a value.
 */
export function skeleton(spl: string, isUser: (content: string) => boolean): string {
  return lexSpl(spl).map((t) => (t.quoted ? (isUser(t.value) ? '"<V>"' : t.raw) : t.raw)).join(' ');
}
