/**
 * Internal-consistency reliability: Cronbach's alpha with the item-total statistics SPSS prints, for listwise
 * deletion (SPSS/PSPP RELIABILITY) or pairwise covariances (R psych::alpha's default).
 *
 * Input type, chosen for speed: an {@link ItemMatrix} is one flat row-major Float64Array (respondent r, item j at
 * `data[r * nItems + j]`, NaN = missing; one array type, so the passes' checked reads stay monomorphic, and
 * itemMatrixFromColumns/itemMatrixFromRows copy other arrays into one). The covariance matrix is accumulated in two
 * sequential passes over that array (a mean pass, then one pass of centred cross-products), touching each row's
 * k values contiguously and the k(k+1)/2 accumulators once per row; nothing per respondent is allocated.
 * 1,000,000 respondents × 30 items is 240 MB of doubles and ~5·10⁸ multiply-adds.
 *
 * References: Cronbach (1951); R psych::alpha (psych 2.2.9); SPSS RELIABILITY /MODEL=ALPHA /SUMMARY=TOTAL.
 * Goldens: test/goldens/r/stats_b2.R, test/goldens/pspp/reliability.sps.
 */
import { at, atF64, atNumeric } from './at.js';
import { isNotComputable, type NotComputable, notComputable } from './result.js';

/** Respondents × items, row-major, NaN = missing. See the module comment for why this shape. */
export interface ItemMatrix {
  /** Length nRows × nItems; respondent r, item j at data[r * nItems + j]. */
  readonly data: Float64Array;
  readonly nRows: number;
  readonly nItems: number;
  /** Optional item names (echoed in the result). */
  readonly names?: readonly string[];
}

/** Build an {@link ItemMatrix} from one array per item (all of the same length). Copies into a Float64Array. */
export function itemMatrixFromColumns(
  columns: ReadonlyArray<ArrayLike<number>>,
  names?: readonly string[],
): ItemMatrix {
  const k = columns.length;
  const nRows = k > 0 ? at(columns, 0).length : 0;
  const data = new Float64Array(nRows * k);
  for (let j = 0; j < k; j++) {
    const col = at(columns, j);
    if (col.length !== nRows) {
      throw new RangeError(
        `itemMatrixFromColumns: item ${j + 1} has ${col.length} values, item 1 has ${nRows}.`,
      );
    }
    for (let r = 0; r < nRows; r++) data[r * k + j] = atNumeric(col, r);
  }
  return names ? { data, nRows, nItems: k, names } : { data, nRows, nItems: k };
}

/** Build an {@link ItemMatrix} from one array per respondent (all of the same length). Copies into a Float64Array. */
export function itemMatrixFromRows(
  rows: ReadonlyArray<ArrayLike<number>>,
  names?: readonly string[],
): ItemMatrix {
  const nRows = rows.length;
  const k = nRows > 0 ? at(rows, 0).length : (names?.length ?? 0);
  const data = new Float64Array(nRows * k);
  for (let r = 0; r < nRows; r++) {
    const row = at(rows, r);
    if (row.length !== k) {
      throw new RangeError(
        `itemMatrixFromRows: respondent ${r + 1} has ${row.length} answers, respondent 1 has ${k}.`,
      );
    }
    for (let j = 0; j < k; j++) data[r * k + j] = atNumeric(row, j);
  }
  return names ? { data, nRows, nItems: k, names } : { data, nRows, nItems: k };
}

interface ReliabilityOptions {
  /**
   * 'listwise' (default): only respondents who answered every item, as SPSS/PSPP RELIABILITY.
   * 'pairwise': each covariance from the respondents who answered both items, each variance and item mean/SD from
   * those who answered the item — R psych::alpha's default (`use = "pairwise"`), raw_alpha from cov(x, use =
   * "pairwise") and std.alpha from its cov2cor().
   */
  readonly missing?: 'listwise' | 'pairwise';
}

interface ItemReliability {
  readonly name: string;
  /** Respondents whose answer to this item was used. */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1). */
  readonly sd: number;
  /** Sum of the other items' means (SPSS "Scale Mean if Item Deleted"). */
  readonly scaleMeanIfDeleted: number;
  /** Variance of the sum of the other items (SPSS "Scale Variance if Item Deleted"). */
  readonly scaleVarianceIfDeleted: number;
  /**
   * Correlation of the item with the sum of the other items (SPSS "Corrected Item-Total Correlation", psych
   * `r.drop`); null when the item or the rest has no variance.
   */
  readonly correctedItemTotalCorrelation: number | null;
  /** Alpha of the other items (SPSS "Cronbach's Alpha if Item Deleted", psych `raw_alpha` in `alpha.drop`); null with 2 items. */
  readonly alphaIfDeleted: number | null;
  /** Standardized alpha of the other items (psych `std.alpha` in `alpha.drop`); null with 2 items or a constant item. */
  readonly standardizedAlphaIfDeleted: number | null;
}

export interface ReliabilityResult {
  readonly method: string;
  readonly options: { readonly missing: 'listwise' | 'pairwise' };
  /** Cronbach's alpha = k/(k − 1) · (1 − Σ var_j / var(total)). */
  readonly alpha: number;
  /**
   * Alpha of the standardized items, k·r̄ / (1 + (k − 1)·r̄) with r̄ the mean inter-item correlation (SPSS
   * "Cronbach's Alpha Based on Standardized Items", psych `std.alpha`); null when an item has no variance.
   */
  readonly standardizedAlpha: number | null;
  /** Mean inter-item correlation r̄ (psych `average_r`); null when an item has no variance. */
  readonly averageInterItemCorrelation: number | null;
  readonly nItems: number;
  /** Respondents used: complete respondents (listwise) or respondents with at least one answer (pairwise). */
  readonly n: number;
  /** Respondents excluded (listwise: any item missing; pairwise: no item answered). */
  readonly nExcluded: number;
  /** Smallest number of respondents behind one covariance (= n for listwise). */
  readonly nMinPairwise: number;
  /** Σ item means and the variance of the sum score (Σ of the covariance matrix). */
  readonly scaleMean: number;
  readonly scaleVariance: number;
  /** Item covariance matrix (n − 1 denominators), k × k. */
  readonly covariance: number[][];
  readonly items: ItemReliability[];
}

/**
 * Sums of deviations and of their cross-products (upper triangle). Rows are buffered four at a time and added
 * as one four-term update per accumulator (a quarter of the accumulator traffic of row-by-row updates), into block
 * accumulators flushed into the totals every BLOCK rows. Blocking keeps the rounding error of a million-row sum
 * near that of a thousand-row one (each total is a sum of ~n/BLOCK block sums) at the cost of one k×k addition
 * per block.
 */
class BlockedSums {
  private static readonly BLOCK = 1024;
  private readonly k: number;
  private readonly b1: Float64Array;
  private readonly b2: Float64Array;
  private readonly t1: Float64Array;
  private readonly t2: Float64Array;
  /** Up to 4 buffered rows of deviations, row-major. */
  private readonly pending: Float64Array;
  private nPending = 0;
  private inBlock = 0;

  constructor(k: number) {
    this.k = k;
    this.b1 = new Float64Array(k);
    this.b2 = new Float64Array(k * k);
    this.t1 = new Float64Array(k);
    this.t2 = new Float64Array(k * k);
    this.pending = new Float64Array(4 * k);
  }

  add(dev: Float64Array): void {
    this.pending.set(dev, this.nPending * this.k);
    if (++this.nPending === 4) this.drainFour();
  }

  private drainFour(): void {
    const { k, b1, b2, pending: p } = this;
    const k2 = 2 * k;
    const k3 = 3 * k;
    for (let j = 0; j < k; j++) {
      const a = atF64(p, j);
      const b = atF64(p, k + j);
      const c = atF64(p, k2 + j);
      const d = atF64(p, k3 + j);
      b1[j] = atF64(b1, j) + (a + b + c + d);
      const row = j * k;
      for (let l = j; l < k; l++)
        b2[row + l] =
          atF64(b2, row + l) +
          (a * atF64(p, l) + b * atF64(p, k + l) + c * atF64(p, k2 + l) + d * atF64(p, k3 + l));
    }
    this.nPending = 0;
    this.inBlock += 4;
    if (this.inBlock >= BlockedSums.BLOCK) this.flush();
  }

  /** Add buffered rows one by one (fewer than 4), then move the block sums into the totals. */
  private flush(): void {
    const { k, b1, b2, t1, t2, pending: p } = this;
    for (let r = 0; r < this.nPending; r++) {
      const o = r * k;
      for (let j = 0; j < k; j++) {
        const dj = atF64(p, o + j);
        b1[j] = atF64(b1, j) + dj;
        const row = j * k;
        for (let l = j; l < k; l++) b2[row + l] = atF64(b2, row + l) + dj * atF64(p, o + l);
      }
    }
    this.nPending = 0;
    for (let i = 0; i < b1.length; i++) {
      t1[i] = atF64(t1, i) + atF64(b1, i);
      b1[i] = 0;
    }
    for (let i = 0; i < b2.length; i++) {
      t2[i] = atF64(t2, i) + atF64(b2, i);
      b2[i] = 0;
    }
    this.inBlock = 0;
  }

  totals(): { s1: Float64Array; s2: Float64Array } {
    this.flush();
    return { s1: this.t1, s2: this.t2 };
  }
}

/** Accumulated first and second moments: means and the covariance matrix. */
interface Moments {
  readonly k: number;
  readonly cov: Float64Array;
  readonly mean: Float64Array;
  /** Respondents per item (diagonal) and per pair. */
  readonly count: Float64Array;
  readonly n: number;
}

function listwiseMoments(items: ItemMatrix): Moments | NotComputable {
  const { data, nRows, nItems: k } = items;
  // Pass 1: means over complete rows.
  const sum = new Float64Array(k);
  let n = 0;
  for (let r = 0; r < nRows; r++) {
    const o = r * k;
    let complete = true;
    for (let j = 0; j < k; j++) {
      if (Number.isNaN(atF64(data, o + j))) {
        complete = false;
        break;
      }
    }
    if (!complete) continue;
    for (let j = 0; j < k; j++) sum[j] = atF64(sum, j) + atF64(data, o + j);
    n++;
  }
  if (n < 2) {
    return notComputable(
      `Only ${n} respondent(s) answered every item; alpha needs at least 2 (try missing: 'pairwise').`,
    );
  }
  const shift = new Float64Array(k);
  for (let j = 0; j < k; j++) shift[j] = atF64(sum, j) / n;
  // Pass 2: centred sums and cross-products (the sums of deviations correct for rounding in the mean).
  const dev = new Float64Array(k);
  const acc = new BlockedSums(k);
  for (let r = 0; r < nRows; r++) {
    const o = r * k;
    let complete = true;
    for (let j = 0; j < k; j++) {
      const v = atF64(data, o + j);
      if (Number.isNaN(v)) {
        complete = false;
        break;
      }
      dev[j] = v - atF64(shift, j);
    }
    if (complete) acc.add(dev);
  }
  const { s1, s2 } = acc.totals();
  const cov = new Float64Array(k * k);
  const mean = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    mean[j] = atF64(shift, j) + atF64(s1, j) / n;
    for (let l = j; l < k; l++) {
      const c = (atF64(s2, j * k + l) - (atF64(s1, j) * atF64(s1, l)) / n) / (n - 1);
      cov[j * k + l] = c;
      cov[l * k + j] = c;
    }
  }
  return { k, cov, mean, count: new Float64Array(k * k).fill(n), n };
}

function pairwiseMoments(items: ItemMatrix): Moments | NotComputable {
  const { data, nRows, nItems: k } = items;
  // Pass 1: each item's mean over its own answers (the shift for pass 2).
  const sum = new Float64Array(k);
  const answered = new Float64Array(k);
  let n = 0;
  for (let r = 0; r < nRows; r++) {
    const o = r * k;
    let any = false;
    for (let j = 0; j < k; j++) {
      const v = atF64(data, o + j);
      if (Number.isNaN(v)) continue;
      sum[j] = atF64(sum, j) + v;
      answered[j] = atF64(answered, j) + 1;
      any = true;
    }
    if (any) n++;
  }
  const shift = new Float64Array(k);
  for (let j = 0; j < k; j++) shift[j] = atF64(answered, j) > 0 ? atF64(sum, j) / atF64(answered, j) : 0;
  // Pass 2. Complete rows go to shared accumulators (fast path); incomplete rows update each pair they cover.
  // For a pair (j, l): N = respondents with both, a[j,l] = Σ dev_j over them, s2[j,l] = Σ dev_j dev_l.
  const dev = new Float64Array(k);
  const present = new Uint8Array(k);
  let nComplete = 0;
  const acc = new BlockedSums(k);
  const pN = new Float64Array(k * k);
  // Partial-row sums, blocked like BlockedSums: block accumulators (qA, q2) flushed into pA, p2 every 1024 rows.
  const pA = new Float64Array(k * k);
  const p2 = new Float64Array(k * k);
  const qA = new Float64Array(k * k);
  const q2 = new Float64Array(k * k);
  let partialInBlock = 0;
  const flushPartial = () => {
    for (let i = 0; i < qA.length; i++) {
      pA[i] = atF64(pA, i) + atF64(qA, i);
      p2[i] = atF64(p2, i) + atF64(q2, i);
      qA[i] = 0;
      q2[i] = 0;
    }
    partialInBlock = 0;
  };
  for (let r = 0; r < nRows; r++) {
    const o = r * k;
    let complete = true;
    for (let j = 0; j < k; j++) {
      const v = atF64(data, o + j);
      if (Number.isNaN(v)) {
        complete = false;
        present[j] = 0;
        dev[j] = 0;
      } else {
        present[j] = 1;
        dev[j] = v - atF64(shift, j);
      }
    }
    if (complete) {
      nComplete++;
      acc.add(dev);
    } else {
      for (let j = 0; j < k; j++) {
        if (!present[j]) continue;
        const dj = atF64(dev, j);
        const row = j * k;
        pN[row + j] = atF64(pN, row + j) + 1;
        qA[row + j] = atF64(qA, row + j) + dj;
        q2[row + j] = atF64(q2, row + j) + dj * dj;
        for (let l = j + 1; l < k; l++) {
          if (!present[l]) continue;
          const dl = atF64(dev, l);
          pN[row + l] = atF64(pN, row + l) + 1;
          qA[row + l] = atF64(qA, row + l) + dj; // Σ dev_j over rows with j and l (upper triangle)
          qA[l * k + j] = atF64(qA, l * k + j) + dl; // Σ dev_l over rows with j and l (lower triangle)
          q2[row + l] = atF64(q2, row + l) + dj * dl;
        }
      }
      if (++partialInBlock === 1024) flushPartial();
    }
  }
  flushPartial();
  const { s1: c1, s2: c2 } = acc.totals();
  const cov = new Float64Array(k * k);
  const mean = new Float64Array(k);
  const count = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    for (let l = j; l < k; l++) {
      const N = nComplete + atF64(pN, j * k + l);
      const aj = atF64(c1, j) + (l === j ? atF64(pA, j * k + j) : atF64(pA, j * k + l));
      const al = atF64(c1, l) + (l === j ? atF64(pA, j * k + j) : atF64(pA, l * k + j));
      const ss = atF64(c2, j * k + l) + atF64(p2, j * k + l);
      count[j * k + l] = count[l * k + j] = N;
      const c = N >= 2 ? (ss - (aj * al) / N) / (N - 1) : Number.NaN;
      cov[j * k + l] = cov[l * k + j] = c;
      if (l === j) mean[j] = atF64(shift, j) + (N > 0 ? aj / N : Number.NaN);
    }
  }
  return { k, cov, mean, count, n };
}

/** alpha, standardized alpha and mean inter-item correlation of the items in `idx`. */
function alphaOf(
  cov: Float64Array,
  k: number,
  idx: readonly number[],
): { alpha: number; variance: number; standardized: number | null; averageR: number | null } {
  const m = idx.length;
  let total = 0;
  let trace = 0;
  let sumR = 0;
  let standardizable = true;
  for (const j of idx) {
    trace += atF64(cov, j * k + j);
    if (!(atF64(cov, j * k + j) > 0)) standardizable = false;
    for (const l of idx) total += atF64(cov, j * k + l);
  }
  if (standardizable) {
    for (const j of idx) {
      for (const l of idx)
        sumR +=
          j === l ? 1 : atF64(cov, j * k + l) / Math.sqrt(atF64(cov, j * k + j) * atF64(cov, l * k + l));
    }
  }
  return {
    alpha: (1 - trace / total) * (m / (m - 1)),
    variance: total,
    standardized: standardizable ? (1 - m / sumR) * (m / (m - 1)) : null,
    averageR: standardizable ? (sumR - m) / (m * (m - 1)) : null,
  };
}

/**
 * Cronbach's alpha with per-item statistics, from a respondents × items matrix (NaN = missing).
 *
 * From the item covariance matrix C (k × k): alpha = k/(k − 1)·(1 − tr C / ΣC); standardized alpha from
 * R = cov2cor(C): k/(k − 1)·(1 − k / ΣR); per item i: alpha of C without row/column i, the corrected item-total
 * correlation (Σ_{j≠i} C_ij) / sqrt(C_ii · ΣC_{−i,−i}), scale mean and variance if deleted.
 *
 * `missing: 'listwise'` (default) matches SPSS/PSPP RELIABILITY /MODEL=ALPHA /SUMMARY=TOTAL and psych::alpha on the
 * complete cases; `missing: 'pairwise'` matches psych::alpha(x) (psych 2.2.9) on data with missing values:
 * raw_alpha, std.alpha, alpha.drop, r.drop, item mean/sd. psych drops zero-variance items with a warning; here
 * they stay in (their standardized statistics are null).
 *
 * NotComputable: fewer than 2 items, fewer than 2 usable respondents (or a pair of items answered together by
 * fewer than 2, pairwise), or zero variance of the total score.
 */
export function cronbachAlpha(
  items: ItemMatrix,
  options: ReliabilityOptions = {},
): ReliabilityResult | NotComputable {
  const missing = options.missing ?? 'listwise';
  const { nRows, nItems: k } = items;
  if (!Number.isInteger(k) || !Number.isInteger(nRows) || k < 0 || nRows < 0) {
    throw new RangeError(`cronbachAlpha: nRows ${nRows} and nItems ${k} must be non-negative integers.`);
  }
  if (items.data.length !== nRows * k) {
    throw new RangeError(
      `cronbachAlpha: data has ${items.data.length} values, expected nRows × nItems = ${nRows * k}.`,
    );
  }
  if (items.names && items.names.length !== k) {
    throw new RangeError(`cronbachAlpha: ${items.names.length} names given for ${k} items.`);
  }
  if (k < 2) return notComputable(`The scale has ${k} item(s); alpha needs at least 2.`);
  const names = items.names ? [...items.names] : Array.from({ length: k }, (_, j) => `item${j + 1}`);
  const moments = missing === 'listwise' ? listwiseMoments(items) : pairwiseMoments(items);
  if (isNotComputable(moments)) return moments;
  const { cov, mean, count, n } = moments;

  let nMin = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    for (let l = j; l < k; l++) {
      const c = atF64(count, j * k + l);
      if (c < nMin) nMin = c;
      if (c < 2) {
        const what =
          j === l
            ? `Item "${names[j]}" was answered by`
            : `Items "${names[j]}" and "${names[l]}" were both answered by`;
        return notComputable(`${what} ${c} respondent(s); at least 2 are needed.`);
      }
    }
  }
  const all = Array.from({ length: k }, (_, j) => j);
  const whole = alphaOf(cov, k, all);
  if (!(whole.variance > 0)) {
    return notComputable(
      'The total score has no variance (every respondent has the same total); alpha is undefined.',
    );
  }
  let scaleMean = 0;
  for (let j = 0; j < k; j++) scaleMean += atF64(mean, j);

  const itemStats: ItemReliability[] = all.map((i) => {
    const rest = all.filter((j) => j !== i);
    const dropped = alphaOf(cov, k, rest);
    let crossSum = 0;
    for (const j of rest) crossSum += atF64(cov, i * k + j);
    const vi = atF64(cov, i * k + i);
    const itemTotal = vi > 0 && dropped.variance > 0 ? crossSum / Math.sqrt(vi * dropped.variance) : null;
    return {
      name: at(names, i),
      n: atF64(count, i * k + i),
      mean: atF64(mean, i),
      sd: Math.sqrt(vi),
      scaleMeanIfDeleted: scaleMean - atF64(mean, i),
      scaleVarianceIfDeleted: dropped.variance,
      correctedItemTotalCorrelation: itemTotal,
      alphaIfDeleted: k > 2 && dropped.variance > 0 ? dropped.alpha : null,
      standardizedAlphaIfDeleted: k > 2 ? dropped.standardized : null,
    };
  });

  return {
    method:
      missing === 'listwise'
        ? "Cronbach's alpha (listwise deletion)"
        : "Cronbach's alpha (pairwise covariances, as psych::alpha)",
    options: { missing },
    alpha: whole.alpha,
    standardizedAlpha: whole.standardized,
    averageInterItemCorrelation: whole.averageR,
    nItems: k,
    n,
    nExcluded: nRows - n,
    nMinPairwise: nMin,
    scaleMean,
    scaleVariance: whole.variance,
    covariance: all.map((i) => all.map((j) => atF64(cov, i * k + j))),
    items: itemStats,
  };
}
