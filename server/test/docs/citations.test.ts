/**
 * Every documentation reference in code comments resolves inside the repository (docs/architecture.md
 * "Docs citations"): `docs/NAME.md` names a file in docs/; `NAME.md §A.B` a numbered heading (or item B
 * of section A's numbered list); `NAME.md "Title"` a heading (or a `- **Title.**` paragraph label) holding
 * that title. A bare `§x` refers to the last document the same file cited (in tools/splunkd-sim:
 * docs/splunk-protocol.md, its spec); `issue N §x` cites an issue, not a document, and is skipped.
 * Oracle: the Markdown files themselves, read here with their own small heading parser.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
const SCANNED = ['server/src', 'server/test', 'shared/src', 'client/src', 'tools/splunkd-sim', 'bench', 'e2e', 'scripts'];
const CODE = /\.(ts|tsx|mjs|js)$/;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    if (n === 'node_modules' || n === 'dist') return [];
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : CODE.test(n) ? [p] : [];
  });
}

interface Doc { headings: string[]; sections: Set<string> }
const docs = new Map<string, Doc | null>();
function doc(name: string): Doc | null {
  if (!docs.has(name)) {
    const p = join(DOCS, name);
    if (!existsSync(p)) { docs.set(name, null); return null; }
    const headings: string[] = [];
    const sections = new Set<string>();
    let top: string | null = null;
    let inFence = false;
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (line.startsWith('```')) inFence = !inFence;
      if (inFence) continue;
      const h = /^(#+)\s+(.*)$/.exec(line);
      if (h) {
        headings.push(h[2]!.trim());
        const num = /^(\d+(?:\.\d+)*)\.?(\s|$)/.exec(h[2]!);
        if (num) { sections.add(num[1]!); if (h[1]!.length === 2) top = num[1]!; } else if (h[1]!.length <= 2) top = null;
        continue;
      }
      const bold = /^\s*[-*]\s+\*\*([^*]+)\*\*/.exec(line); // a labelled paragraph: - **Title.** …
      if (bold) headings.push(bold[1]!.trim());
      const item = /^(\d+)\.\s/.exec(line);
      if (item && top) sections.add(`${top}.${item[1]}`);
    }
    docs.set(name, { headings, sections });
  }
  return docs.get(name)!;
}

const CITE = /(docs\/)?([A-Za-z0-9_-]+\.md)(?: (§\s?[\d.]+(?:[–-][\d.]+)?)| "([^"\n]{2,80})")?|(§\s?[\d.]*\d(?:[–-][\d.]*\d)?)/g;

function problems(file: string): string[] {
  const rel = relative(ROOT, file);
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  let last: string | null = rel.startsWith('tools/splunkd-sim/') ? 'splunk-protocol.md' : null;
  const checkSection = (name: string, sec: string) => {
    const d = doc(name)!;
    const [a, b] = sec.replace(/^§\s?/, '').split(/[–-]/) as [string, string | undefined];
    const from = a.replace(/\.$/, '');
    const ends = [from];
    if (b) ends.push(b.includes('.') ? b : `${from.split('.').slice(0, -1).concat(b).join('.')}`);
    for (const s of ends) if (!d.sections.has(s)) out.push(`${rel}: ${name} §${s} is not a numbered heading or item`);
  };
  for (const m of text.matchAll(CITE)) {
    const [, inDocs, name, sec, title, bare] = m;
    if (name) {
      // Only documents cited as docs/… or known to docs/ are checked; other .md names (README.md, a
      // dataset's file) are not documentation citations.
      const known = doc(name) !== null;
      if (inDocs && !known) { out.push(`${rel}: docs/${name} does not exist`); continue; }
      if (!known) continue;
      last = name;
      if (sec) checkSection(name, sec);
      if (title && !doc(name)!.headings.some((h) => h.toLowerCase().includes(title.toLowerCase()))) out.push(`${rel}: ${name} has no heading "${title}"`);
    } else if (bare && !/issue \d+ $/i.test(text.slice(Math.max(0, m.index - 12), m.index))) {
      if (!last) { out.push(`${rel}: ${bare} names no document`); continue; }
      checkSection(last, bare);
    }
  }
  return out;
}

describe('documentation citations in code', () => {
  it('all resolve to a file, a numbered section or a heading in docs/', () => {
    const all = SCANNED.flatMap((d) => files(join(ROOT, d))).filter((f) => !f.endsWith('citations.test.ts'));
    expect(all.length).toBeGreaterThan(100);
    expect(all.flatMap(problems)).toEqual([]);
  });

  it('the checker reads the Splunk protocol checklist items and headings it checks against', () => {
    const d = doc('splunk-protocol.md')!;
    for (const s of ['4.3', '8', '8.1', '8.33', '9', '9.14']) expect(d.sections.has(s), s).toBe(true);
    expect(d.sections.has('8.34')).toBe(false);
  });
});
