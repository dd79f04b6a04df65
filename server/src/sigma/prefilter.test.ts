/**
 * The engine's prefilter (./engine.ts: clauses from ./rule.ts, items' clauses from ./modifiers.ts)
 * against plain evaluation, on events made to nearly match: every SigmaHQ process_creation rule's
 * own values, put into the fields it names (a `contains` value inside other text, an `endswith` one
 * after a path…), one selection of one rule per event, mixed with another rule's selection and with
 * values dropped — so most rules see events where some of their clauses hold and others do not, which
 * is where a clause that is not really necessary (an OR product, one clause per `all` value) would
 * skip a hit. The real captures are checked the same way by ./sweep.test.ts; there few rules get close.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGMAHQ, requireSigmaHQ } from '../../test/datasets.js';
import { mulberry32 } from '../demo/prng.js';
import { SigmaEngine } from './engine.js';
import { EventView, type SigmaEvent } from './event.js';
import { loadRules } from './load.js';

const run = requireSigmaHQ('Sigma prefilter against plain evaluation');

/** A text the value stands for under its modifiers (wildcards dropped), or null when it is not plain text. */
function textOf(key: string, v: unknown, rnd: () => number): [string, string] | null {
  const [field, ...mods] = key.split('|');
  if (!field || (typeof v !== 'string' && typeof v !== 'number')) return null;
  if (mods.some((m) => !['contains', 'startswith', 'endswith', 'all', 'windash', 'cased'].includes(m))) return null;
  let s = String(v).replace(/(?<!\\)[*?]/g, rnd() < 0.5 ? '' : 'x').replace(/\\([*?\\])/g, '$1');
  if (mods.includes('windash') && rnd() < 0.5) s = s.replace(/(^|\s)-/g, '$1/');
  if (mods.includes('contains')) s = `C:\\x ${s} y`;
  else if (mods.includes('endswith')) s = `C:\\Windows\\System32${s}`;
  else if (mods.includes('startswith')) s = `${s} tail`;
  // Case varies: the rules match case-insensitively unless `cased`.
  if (!mods.includes('cased') && rnd() < 0.3) s = s.toUpperCase();
  return [field, s];
}

/** Fields of one selection of a detection: for lists, one value (or, with `all`, each value in turn, joined). */
function fieldsOf(sel: unknown, rnd: () => number): Record<string, string> {
  const map = Array.isArray(sel) ? sel[Math.floor(rnd() * sel.length)] : sel;
  const out: Record<string, string> = {};
  if (!map || typeof map !== 'object' || Array.isArray(map)) return out;
  for (const [key, val] of Object.entries(map as Record<string, unknown>)) {
    const vals = Array.isArray(val) ? val : [val];
    const all = key.split('|').includes('all');
    // `all`: usually every value (one field holding them all), sometimes one short.
    const chosen = all ? vals.filter(() => rnd() < 0.9) : [vals[Math.floor(rnd() * vals.length)]];
    const texts = chosen.map((v) => textOf(key, v, rnd)).filter((x): x is [string, string] => x !== null);
    if (texts.length === 0) continue;
    out[texts[0]![0]] = texts.map((t) => t[1]).join(' ');
  }
  return out;
}

describe.runIf(run)('prefilter against plain evaluation, on events made from the rules\' own values', () => {
  it('every hit of plain evaluation, and no other, for every SigmaHQ process_creation rule', () => {
    const set = loadRules([join(SIGMAHQ, 'rules')]);
    const pc = set.rules.filter((r) => r.applies.sysmon && r.applies.eventIds?.length === 1 && r.applies.eventIds[0] === 1);
    const rnd = mulberry32(19);
    const events: SigmaEvent[] = [];
    for (let round = 0; round < 3; round++) {
      for (const r of pc) {
        const det = r.detection as Record<string, unknown>;
        const sels = Object.keys(det).filter((k) => k !== 'condition');
        const fields: Record<string, string> = { Image: 'C:\\Windows\\System32\\svchost.exe', CommandLine: 'svchost.exe -k netsvcs' };
        // Selections of this rule (each kept with probability ½), then one of another rule.
        for (const s of sels) if (rnd() < 0.5 || sels.length === 1) Object.assign(fields, fieldsOf(det[s], rnd));
        const other = pc[Math.floor(rnd() * pc.length)]!.detection as Record<string, unknown>;
        const os = Object.keys(other).filter((k) => k !== 'condition');
        if (rnd() < 0.5) Object.assign(fields, fieldsOf(other[os[Math.floor(rnd() * os.length)]!], rnd));
        events.push({ eventId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', computer: 'h', fields });
      }
    }
    const plain: string[] = [];
    events.forEach((e, i) => {
      const view = new EventView(e);
      for (const r of pc) { const s = r.evaluate(view); if (s) plain.push(`${i} ${r.id} ${s.join(',')}`); }
    });
    for (const memo of [true, false]) {
      const engine = new SigmaEngine(pc, { memo });
      const got: string[] = [];
      events.forEach((e, i) => { for (const h of engine.match(e)) got.push(`${i} ${h.rule.id} ${h.selections.join(',')}`); });
      expect(got.sort(), memo ? 'engine' : 'engine without its value memo').toEqual([...plain].sort());
    }
    // The events come near enough: a good share of the rules fire on them.
    const fired = new Set(plain.map((h) => h.split(' ')[1]));
    console.log(`prefilter test: ${events.length} events, ${plain.length} hits by ${fired.size} of ${pc.length} rules`);
    expect(fired.size).toBeGreaterThan(pc.length / 2);
  }, 120_000);
});
