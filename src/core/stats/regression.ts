/**
 * Linear models: dummy coding of a categorical predictor, a Householder QR least-squares solver shared with
 * logistic regression, and ordinary least squares regression (R `lm` + `summary.lm` + `confint` + `car::vif`;
 * SPSS REGRESSION).
 *
 * Conventions:
 * - The model always has an intercept; predictors are numeric columns (a categorical predictor enters as the
 *   indicator columns of {@link dummyCode}, which share a `term` so that VIF is reported per term as car's GVIF).
 * - Complete cases: a row with a missing value (NaN) in the outcome or in any predictor column is excluded; the
 *   result reports `n` (used) and `nExcluded`.
 * - Problems in the data (too few cases, a constant outcome, a predictor that is a linear combination of the
 *   others) come back as `NotComputable` with a reason naming the column — never NaN, never a silently dropped
 *   column (R `lm` would report NA for an aliased coefficient; we stop and say which column to remove).
 */
import { at, atF64, atNum, atNumeric } from './at.js';
import { fSf, tQuantileUpper, tTwoSided } from './distributions.js';
import { type Interval, type NotComputable, notComputable } from './result.js';
import { meanAndSS } from './summation.js';

// ---------------------------------------------------------------------------------------------------------------------
// Dummy coding

export type Level = string | number;

interface DummyCodeOptions {
  /** The levels in order (e.g. an item's answer options). Default: the distinct non-missing values, sorted. */
  readonly levels?: readonly Level[];
  /** The reference (omitted) level; default the first level (R's treatment contrasts, `contr.treatment`). */
  readonly reference?: Level;
}

/** One numeric predictor column of a regression. */
export interface RegressorColumn {
  /** Column name as the coefficient table prints it, e.g. "cyl: 6". */
  readonly name: string;
  /** NaN = missing. */
  readonly values: ArrayLike<number>;
  /**
   * The model term the column belongs to (the categorical variable of a dummy column). Columns sharing a term are
   * one predictor for VIF (car's generalised VIF). Default: the column's own name.
   */
  readonly term?: string;
}

interface DummyCoding {
  readonly term: string;
  readonly levels: readonly Level[];
  readonly reference: Level;
  /** Count of each level among the non-missing values, in `levels` order. */
  readonly counts: readonly number[];
  /** One indicator column per non-reference level, named "term: level"; NaN where the value is missing. */
  readonly columns: readonly RegressorColumn[];
}

/**
 * Indicator (treatment) coding of a categorical predictor: one 0/1 column per level other than the reference, as
 * R's `model.matrix` with `contr.treatment`. `null`, `undefined` and NaN are missing. A value outside `levels`
 * throws (the caller's level list is wrong); a level with no observations returns `NotComputable` naming it
 * (its coefficient would not be estimable — merge or drop the level).
 */
export function dummyCode(
  term: string,
  values: ArrayLike<Level | null | undefined>,
  options: DummyCodeOptions = {},
): DummyCoding | NotComputable {
  const present: Level[] = [];
  const seen = new Set<Level>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (!seen.has(v)) {
      seen.add(v);
      present.push(v);
    }
  }
  const levels: Level[] = options.levels
    ? [...options.levels]
    : present.sort((a, b) =>
        typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
      );
  const index = new Map<Level, number>();
  levels.forEach((l, j) => {
    if (index.has(l)) throw new RangeError(`dummyCode(${term}): level ${JSON.stringify(l)} is listed twice.`);
    index.set(l, j);
  });
  const reference = options.reference ?? levels[0];
  if (reference === undefined) return notComputable(`${term} has no non-missing values to code.`);
  const refIndex = index.get(reference);
  if (refIndex === undefined) {
    throw new RangeError(
      `dummyCode(${term}): reference level ${JSON.stringify(reference)} is not one of the levels ${JSON.stringify(levels)}.`,
    );
  }
  const codes = new Int32Array(values.length);
  const counts = new Array<number>(levels.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      codes[i] = -1;
      continue;
    }
    const j = index.get(v);
    if (j === undefined) {
      throw new RangeError(
        `dummyCode(${term}): value ${JSON.stringify(v)} (row ${i + 1}) is not one of the levels ${JSON.stringify(levels)}.`,
      );
    }
    codes[i] = j;
    counts[j] = atNum(counts, j) + 1;
  }
  const empty = levels.filter((_, j) => counts[j] === 0);
  if (empty.length > 0) {
    return notComputable(
      `${term}: level${empty.length > 1 ? 's' : ''} ${empty.map((l) => JSON.stringify(l)).join(', ')} ha${empty.length > 1 ? 've' : 's'} no observations; merge ${empty.length > 1 ? 'them' : 'it'} with another level or leave ${empty.length > 1 ? 'them' : 'it'} out before coding.`,
    );
  }
  const columns: RegressorColumn[] = [];
  levels.forEach((level, j) => {
    if (j === refIndex) return;
    const col = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) col[i] = at(codes, i) < 0 ? Number.NaN : codes[i] === j ? 1 : 0;
    columns.push({ name: `${term}: ${level}`, values: col, term });
  });
  return { term, levels, reference, counts, columns };
}

// ---------------------------------------------------------------------------------------------------------------------
// Complete cases and the design matrix

interface CompleteCases {
  /** Row indices (into the input) of the cases used. */
  readonly rows: number[];
  readonly nExcluded: number;
}

/** Rows where the outcome and every predictor column are non-missing (listwise deletion). */
export function completeCases(
  y: ArrayLike<number>,
  predictors: readonly RegressorColumn[],
  caller: string,
): CompleteCases {
  const len = y.length;
  for (const p of predictors) {
    if (p.values.length !== len) {
      throw new RangeError(
        `${caller}: predictor ${p.name} has ${p.values.length} values, the outcome has ${len}.`,
      );
    }
  }
  const rows: number[] = [];
  for (let i = 0; i < len; i++) {
    if (Number.isNaN(atNumeric(y, i))) continue;
    if (predictors.some((p) => Number.isNaN(atNumeric(p.values, i)))) continue;
    rows.push(i);
  }
  return { rows, nExcluded: len - rows.length };
}

/**
 * `values[rows[k]]` for each k, as a Float64Array. A plain loop: `Float64Array.from(rows, fn)` goes through V8's
 * generic iterator path and was a visible share of a million-row analysis.
 */
export function gather(values: ArrayLike<number>, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = atNumeric(values, atNum(rows, k));
  return out;
}

/** Column-major design matrix (intercept first) of the given rows. */
export function designMatrix(
  predictors: readonly RegressorColumn[],
  rows: readonly number[],
): Float64Array[] {
  const cols: Float64Array[] = [new Float64Array(rows.length).fill(1)];
  for (const p of predictors) cols.push(gather(p.values, rows));
  return cols;
}

// ---------------------------------------------------------------------------------------------------------------------
// Householder QR

/** Householder QR factorisation of an n × p matrix (n >= p, full column rank) in compact form. */
export interface QR {
  readonly n: number;
  readonly p: number;
  /** Householder vectors below the diagonal and R on and above it, column-major (columns[j][i]). */
  readonly columns: Float64Array[];
  /** Householder scalars. */
  readonly beta: Float64Array;
  /** Diagonal of R. */
  readonly rDiag: Float64Array;
}

/**
 * Euclidean norm of `x[from..]` without overflow or underflow: the largest magnitude first, then the sum of squares
 * of the values divided by it (two passes; `Math.hypot` per element did the same at 20× the cost, which at a million
 * rows made the QR of the models the slowest part of `nabz analyze`).
 */
function norm2(x: Float64Array, from: number): number {
  let max = 0;
  for (let i = from; i < x.length; i++) {
    const v = Math.abs(atF64(x, i));
    if (v > max) max = v;
  }
  if (max === 0 || !Number.isFinite(max)) return max;
  let ssq = 0;
  for (let i = from; i < x.length; i++) {
    const v = atF64(x, i) / max;
    ssq += v * v;
  }
  return max * Math.sqrt(ssq);
}

/**
 * Householder QR of the columns `x` (copied), optionally with row weights: the factorisation is of diag(√w) X.
 * A column whose remaining norm after the earlier columns is below `tol` (1e-7, as R `lm`'s qr) times its own norm
 * is linearly dependent on the earlier columns: its index is returned as `aliased` (no pivoting is done, so the
 * caller can name the column).
 */
export function householderQR(
  x: readonly Float64Array[],
  sqrtW?: Float64Array,
  tol = 1e-7,
): QR | { aliased: number } {
  const p = x.length;
  const n = p > 0 ? at(x, 0).length : 0;
  const a = x.map((c) => {
    const copy = new Float64Array(c);
    if (sqrtW) for (let i = 0; i < copy.length; i++) copy[i] = atF64(copy, i) * atF64(sqrtW, i);
    return copy;
  });
  const beta = new Float64Array(p);
  const rDiag = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const cj = at(a, j);
    // reflections are orthogonal, so `full` is the original column's norm; rows j..n-1 are what remains
    const full = norm2(cj, 0);
    const norm = norm2(cj, j);
    if (!(norm > tol * full) || full === 0) return { aliased: j };
    const alpha = atF64(cj, j) > 0 ? -norm : norm;
    // v = x - alpha e1, stored in place; beta = 2 / (v'v)
    const v0 = atF64(cj, j) - alpha;
    cj[j] = v0;
    let vtv = v0 * v0;
    for (let i = j + 1; i < n; i++) vtv += atF64(cj, i) * atF64(cj, i);
    const b = vtv === 0 ? 0 : 2 / vtv;
    beta[j] = b;
    for (let k = j + 1; k < p; k++) {
      const ck = at(a, k);
      let s = 0;
      for (let i = j; i < n; i++) s += atF64(cj, i) * atF64(ck, i);
      s *= b;
      for (let i = j; i < n; i++) ck[i] = atF64(ck, i) - s * atF64(cj, i);
    }
    rDiag[j] = alpha;
  }
  return { n, p, columns: a, beta, rDiag };
}

/** Qᵀ y for a factorisation from {@link householderQR} (y already multiplied by √w when weighted). */
export function qtMultiply(qr: QR, y: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(y as ArrayLike<number>);
  for (let j = 0; j < qr.p; j++) {
    const v = at(qr.columns, j);
    let s = 0;
    for (let i = j; i < qr.n; i++) s += atF64(v, i) * atF64(out, i);
    s *= atF64(qr.beta, j);
    for (let i = j; i < qr.n; i++) out[i] = atF64(out, i) - s * atF64(v, i);
  }
  return out;
}

/** R[i][j] of the factorisation (i <= j). */
function rAt(qr: QR, i: number, j: number): number {
  return i === j ? atF64(qr.rDiag, i) : atF64(at(qr.columns, j), i);
}

/** Solves R b = (Qᵀy)[0..p-1] by back substitution. */
export function qrSolve(qr: QR, qty: ArrayLike<number>): Float64Array {
  const b = new Float64Array(qr.p);
  for (let i = qr.p - 1; i >= 0; i--) {
    let s = at(qty, i);
    for (let j = i + 1; j < qr.p; j++) s -= rAt(qr, i, j) * atF64(b, j);
    b[i] = s / atF64(qr.rDiag, i);
  }
  return b;
}

/** (XᵀWX)⁻¹ = R⁻¹ R⁻ᵀ as a dense p × p matrix (rows). */
export function qrUnscaledCovariance(qr: QR): number[][] {
  const p = qr.p;
  // Rinv upper triangular
  const rinv: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    at(rinv, j)[j] = 1 / atF64(qr.rDiag, j);
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += rAt(qr, i, k) * atNum(at(rinv, k), j);
      at(rinv, i)[j] = -s / atF64(qr.rDiag, i);
    }
  }
  const cov: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = j; k < p; k++) s += atNum(at(rinv, i), k) * atNum(at(rinv, j), k);
      at(cov, i)[j] = s;
      at(cov, j)[i] = s;
    }
  }
  return cov;
}

/** Determinant of a symmetric positive definite matrix by Cholesky (0 if not positive definite). */
function spdDeterminant(m: readonly (readonly number[])[]): number {
  const k = m.length;
  const l: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let det = 1;
  for (let j = 0; j < k; j++) {
    let d = atNum(at(m, j), j);
    for (let t = 0; t < j; t++) d -= atNum(at(l, j), t) * atNum(at(l, j), t);
    if (!(d > 0)) return 0;
    const ljj = Math.sqrt(d);
    at(l, j)[j] = ljj;
    det *= d;
    for (let i = j + 1; i < k; i++) {
      let s = atNum(at(m, i), j);
      for (let t = 0; t < j; t++) s -= atNum(at(l, i), t) * atNum(at(l, j), t);
      at(l, i)[j] = s / ljj;
    }
  }
  return det;
}

// ---------------------------------------------------------------------------------------------------------------------
// Variance inflation

interface VifRow {
  readonly term: string;
  /** Number of coefficients of the term (1 for a numeric predictor; levels - 1 for a factor). */
  readonly df: number;
  /** car::vif: the VIF for a 1-df term, the generalised VIF (Fox & Monette 1992) for a multi-column term. */
  readonly gvif: number;
  /** GVIF^(1/(2·df)): comparable across terms of different df (its square is the VIF for 1-df terms). */
  readonly gvifAdjusted: number;
}

/**
 * VIF per term from a coefficient covariance matrix (intercept in row/column 0), as `car::vif`: with R the
 * correlation matrix of the non-intercept coefficients, GVIF = det(R₁₁)·det(R₂₂)/det(R) for the term's block R₁₁.
 * Null with a reason when the model has fewer than two terms (car::vif refuses it too).
 */
function varianceInflation(
  covariance: readonly (readonly number[])[],
  columnTerms: readonly string[],
): VifRow[] | NotComputable {
  const terms = [...new Set(columnTerms)];
  if (terms.length < 2) return notComputable('VIF needs at least two predictors in the model.');
  const k = columnTerms.length;
  const corr: number[][] = [];
  for (let i = 0; i < k; i++) {
    const row: number[] = [];
    for (let j = 0; j < k; j++) {
      row.push(
        i === j
          ? 1
          : atNum(at(covariance, i + 1), j + 1) /
              Math.sqrt(atNum(at(covariance, i + 1), i + 1) * atNum(at(covariance, j + 1), j + 1)),
      );
    }
    corr.push(row);
  }
  const detAll = spdDeterminant(corr);
  const sub = (idx: number[]) => idx.map((i) => idx.map((j) => atNum(at(corr, i), j)));
  return terms.map((term) => {
    const inT: number[] = [];
    const outT: number[] = [];
    columnTerms.forEach((t, i) => {
      (t === term ? inT : outT).push(i);
    });
    const gvif = (spdDeterminant(sub(inT)) * spdDeterminant(sub(outT))) / detAll;
    return { term, df: inT.length, gvif, gvifAdjusted: gvif ** (1 / (2 * inT.length)) };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Ordinary least squares

interface RegressionOptions {
  /** Confidence level of the coefficient intervals; default 0.95. */
  readonly level?: number;
}

export interface Coefficient {
  /** "(Intercept)" or the predictor column's name. */
  readonly name: string;
  readonly term: string;
  /** Unstandardised coefficient B. */
  readonly estimate: number;
  readonly se: number;
  readonly statistic: number;
  readonly pValue: number;
  readonly ci: Interval;
}

interface LinearCoefficient extends Coefficient {
  readonly statisticName: 't';
  readonly df: number;
  /** Standardised β = B · SD(x) / SD(y) over the cases used (as SPSS "Beta"); null for the intercept. */
  readonly standardized: number | null;
}

export interface LinearRegressionResult {
  readonly method: 'Ordinary least squares linear regression';
  /** Cases used (complete on the outcome and every predictor). */
  readonly n: number;
  /** Cases excluded for a missing value. */
  readonly nExcluded: number;
  readonly coefficients: readonly LinearCoefficient[];
  readonly rSquared: number;
  readonly adjustedRSquared: number;
  /** Residual standard error √(RSS / df residual). */
  readonly sigma: number;
  /** Overall F test that every slope is 0. */
  readonly fTest: {
    readonly statisticName: 'F';
    readonly statistic: number;
    readonly df: readonly [number, number];
    readonly pValue: number;
  };
  readonly rss: number;
  readonly tss: number;
  readonly dfResidual: number;
  /** VIF per term; NotComputable (with the reason) for a model with fewer than two terms. */
  readonly vif: readonly VifRow[] | NotComputable;
  /** Coefficient covariance matrix σ²(XᵀX)⁻¹ (intercept first). */
  readonly covariance: readonly (readonly number[])[];
}

/** Names the aliased column of a singular design. */
export function aliasedReason(caller: string, names: readonly string[], j: number): NotComputable {
  if (j === 0) return notComputable(`${caller}: the design has no usable rows.`);
  return notComputable(
    `${names[j]} is a linear combination of ${j === 1 ? 'the intercept' : `the intercept and ${names.slice(1, j).join(', ')}`} among the cases used (perfect collinearity, or a constant column): remove it or one of those predictors.`,
  );
}

/**
 * Ordinary least squares regression of `y` on the predictor columns with an intercept, solved by Householder QR
 * (no normal equations). Matches R `summary(lm(y ~ ...))`, `confint(fit)` and `car::vif(fit)`.
 */
export function linearRegression(
  y: ArrayLike<number>,
  predictors: readonly RegressorColumn[],
  options: RegressionOptions = {},
): LinearRegressionResult | NotComputable {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new RangeError(`linearRegression: level must be in (0, 1), got ${level}.`);
  const { rows, nExcluded } = completeCases(y, predictors, 'linearRegression');
  const n = rows.length;
  const p = predictors.length + 1;
  const names = ['(Intercept)', ...predictors.map((c) => c.name)];
  if (n <= p) {
    return notComputable(
      `Linear regression with ${p - 1} predictor column${p === 2 ? '' : 's'} needs more than ${p} complete cases; ${n} ${n === 1 ? 'is' : 'are'} complete (${nExcluded} excluded for missing values).`,
    );
  }
  const x = designMatrix(predictors, rows);
  const yy = gather(y, rows);
  const ys = meanAndSS(yy);
  if (!(ys.ss > 0))
    return notComputable('The outcome has the same value for every case used: nothing to explain.');
  const qr = householderQR(x);
  if ('aliased' in qr) return aliasedReason('linearRegression', names, qr.aliased);
  const qty = qtMultiply(qr, yy);
  const b = qrSolve(qr, qty);
  let rss = 0;
  for (let i = p; i < n; i++) rss += atF64(qty, i) * atF64(qty, i);
  const tss = ys.ss;
  const dfResidual = n - p;
  const sigma2 = rss / dfResidual;
  const unscaled = qrUnscaledCovariance(qr);
  const covariance = unscaled.map((r) => r.map((v) => v * sigma2));
  const tCrit = tQuantileUpper((1 - level) / 2, dfResidual);
  const sdY = Math.sqrt(tss / (n - 1));
  const coefficients: LinearCoefficient[] = names.map((name, j) => {
    const se = Math.sqrt(atNum(at(covariance, j), j));
    const t = atF64(b, j) / se;
    const sdX = j === 0 ? 0 : Math.sqrt(meanAndSS(at(x, j)).ss / (n - 1));
    return {
      name,
      term: j === 0 ? name : (at(predictors, j - 1).term ?? name),
      estimate: atF64(b, j),
      se,
      statisticName: 't',
      statistic: t,
      df: dfResidual,
      pValue: tTwoSided(t, dfResidual),
      ci: { lower: atF64(b, j) - tCrit * se, upper: atF64(b, j) + tCrit * se, level },
      standardized: j === 0 ? null : (atF64(b, j) * sdX) / sdY,
    };
  });
  // the intercept is column 0, so Q's first column is 1/√n and (Qᵀy)[1..p-1] spans the centred fit: no cancellation
  let mss = 0;
  for (let j = 1; j < p; j++) mss += atF64(qty, j) * atF64(qty, j);
  const df1 = p - 1;
  const f = mss / df1 / sigma2;
  const rSquared = mss / (mss + rss);
  return {
    method: 'Ordinary least squares linear regression',
    n,
    nExcluded,
    coefficients,
    rSquared,
    adjustedRSquared: 1 - ((1 - rSquared) * (n - 1)) / dfResidual,
    sigma: Math.sqrt(sigma2),
    fTest: { statisticName: 'F', statistic: f, df: [df1, dfResidual], pValue: fSf(f, df1, dfResidual) },
    rss,
    tss,
    dfResidual,
    vif: varianceInflation(
      covariance,
      predictors.map((c) => c.term ?? c.name),
    ),
    covariance,
  };
}
