/**
 * Instantiates a record's Binary XML (templates + substitution values) and picks out what a
 * ParsedEvent carries: the System fields and the EventData `<Data Name=…>` pairs (UserData children
 * for providers that use it). Nothing is rendered that is not kept, which is where the speed is.
 */
import type { ParsedEvent } from '../record.js';
import {
  K_ELEMENT, K_INSTANCE, K_SUB, K_TEXT,
  type BxNode, type ChunkBinXml, type ElementNode, type SubValues,
} from './binxml.js';
import { EvtxFormatError, renderValue, VT } from './values.js';

// Where in the Event document the walker is.
const AT_ROOT = 0;
const AT_EVENT = 1;
const AT_SYSTEM = 2;
const AT_EVENTDATA = 3;
const AT_USERDATA = 4;
const AT_USERDATA_ITEM = 5;

/** Nested BinXml values deeper than this are treated as corrupt. */
const MAX_NESTING = 16;

/** Turns one record's Binary XML into a ParsedEvent. One per chunk (shares the chunk's parser). */
export class EventExtractor {
  private ev!: ParsedEvent;
  private unnamed = 0;
  private sawEvent = false;

  constructor(private readonly bx: ChunkBinXml) {}

  /** Parse the Binary XML at [start, start + size) of the chunk into an event. */
  extract(start: number, size: number): ParsedEvent {
    this.ev = {
      system: { eventId: null, computer: null, recordId: null, channel: null, provider: null, timeCreated: null },
      data: {},
    };
    this.unnamed = 0;
    this.sawEvent = false;
    this.walk(this.bx.fragment(start, size), NO_VALUES, AT_ROOT, 0);
    if (!this.sawEvent) throw new EvtxFormatError('record holds no <Event> element');
    return this.ev;
  }

  private walk(nodes: BxNode[], values: SubValues, at: number, depth: number): void {
    for (const n of nodes) {
      switch (n.k) {
        case K_ELEMENT: this.element(n, values, at, depth); break;
        case K_INSTANCE: this.walk(n.template.nodes, n.values, at, depth); break;
        case K_SUB: {
          // A BinXml value (e.g. the provider's EventData template) expands in place.
          if (n.index < values.types.length && values.types[n.index] === VT.BinXml) {
            this.walk(this.nested(values, n.index, depth), NO_VALUES, at, depth + 1);
          }
          break;
        }
        default: break;
      }
    }
  }

  private nested(values: SubValues, index: number, depth: number): BxNode[] {
    if (depth >= MAX_NESTING) throw new EvtxFormatError('BinXml values nested too deeply');
    return this.bx.fragment(values.offsets[index]!, values.sizes[index]!, depth + 1);
  }

  private element(el: ElementNode, values: SubValues, at: number, depth: number): void {
    const name = el.name;
    switch (at) {
      case AT_ROOT:
        if (name === 'Event') this.sawEvent = true;
        this.walk(el.content, values, name === 'Event' ? AT_EVENT : AT_ROOT, depth);
        return;
      case AT_EVENT:
        if (name === 'System') this.walk(el.content, values, AT_SYSTEM, depth);
        else if (name === 'EventData') this.walk(el.content, values, AT_EVENTDATA, depth);
        else if (name === 'UserData') this.walk(el.content, values, AT_USERDATA, depth);
        return;
      case AT_SYSTEM:
        this.system(el, values);
        return;
      case AT_EVENTDATA:
        if (name === 'Data') {
          const key = this.attr(el, 'Name', values) ?? `Data${++this.unnamed}`;
          this.ev.data[key] = this.text(el.content, values);
        } else if (name === 'Binary') {
          this.ev.data.Binary = this.text(el.content, values);
        }
        return;
      case AT_USERDATA:
        this.walk(el.content, values, AT_USERDATA_ITEM, depth);
        return;
      case AT_USERDATA_ITEM:
        this.ev.data[name] = this.text(el.content, values);
        return;
      default:
        return;
    }
  }

  private system(el: ElementNode, values: SubValues): void {
    const sys = this.ev.system;
    switch (el.name) {
      case 'Provider': sys.provider = this.attr(el, 'Name', values) ?? sys.provider; break;
      case 'EventID': sys.eventId = toInt(this.text(el.content, values)); break;
      case 'EventRecordID': sys.recordId = toInt(this.text(el.content, values)); break;
      case 'Channel': sys.channel = this.text(el.content, values); break;
      case 'Computer': sys.computer = this.text(el.content, values); break;
      case 'TimeCreated': sys.timeCreated = this.attr(el, 'SystemTime', values); break;
      default: break;
    }
  }

  private attr(el: ElementNode, name: string, values: SubValues): string | null {
    for (const a of el.attrs) if (a.name === name) return this.text(a.value, values);
    return null;
  }

  /** Text content: literals and rendered substitutions, concatenated (child elements ignored). */
  private text(nodes: BxNode[], values: SubValues): string {
    if (nodes.length === 1) return this.part(nodes[0]!, values);
    let s = '';
    for (const n of nodes) s += this.part(n, values);
    return s;
  }

  private part(n: BxNode, values: SubValues): string {
    if (n.k === K_TEXT) return n.text;
    if (n.k !== K_SUB) return '';
    const i = n.index;
    if (i >= values.types.length) throw new EvtxFormatError(`substitution ${i} of ${values.types.length}`);
    const type = values.types[i]!;
    if (type === VT.BinXml) return '';
    return renderValue(this.bx.buf, type, values.offsets[i]!, values.sizes[i]!);
  }
}

const NO_VALUES: SubValues = { types: [], offsets: [], sizes: [] };

function toInt(s: string): number | null {
  if (s === '') return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}
