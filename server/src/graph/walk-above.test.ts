/**
 * `up` above the window (investigate.ts `walkAboveWindow`) on the embedded source: the walk's contract
 * is one ancestor walk through the source (`getAncestors`: one statement on the embedded store, any
 * depth) and one event count over the drawn chain (`countEvents`: one statement) — 2 statements,
 * whatever the number of generations above the window, cut after MAX_ANCESTOR_STEPS with
 * `truncated["ancestors:<origin>"]`.
 *
 * Fixture (one host per chain length G): root ← a1 ← … ← aG ← leaf, each process started 2 h after its
 * parent, so only the leaf lies in its default window (start − 1 h …); the root's parent is the zero GUID.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../sysmon/fields.js';
import type { ParsedEvent } from '../ingest/record.js';
import { EmbeddedSource, EmbeddedStore } from '../sources/embedded/index.js';
import { newContext, type EventSource } from '../sources/event-source.js';
import { investigate, MAX_ANCESTOR_STEPS } from './investigate.js';

const ZERO = '{00000000-0000-0000-0000-000000000000}';
const LENGTHS = [1, 4, 16, MAX_ANCESTOR_STEPS + 6] as const;
const LEAF_START = Date.parse('2026-05-01T12:00:00.000Z');
const STEP_MS = 2 * 3600_000;

const hostOf = (g: number) => `walk-${g}.corp.example`;
/** The GUID of generation `i` of chain `g` (0 = leaf, 1 = its parent, …). */
const guidOf = (g: number, i: number) => `{7a1c0000-${g.toString(16).padStart(4, '0')}-4000-8000-${i.toString(16).padStart(12, '0')}}`;

/** Creates of chain `g`: the leaf and G + 1 ancestors above it (the last one the root). */
function chainEvents(g: number): ParsedEvent[] {
  const out: ParsedEvent[] = [];
  for (let i = 0; i <= g + 1; i++) {
    const t = new Date(LEAF_START - i * STEP_MS).toISOString();
    const top = i === g + 1;
    out.push({
      system: { eventId: 1, computer: hostOf(g), recordId: 100_000 * g + i + 1, channel: 'Microsoft-Windows-Sysmon/Operational', provider: 'Microsoft-Windows-Sysmon', timeCreated: t },
      data: {
        UtcTime: t.replace('T', ' ').replace('Z', ''), ProcessGuid: guidOf(g, i), ProcessId: String(1000 + i), Image: `C:\\Tools\\gen${i}.exe`,
        CommandLine: `gen${i}.exe`, User: 'CORP\\walker', IntegrityLevel: 'Medium',
        ParentProcessGuid: top ? ZERO : guidOf(g, i + 1), ParentProcessId: String(1001 + i),
        ParentImage: top ? 'System' : `C:\\Tools\\gen${i + 1}.exe`, ParentCommandLine: top ? '' : `gen${i + 1}.exe`,
      },
    });
  }
  return out;
}

/** The source with every method call logged with the statements it ran (investigate runs them one after another here). */
function metered(source: EventSource, log: { method: string; statements: number }[], ctx: ReturnType<typeof newContext>): EventSource {
  return new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'locateOrigin') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        const before = ctx.stats.searches;
        const out = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        log.push({ method: String(prop), statements: ctx.stats.searches - before });
        return out;
      };
    },
  });
}

describe.each([
  ['recursive SQL', { lineageIndex: false }],
  ['lineage index', { lineageIndex: true }],
] as const)('walkAboveWindow on the embedded source (%s)', (_name, options) => {
  let store: EmbeddedStore;
  let source: EmbeddedSource;
  beforeAll(async () => {
    store = await EmbeddedStore.open(':memory:');
    for (const g of LENGTHS) {
      const events = chainEvents(g).map((p) => { const r = normalise(p); if (r.kind !== 'event') throw new Error(r.reason); return r.event; });
      await store.writeEvents(events);
    }
    source = new EmbeddedSource(store, options);
    if (options.lineageIndex) expect(await source.indexReady()).toBe(true);
  });
  afterAll(async () => { await source?.close(); });

  async function walk(g: number) {
    const ctx = newContext();
    const log: { method: string; statements: number }[] = [];
    const doc = await investigate(metered(source, log, ctx), { guid: guidOf(g, 0), host: hostOf(g), up: true, down: 0 }, ctx);
    return { doc, log, total: ctx.stats.searches };
  }

  it('when G generations lie above the window, then the walk draws them with one ancestor walk and one count: 2 statements for any G', async () => {
    const totals: number[] = [];
    for (const g of LENGTHS) {
      const { doc, log, total } = await walk(g);
      const at = log.findIndex((c) => c.method === 'getAncestors');
      expect(at, `G=${g}: the walk asks for ancestors`).toBeGreaterThanOrEqual(0);
      expect(log.filter((c) => c.method === 'getAncestors'), `G=${g}: one ancestor walk`).toHaveLength(1);
      // Issue 15: after the walk, one count of all the ancestors' children (their "N more" cursors) —
      // not part of the walk, and one statement for any G too.
      expect(log.at(-1), `G=${g}: one children count after the walk`).toEqual({ method: 'countChildren', statements: 1 });
      const walkCalls = log.slice(at, -1);
      expect(walkCalls.map((c) => c.method), `G=${g}`).toEqual(['getAncestors', 'countEvents']);
      const statements = walkCalls.reduce((s, c) => s + c.statements, 0);
      if (options.lineageIndex) expect(statements, `G=${g}`).toBeLessThanOrEqual(2);
      else expect(statements, `G=${g}`).toBe(2);
      totals.push(total);
      // Drawn: every ancestor up to the root, or MAX_ANCESTOR_STEPS of them and the cut said.
      const real = new Set(doc.nodes.filter((n) => !n.placeholder).map((n) => n.guid));
      const drawn = Math.min(g + 1, MAX_ANCESTOR_STEPS);
      for (let i = 0; i <= drawn; i++) expect(real.has(guidOf(g, i)), `G=${g}: generation ${i} drawn`).toBe(true);
      for (let i = 1; i <= drawn; i++) {
        expect(doc.edges.some((e) => e.kind === 'spawn' && e.source === guidOf(g, i) && e.target === guidOf(g, i - 1)), `G=${g}: spawn ${i}→${i - 1}`).toBe(true);
      }
      const cutKey = `ancestors:${guidOf(g, 0)}`;
      if (g + 1 > MAX_ANCESTOR_STEPS) {
        expect(real.has(guidOf(g, drawn + 1)), `G=${g}: cut after ${MAX_ANCESTOR_STEPS}`).toBe(false);
        expect(doc.truncated[cutKey], `G=${g}: the cut is said`).toBeDefined();
      } else {
        expect(doc.truncated[cutKey], `G=${g}: not cut`).toBeUndefined();
      }
    }
    // The whole graph's statements do not grow with the generations either.
    expect(new Set(totals).size, `totals ${totals.join(', ')}`).toBe(1);
  });
});
