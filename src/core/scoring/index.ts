/** Scoring: plans (which scores a study computes) and the scorer. */
export * from './plan.js';
export * from './score.js';
