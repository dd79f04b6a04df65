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

/** Lowercased command line with run-specific parts folded, e.g. `a.exe /id 42 {guid}` → `a.exe /id # {guid}`. */
export function normaliseCommandLine(commandLine: string): string {
  return commandLine
    .toLowerCase()
    .replace(GUID, '{guid}')
    .replace(TEMP_PATH, '$1*')
    .replace(TMP_FILE, '*.tmp')
    .replace(HEX, '#')
    .replace(DIGITS, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The image part of the key: lowercase basename (cheap; siblings with different names never group). */
export function siblingName(p: { name: string; image: string }): string {
  return (p.name || p.image.split(/[\\/]/).pop() || '').toLowerCase();
}

/** Siblings with equal keys may be aggregated into one group node. */
export function siblingKey(p: { name: string; image: string; commandLine: string }): string {
  return `${siblingName(p)}|${normaliseCommandLine(p.commandLine)}`;
}
