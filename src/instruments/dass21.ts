/**
 * DASS-21 — Depression Anxiety Stress Scales, 21-item version (Lovibond & Lovibond 1995).
 * Facts and their status: docs/instrument-sources.md §2.
 */

import { defineInstrument } from '../core/instrument/define.js';
import type { ScoreInput } from '../core/instrument/schema.js';
import { at } from '../core/stats/at.js';

type BandInput = NonNullable<ScoreInput['bands']>[number];

/** [number, text, subscale] — VERIFIED wording and keys (docs/instrument-sources.md §2.2). */
const ITEMS: ReadonlyArray<readonly [number, string, 'D' | 'A' | 'S']> = [
  [1, 'I found it hard to wind down', 'S'],
  [2, 'I was aware of dryness of my mouth', 'A'],
  [3, "I couldn't seem to experience any positive feeling at all", 'D'],
  [
    4,
    'I experienced breathing difficulty (eg, excessively rapid breathing, breathlessness in the absence of physical exertion)',
    'A',
  ],
  [5, 'I found it difficult to work up the initiative to do things', 'D'],
  [6, 'I tended to over-react to situations', 'S'],
  [7, 'I experienced trembling (eg, in the hands)', 'A'],
  [8, 'I felt that I was using a lot of nervous energy', 'S'],
  [9, 'I was worried about situations in which I might panic and make a fool of myself', 'A'],
  [10, 'I felt that I had nothing to look forward to', 'D'],
  [11, 'I found myself getting agitated', 'S'],
  [12, 'I found it difficult to relax', 'S'],
  [13, 'I felt down-hearted and blue', 'D'],
  [14, 'I was intolerant of anything that kept me from getting on with what I was doing', 'S'],
  [15, 'I felt I was close to panic', 'A'],
  [16, 'I was unable to become enthusiastic about anything', 'D'],
  [17, "I felt I wasn't worth much as a person", 'D'],
  [18, 'I felt that I was rather touchy', 'S'],
  [
    19,
    'I was aware of the action of my heart in the absence of physical exertion (eg, sense of heart rate increase, heart missing a beat)',
    'A',
  ],
  [20, 'I felt scared without any good reason', 'A'],
  [21, 'I felt that life was meaningless', 'D'],
];

const id = (n: number): string => `dass21_${String(n).padStart(2, '0')}`;
const itemsOf = (k: 'D' | 'A' | 'S'): string[] => ITEMS.filter(([, , s]) => s === k).map(([n]) => id(n));

/** Lowest doubled score of Normal, Mild, Moderate, Severe, Extremely severe (docs/instrument-sources.md §2.3). */
const DASS21_BAND_MINIMA = {
  depression: [0, 10, 14, 21, 28],
  anxiety: [0, 8, 10, 15, 20],
  stress: [0, 15, 19, 26, 34],
} as const;

const BAND_LABELS = ['Normal', 'Mild', 'Moderate', 'Severe', 'Extremely severe'];
const bands = (minima: readonly number[]): BandInput[] =>
  minima.map((min, rank) => ({ min, label: { en: at(BAND_LABELS, rank) }, rank }));

const subscale = (sid: string, name: string, k: 'D' | 'A' | 'S', minima: readonly number[]): ScoreInput => {
  const its = itemsOf(k);
  return {
    id: sid,
    label: { en: name },
    items: its,
    method: 'prorated_sum',
    minAnswered: 6,
    multiplier: 2,
    bands: bands(minima),
    official: true,
    description: `sum of items ${its.map((x) => Number(x.slice(7))).join(', ')} × 2 (0–42, DASS-42 metric); with one of the seven items missing, the mean of the six answered × 7 × 2; two or more missing: no score`,
  };
};

export const dass21 = defineInstrument({
  id: 'dass21',
  version: '1995',
  title: { en: 'Depression Anxiety Stress Scales (21-item version)' },
  shortTitle: 'DASS-21',
  citation:
    'Lovibond SH, Lovibond PF. Manual for the Depression Anxiety Stress Scales. 2nd ed. Sydney: Psychology Foundation; 1995. DASS website: http://www2.psy.unsw.edu.au/dass/',
  licence: {
    name: 'DASS: public domain, copied without restriction; electronic use with conditions',
    textIncluded: true,
    requiresAcknowledgement: false,
    terms:
      'From the DASS FAQ (UNSW): "The DASS questionnaire is public domain, and so permission is not needed to use it. The DASS questionnaires and scoring key may be downloaded from the DASS website and copied without restriction." Electronic redistribution is allowed with the restrictions that the scales are not modified, the scales are not sold for profit, the intended audience is researchers or health professionals rather than end users, and reference is included to the DASS website.',
    attribution:
      'DASS-21: Lovibond, S.H. & Lovibond, P.F. (1995). Manual for the Depression Anxiety Stress Scales (2nd ed.). Sydney: Psychology Foundation. http://www2.psy.unsw.edu.au/dass/',
    url: 'http://www2.psy.unsw.edu.au/dass/',
  },
  instructions: {
    en: 'Please read each statement and circle a number 0, 1, 2 or 3 which indicates how much the statement applied to you over the past week. There are no right or wrong answers. Do not spend too much time on any statement.',
  },
  recallPeriod: 'past week',
  languages: ['en'],
  scales: [
    {
      id: 'dass21_applied',
      options: [
        { value: 0, label: { en: 'Did not apply to me at all' } },
        { value: 1, label: { en: 'Applied to me to some degree, or some of the time' } },
        { value: 2, label: { en: 'Applied to me to a considerable degree or a good part of time' } },
        { value: 3, label: { en: 'Applied to me very much or most of the time' } },
      ],
    },
  ],
  items: ITEMS.map(([n, text]) => ({
    id: id(n),
    type: 'scale' as const,
    scale: 'dass21_applied',
    text: { en: text },
  })),
  scores: [
    subscale('dass21_d', 'Depression (DASS-21 × 2)', 'D', DASS21_BAND_MINIMA.depression),
    subscale('dass21_a', 'Anxiety (DASS-21 × 2)', 'A', DASS21_BAND_MINIMA.anxiety),
    subscale('dass21_s', 'Stress (DASS-21 × 2)', 'S', DASS21_BAND_MINIMA.stress),
  ],
  safety: [
    {
      id: 'dass21_d_extreme',
      when: 'score.dass21_d >= 28',
      description: 'DASS-21 depression in the "extremely severe" range (28 or more on the doubled score)',
    },
    {
      id: 'dass21_a_extreme',
      when: 'score.dass21_a >= 20',
      description: 'DASS-21 anxiety in the "extremely severe" range (20 or more on the doubled score)',
    },
    {
      id: 'dass21_s_extreme',
      when: 'score.dass21_s >= 34',
      description: 'DASS-21 stress in the "extremely severe" range (34 or more on the doubled score)',
    },
  ],
  notes: [
    'Subscale scores are doubled to the DASS-42 metric before banding; bands (Normal, Mild, Moderate, Severe, Extremely severe) follow the 1995 manual. Doubled scores are even, so some band edges (e.g. depression 9) are never hit exactly.',
    'The band labels describe the population range ("Mild" is above the population mean); they are not diagnoses. Do not report a total DASS score as a validated score.',
    'Missing items — SECONDARY: "at least 6 of 7 items should be complete for each sub-scale" (one secondary source; the DASS FAQ Q27 answer was not retrieved). Implemented as: one missing item → prorate (mean of the six × 7 × 2, not rounded); two or more → no score. Confirm against the FAQ before relying on prorated scores.',
    'The safety rules for the "extremely severe" bands are a nabz convention for showing support information, not an official DASS rule.',
    'The instructions say "circle"; electronic versions commonly say "select". The published wording is shipped unchanged. The DASS FAQ Q20–Q22 on administering the DASS on a website or app (the audience is meant to be researchers or health professionals) was not retrieved: check it before showing the DASS to students.',
    'Known errors in public material (regression-tested): swapped Depression and Anxiety item lists; item 1 labelled Depression and item 12 Anxiety; undoubled anxiety bands "Mild 4–5, Moderate 6–7"; stress Mild printed as "14-18".',
  ],
});
