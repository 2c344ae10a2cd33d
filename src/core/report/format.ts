/**
 * APA-style number formatting, identical in every renderer.
 *
 * Rules (documented in docs/report-schema.md, tested in test/core/report/format.test.ts):
 * - Rounding is **half away from zero on the decimal representation**, as SPSS displays values: 0.125 → "0.13",
 *   -0.125 → "-0.13", 2.675 → "2.68". Binary representation noise is removed first by reading the number
 *   through `toPrecision(15)` (so 1.005, stored as 1.00499999999999989…, still rounds to "1.01"). No banker's
 *   rounding, no `toFixed` (which rounds the binary value), no `Intl` (locale-independent: "." as decimal
 *   separator, ASCII "-" as minus, no thousands separators).
 * - A value that rounds to zero is printed without a sign ("0.00", never "-0.00").
 * - Statistics (t, F, χ², d) and means/SDs: 2 decimals with a leading zero ("2.31", "0.35").
 * - Quantities that cannot exceed 1 in absolute value (p, r, α, proportions as decimals): no leading zero (".87").
 * - p-values: "< .001" below .001, otherwise 3 decimals without a leading zero (".022"); never ".000". If the
 *   3-decimal value would land on the other side of alpha than the exact p (p = .04996 would print ".050" although
 *   it is significant at .05), p is printed with 4 significant digits instead (".04996"), adding digits until the
 *   printed value is on the same side of alpha as p. When alpha ≤ .001 the "<" floor moves below alpha
 *   (alpha = .0005 → "< .0001").
 * - Percentages: 1 decimal by default, with their denominator where the reader needs it ("44.7% (97/217)").
 * - Confidence intervals: "[0.12, 0.45]".
 * - Degrees of freedom: integers as integers ("215"), fractional (Welch) df with 2 decimals ("101.45").
 *
 * Non-finite input is a programming error (results that cannot be computed are `NotComputable` values, which
 * renderers print as "not computable"), so these functions throw a RangeError on NaN or ±Infinity.
 */

/** A non-negative decimal number as an integer digit string K and an exponent E: |x| = K × 10^E. */
interface Scaled {
  readonly digits: string;
  readonly exp: number;
}

function assertFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new RangeError(`${what}: expected a finite number, got ${String(x)}`);
}

/**
 * Decimal digits of |x| read through `toPrecision(precision)`: returns significant digits (no leading zeros) and
 * the position of the decimal point, so that |x| = 0.D × 10^point. Zero gives digits "".
 */
function decompose(x: number, precision: number): { digits: string; point: number } {
  const s = Math.abs(x).toPrecision(precision);
  const [mantissa, expPart] = s.split('e') as [string, string | undefined];
  const exp = expPart === undefined ? 0 : Number(expPart);
  const dot = mantissa.indexOf('.');
  const intLen = dot < 0 ? mantissa.length : dot;
  let digits = mantissa.replace('.', '');
  let point = intLen + exp;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  return { digits, point };
}

/** Adds one unit in the last place to a string of decimal digits ("199" → "200", "99" → "100"). */
function incrementDigits(d: string): string {
  const a = d.split('');
  let i = a.length - 1;
  while (i >= 0) {
    if (a[i] === '9') {
      a[i] = '0';
      i--;
    } else {
      a[i] = String(Number(a[i]) + 1);
      return a.join('');
    }
  }
  return '1' + a.join('');
}

/** Keep the first `keep` digits of 0.D, rounding half away from zero on the next digit. */
function roundDigits(digits: string, keep: number): string {
  if (keep < 0) return '';
  const padded = digits.length < keep ? digits + '0'.repeat(keep - digits.length) : digits;
  const kept = padded.slice(0, keep);
  const next = padded.charCodeAt(keep);
  if (keep < padded.length && next >= 53 /* '5' */) return incrementDigits(kept || '');
  return kept;
}

/** |x| rounded half away from zero to `decimals` places, as K × 10^-decimals. */
function scaleFixed(x: number, decimals: number): Scaled {
  const { digits, point } = decompose(x, 15);
  if (digits === '') return { digits: '0', exp: -decimals };
  const keep = point + decimals;
  const k = roundDigits(digits, keep);
  return { digits: k === '' ? '0' : k, exp: -decimals };
}

/** |x| rounded half away from zero to `sig` significant digits. */
function scaleSignificant(x: number, sig: number): Scaled {
  const { digits, point } = decompose(x, sig >= 15 ? 17 : 15);
  if (digits === '') return { digits: '0', exp: 1 - sig };
  let k = roundDigits(digits, sig);
  let exp = point - sig;
  if (k.length > sig) {
    // carry added a digit (9.996 → 10.00): drop the extra trailing zero to keep `sig` significant digits
    k = k.slice(0, -1);
    exp += 1;
  }
  return { digits: k, exp };
}

function scaledToString(s: Scaled, negative: boolean, leadingZero: boolean): string {
  let body: string;
  if (s.exp >= 0) {
    body = s.digits.replace(/^0+(?=\d)/, '') + '0'.repeat(s.exp);
  } else {
    const frac = -s.exp;
    const padded = s.digits.padStart(frac + 1, '0');
    const intPart = padded.slice(0, padded.length - frac).replace(/^0+(?=\d)/, '');
    body = `${intPart}.${padded.slice(padded.length - frac)}`;
    if (!leadingZero && intPart === '0') body = body.slice(1);
  }
  const isZero = !/[1-9]/.test(s.digits);
  return negative && !isZero ? `-${body}` : body;
}

interface FixedOptions {
  /** Print "0.87" (true, default) or ".87" (false: APA style for quantities that cannot exceed 1). */
  readonly leadingZero?: boolean;
}

/**
 * `x` with exactly `decimals` decimals, rounded half away from zero on its 15-significant-digit decimal
 * representation (as SPSS displays values). `formatFixed(0.125, 2)` → "0.13"; `formatFixed(1.005, 2)` → "1.01";
 * `formatFixed(0.87, 2, { leadingZero: false })` → ".87".
 */
export function formatFixed(x: number, decimals: number, options: FixedOptions = {}): string {
  assertFinite(x, 'formatFixed');
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`formatFixed: decimals must be an integer from 0 to 20, got ${decimals}`);
  }
  return scaledToString(scaleFixed(x, decimals), x < 0, options.leadingZero ?? true);
}

/**
 * `x` with `sig` significant digits in fixed (never exponential) notation, rounded half away from zero.
 * `formatSignificant(0.0499612, 4)` → "0.04996".
 */
export function formatSignificant(x: number, sig: number, options: FixedOptions = {}): string {
  assertFinite(x, 'formatSignificant');
  if (!Number.isInteger(sig) || sig < 1 || sig > 17) {
    throw new RangeError(`formatSignificant: significant digits must be an integer from 1 to 17, got ${sig}`);
  }
  return scaledToString(scaleSignificant(x, sig), x < 0, options.leadingZero ?? true);
}

/** An integer count as digits, no thousands separators ("1234"). Throws for non-integers (a count is whole). */
export function formatInteger(n: number): string {
  assertFinite(n, 'formatInteger');
  if (!Number.isInteger(n)) throw new RangeError(`formatInteger: ${n} is not an integer`);
  return n === 0 ? '0' : formatFixed(n, 0);
}

/**
 * A number in its shortest plain decimal form after removing binary noise (15 significant digits):
 * 1.5 → "1.5", 0.1 + 0.2 → "0.3", 2 → "2". Used for thresholds and other user-given constants.
 */
export function formatPlain(x: number): string {
  assertFinite(x, 'formatPlain');
  const { digits, point } = decompose(x, 15);
  if (digits === '') return '0';
  return scaledToString({ digits, exp: point - digits.length }, x < 0, true);
}

/** A test statistic (t, F, χ², z, U): 2 decimals. `formatStatistic(2.3149)` → "2.31". */
export function formatStatistic(x: number): string {
  return formatFixed(x, 2);
}

/** Degrees of freedom: integer df as an integer ("215"); fractional (Welch) df with 2 decimals ("101.45"). */
export function formatDf(df: number): string {
  assertFinite(df, 'formatDf');
  return Number.isInteger(df) ? formatInteger(df) : formatFixed(df, 2);
}

/** The default significance level for p-value display when none is given. */
const DEFAULT_ALPHA = 0.05;

/** The smallest p printed exactly: .001, or the largest power of ten below alpha when alpha ≤ .001. */
function pFloor(alpha: number): number {
  let floor = 0.001;
  while (floor >= alpha) floor /= 10;
  return floor;
}

interface PValueOptions {
  /** Significance level; the printed value never lands on the other side of it than p. Default 0.05. */
  readonly alpha?: number;
}

/**
 * A p-value without "p": "< .001", ".022", "1.000". See the module comment for the rule that keeps a
 * significant p from printing as ".050": `formatP(0.04996)` → ".04996", `formatP(0.0499999)` → ".0499999".
 * Throws a RangeError for p outside [0, 1] or alpha outside (0, 1).
 */
export function formatP(p: number, options: PValueOptions = {}): string {
  assertFinite(p, 'formatP');
  if (p < 0 || p > 1) throw new RangeError(`formatP: a p-value must lie in [0, 1], got ${p}`);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`formatP: alpha must lie in (0, 1), got ${alpha}`);
  const floor = pFloor(alpha);
  const decimals = Math.max(3, Math.round(-Math.log10(floor)));
  if (p < floor) return `< ${formatFixed(floor, decimals, { leadingZero: false })}`;
  const significant = p < alpha;
  let text = formatFixed(p, decimals, { leadingZero: false });
  for (let sig = 4; sig <= 17 && Number(text) < alpha !== significant; sig++) {
    text = formatSignificant(p, sig, { leadingZero: false });
  }
  return text;
}

/** "p < .001" or "p = .022" (see `formatP`). */
export function formatPExpression(p: number, options: PValueOptions = {}): string {
  const s = formatP(p, options);
  return s.startsWith('<') ? `p ${s}` : `p = ${s}`;
}

/** A proportion (0–1) as a percentage with `decimals` decimals (default 1): 0.447 → "44.7%". */
export function formatPercent(proportion: number, decimals = 1): string {
  assertFinite(proportion, 'formatPercent');
  return `${formatFixed(proportion * 100, decimals)}%`;
}

/**
 * A count as a percentage of its denominator, with the denominator: (97, 217) → "44.7% (97/217)". The
 * percentage is computed as count × 100 / total. Throws when total is not a positive integer.
 */
export function formatCountPercent(count: number, total: number, decimals = 1): string {
  return `${percentOf(count, total, decimals)} (${formatInteger(count)}/${formatInteger(total)})`;
}

/** count × 100 / total as "44.7%" (no denominator). Throws when total is not a positive integer. */
export function percentOf(count: number, total: number, decimals = 1): string {
  assertFinite(count, 'percentOf');
  assertFinite(total, 'percentOf');
  if (!Number.isInteger(total) || total <= 0)
    throw new RangeError(`percentOf: total must be a positive integer, got ${total}`);
  return `${formatFixed((count * 100) / total, decimals)}%`;
}

/** A confidence interval "[0.12, 0.45]" with `decimals` decimals (default 2). */
export function formatCi(lower: number, upper: number, decimals = 2, options: FixedOptions = {}): string {
  return `[${formatFixed(lower, decimals, options)}, ${formatFixed(upper, decimals, options)}]`;
}

/** A confidence interval of proportions as percentages: (0.2256, 0.3442) → "[22.6%, 34.4%]". */
export function formatPercentCi(lower: number, upper: number, decimals = 1): string {
  return `[${formatPercent(lower, decimals)}, ${formatPercent(upper, decimals)}]`;
}

/** A confidence level as a percentage label: 0.95 → "95%", 0.975 → "97.5%". */
export function formatLevel(level: number): string {
  assertFinite(level, 'formatLevel');
  return `${formatPlain(level * 100)}%`;
}
