/**
 * PowerShell `-EncodedCommand` decoding for the side panel: the argument is base64 of UTF-16LE text.
 * PowerShell accepts any unambiguous prefix of the parameter name (`-e`, `-ec`, `-enc`, `-encodedc`, …)
 * with `-` or `/`, so all of those are recognised. Returns null when there is nothing (valid) to decode.
 */
const NAME = 'encodedcommand';

function isEncodedParam(word: string): boolean {
  const w = word.toLowerCase();
  return w === 'ec' || (w.length >= 1 && NAME.startsWith(w) && w[0] === 'e');
}

export interface DecodedCommand { param: string; encoded: string; decoded: string }

export function decodeEncodedCommand(commandLine: string): DecodedCommand | null {
  const re = /(?:^|\s)[-/]([a-z]+)(?::|\s+)["']?([A-Za-z0-9+/]+={0,2})["']?(?=\s|$)/gi;
  for (let m = re.exec(commandLine); m; m = re.exec(commandLine)) {
    if (!isEncodedParam(m[1]!)) continue;
    const decoded = fromUtf16Base64(m[2]!);
    if (decoded != null) return { param: `-${m[1]}`, encoded: m[2]!, decoded };
  }
  return null;
}

function fromUtf16Base64(b64: string): string | null {
  if (b64.length < 4 || b64.length % 4 === 1) return null;
  let bin: string;
  try { bin = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')); } catch { return null; }
  if (bin.length < 2 || bin.length % 2 !== 0) return null;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false }).decode(bytes);
  // Not text after all (random base64 that happens to fit): control characters other than whitespace.
  return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? null : text;
}
