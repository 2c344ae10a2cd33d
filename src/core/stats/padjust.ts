/**
 * Multiple-comparison adjustment of p-values: Bonferroni, Holm (1979) step-down and Benjamini–Hochberg (1995)
 * false discovery rate, equal to R `p.adjust(p, "bonferroni" | "holm" | "BH")` to the last digit (same operations
 * in the same order: Bonferroni m·p, Holm (m - i + 1)·p(i) with a running maximum, BH (m / i)·p(i) with a running
 * minimum from the largest p, all capped at 1).
 */

export type PAdjustMethod = 'bonferroni' | 'holm' | 'BH';

interface PAdjustOptions {
  /**
   * Number of tests m, if larger than the number of non-missing p-values (R's `n` argument):
   * e.g. when only some of the tests' p-values are at hand. Default: the non-missing count.
   */
  readonly nTests?: number;
}

interface PAdjustResult {
  readonly method: string;
  /** Adjusted p-values in the input order; NaN where the input was missing (NaN). */
  readonly adjusted: number[];
  /** Number of tests m used in the adjustment. */
  readonly nTests: number;
  /** Number of missing p-values passed through as NaN. */
  readonly nMissing: number;
}

const NAMES: Record<PAdjustMethod, string> = {
  bonferroni: 'Bonferroni adjustment',
  holm: 'Holm (1979) step-down adjustment',
  BH: 'Benjamini-Hochberg (1995) false discovery rate adjustment',
};

/**
 * Adjust p-values for multiple comparisons (R `p.adjust(p, method, n)`).
 * Missing p-values (NaN) stay NaN and do not count towards m. Ties keep their input order, as R's
 * stable `order()` does (tied p-values get equal adjusted values either way).
 */
export function pAdjust(
  p: ArrayLike<number>,
  method: PAdjustMethod,
  options: PAdjustOptions = {},
): PAdjustResult {
  if (method !== 'holm' && method !== 'BH' && method !== 'bonferroni') {
    throw new RangeError(`pAdjust: unknown method "${String(method)}"; use "bonferroni", "holm" or "BH".`);
  }
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (Number.isNaN(v)) continue;
    if (v < 0 || v > 1) throw new RangeError(`pAdjust: p[${i}] = ${v} is not a probability in [0, 1].`);
    idx.push(i);
  }
  const lp = idx.length;
  const m = options.nTests ?? lp;
  if (!(Number.isInteger(m) && m >= lp)) {
    throw new RangeError(
      `pAdjust: nTests = ${m} must be a whole number at least the number of p-values given (${lp}).`,
    );
  }
  const adjusted = new Array<number>(p.length).fill(Number.NaN);
  if (lp > 0) {
    if (method === 'bonferroni') {
      for (const j of idx) adjusted[j] = Math.min(1, m * (p[j] as number));
    } else if (method === 'holm') {
      // increasing p; stable for ties
      const o = idx.slice().sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
      let running = Number.NEGATIVE_INFINITY;
      for (let i = 1; i <= lp; i++) {
        const j = o[i - 1] as number;
        const v = (m - i + 1) * (p[j] as number);
        if (v > running) running = v;
        adjusted[j] = Math.min(1, running);
      }
    } else {
      // decreasing p (R: order(p, decreasing = TRUE), stable for ties), i = lp, lp-1, ..., 1
      const o = idx.slice().sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
      let running = Number.POSITIVE_INFINITY;
      for (let r = 0; r < lp; r++) {
        const i = lp - r;
        const j = o[r] as number;
        const v = (m / i) * (p[j] as number);
        if (v < running) running = v;
        adjusted[j] = Math.min(1, running);
      }
    }
  }
  return { method: NAMES[method], adjusted, nTests: m, nMissing: p.length - lp };
}
