/**
 * Dataset exports of a study: the variable list (`buildVariables`), SPSS .sav (`writeSav`, `writeSavFile`,
 * `savChunks`), CSV (`writeCsv`, `csvChunks`), XLSX (`writeXlsx`) and the codebook (`renderCodebook`).
 * All writers stream: records are pulled one at a time from an async iterable and bytes leave in chunks.
 * See docs/exports.md.
 */
export * from './codebook.js';
export * from './csv.js';
export * from './model.js';
export { createRowEncoder, spssDate, spssDateTime } from './rows.js';
export * from './sav.js';
export { type ByteSink, CHUNK_BYTES } from './sink.js';
export * from './variables.js';
export * from './xlsx.js';
