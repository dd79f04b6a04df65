/** The embedded DuckDB store and its EventSource (./README.md). */
export { EmbeddedStore, StoreError, type OpenOptions, type StoreCounts, type WriteResult } from './store.js';
export { EmbeddedSource } from './source.js';
export { SourceCursorError } from './cursor.js';
