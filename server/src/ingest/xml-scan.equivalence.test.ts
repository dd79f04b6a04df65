/**
 * The specialised XML scanner must read every real capture exactly as a full XML parser does
 * (fast-xml-parser). Also read with tiny chunks, so chunk boundaries land inside tags, attribute
 * values, entities and CDATA.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataset, requireDatasets } from '../../test/datasets.js';
import { referenceParse } from '../../test/ingest/fxp-reference.js';
import { readEventsFromFile } from './read-file.js';
import type { ParsedEvent } from './record.js';

const run = requireDatasets('xml scanner equivalence');

function xmlCaptures(): string[] {
  const dirs = ['sbousseaden-EVTX-ATTACK-SAMPLES/xml', 'splunk-attack_data/xmlwineventlog', 'splunk-attack_data/capattack_T1003.001_procdump'];
  const out: string[] = [];
  for (const d of dirs) {
    for (const f of readdirSync(dataset(d), { recursive: true }) as string[]) {
      if (/\.(xml\.log|log|raw)$/.test(f)) out.push(join(dataset(d), f));
    }
  }
  return out.sort();
}

async function scanned(file: string, chunkBytes?: number): Promise<{ events: ParsedEvent[]; rejected: number }> {
  const events: ParsedEvent[] = [];
  let rejected = 0;
  for await (const it of readEventsFromFile(file, { chunkBytes })) {
    if (it.kind === 'event') events.push(it.event);
    else if (it.kind === 'rejected') rejected++;
  }
  return { events, rejected };
}

describe.runIf(run)('XML scanner equals fast-xml-parser on every real XML capture', () => {
  const files = run ? xmlCaptures() : [];

  it('finds the 22 + 4 + 1 captures', () => {
    expect(files).toHaveLength(27);
  });

  it.each(files.map((f) => [f.slice(f.indexOf('datasets/') + 9), f]))('%s', async (_name, file) => {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('<Event'));
    const reference = lines.map((l) => referenceParse(l.trimEnd()));
    const { events, rejected } = await scanned(file);
    expect(rejected).toBe(0);
    expect(events).toHaveLength(reference.length);
    expect(events).toEqual(reference);
    // Chunk boundaries anywhere (4099 bytes: never aligned with anything) change nothing.
    expect((await scanned(file, 4099)).events).toEqual(reference);
  });

  it('covers all 1,316 sbousseaden records', async () => {
    let n = 0;
    for (const f of files.filter((x) => x.includes('sbousseaden'))) n += (await scanned(f)).events.length;
    expect(n).toBe(1316);
  });
});
