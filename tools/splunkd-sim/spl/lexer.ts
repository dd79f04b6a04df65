/**
 * Splitting an SPL string into pipeline commands, and tokenising search-command arguments
 * (splunk-protocol.md §4.1). Quoting: `"…"` with `\"` and `\\` escapes; other backslash pairs
 * are kept as written, like Splunk does for `C:\Windows`-style text.
 */
import { NOTABLE_MACRO, REVIEW_STAGE } from '../es.js';
import { SplError } from './errors.js';

/** One pipeline stage: command name (lowercase) and its raw argument text. */
export interface RawCommand { name: string; args: string }

/** Macros the emulator knows; any other backtick macro is a 400 as in Splunk when undefined. */
const MACROS: Record<string, string> = {
  // ES's `notable` macro: index=notable plus event_id and the incident-review fields (es.ts).
  notable: NOTABLE_MACRO,
  sysmon: '(source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" OR sourcetype="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational")',
};

/** Expand backtick macros (outside quotes); unknown macros and subsearches are Splunk-style 400s. */
function expandAndSplit(spl: string): string[] {
  // The macro's internal stage is not a command a client may name.
  if (spl.includes(REVIEW_STAGE)) throw new SplError(`Unknown search command '${REVIEW_STAGE}'.`);
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < spl.length; i++) {
    const c = spl[i]!;
    if (inQuote) {
      cur += c;
      if (c === '\\' && i + 1 < spl.length) { cur += spl[++i]; continue; }
      if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') { inQuote = true; cur += c; continue; }
    if (c === '`') {
      const end = spl.indexOf('`', i + 1);
      if (end < 0) throw new SplError("Error in 'SearchParser': Missing a closing backtick (`) for a macro.");
      const name = spl.slice(i + 1, end).trim();
      const body = MACROS[name];
      if (body === undefined) {
        throw new SplError(`Error in 'SearchParser': The search specifies a macro '${name}' that cannot be found. Reasons include: the macro name is misspelled, you do not have "read" permission for the macro, or the macro has not been shared with this application.`);
      }
      // A macro body may be a pipeline of its own.
      const [head, ...more] = body.split(' | ');
      cur += ` ${head} `;
      for (const m of more) { parts.push(cur); cur = ` ${m} `; }
      i = end;
      continue;
    }
    if (c === '[') {
      // §8.31: the emulator rejects subsearches by design, so pivot sets must be explicit IN lists.
      throw new SplError("Error in 'SearchParser': Subsearches are not supported by the Lineage splunkd test server.");
    }
    if (c === '|') { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (inQuote) throw new SplError("Error in 'SearchParser': Unbalanced quotes.");
  parts.push(cur);
  return parts;
}

/**
 * Split a REST `search` string into commands. Over REST the implied leading `search` is NOT added
 * (§4.1): the string must start with `search` or `|`, otherwise its first word is taken as a command.
 */
export function splitPipeline(spl: string): RawCommand[] {
  const trimmed = spl.trim();
  if (trimmed === '') throw new SplError('Empty search.');
  const segments = expandAndSplit(trimmed);
  const startsWithPipe = trimmed.startsWith('|');
  if (startsWithPipe) segments.shift();
  const out: RawCommand[] = [];
  segments.forEach((seg, idx) => {
    const s = seg.trim();
    if (s === '') throw new SplError("Error in 'SearchParser': Missing a search command before '|'.");
    const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(s);
    const word = m?.[1] ?? '';
    const after = s.slice(word.length);
    if (!m || /^\s*(=|!=|<|>)/.test(after)) {
      const op = /^\s*(!=|<=|>=|=|<|>)/.exec(after)?.[1] ?? s[0] ?? '';
      throw new SplError(`Error in 'SearchParser': Missing a search command before '${op}'. Error at position '${word.length}' of search query '${spl.length > 200 ? spl.slice(0, 200) + '...' : spl}'.`);
    }
    if (idx === 0 && !startsWithPipe && word.toLowerCase() !== 'search') {
      throw new SplError(`Unknown search command '${word.toLowerCase()}'.`);
    }
    out.push({ name: word.toLowerCase(), args: after });
  });
  return out;
}

/** A token of search-command arguments. */
export type Token =
  | { t: 'word'; v: string; raw: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: '=' | '!=' | '<' | '>' | '<=' | '>=' | '(' | ')' | ',' };

/** Undo `\\` and `\"`; any other backslash pair stays as written. */
function unescape(s: string): string {
  return s.replace(/\\([\\"])/g, '$1');
}

/** Tokenise search-style arguments (`field=value`, quoted strings, parentheses, commas). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      let body = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) { body += text[j]! + text[j + 1]!; j += 2; continue; }
        body += text[j]!;
        j++;
      }
      if (j >= text.length) throw new SplError("Error in 'SearchParser': Unbalanced quotes.");
      out.push({ t: 'str', v: unescape(body) });
      i = j + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') { out.push({ t: 'op', v: two }); i += 2; continue; }
    if (c === '=' || c === '<' || c === '>' || c === '(' || c === ')' || c === ',') { out.push({ t: 'op', v: c }); i++; continue; }
    let j = i;
    let raw = '';
    while (j < text.length) {
      const d = text[j]!;
      if (/\s/.test(d) || d === '"' || d === '=' || d === '<' || d === '>' || d === '(' || d === ')' || d === ',') break;
      if (d === '!' && text[j + 1] === '=') break;
      if (d === '\\' && j + 1 < text.length) { raw += d + text[j + 1]!; j += 2; continue; }
      raw += d;
      j++;
    }
    out.push({ t: 'word', v: unescape(raw), raw });
    i = j;
  }
  return out;
}
