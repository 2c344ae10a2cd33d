/**
 * Seeded synthetic respondents for a study: demographics from given weights, rating-scale answers from a
 * graded-response model with one latent trait per respondent (so items correlate and reliability is
 * realistic; reverse-keyed items answered against the trait), "not applicable" where an item allows it, and an optional shift of the trait by group.
 *
 * Used by the example study, the benchmarks and the tests; never by analysis code.
 */

import type { Item, ResponseOption, ResponseScale } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import { intBelow, normal, pickWeighted, type Rng } from './rng.js';

/** One simulated answer: an option value, "not applicable", a free text, or no answer. */
export type SimAnswer = number | 'NA' | string | null;

export interface SimItem {
  readonly item: Item;
  /** Options of a scale/single/multiple item. */
  readonly options?: readonly ResponseOption[];
  readonly scale?: ResponseScale;
}

export interface SimulationSpec {
  readonly n: number;
  /** Weights per option for single-choice questions, by question id (default: uniform). */
  readonly weights?: Readonly<Record<string, readonly number[]>>;
  /** Normal distribution for number questions, by question id. */
  readonly numbers?: Readonly<Record<string, { mean: number; sd: number; min?: number; max?: number }>>;
  /** Shift of the latent trait for respondents who chose an option: `{ question, value, shift }`. */
  readonly traitShifts?: readonly { question: string; value: number; shift: number }[];
  /** Probability that an item allowing "not applicable" is answered so (default 0.25). */
  readonly notApplicableRate?: number;
  /** Probability that an optional rating item is skipped (default 0). */
  readonly skipRate?: number;
  /** Mean of the latent trait (default −0.3, so most answers are low on a barrier/symptom scale). */
  readonly traitMean?: number;
  /** Standard deviation of the latent trait between respondents (default 0.5). */
  readonly traitSd?: number;
  /** Standard deviation of the item-level noise (default 1); smaller gives more consistent answers. */
  readonly itemNoise?: number;
}

/**
 * Generate respondents. Calls `emit(answers)` once per respondent (streaming: 1,000,000 respondents never
 * sit in memory together). `answers` is reused between calls — copy it if you keep it.
 */
export function simulateRespondents(
  items: readonly SimItem[],
  spec: SimulationSpec,
  rng: Rng,
  emit: (answers: Map<string, SimAnswer>, index: number) => void,
): void {
  const naRate = spec.notApplicableRate ?? 0.25;
  const skipRate = spec.skipRate ?? 0;
  const traitMean = spec.traitMean ?? -0.3;
  const traitSd = spec.traitSd ?? 0.5;
  const itemNoise = spec.itemNoise ?? 1;
  // Per-item difficulty and discrimination, fixed for the whole run (drawn from the same seeded stream).
  const difficulty = items.map(() => normal(rng) * 0.4);
  const discrimination = items.map(() => 0.8 + 0.4 * rng.next());
  const answers = new Map<string, SimAnswer>();
  for (let r = 0; r < spec.n; r++) {
    answers.clear();
    let trait = traitMean + traitSd * normal(rng);
    // Demographics first: trait shifts depend on them.
    items.forEach((s) => {
      const it = s.item;
      if (it.type === 'single' && s.options) {
        const w = spec.weights?.[it.id] ?? s.options.map(() => 1);
        const value = at(s.options, pickWeighted(rng, w)).value;
        answers.set(it.id, value);
        for (const sh of spec.traitShifts ?? [])
          if (sh.question === it.id && sh.value === value) trait += sh.shift;
      } else if (it.type === 'number') {
        const d = spec.numbers?.[it.id] ?? { mean: 0, sd: 1 };
        let v = Math.round(d.mean + d.sd * normal(rng));
        // the spec's limits, else the question's own (an answer outside them would not import)
        const lo = d.min ?? it.min;
        const hi = d.max ?? it.max;
        if (lo !== undefined) v = Math.max(lo, v);
        if (hi !== undefined) v = Math.min(hi, v);
        answers.set(it.id, v);
      } else if (it.type === 'multiple' && s.options) {
        const chosen = s.options.filter(() => rng.next() < 0.3).map((o) => o.value);
        answers.set(it.id, chosen.length ? chosen.join(';') : null);
      } else if (it.type === 'text' || it.type === 'longtext') {
        answers.set(it.id, rng.next() < 0.2 ? `comment ${intBelow(rng, 1000)}` : null);
      }
    });
    items.forEach((s, k) => {
      const it = s.item;
      if (it.type !== 'scale' || !s.scale) return;
      if (it.notApplicable && rng.next() < naRate) {
        answers.set(it.id, 'NA');
        return;
      }
      if (!it.required && rng.next() < skipRate) {
        answers.set(it.id, null);
        return;
      }
      const opts = s.scale.options;
      // Graded response: count thresholds passed by trait + noise.
      const z = at(discrimination, k) * (trait - at(difficulty, k)) + normal(rng) * itemNoise;
      let cat = 0;
      for (let c = 1; c < opts.length; c++) if (z > (c - opts.length / 2) * 1.1) cat = c;
      // A reverse-keyed item is worded the other way: a high trait answers low.
      answers.set(it.id, at(opts, it.reverse ? opts.length - 1 - cat : cat).value);
    });
    emit(answers, r);
  }
}
