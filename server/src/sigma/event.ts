/**
 * The event a Sigma rule is evaluated on: the System part (EventID, channel, provider, computer) and
 * the EventData fields by their raw Windows names — the same names the Sigma Windows rules use.
 * `EventView` caches lower-cased values, so each field is folded once per event whatever the rules.
 */

export interface SigmaEvent {
  eventId: number | null;
  channel: string | null;
  provider: string | null;
  computer: string | null;
  fields: Record<string, string>;
}

const SYSTEM: Record<string, (e: SigmaEvent) => string | null> = {
  EventID: (e) => (e.eventId == null ? null : String(e.eventId)),
  Channel: (e) => e.channel,
  Provider_Name: (e) => e.provider,
  Computer: (e) => e.computer,
};

/** One field's lower-cased value, valid for the event numbered `epoch` (slots are reused, never cleared). */
interface Slot { epoch: number; low: string | undefined }

export class EventView {
  /** Field name → its cached lower-case value; an entry is current when its epoch is the view's. */
  private slots = new Map<string, Slot>();
  private epoch = 1;
  private vals: string[] | null = null;
  constructor(public event: SigmaEvent) {}

  /** The same view over another event (the engine reuses one view: no allocation per event). */
  reset(event: SigmaEvent): this {
    this.event = event;
    this.epoch++;
    this.vals = null;
    return this;
  }

  /** The field's value as written; EventData first, then the System fields; undefined when absent. */
  get(field: string): string | undefined {
    const v = this.event.fields[field];
    if (v !== undefined) return v;
    const sys = SYSTEM[field];
    return sys ? (sys(this.event) ?? undefined) : undefined;
  }

  /** The value lower-cased (cached per event); field '' = every value, lower-cased, joined by NUL. */
  lower(field: string): string | undefined {
    let s = this.slots.get(field);
    if (s === undefined) this.slots.set(field, (s = { epoch: 0, low: undefined }));
    if (s.epoch === this.epoch) return s.low;
    s.epoch = this.epoch;
    s.low = field === '' ? this.values().join('\0').toLowerCase() : this.get(field)?.toLowerCase();
    return s.low;
  }

  /** Every value of the event (for keyword searches): EventData values, then System ones (cached per event). */
  values(): string[] {
    if (this.vals) return this.vals;
    const out = Object.values(this.event.fields);
    for (const k of Object.keys(SYSTEM)) {
      const v = SYSTEM[k]!(this.event);
      if (v != null && !(k in this.event.fields)) out.push(v);
    }
    return (this.vals = out);
  }
}
