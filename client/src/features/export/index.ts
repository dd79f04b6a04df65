/** Exports of the drawn graph: JSON document, process CSV, Markdown timeline, SVG, and the download helper. */
export { download, exportBaseName, toGraphDocument, toProcessCsv } from './export';
export { toMarkdownTimeline } from './markdown';
export { toSvg } from './svg';
