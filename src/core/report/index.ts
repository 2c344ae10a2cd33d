/** Report specs, APA formatting, result sentences and table/figure builders (pure; no rendering). */
export * from './build.js';
export * from './cells.js';
export * from './display.js';
export * from './format.js';
export * from './sentences.js';
export * from './spec.js';
