/**
 * CSV with a header row, as Splunk exports searches: raw Sysmon names (`EventCode`, `ProcessGuid`…)
 * or CIM names (`signature_id`, `process_guid`, `dest`…), mapped by ../sysmon/fields.ts. When a row carries
 * `_raw` holding the event's XML, that XML is the record (it has every field, with original names).
 * Empty cells are absent fields: a Splunk table has a column for every field of every event type.
 */
import { fromFlat } from '../sysmon/fields.js';
import type { ParseItem } from './record.js';
import { MAX_LINE_CHARS } from './text-stream.js';
import { scanEvent } from './xml-scan.js';

/** A CSV row (header → cell) → an item. `line` is where the row starts. */
export function csvRowToItem(row: Record<string, string>, line: number): ParseItem {
  const raw = row._raw;
  if (raw !== undefined && raw.trimStart().startsWith('<Event')) {
    const s = raw.trim();
    const r = scanEvent(s, 0, s.length);
    return r.ok ? { kind: 'event', event: r.event, line } : { kind: 'rejected', line, reason: `_raw: ${r.reason}` };
  }
  const flat: Record<string, string> = {};
  for (const k in row) {
    const v = row[k]!;
    if (v !== '') flat[k] = v;
  }
  return { kind: 'event', event: fromFlat(flat), line };
}

/** One parsed CSV row and the 1-based line it starts on; `error` when it could not be read. */
interface RawRow { cells: string[]; line: number; error?: string }

/**
 * RFC 4180 rows from a text stream: quoted cells may hold commas, doubled quotes and line breaks;
 * LF or CRLF line ends. Written here (not csv-parse) to know each row's first line exactly, which
 * the malformed-row report needs.
 */
class CsvRowSplitter {
  private cell = '';
  private cells: string[] = [];
  private inQuotes = false;
  /** Just saw the closing quote of a quoted cell. */
  private closed = false;
  private line = 1;
  private rowLine = 1;
  private out: RawRow[] = [];
  /** Text of the current row from earlier chunks (for recovery; dropped beyond `maxChars`). */
  private rowParts: string[] = [];
  private rowChars = 0;
  private rowTooLong = false;
  /** Where the current row starts in the chunk being pushed. */
  private rowStart = 0;

  constructor(private readonly maxChars = MAX_LINE_CHARS, startLine = 1) {
    this.line = startLine;
    this.rowLine = startLine;
  }

  push(text: string, eof: boolean): RawRow[] {
    this.out = [];
    this.rowStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (c === 34) { this.inQuotes = false; this.closed = true; }
        else { if (c === 10) this.line++; this.cell += text[i]; }
        continue;
      }
      if (c === 34) {
        if (this.closed) { this.cell += '"'; this.inQuotes = true; this.closed = false; } // "" inside quotes
        else if (this.cell === '') this.inQuotes = true;
        else this.cell += '"'; // a stray quote inside an unquoted cell is kept literally
        continue;
      }
      this.closed = false;
      if (c === 44) { this.cells.push(this.cell); this.cell = ''; continue; }
      if (c === 10) {
        if (this.cell.endsWith('\r')) this.cell = this.cell.slice(0, -1);
        this.endRow();
        this.line++;
        this.rowLine = this.line;
        this.rowStart = i + 1;
        continue;
      }
      this.cell += text[i];
    }
    this.keepRowText(text.slice(this.rowStart));
    if (eof) {
      if (this.inQuotes) this.recoverUnterminated();
      else if (this.cell !== '' || this.cells.length > 0) {
        if (this.cell.endsWith('\r')) this.cell = this.cell.slice(0, -1);
        this.endRow();
      }
    }
    return this.out;
  }

  /**
   * A quote opened and never closed swallowed everything after it. The row is reported at the line
   * it starts on, and the text after that line is read again as rows (with the same header), so the
   * rows after the bad one are kept; a later unterminated quote is handled the same way.
   */
  private recoverUnterminated(): void {
    const bad = this.rowLine;
    const text = this.rowTooLong ? null : this.rowParts.join('');
    this.cell = ''; this.cells = []; this.inQuotes = false; this.rowParts = []; this.rowChars = 0;
    const nl = text === null ? -1 : text.indexOf('\n');
    if (text === null || nl < 0) {
      const why = text === null ? `; the ${this.maxChars}+ characters after it could not be read again` : '';
      this.out.push({ cells: [], line: bad, error: `unterminated quoted cell (a closing quote is missing)${why}` });
      return;
    }
    this.out.push({ cells: [], line: bad, error: 'unterminated quoted cell (a closing quote is missing); the rows after it are read again' });
    const again = new CsvRowSplitter(this.maxChars, bad + 1);
    this.out.push(...again.push(text.slice(nl + 1), true));
  }

  private keepRowText(t: string): void {
    if (this.rowTooLong || t === '') return;
    this.rowChars += t.length;
    if (this.rowChars > this.maxChars) { this.rowTooLong = true; this.rowParts = []; return; }
    this.rowParts.push(t);
  }

  private endRow(): void {
    this.rowParts = [];
    this.rowChars = 0;
    this.rowTooLong = false;
    this.cells.push(this.cell);
    const cells = this.cells;
    this.cells = [];
    this.cell = '';
    if (cells.length === 1 && cells[0] === '') return; // blank line
    this.out.push({ cells, line: this.rowLine });
  }
}

/** Parse CSV (header row first) from decoded text chunks; one array of items per chunk. */
export async function* readCsv(chunks: AsyncIterable<string>): AsyncGenerator<ParseItem[]> {
  const splitter = new CsvRowSplitter();
  let header: string[] | null = null;
  const toItems = (rows: RawRow[]): ParseItem[] => {
    const items: ParseItem[] = [];
    for (const r of rows) {
      if (r.error) { items.push({ kind: 'rejected', line: r.line, reason: r.error }); continue; }
      if (!header) { header = r.cells.map((h) => h.trim()); continue; }
      if (r.cells.length !== header.length) {
        items.push({ kind: 'rejected', line: r.line, reason: `CSV row has ${r.cells.length} cells, header has ${header.length}` });
        continue;
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = r.cells[i]!;
      items.push(csvRowToItem(row, r.line));
    }
    return items;
  };
  for await (const chunk of chunks) {
    const items = toItems(splitter.push(chunk, false));
    if (items.length) yield items;
  }
  const tail = toItems(splitter.push('', true));
  if (tail.length) yield tail;
}
