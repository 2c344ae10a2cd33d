/**
 * GAD-7 — Generalized Anxiety Disorder 7-item scale (Spitzer, Kroenke, Williams & Löwe 2006).
 * Facts and their status: docs/instrument-sources.md §5.2–5.4.
 */
import { defineInstrument } from '../core/instrument/define.js';
import { PHQ_DIFFICULTY_OPTIONS, PHQ_FREQUENCY_OPTIONS, PHQ_FUNCTION_TEXT, PHQ_LICENCE } from './phq9.js';

const ITEMS = [
  'Feeling nervous, anxious or on edge',
  'Not being able to stop or control worrying',
  'Worrying too much about different things',
  'Trouble relaxing',
  'Being so restless that it is hard to sit still',
  'Becoming easily annoyed or irritable',
  'Feeling afraid as if something awful might happen',
];
const scored = ITEMS.map((_, i) => `gad7_${i + 1}`);

export const gad7 = defineInstrument({
  id: 'gad7',
  version: '1',
  title: { en: 'Generalized Anxiety Disorder 7-item scale' },
  shortTitle: 'GAD-7',
  citation:
    'Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092–1097. doi:10.1001/archinte.166.10.1092',
  licence: PHQ_LICENCE,
  instructions: { en: 'Over the last 2 weeks, how often have you been bothered by the following problems?' },
  recallPeriod: 'last 2 weeks',
  languages: ['en'],
  scales: [
    { id: 'phq_frequency', options: PHQ_FREQUENCY_OPTIONS },
    { id: 'phq_difficulty', options: PHQ_DIFFICULTY_OPTIONS },
  ],
  items: [
    ...ITEMS.map((text, i) => ({
      id: `gad7_${i + 1}`,
      type: 'scale' as const,
      scale: 'phq_frequency',
      text: { en: text },
    })),
    {
      id: 'gad7_8',
      type: 'scale',
      scale: 'phq_difficulty',
      text: { en: PHQ_FUNCTION_TEXT },
      scored: false,
      showIf: `any(${scored.map((s) => `${s} > 0`).join(', ')})`,
      note: 'Optional function item (same wording as PHQ-9 item 10): not scored; shown only when at least one of items 1–7 is above "Not at all". A study may leave it off its pages.',
    },
  ],
  scores: [
    {
      id: 'gad7_total',
      label: { en: 'GAD-7 total (anxiety severity)' },
      items: scored,
      method: 'sum',
      official: true,
      bands: [
        { min: 0, label: { en: 'Minimal' }, rank: 0 },
        { min: 5, label: { en: 'Mild' }, rank: 1 },
        { min: 10, label: { en: 'Moderate' }, rank: 2 },
        { min: 15, label: { en: 'Severe' }, rank: 3 },
      ],
      description: 'sum of items 1–7 (0–21); all seven items needed; the function item is not scored',
    },
  ],
  notes: [
    'Severity bands: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe; 10 or more is the usual cut-point.',
    'Missing items: no published rule was verified. Default: no total when any of items 1–7 is missing.',
    'Punctuation differs slightly between official printings (e.g. "anxious, or on edge"); take the final text from the official PDFs at phqscreeners.com.',
  ],
});
