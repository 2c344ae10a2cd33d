/**
 * Bootstrap confidence intervals for inter-coder agreement, seeded and reproducible.
 *
 * Two coders (κ, Gwet's AC1, Brennan–Prediger, percent agreement): the units are resampled with replacement.
 * A resample of N units from a 2×2 table is a multinomial draw of the four cells (both, A only, B only,
 * neither) with the observed proportions, so each bootstrap sample costs four binomial deviates however many
 * units (characters) there are. Percentile interval; resamples where κ is undefined (every unit in one cell of
 * the diagonal) are left out of κ's interval and counted.
 *
 * Krippendorff's α: the algorithm of Hayes & Krippendorff (2007) as in Hayes's KALPHA macro (version 3.0) and
 * Krippendorff (2016), "Bootstrapping distributions for Krippendorff's alpha": draw M pairs of values from
 * the coincidence matrix (pair c–k with probability o_ck / n on the diagonal and 2 o_ck / n above it) and set
 *   α* = 1 − Σ δ(drawn pairs) / (M · D_e),  D_e = Σ_{c≠k} n_c n_k / (n (n − 1)),
 *   M = min(25 q, (m − 1) n / 2)   (q = non-zero cells of the coincidence matrix, m = coders).
 * Nominal δ is 0/1, so Σ δ is one Binomial(M, Σ_{c≠k} o_ck / n) deviate. As in KALPHA: α* below −1 is set to
 * −1; α* = 1 when only one category has agreeing pairs is set to 0 (no variation); when several do, round(B ·
 * Σ_c (o_cc / n)^M) of the α* = 1 resamples (the expected number drawn from one category only) are set to 0.
 * The interval is the sorted α* at positions trunc(0.025 B) and trunc(0.975 B) + 1 (1-based), and
 * q(α_min) = share of α* below α_min, the probability of failing to reach it.
 *
 * Both assume independent units. Characters of one passage are not independent; that is why M is capped at 25 q
 * pairs for α, and why nabz recommends the speaker-turn unit when an interval is reported.
 */
import { binomial, createRng, multinomial, type Rng } from '../simulate/rng.js';
import { at, codePoint } from '../stats/at.js';
import { isNotComputable, type NotComputable, notComputable } from '../stats/result.js';
import {
  type AlphaResult,
  chanceCorrectedFromCounts,
  countsTable,
  kappaFromCounts,
  type TwoCoderDenominator,
} from './agreement.js';

export interface BootstrapOptions {
  /** Bootstrap samples; default 2,000. */
  readonly samples?: number;
  /** Seed of the random stream; default 20250301. Each table row derives its own stream from it and a key. */
  readonly seed?: number;
  /** Confidence level; default 0.95. */
  readonly level?: number;
}

export const DEFAULT_BOOTSTRAP = { samples: 2000, seed: 20250301, level: 0.95 } as const;

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

function options(o: BootstrapOptions): Required<BootstrapOptions> {
  const samples = o.samples ?? DEFAULT_BOOTSTRAP.samples;
  const seed = o.seed ?? DEFAULT_BOOTSTRAP.seed;
  const level = o.level ?? DEFAULT_BOOTSTRAP.level;
  if (!Number.isInteger(samples) || samples < 100 || samples > 100000)
    throw new RangeError(`Bootstrap samples must be a whole number from 100 to 100,000; got ${samples}.`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`Bootstrap seed must be a whole number from 0 to 4294967295; got ${seed}.`);
  if (!(level > 0.5 && level < 1))
    throw new RangeError(`Confidence level must be between 0.5 and 1, e.g. 0.95; got ${level}.`);
  return { samples, seed, level };
}

/** A 32-bit stream key from the seed and a row key (FNV-1a), so a row's interval does not depend on the others. */
export function streamSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const ch of `${key}`) {
    h ^= codePoint(ch);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Percentile interval from sorted values, KALPHA's positions: trunc(a B) and trunc((1 − a) B) + 1, 1-based. */
export function percentileInterval(sorted: readonly number[], level: number): Interval {
  const B = sorted.length;
  const a = (1 - level) / 2;
  const lo = Math.min(B - 1, Math.max(0, Math.trunc(a * B) - 1));
  const hi = Math.min(B - 1, Math.max(0, Math.trunc((1 - a) * B)));
  return { lower: at(sorted, lo), upper: at(sorted, hi) };
}

export interface TwoCoderBootstrap {
  readonly samples: number;
  readonly seed: number;
  readonly level: number;
  readonly percentAgreement: Interval | NotComputable;
  readonly kappa: Interval | NotComputable;
  readonly gwetAc1: Interval | NotComputable;
  readonly brennanPrediger: Interval | NotComputable;
  /** Resamples in which κ was undefined (left out of its interval). */
  readonly kappaUndefined: number;
  /** Standard deviation of the κ resamples (the bootstrap standard error). */
  readonly kappaSe: number | NotComputable;
}

/** Bootstrap intervals for the two-coder coefficients of one 2×2 table; `key` names the row's random stream. */
export function bootstrapTwoCoder(
  d: TwoCoderDenominator,
  key: string,
  opts: BootstrapOptions = {},
): TwoCoderBootstrap {
  const { samples, seed, level } = options(opts);
  const N = d.units;
  if (N < 2) {
    const nc = notComputable('A bootstrap interval needs at least two units both coders coded.');
    return {
      samples,
      seed,
      level,
      percentAgreement: nc,
      kappa: nc,
      gwetAc1: nc,
      brennanPrediger: nc,
      kappaUndefined: 0,
      kappaSe: nc,
    };
  }
  const rng: Rng = createRng(streamSeed(seed, key));
  const w = [d.codedByBoth, d.codedByAOnly, d.codedByBOnly, d.codedByNeither];
  const pa: number[] = [];
  const ka: number[] = [];
  const ac: number[] = [];
  const bp: number[] = [];
  for (let b = 0; b < samples; b++) {
    const [n11, n10, n01, n00] = multinomial(rng, N, w) as [number, number, number, number];
    const r = countsTable(n11, n10, n01, n00);
    const k = kappaFromCounts(r);
    const c = chanceCorrectedFromCounts(r);
    pa.push(k.percentAgreement as number);
    if (!isNotComputable(k.kappa)) ka.push(k.kappa);
    ac.push(c.gwetAc1 as number);
    bp.push(c.brennanPrediger as number);
  }
  const sort = (x: number[]) => x.sort((p, q) => p - q);
  const mean = ka.reduce((s, x) => s + x, 0) / (ka.length || 1);
  return {
    samples,
    seed,
    level,
    percentAgreement: percentileInterval(sort(pa), level),
    kappa:
      ka.length >= samples / 2
        ? percentileInterval(sort(ka), level)
        : notComputable(
            `κ was undefined in ${samples - ka.length} of ${samples} resamples (the code is applied almost everywhere or almost nowhere); use AC1 or Brennan–Prediger.`,
          ),
    gwetAc1: percentileInterval(sort(ac), level),
    brennanPrediger: percentileInterval(sort(bp), level),
    kappaUndefined: samples - ka.length,
    kappaSe:
      ka.length > 1
        ? Math.sqrt(ka.reduce((s, x) => s + (x - mean) ** 2, 0) / (ka.length - 1))
        : notComputable('Fewer than two resamples had a defined κ.'),
  };
}

export interface AlphaBootstrap {
  readonly samples: number;
  readonly seed: number;
  readonly level: number;
  /** Pairs drawn per resample. */
  readonly pairs: number;
  readonly interval: Interval | NotComputable;
  /** Probability of failing to reach α_min, for α_min = 0.8 and 0.667 (Krippendorff's thresholds). */
  readonly failToReach: { readonly '0.8': number; readonly '0.667': number } | NotComputable;
  /** Sorted α* (for tests and plots). */
  readonly distribution: readonly number[];
}

/** Hayes & Krippendorff bootstrap of a nominal α (see the module comment); `coders` = m. */
export function bootstrapAlpha(
  r: AlphaResult,
  coders: number,
  key: string,
  opts: BootstrapOptions = {},
): AlphaBootstrap {
  const { samples, seed, level } = options(opts);
  const o = r.coincidences;
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  const empty = (reason: string): AlphaBootstrap => ({
    samples,
    seed,
    level,
    pairs: 0,
    interval: notComputable(reason),
    failToReach: notComputable(reason),
    distribution: [],
  });
  if (isNotComputable(r.alpha)) return empty(`α is not computable: ${r.alpha.reason}`);
  let disagree = 0;
  let ncnk = 0;
  let q = 0;
  let nzero = 0;
  for (const [c, oc] of o.entries()) {
    if (at(oc, c) > 0) nzero++;
    for (const [k, x] of oc.entries()) {
      if (x > 0) q++;
      if (c !== k) {
        disagree += x;
        ncnk += at(nc, c) * at(nc, k);
      }
    }
  }
  const De = ncnk / (n * (n - 1));
  const M = Math.max(1, Math.round(Math.min(25 * q, ((coders - 1) * n) / 2)));
  const pD = Math.min(1, Math.max(0, disagree / n));
  const rng = createRng(streamSeed(seed, key));
  const alphas: number[] = [];
  let ones = 0;
  for (let b = 0; b < samples; b++) {
    let a = 1 - binomial(rng, M, pD) / (M * De);
    if (a < -1) a = -1;
    if (a === 1) {
      if (nzero === 1) a = 0;
      else ones++;
    }
    alphas.push(a);
  }
  // Resamples of α* = 1 drawn from one category only have no variation: set the expected number of them to 0.
  let nx = 0;
  for (const [c, oc] of o.entries()) nx += (at(oc, c) / n) ** M;
  nx = Math.round(samples * nx);
  if (nx > 0 && nzero > 1) {
    let left = Math.min(nx, ones);
    for (let i = 0; i < alphas.length && left > 0; i++)
      if (alphas[i] === 1) {
        alphas[i] = 0;
        left--;
      }
  }
  alphas.sort((x, y) => x - y);
  const below = (t: number) => alphas.filter((x) => x < t).length / samples;
  return {
    samples,
    seed,
    level,
    pairs: M,
    interval: percentileInterval(alphas, level),
    failToReach: { '0.8': below(0.8), '0.667': below(0.667) },
    distribution: alphas,
  };
}
