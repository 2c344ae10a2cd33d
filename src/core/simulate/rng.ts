/**
 * Seeded pseudo-random numbers. Randomness is always passed in as an `Rng`; nothing in nabz calls
 * `Math.random` for data, so every synthetic dataset is reproducible from its seed.
 */

import { at } from '../stats/at.js';

export interface Rng {
  /** Uniform on [0, 1). */
  next(): number;
}

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds give unrelated streams.
 * 32-bit state words keep it exact in JavaScript's integer arithmetic via Math.imul.
 */
export function createRng(seed: number): Rng {
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return {
    next(): number {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = (b << 9) >>> 0;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return result / 4294967296;
    },
  };
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

/** Standard normal deviate (Box–Muller; one value per call, the second is discarded for simplicity). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u === 0) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer uniform in [0, n). */
export function intBelow(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** Pick an index with the given (unnormalised) weights. */
export function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= at(weights, i);
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Gamma(shape, 1) deviate for shape ≥ 1 (Marsaglia & Tsang 2000, "A simple method for generating gamma
 * variables", with their squeeze omitted: the exact log test alone is correct).
 */
export function gamma(rng: Rng, shape: number): number {
  if (!(shape >= 1)) throw new RangeError(`gamma() needs shape ≥ 1; got ${shape}.`);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    let u = rng.next();
    while (u === 0) u = rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) deviate for a, b ≥ 1, as G_a / (G_a + G_b). */
export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

/**
 * Binomial(n, p) deviate, exact for any n (Knuth, TAOCP vol. 2, 3.4.1 F): the a-th smallest of n uniforms is
 * Beta(a, n + 1 − a); comparing it with p halves n at each step, so the work is O(log n) beta deviates plus at
 * most 40 Bernoulli trials.
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial() needs a count n ≥ 0; got ${n}.`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial() needs 0 ≤ p ≤ 1; got ${p}.`);
  let acc = 0;
  let m = n;
  let q = p;
  while (m > 40 && q > 0 && q < 1) {
    const a = 1 + Math.floor(m / 2);
    const b = m + 1 - a;
    const x = beta(rng, a, b);
    if (x >= q) {
      m = a - 1;
      q = q / x;
    } else {
      acc += a;
      m = b - 1;
      q = (q - x) / (1 - x);
    }
  }
  if (q <= 0) return acc;
  if (q >= 1) return acc + m;
  for (let i = 0; i < m; i++) if (rng.next() < q) acc++;
  return acc;
}

/** Multinomial(n, weights) counts (weights unnormalised, ≥ 0), by conditional binomials. */
export function multinomial(rng: Rng, n: number, weights: readonly number[]): number[] {
  let left = n;
  return weights.map((w, i) => {
    if (i === weights.length - 1 || left === 0) {
      const k = i === weights.length - 1 ? left : 0;
      left -= k;
      return k;
    }
    let rest = 0;
    for (let j = i; j < weights.length; j++) rest += at(weights, j);
    const k = rest > 0 ? binomial(rng, left, Math.min(1, w / rest)) : 0;
    left -= k;
    return k;
  });
}
