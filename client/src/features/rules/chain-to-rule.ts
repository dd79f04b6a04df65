/**
 * "Make a rule from this chain": a selected path of the graph (oldest first) → rule text for the Rules
 * page editor. Image basenames become a one-liner (`cmd.exe -> powershell.exe -> winword.exe`); names
 * the one-line form cannot carry (spaces, `|`) fall back to the YAML form with `Image|endswith`.
 */

/** Lowercase basename of a Windows or POSIX path. */
function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return (i >= 0 ? path.slice(i + 1) : path).trim().toLowerCase();
}

const ONE_LINE_NAME = /^[^\s|\\/:[\]]+$/;

/** Rule text matching exactly this chain of direct children (images oldest first, paths or names). */
export function chainToRule(images: string[]): string {
  const names = images.map(baseName).filter((n) => n !== '');
  if (names.length === 0) return '';
  if (names.every((n) => ONE_LINE_NAME.test(n))) return names.join(' -> ');
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const steps = names.map((n, i) => [
    `  - as: s${i}`,
    ...(i > 0 ? ['    via: 1'] : []),
    `    match: {Image|endswith: ${quote(`\\${n}`)}}`,
  ].join('\n'));
  return [`title: Chain ${names.join(' > ')}`, 'chain:', ...steps, ''].join('\n');
}

/** The Rules page URL with the editor pre-filled (`/rules?rule=…`). */
export function ruleEditorUrl(images: string[]): string {
  return `/rules?${new URLSearchParams({ rule: chainToRule(images) }).toString()}`;
}
