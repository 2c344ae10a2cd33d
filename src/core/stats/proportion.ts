/**
 * Proportions with Wilson score confidence intervals (Wilson 1927), as R `prop.test(x, n,
 * correct = FALSE)$conf.int` computes them; with `continuityCorrection: true` the continuity-corrected
 * Wilson interval of `prop.test(x, n, correct = TRUE)` (Newcombe 1998, method 4).
 */
import { normalQuantile } from './distributions.js';
import { type Interval, type NotComputable, notComputable } from './result.js';

interface ProportionOptions {
  /** Confidence level, default 0.95. */
  readonly level?: number;
  /** Yates continuity correction as in `prop.test(correct = TRUE)`; default false. */
  readonly continuityCorrection?: boolean;
}

export interface ProportionResult {
  readonly method: string;
  /** Number of cases counted (x). */
  readonly count: number;
  /** Denominator: the valid (non-missing) cases. */
  readonly n: number;
  /** Cases excluded as missing. */
  readonly nMissing: number;
  /** Sample proportion x / n. */
  readonly estimate: number;
  readonly ci: Interval;
  readonly options: { readonly continuityCorrection: boolean };
}

interface ThresholdProportionResult extends ProportionResult {
  /** Values at or above this were counted. */
  readonly threshold: number;
}

/**
 * Wilson score interval for x successes out of n at confidence `level`, exactly as R's prop.test:
 * with z = Φ⁻¹((1 + level)/2), c = z²/(2n), y = min(½, |x - n/2|) with continuity correction (else 0)
 * and p = x/n ± y/n, bound = (p + c ± z √(p(1 - p)/n + c/(2n))) / (1 + 2c); the lower bound is 0
 * when x/n - y/n ≤ 0 and the upper bound 1 when x/n + y/n ≥ 1.
 */
export function wilsonInterval(
  count: number,
  n: number,
  options: ProportionOptions = {},
): ProportionResult | NotComputable {
  const level = options.level ?? 0.95;
  const cc = options.continuityCorrection ?? false;
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`wilsonInterval: level ${level} must be between 0 and 1, e.g. 0.95.`);
  }
  if (!Number.isInteger(count) || !Number.isInteger(n) || count < 0 || count > n) {
    throw new RangeError(
      `wilsonInterval: count ${count} and n ${n} must be whole numbers with 0 <= count <= n.`,
    );
  }
  if (n === 0) return notComputable('There are no valid cases, so no proportion can be estimated.');
  const estimate = count / n;
  const z = normalQuantile((1 + level) / 2);
  // R: YATES <- min(0.5, abs(x - n * p)) with p = 0.5 for the one-sample test
  const yates = cc ? Math.min(0.5, Math.abs(count - n * 0.5)) : 0;
  const z22n = (z * z) / (2 * n);
  let pc = estimate + yates / n;
  const upper =
    pc >= 1 ? 1 : (pc + z22n + z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  pc = estimate - yates / n;
  const lower =
    pc <= 0 ? 0 : (pc + z22n - z * Math.sqrt((pc * (1 - pc)) / n + z22n / (2 * n))) / (1 + 2 * z22n);
  return {
    method: cc ? 'Wilson score interval with continuity correction' : 'Wilson score interval',
    count,
    n,
    nMissing: 0,
    estimate,
    ci: { lower, upper, level },
    options: { continuityCorrection: cc },
  };
}

/**
 * Share of the non-missing values of `x` at or above `threshold` (e.g. PHQ-9 >= 10), with the count,
 * the denominator (valid n) and a Wilson interval at `level` (R `prop.test(sum(x >= t), n, correct =
 * FALSE)`). NaN values are missing and excluded from the denominator.
 */
export function proportionAtOrAbove(
  x: ArrayLike<number>,
  threshold: number,
  options: ProportionOptions = {},
): ThresholdProportionResult | NotComputable {
  let n = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue;
    n++;
    if (v >= threshold) count++;
  }
  if (n === 0) {
    return notComputable(
      x.length === 0
        ? 'There are no values, so no proportion can be estimated.'
        : `All ${x.length} values are missing, so no proportion can be estimated.`,
    );
  }
  const result = wilsonInterval(count, n, options);
  if ('kind' in result) return result;
  return { ...result, nMissing: x.length - n, threshold };
}
