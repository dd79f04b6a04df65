/** The embedded DuckDB store and its EventSource (issue 2 §2, issue 3 §1). */
export { EmbeddedStore, StoreError, type OpenOptions, type StoreCounts, type WriteResult } from './store.js';
export { EmbeddedSource } from './source.js';
export { SourceCursorError } from './cursor.js';
