/** Qualitative analysis core: transcripts, offsets, coding model, agreement, audit trail, results. Pure. */
export * from './agreement.js';
export * from './audit.js';
export * from './bootstrap.js';
export * from './codebook.js';
export * from './comparison.js';
export * from './consensus.js';
export * from './consensusReport.js';
export * from './model.js';
export * from './offsets.js';
export * from './results.js';
export * from './transcript.js';
