/** REFI-QDA exchange (QDPX projects, QDC codebooks) and .docx transcript import. Node side (node:zlib, node:crypto). */
export * from './docx.js';
export * from './export.js';
export * from './guid.js';
export * from './import.js';
export * from './xml.js';
export * from './zip.js';
