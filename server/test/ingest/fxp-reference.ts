/**
 * The reference reading of Windows event XML for the scanner-equivalence tests: fast-xml-parser (a
 * full, general XML parser) turned into the same ParsedEvent shape. Deliberately naive and separate
 * from the scanner so the two can disagree.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ParsedEvent } from '../../src/ingest/record.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true, // also decodes numeric character references (&#13; &#x41;)
  alwaysCreateTextNode: true,
  isArray: (name) => name === 'Data',
});

type Node = Record<string, unknown> & { '#text'?: string };

const text = (n: unknown): string | null => (n && typeof n === 'object' ? ((n as Node)['#text'] ?? '') : null);
const int = (s: string | null): number | null => (s !== null && /^\s*\d+\s*$/.test(s) ? Number(s) : null);

/** One `<Event>` XML document → ParsedEvent, via fast-xml-parser. */
export function referenceParse(xml: string): ParsedEvent {
  const doc = parser.parse(xml) as { Event: Record<string, Node> };
  const sys = (doc.Event.System ?? {}) as Record<string, Node>;
  const data: Record<string, string> = {};
  const ed = doc.Event.EventData as { Data?: Node[] } | undefined;
  for (const d of ed?.Data ?? []) {
    const name = d['@_Name'];
    if (typeof name === 'string') data[name] = d['#text'] ?? '';
  }
  return {
    system: {
      eventId: int(text(sys.EventID)),
      computer: text(sys.Computer),
      recordId: int(text(sys.EventRecordID)),
      channel: text(sys.Channel),
      provider: (sys.Provider?.['@_Name'] as string | undefined) ?? null,
      timeCreated: (sys.TimeCreated?.['@_SystemTime'] as string | undefined) ?? null,
    },
    data,
  };
}
