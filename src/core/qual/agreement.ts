/**
 * Inter-coder agreement for qualitative coding: percent agreement and Cohen's kappa for two coders, and
 * Krippendorff's alpha (nominal) for two or more — per code and pooled, at a stated unit, always with the
 * denominator.
 *
 * Units:
 * - `'character'`: every code point of every compared source is a unit. For a code, a coder "coded" the unit when
 *   one of their segments with that code covers it. This is NVivo's coding comparison (which counts characters).
 * - `'turn'`: every speaker turn is a unit; a coder coded it when one of their segments with the code overlaps the
 *   turn by at least one character.
 *
 * For each code every unit is a binary decision (coded = 1, not coded = 0). "Pooled" stacks the decisions of
 * all compared codes (unit × code pairs) into one table. A unit of a source a coder did not code at all
 * (`coverage`) is missing for that coder: kappa drops it (it needs both coders), alpha keeps the values of
 * the other coders.
 *
 * Formulas (N units; n11 both coded, n10 only A, n01 only B, n00 neither):
 *   percent agreement = 100 (n11 + n00) / N
 *   κ = (p_o − p_e) / (1 − p_e),  p_o = (n11 + n00)/N,  p_e = (r_A r_B + (N − r_A)(N − r_B)) / N²
 * with r_A = n11 + n10 and r_B = n11 + n01 (Cohen 1960; irr::kappa2 unweighted). Computed from integer counts,
 * then divided once.
 *
 *   α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k
 * with the coincidence matrix o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m_u − 1) over units with m_u ≥ 2
 * values, n_c = Σ_k o_ck, n = Σ_c n_c (Krippendorff 2011, "Computing Krippendorff's alpha-reliability";
 * irr::kripp.alpha method "nominal").
 *
 * Degenerate cases return NotComputable: no units; κ when p_e = 1 (both coders applied the code everywhere or
 * nowhere — NVivo prints κ = 1 there, nabz says why it is undefined); α when fewer than two pairable values or all
 * values fall in one category.
 */
import { at, mapAt } from '../stats/at.js';
import { type NotComputable, notComputable } from '../stats/result.js';

export type AgreementUnit = 'character' | 'turn';

/** A unit class: `weight` identical units whose values per coder are `values` (NaN = missing). */
interface WeightedUnit {
  readonly weight: number;
  readonly values: readonly number[];
}

/** What agreement is computed from: sources with their length (and turns for the turn unit) and segments. */
export interface AgreementInput {
  readonly sources: readonly {
    readonly id: string;
    /** Length in code points. */
    readonly length: number;
    readonly turns?: readonly { readonly start: number; readonly end: number }[];
    /**
     * Ranges `[start, end)` that are not units (e.g. moderator and interviewer turns): their characters are
     * skipped, and so are turns lying wholly inside one.
     */
    readonly excluded?: readonly { readonly start: number; readonly end: number }[];
  }[];
  readonly segments: readonly {
    readonly sourceId: string;
    readonly start: number;
    readonly end: number;
    readonly codeIds: readonly string[];
    readonly coderId: string;
  }[];
  /** Coder ids to compare, in order (exactly two for kappa; two or more for alpha). */
  readonly coders: readonly string[];
  /** Codes to compare. */
  readonly codeIds: readonly string[];
  readonly unit: AgreementUnit;
  /** Per coder id, the sources they coded; default: every coder coded every source. */
  readonly coverage?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Build the unit classes of one code (or, with `codeId` null, nothing — see `pooled`) for all coders.
 * In character mode, runs of code points with the same coding pattern collapse into one weighted class.
 */
function unitClasses(input: AgreementInput, codeId: string): WeightedUnit[] {
  const out: WeightedUnit[] = [];
  for (const src of input.sources) {
    const covered = input.coders.map(
      (c) => !input.coverage || (input.coverage[c]?.includes(src.id) ?? false),
    );
    const segs = input.coders.map((c) =>
      input.segments.filter(
        (s) => s.sourceId === src.id && s.coderId === c && s.codeIds.includes(codeId) && s.end > s.start,
      ),
    );
    if (input.unit === 'turn') {
      if (!src.turns)
        throw new Error(
          `Turn unit: source "${src.id}" has no turns; pass its speaker turns or use 'character'.`,
        );
      for (const t of src.turns) {
        if (src.excluded?.some((e) => e.start <= t.start && t.end <= e.end)) continue;
        const values = segs.map((list, i) => {
          if (!covered[i]) return Number.NaN;
          return list.some((s) => Math.max(s.start, t.start) < Math.min(s.end, t.end)) ? 1 : 0;
        });
        out.push({ weight: 1, values });
      }
      continue;
    }
    characterClasses(src.length, src.excluded ?? [], segs, covered, out);
  }
  return out;
}

/**
 * Character mode of {@link unitClasses} for one source: sweep the boundaries with per-coder coverage counters
 * (slot m counts the excluded ranges covering a position) and push one class per run of code points.
 */
function characterClasses(
  length: number,
  excluded: readonly { readonly start: number; readonly end: number }[],
  segs: readonly (readonly { readonly start: number; readonly end: number }[])[],
  covered: readonly boolean[],
  out: WeightedUnit[],
): void {
  const m = segs.length;
  const events = new Map<number, number[]>();
  const bump = (pos: number, coder: number, d: number) => {
    const p = Math.min(Math.max(pos, 0), length);
    let e = events.get(p);
    if (!e) {
      e = new Array(m + 1).fill(0);
      events.set(p, e);
    }
    e[coder] = at(e, coder) + d;
  };
  bump(0, 0, 0);
  bump(length, 0, 0);
  segs.forEach((list, i) => {
    for (const s of list) {
      bump(s.start, i, 1);
      bump(s.end, i, -1);
    }
  });
  for (const x of excluded)
    if (x.end > x.start) {
      bump(x.start, m, 1);
      bump(x.end, m, -1);
    }
  // In position order: the run from the previous cut to this one has the depths before this cut's events.
  const cuts = [...events].sort((a, b) => a[0] - b[0]);
  const depth = new Array<number>(m + 1).fill(0);
  let prev: number | null = null;
  for (const [cut, e] of cuts) {
    if (prev !== null && cut > prev && at(depth, m) <= 0)
      out.push({
        weight: cut - prev,
        values: depth.slice(0, m).map((d, i) => (covered[i] ? (d > 0 ? 1 : 0) : Number.NaN)),
      });
    for (const [i, d] of e.entries()) depth[i] = at(depth, i) + d;
    prev = cut;
  }
}

/** Counts behind a two-coder comparison. */
export interface TwoCoderDenominator {
  /** Units both coders could code (missing units dropped). */
  readonly units: number;
  readonly codedByBoth: number;
  readonly codedByAOnly: number;
  readonly codedByBOnly: number;
  /** By one coder only (A only + B only). */
  readonly codedByOneOnly: number;
  readonly codedByNeither: number;
  /** Units dropped because one coder did not code that source. */
  readonly missing: number;
}

export interface TwoCoderResult {
  /** The code id, or null for the pooled row. */
  readonly codeId: string | null;
  readonly unit: AgreementUnit;
  readonly coders: readonly [string, string];
  readonly denominator: TwoCoderDenominator;
  /** 0–100. */
  readonly percentAgreement: number | NotComputable;
  readonly expectedAgreement: number | NotComputable;
  readonly kappa: number | NotComputable;
  /** Gwet's AC1 (two categories: coded, not coded). */
  readonly gwetAc1: number | NotComputable;
  /** Brennan and Prediger's coefficient (two categories): 2 p_o − 1. */
  readonly brennanPrediger: number | NotComputable;
  readonly method: string;
}

/** Two-coder counts from unit classes (values 0/1, NaN missing). */
function twoByTwo(units: readonly WeightedUnit[]): TwoCoderDenominator {
  let n11 = 0;
  let n10 = 0;
  let n01 = 0;
  let n00 = 0;
  let missing = 0;
  for (const u of units) {
    const a = at(u.values, 0);
    const b = at(u.values, 1);
    if (Number.isNaN(a) || Number.isNaN(b)) missing += u.weight;
    else if (a && b) n11 += u.weight;
    else if (a) n10 += u.weight;
    else if (b) n01 += u.weight;
    else n00 += u.weight;
  }
  return countsTable(n11, n10, n01, n00, missing);
}

/** A 2×2 denominator from its four cells (both, A only, B only, neither) and the missing units. */
export function countsTable(
  n11: number,
  n10: number,
  n01: number,
  n00: number,
  missing = 0,
): TwoCoderDenominator {
  return {
    units: n11 + n10 + n01 + n00,
    codedByBoth: n11,
    codedByAOnly: n10,
    codedByBOnly: n01,
    codedByOneOnly: n10 + n01,
    codedByNeither: n00,
    missing,
  };
}

/**
 * Percent agreement, expected agreement and Cohen's kappa from a 2×2 table of integer counts (see the module
 * comment). Matches irr::kappa2(…, weight = "unweighted") on the 0/1 vectors.
 */
export function kappaFromCounts(d: TwoCoderDenominator): {
  percentAgreement: number | NotComputable;
  expectedAgreement: number | NotComputable;
  kappa: number | NotComputable;
} {
  const N = d.units;
  if (N === 0) {
    const nc = notComputable('There are no units both coders coded, so agreement cannot be computed.');
    return { percentAgreement: nc, expectedAgreement: nc, kappa: nc };
  }
  const agree = d.codedByBoth + d.codedByNeither;
  const rA = d.codedByBoth + d.codedByAOnly;
  const rB = d.codedByBoth + d.codedByBOnly;
  const chance = rA * rB + (N - rA) * (N - rB); // N² p_e, an integer
  const NN = N * N;
  const percentAgreement = (100 * agree) / N;
  const expectedAgreement = chance / NN;
  if (chance === NN)
    return {
      percentAgreement,
      expectedAgreement,
      kappa: notComputable(
        'Both coders applied the code to every unit or to none, so expected agreement is 1 and kappa is undefined (percent agreement is 100%).',
      ),
    };
  return { percentAgreement, expectedAgreement, kappa: (N * agree - chance) / (NN - chance) };
}

/**
 * Gwet's AC1 and Brennan and Prediger's coefficient from a 2×2 table (q = 2 categories: coded, not coded).
 * Both share κ's observed agreement p_o and replace its chance term:
 *   AC1: p_e = 2 π (1 − π), π = (r_A + r_B) / 2N        (Gwet 2008, q = 2)
 *   BP:  p_e = 1/q = 1/2, so BP = 2 p_o − 1               (Brennan & Prediger 1981)
 * With a rare code κ collapses towards 0 even when the coders nearly always agree (the "kappa paradox"); AC1
 * and BP do not. p_e ≤ 1/2 for both, so they are computable whenever N > 0.
 */
export function chanceCorrectedFromCounts(d: TwoCoderDenominator): {
  gwetAc1: number | NotComputable;
  brennanPrediger: number | NotComputable;
} {
  const N = d.units;
  if (N === 0) {
    const nc = notComputable('There are no units both coders coded, so agreement cannot be computed.');
    return { gwetAc1: nc, brennanPrediger: nc };
  }
  const agree = d.codedByBoth + d.codedByNeither;
  const r = 2 * d.codedByBoth + d.codedByAOnly + d.codedByBOnly; // r_A + r_B
  // p_e = 2 π (1 − π) = r (2N − r) / (2 N²); AC1 = (p_o − p_e)/(1 − p_e), all in integers until one division.
  const twoNN = 2 * N * N;
  const chance = r * (2 * N - r);
  return {
    gwetAc1: (2 * N * agree - chance) / (twoNN - chance),
    brennanPrediger: (2 * agree - N) / N,
  };
}

/**
 * Cohen's κ, Gwet's AC1 and Brennan–Prediger for two nominal vectors over `categories` (NaN = missing, pairs
 * with a missing value dropped; default categories: the values seen). As irrCAC::gwet.ac1.raw and
 * bp.coeff.raw on complete pairs, with the category count q = categories.length.
 */
export function twoRaterCoefficients(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  categories?: readonly number[],
): {
  n: number;
  percentAgreement: number | NotComputable;
  kappa: number | NotComputable;
  gwetAc1: number | NotComputable;
  brennanPrediger: number | NotComputable;
} {
  const k = cohenKappa(a, b);
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    const x = at(a, i);
    const y = at(b, i);
    if (!Number.isNaN(x) && !Number.isNaN(y)) {
      pairs.push([x, y]);
      seen.add(x).add(y);
    }
  }
  const cats = categories ?? [...seen].sort((x, y) => x - y);
  for (const v of seen)
    if (!cats.includes(v))
      throw new RangeError(`Value ${v} is not one of the categories ${cats.join(', ')}.`);
  const q = cats.length;
  const N = pairs.length;
  if (N === 0 || q < 2) {
    const nc = notComputable(
      N === 0
        ? 'No unit was rated by both coders.'
        : 'AC1 and Brennan–Prediger need at least two categories.',
    );
    return { ...k, gwetAc1: nc, brennanPrediger: nc };
  }
  let agree = 0;
  const marg = new Map<number, number>();
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    marg.set(x, (marg.get(x) ?? 0) + 1);
    marg.set(y, (marg.get(y) ?? 0) + 1);
  }
  const po = agree / N;
  let s = 0;
  for (const m of marg.values()) {
    const pi = m / (2 * N);
    s += pi * (1 - pi);
  }
  const peAc1 = s / (q - 1);
  const peBp = 1 / q;
  return { ...k, gwetAc1: (po - peAc1) / (1 - peAc1), brennanPrediger: (po - peBp) / (1 - peBp) };
}

function checkCoders(input: AgreementInput, min: number, exact?: number): void {
  if (exact !== undefined && input.coders.length !== exact)
    throw new RangeError(
      `Cohen's kappa compares exactly two coders; got ${input.coders.length}. Use Krippendorff's alpha for more.`,
    );
  if (input.coders.length < min)
    throw new RangeError(`Agreement needs at least ${min} coders; got ${input.coders.length}.`);
  if (new Set(input.coders).size !== input.coders.length)
    throw new RangeError('The same coder is listed twice.');
}

/**
 * Percent agreement and Cohen's kappa between two coders, per code and pooled, at the chosen unit.
 * Matches NVivo's coding comparison at the character unit (agreement = (both + neither) / all characters).
 */
export function twoCoderAgreement(input: AgreementInput): {
  perCode: TwoCoderResult[];
  pooled: TwoCoderResult;
} {
  checkCoders(input, 2, 2);
  const coders: [string, string] = [at(input.coders, 0), at(input.coders, 1)];
  const method = `Cohen's kappa, Gwet's AC1, Brennan–Prediger and percent agreement, two coders, unit: ${input.unit === 'character' ? 'character (code point)' : 'speaker turn'}`;
  const make = (codeId: string | null, d: TwoCoderDenominator): TwoCoderResult => ({
    codeId,
    unit: input.unit,
    coders,
    denominator: d,
    ...kappaFromCounts(d),
    ...chanceCorrectedFromCounts(d),
    method,
  });
  const all: WeightedUnit[] = [];
  const perCode = input.codeIds.map((c) => {
    const units = unitClasses(input, c);
    all.push(...units);
    return make(c, twoByTwo(units));
  });
  return { perCode, pooled: make(null, twoByTwo(all)) };
}

/** Counts behind an alpha. */
interface AlphaDenominator {
  /** All units (unit classes weighted). */
  readonly units: number;
  /** Units with at least two values (the only ones alpha uses). */
  readonly pairableUnits: number;
  /** Number of pairable values n = Σ m_u over pairable units. */
  readonly pairableValues: number;
  /** Missing values (coder did not code that source). */
  readonly missingValues: number;
  /** Binary codes: pairable units every present coder coded / some but not all / none. */
  readonly codedByAll: number;
  readonly codedBySome: number;
  readonly codedByNone: number;
}

export interface AlphaResult {
  readonly codeId: string | null;
  readonly unit: AgreementUnit | 'value';
  readonly coders: readonly string[];
  readonly denominator: AlphaDenominator;
  readonly alpha: number | NotComputable;
  /** Observed pairwise agreement Σ o_cc / n, 0–1. */
  readonly observedAgreement: number | NotComputable;
  /** Coincidence matrix by category (sorted ascending), o[c][k]. */
  readonly categories: readonly number[];
  readonly coincidences: readonly (readonly number[])[];
  readonly method: string;
}

/**
 * Krippendorff's alpha for nominal data from weighted unit classes (values per coder; NaN = missing).
 * Categories are any numbers. Matches irr::kripp.alpha(t(data), method = "nominal").
 */
export function alphaFromUnits(
  units: readonly WeightedUnit[],
  meta: { codeId?: string | null; unit?: AgreementUnit | 'value'; coders?: readonly string[] } = {},
): AlphaResult {
  const catSet = new Set<number>();
  for (const u of units) for (const v of u.values) if (!Number.isNaN(v)) catSet.add(v);
  const categories = [...catSet].sort((a, b) => a - b);
  const K = categories.length;
  const ci = new Map(categories.map((c, i) => [c, i]));
  // Integer sums per m_u bucket keep the fractions exact until one division per bucket.
  const buckets = new Map<number, number[][]>();
  let total = 0;
  let pairableUnits = 0;
  let pairableValues = 0;
  let missingValues = 0;
  let all = 0;
  let some = 0;
  let none = 0;
  for (const u of units) {
    total += u.weight;
    const counts = new Array<number>(K).fill(0);
    let mu = 0;
    for (const v of u.values) {
      if (Number.isNaN(v)) missingValues += u.weight;
      else {
        const c = mapAt(ci, v);
        counts[c] = at(counts, c) + 1;
        mu++;
      }
    }
    if (mu < 2) continue;
    pairableUnits += u.weight;
    pairableValues += u.weight * mu;
    const one = ci.get(1);
    const ones = one === undefined ? 0 : at(counts, one);
    if (ones === mu) all += u.weight;
    else if (ones === 0) none += u.weight;
    else some += u.weight;
    let b = buckets.get(mu);
    if (!b) {
      b = Array.from({ length: K }, () => new Array<number>(K).fill(0));
      buckets.set(mu, b);
    }
    for (let c = 0; c < K; c++) {
      const cc = at(counts, c);
      if (!cc) continue;
      const bc = at(b, c);
      for (let k = 0; k < K; k++) bc[k] = at(bc, k) + u.weight * cc * (at(counts, k) - (c === k ? 1 : 0));
    }
  }
  const o = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const [mu, b] of buckets)
    for (const [c, bc] of b.entries()) {
      const oc = at(o, c);
      for (const [k, x] of bc.entries()) oc[k] = at(oc, k) + x / (mu - 1);
    }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  let disagreeO = 0;
  let disagreeE = 0;
  let agreeO = 0;
  for (const [c, oc] of o.entries()) {
    agreeO += at(oc, c);
    for (const [k, x] of oc.entries()) {
      if (c === k) continue;
      disagreeO += x;
      disagreeE += at(nc, c) * at(nc, k);
    }
  }
  const denominator: AlphaDenominator = {
    units: total,
    pairableUnits,
    pairableValues,
    missingValues,
    codedByAll: all,
    codedBySome: some,
    codedByNone: none,
  };
  let alpha: number | NotComputable;
  if (pairableValues < 2 || n <= 1)
    alpha = notComputable(
      'Fewer than two pairable values (units coded by at least two coders), so alpha is undefined.',
    );
  else if (disagreeE === 0)
    alpha = notComputable(
      'Every value falls in one category (e.g. no coder applied the code anywhere), so there is no variation and alpha is undefined.',
    );
  else alpha = 1 - ((n - 1) * disagreeO) / disagreeE;
  return {
    codeId: meta.codeId ?? null,
    unit: meta.unit ?? 'value',
    coders: meta.coders ?? [],
    denominator,
    alpha,
    observedAgreement: n > 0 ? agreeO / n : notComputable('There are no pairable values.'),
    categories,
    coincidences: o,
    method: "Krippendorff's alpha, nominal",
  };
}

/**
 * Krippendorff's alpha (nominal) for two or more coders, per code and pooled, at the chosen unit. Binary per
 * code: coded = 1, not coded = 0; units of sources a coder did not code are missing for that coder.
 */
export function krippendorffAlpha(input: AgreementInput): { perCode: AlphaResult[]; pooled: AlphaResult } {
  checkCoders(input, 2);
  const all: WeightedUnit[] = [];
  const meta = { unit: input.unit, coders: input.coders };
  const perCode = input.codeIds.map((c) => {
    const units = unitClasses(input, c);
    all.push(...units);
    return alphaFromUnits(units, { ...meta, codeId: c });
  });
  return { perCode, pooled: alphaFromUnits(all, { ...meta, codeId: null }) };
}

/**
 * Krippendorff's alpha (nominal) from a coders × units matrix (`data[i][u]`, NaN = missing), as
 * irr::kripp.alpha(data, "nominal").
 */
export function krippendorffAlphaNominal(data: readonly ArrayLike<number>[]): AlphaResult {
  if (data.length < 2) throw new RangeError(`Alpha needs at least two coders; got ${data.length}.`);
  const n = at(data, 0).length;
  for (const row of data)
    if (row.length !== n) throw new RangeError('Every coder needs a value (or NaN) for every unit.');
  const units: WeightedUnit[] = [];
  for (let u = 0; u < n; u++) units.push({ weight: 1, values: data.map((row) => at(row, u)) });
  return alphaFromUnits(units);
}

/**
 * Cohen's kappa (unweighted) for two nominal vectors (NaN = missing, dropped pairwise), as
 * irr::kappa2(cbind(a, b)). For binary 0/1 vectors it equals `kappaFromCounts`.
 */
export function cohenKappa(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { n: number; percentAgreement: number | NotComputable; kappa: number | NotComputable } {
  if (a.length !== b.length) throw new RangeError(`The two coders rated ${a.length} and ${b.length} units.`);
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  let N = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = at(a, i);
    const y = at(b, i);
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    N++;
    if (x === y) agree++;
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  }
  if (N === 0) {
    const nc = notComputable('No unit was rated by both coders.');
    return { n: 0, percentAgreement: nc, kappa: nc };
  }
  let chance = 0;
  for (const [c, r] of rows) chance += r * (cols.get(c) ?? 0);
  const NN = N * N;
  const percentAgreement = (100 * agree) / N;
  if (chance === NN)
    return {
      n: N,
      percentAgreement,
      kappa: notComputable('Expected agreement is 1 (one category only), so kappa is undefined.'),
    };
  return { n: N, percentAgreement, kappa: (N * agree - chance) / (NN - chance) };
}
