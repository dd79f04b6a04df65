/**
 * CSV with a header row, as Splunk exports searches: raw Sysmon names (`EventCode`, `ProcessGuid`…)
 * or CIM names (`signature_id`, `process_guid`, `dest`…), mapped by ../sysmon/fields.ts. When a row carries
 * `_raw` holding the event's XML, that XML is the record (it has every field, with original names).
 * Empty cells are absent fields: a Splunk table has a column for every field of every event type.
 */
import { fromFlat } from '../sysmon/fields.js';
import type { ParseItem } from './record.js';
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

  push(text: string, eof: boolean): RawRow[] {
    this.out = [];
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
        continue;
      }
      this.cell += text[i];
    }
    if (eof) {
      if (this.inQuotes) {
        this.out.push({ cells: [], line: this.rowLine, error: 'unterminated quoted cell at end of file' });
        this.cell = ''; this.cells = []; this.inQuotes = false;
      } else if (this.cell !== '' || this.cells.length > 0) {
        if (this.cell.endsWith('\r')) this.cell = this.cell.slice(0, -1);
        this.endRow();
      }
    }
    return this.out;
  }

  private endRow(): void {
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
