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

const SYSTEM_KEYS = Object.keys(SYSTEM);

/**
 * Field names → small numbers (slots), shared by every view: compiled rules resolve their fields'
 * slots once, and a view caches each field's raw and lower-cased value in arrays by slot. Slot 0 is
 * the keyword pseudo-field '' (no value of its own: keyword searches read every value).
 */
const slotIds = new Map<string, number>([['', 0]]);
const slotNames: string[] = [''];
export function fieldSlot(field: string): number {
  let i = slotIds.get(field);
  if (i === undefined) { i = slotNames.push(field) - 1; slotIds.set(field, i); }
  return i;
}

export class EventView {
  /** Per slot: the event number its raw (lower-cased) value was read for, and the value. */
  private rawAt: Float64Array = new Float64Array(0);
  private raw: Array<string | undefined> = [];
  private lowAt: Float64Array = new Float64Array(0);
  private low: Array<string | undefined> = [];
  private rowStamp: Float64Array = new Float64Array(0);
  private rows: Float64Array = new Float64Array(0);
  private gens: Float64Array = new Float64Array(0);
  private epoch = 1;
  private vals: string[] | null = null;
  /** Read tracking (`track`/`untracked`): the slots read since `track`, each once. */
  private tracking = false;
  private readAll = false;
  private readSlots: number[] = [];
  private readStamp: Float64Array = new Float64Array(0);
  private trackId = 0;
  constructor(public event: SigmaEvent) {}

  /** The same view over another event (the engine reuses one view: no allocation per event). */
  reset(event: SigmaEvent): this {
    this.event = event;
    this.epoch++;
    this.vals = null;
    return this;
  }

  private grow(slot: number): void {
    const n = Math.max(slot + 1, this.raw.length * 2, 8);
    const copy = (a: Float64Array): Float64Array => { const b = new Float64Array(n); b.set(a); return b; };
    this.rawAt = copy(this.rawAt); this.lowAt = copy(this.lowAt);
    this.rowStamp = copy(this.rowStamp); this.rows = copy(this.rows); this.gens = copy(this.gens);
    this.readStamp = copy(this.readStamp);
    for (let i = this.raw.length; i < n; i++) { this.raw.push(undefined); this.low.push(undefined); }
  }

  /**
   * The field's value as written; EventData first, then the System fields; undefined when absent.
   * Not cached: the one read a subclass overrides (a lineage step's process node, server/src/rules/).
   */
  get(field: string): string | undefined {
    if (this.tracking) this.note(fieldSlot(field));
    const v = this.event.fields[field];
    if (v !== undefined) return v;
    const sys = SYSTEM[field];
    return sys ? (sys(this.event) ?? undefined) : undefined;
  }

  /** `get` by slot (`fieldSlot`), cached per event. */
  getAt(slot: number): string | undefined {
    if (slot >= this.raw.length) this.grow(slot);
    if (this.tracking) this.note(slot);
    if (this.rawAt[slot] === this.epoch) return this.raw[slot];
    this.rawAt[slot] = this.epoch;
    return (this.raw[slot] = this.get(slotNames[slot]!));
  }

  /**
   * Where the engine remembers this event's value of the field (./field-index.ts): its row in the
   * field's value memo (0 … 4095), -1 when not remembered (no memo, or not a view the engine runs).
   * Rows identify values until the memo is cleared; `rowGeneration` counts the clears.
   */
  row(slot: number): number {
    return slot < this.rows.length && this.rowStamp[slot] === this.epoch ? this.rows[slot]! : -1;
  }

  rowGeneration(slot: number): number { return this.gens[slot]!; }

  /** The engine: this event's value of the field is row `row` of its memo, cleared `generation` times. */
  setRow(slot: number, row: number, generation: number): void {
    if (slot >= this.rows.length) this.grow(slot);
    this.rowStamp[slot] = this.epoch;
    this.rows[slot] = row;
    this.gens[slot] = generation;
  }

  /** The value lower-cased (cached per event). */
  lower(field: string): string | undefined {
    return this.lowerAt(fieldSlot(field));
  }

  /** `lower` by slot (`fieldSlot`). */
  lowerAt(slot: number): string | undefined {
    if (slot >= this.low.length) this.grow(slot);
    if (this.tracking) this.note(slot);
    if (this.lowAt[slot] === this.epoch) return this.low[slot];
    const v = this.getAt(slot)?.toLowerCase();
    this.lowAt[slot] = this.epoch;
    return (this.low[slot] = v);
  }

  /**
   * Starts noting which fields are read (the engine's rule results, ./rule-cache.ts: a result depends
   * only on the values its evaluation read). `untracked` ends it and lists the slots read, or null when
   * every value was read (a keyword search).
   */
  track(): void {
    this.tracking = true;
    this.readAll = false;
    this.readSlots.length = 0;
    this.trackId++;
  }

  untracked(): readonly number[] | null {
    this.tracking = false;
    return this.readAll ? null : this.readSlots;
  }

  private note(slot: number): void {
    if (slot >= this.raw.length) this.grow(slot);
    if (this.readStamp[slot] === this.trackId) return;
    this.readStamp[slot] = this.trackId;
    this.readSlots.push(slot);
  }

  /** Whether `f` holds for one of the values `values()` lists (no allocation). */
  someValue(f: (v: string) => boolean): boolean {
    if (this.tracking) this.readAll = true;
    const fields = this.event.fields;
    for (const k in fields) if (f(fields[k]!)) return true;
    for (const k of SYSTEM_KEYS) {
      if (k in fields) continue;
      const v = SYSTEM[k]!(this.event);
      if (v != null && f(v)) return true;
    }
    return false;
  }

  /** Every value of the event (for keyword searches): EventData values, then System ones (cached per event). */
  values(): string[] {
    if (this.tracking) this.readAll = true;
    if (this.vals) return this.vals;
    const out = Object.values(this.event.fields);
    for (const k of Object.keys(SYSTEM)) {
      const v = SYSTEM[k]!(this.event);
      if (v != null && !(k in this.event.fields)) out.push(v);
    }
    return (this.vals = out);
  }
}
