/**
 * Data and golden values shared by the regression tests (test/goldens/r/regression.R -> test/goldens/regression.json;
 * the CSV files are described in test/goldens/pspp/README.md).
 */
import { readFileSync } from 'node:fs';
import { dummyCode, type RegressorColumn } from '../../../src/core/stats/regression.js';
import { ok, readPsppCsv, readPsppCsvText } from './pspp.js';

export const regressionGolden = JSON.parse(
  readFileSync(new URL('../../goldens/regression.json', import.meta.url), 'utf8'),
);
/** CONTRIBUTING.md: >= 12 significant digits for statistics, >= 11 for p-values. */
export const STAT = 12;
export const PVAL = 11;

export const sim = readPsppCsv('regression_sim.csv');
export const simText = readPsppCsvText('regression_sim.csv');
export const mt = readPsppCsv('mtcars.csv');
export const bfi = readPsppCsv('bfi.csv');
export const infert = readPsppCsv('infert.csv');
export const infertText = readPsppCsvText('infert.csv');

/** A numeric column of a data set as a predictor named like the column. */
export function num(data: Record<string, number[]>, name: string): RegressorColumn {
  return { name, values: data[name]! };
}

/** The dummy columns of a categorical column (NaN = missing), first level as reference. */
export function factor(
  term: string,
  values: readonly (string | number | null)[],
  levels?: readonly (string | number)[],
): RegressorColumn[] {
  const clean = values.map((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
  return ok(dummyCode(term, clean, levels ? { levels } : {})).columns;
}

/** The coefficient table of a fitted model in regression.json (summary(fit)$coefficients) and its n. */
export interface CoefGolden {
  names: string[];
  estimate: number[];
  se: number[];
  statistic: number[];
  p: number[];
  n: number;
}
