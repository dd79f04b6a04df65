#!/usr/bin/env node
/* global Buffer */
/**
 * `npm run build:splunk-app [-- --app DIR] [--out DIR]`: packs splunk-app/lineage/ into dist/splunk-app/lineage-<version>.spl (a
 * gzipped POSIX ustar archive, which is what Splunk's "Install app from file" takes; `.tar.gz` is the
 * same bytes). Node built-ins only. Reproducible: entries sorted, fixed mtime/owner, files 0644 and
 * directories 0755 (AppInspect refuses executable bits the app does not need). Refuses to pack a
 * `local/` directory, `local.meta`, hidden files or anything that is not a regular file or directory.
 * docs/splunk-app.md describes the package.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Fixed mtime for every entry (2024-01-01T00:00:00Z), so equal sources give equal archives. */
const MTIME = 1_704_067_200;

/** `[launcher] version` (or `[id] version`) of default/app.conf, read with a minimal line scan. */
export function appVersion(appDir) {
  const text = readFileSync(join(appDir, 'default', 'app.conf'), 'utf8');
  let stanza = '';
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    const h = /^\[([^\]]*)\]$/.exec(t);
    if (h) { stanza = h[1]; continue; }
    const kv = /^version\s*=\s*(\S+)\s*$/.exec(t);
    if (kv && (stanza === 'launcher' || stanza === 'id')) return kv[1];
  }
  throw new Error(`${appDir}/default/app.conf has no [launcher] version`);
}

/** Every path under `dir` (relative, '/'-separated, directories first then their contents), sorted. */
export function listTree(dir) {
  const out = [];
  const walk = (abs) => {
    for (const name of readdirSync(abs).sort()) {
      const p = join(abs, name);
      const rel = relative(dir, p).split(sep).join('/');
      if (name.startsWith('.')) throw new Error(`refusing to pack hidden file ${rel}`);
      if (name === 'local' || name === 'local.meta') throw new Error(`refusing to pack ${rel}: local settings belong to the installing admin`);
      const st = lstatSync(p);
      if (st.isDirectory()) { out.push({ rel: `${rel}/`, dir: true }); walk(p); }
      else if (st.isFile()) out.push({ rel, dir: false, data: readFileSync(p) });
      else throw new Error(`refusing to pack ${rel}: not a regular file or directory`);
    }
  };
  walk(dir);
  return out;
}

function octal(n, width) {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte ustar header. */
function header(name, size, dir) {
  const h = Buffer.alloc(512, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2 > 155 ? 155 : name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for ustar: ${name}`);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(dir ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(MTIME, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('splunk', 265, 'ascii');
  h.write('splunk', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** A gzipped ustar archive of `appDir`, every entry under `<name>/`. */
export function packApp(appDir, name) {
  const parts = [header(`${name}/`, 0, true)];
  for (const e of listTree(appDir)) {
    const path = `${name}/${e.rel}`;
    if (e.dir) { parts.push(header(path, 0, true)); continue; }
    parts.push(header(path, e.data.length, false), e.data);
    const pad = (512 - (e.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

/** Build the package; returns its path. */
export function build({ appDir = join(ROOT, 'splunk-app', 'lineage'), outDir = join(ROOT, 'dist', 'splunk-app') } = {}) {
  const version = appVersion(appDir);
  const out = join(outDir, `lineage-${version}.spl`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, packApp(appDir, 'lineage'));
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { values } = parseArgs({ options: { app: { type: 'string' }, out: { type: 'string' } } });
    const out = build({ ...(values.app ? { appDir: values.app } : {}), ...(values.out ? { outDir: values.out } : {}) });
    console.log(`built ${relative(process.cwd(), out)}`);
  } catch (e) {
    console.error(`build-splunk-app: ${e.message}`);
    process.exit(1);
  }
}
