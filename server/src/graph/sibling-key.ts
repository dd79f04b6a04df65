/**
 * The key under which siblings are aggregated: same image, same command line once the parts that
 * differ between otherwise identical runs are folded (digits, GUIDs, temp-file names).
 */

const GUID = /\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/g;
/** Anything under a Temp directory: the file name is random per run. */
const TEMP_PATH = /(\\(?:windows\\)?te?mp\\)[^\s"'\\,;]+/g;
/**
 * `~DF12.tmp`, `tmpA1B2.tmp`, `x.tmp`. Anchored to a token start and bounded: an unanchored `[…]*\.tmp`
 * retries from every position of a long token (a 4 KB `-enc` blob took 58 ms) — linear now.
 */
const TMP_FILE = /(?<![\w~$.-])[\w~$.-]{1,100}?\.tmp\b/g;
/** Long hex tokens (hashes, handles, addresses) and any remaining digit runs. */
const HEX = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/g;
const DIGITS = /\d+/g;

/**
 * The folding rules, in order, applied to the lowercased command line (then whitespace runs become one
 * space and the ends are trimmed). Stated once: the Splunk prevalence search spells the same rules as
 * SPL `replace()` calls (server/src/sources/splunk/prevalence.ts), so every pattern must stay valid PCRE
 * as well as JavaScript (no named groups, fixed-length lookbehind, `$1`-style references only).
 */
export const FOLD_RULES: ReadonlyArray<{ pattern: RegExp; replacement: string }> = [
  { pattern: GUID, replacement: '{guid}' },
  { pattern: TEMP_PATH, replacement: '$1*' },
  { pattern: TMP_FILE, replacement: '*.tmp' },
  { pattern: HEX, replacement: '#' },
  { pattern: DIGITS, replacement: '#' },
];

/** Lowercased command line with run-specific parts folded, e.g. `a.exe /id 42 {guid}` → `a.exe /id # {guid}`. */
export function normaliseCommandLine(commandLine: string): string {
  let s = commandLine.toLowerCase();
  for (const r of FOLD_RULES) s = s.replace(r.pattern, r.replacement);
  return s.replace(/\s+/g, ' ').trim();
}

/** The image part of the key: lowercase basename (cheap; siblings with different names never group). */
export function siblingName(p: { name: string; image: string }): string {
  return (p.name || p.image.split(/[\\/]/).pop() || '').toLowerCase();
}

/** Siblings with equal keys may be aggregated into one group node. */
export function siblingKey(p: { name: string; image: string; commandLine: string }): string {
  return `${siblingName(p)}|${normaliseCommandLine(p.commandLine)}`;
}
