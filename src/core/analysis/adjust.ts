/**
 * The plan's multiple-comparison adjustment (`analysis.adjust`), applied the same way to every family of tests: the
 * tests of one association table, one group comparison across scores, one correlation matrix. A sentence decides
 * "significantly" on the adjusted p (sentences.ts `deciding`), and the table note names the method and the family.
 */
import type { AdjustedP } from '../report/sentences.js';
import { pAdjust } from '../stats/padjust.js';
import type { AnalysisPlan } from '../study/schema.js';

type AdjustMethod = AnalysisPlan['adjust'];

/** The method as a sentence names it: "Holm" (in "Holm-adjusted p"). */
export function adjustName(method: AdjustMethod): string {
  return method === 'holm'
    ? 'Holm'
    : method === 'bonferroni'
      ? 'Bonferroni'
      : method === 'BH'
        ? 'Benjamini–Hochberg'
        : 'unadjusted';
}

/** Adjusted p-values of one family (NaN = a test that could not be computed, left out of m); undefined for "none". */
export function adjustFamily(pValues: readonly number[], method: AdjustMethod): (AdjustedP | undefined)[] {
  if (method === 'none') return pValues.map(() => undefined);
  const r = pAdjust(pValues, method);
  const name = adjustName(method);
  return r.adjusted.map((p) => (Number.isNaN(p) ? undefined : { method: name, pValue: p }));
}

/** The table note: what was adjusted over how many tests, or that nothing was. */
export function adjustNote(method: AdjustMethod, pValues: readonly number[], family: string): string {
  const m = pValues.filter((p) => !Number.isNaN(p)).length;
  if (method === 'none')
    return `p-values are not adjusted for multiple comparisons (analysis.adjust = "none").`;
  const what =
    method === 'BH'
      ? 'Benjamini–Hochberg false discovery rate adjustment (R p.adjust "BH")'
      : method === 'holm'
        ? 'Holm step-down adjustment (R p.adjust "holm")'
        : 'Bonferroni adjustment (R p.adjust "bonferroni")';
  return `Adjusted p: ${what} over the ${m} test${m === 1 ? '' : 's'} of ${family}; "significant" in the text refers to the adjusted p.`;
}
