/**
 * PHQ-9 — Patient Health Questionnaire, depression module (Kroenke, Spitzer & Williams 2001).
 * Facts and their status: docs/instrument-sources.md §5.1, §5.3, §5.4.
 */
import { defineInstrument } from '../core/instrument/define.js';

/** The licence line every official PHQ/GAD form carries (docs/instrument-sources.md §5.4). */
const PHQ_ATTRIBUTION =
  'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.';

/** The licence of the PHQ screeners (PHQ-9, GAD-7): free to reproduce, with the attribution line. */
export const PHQ_LICENCE = {
  name: 'Pfizer: no permission required',
  textIncluded: true,
  requiresAcknowledgement: false,
  terms: PHQ_ATTRIBUTION,
  attribution: PHQ_ATTRIBUTION,
  url: 'https://www.phqscreeners.com/',
};

export const PHQ_FREQUENCY_OPTIONS = [
  { value: 0, label: { en: 'Not at all' } },
  { value: 1, label: { en: 'Several days' } },
  { value: 2, label: { en: 'More than half the days' } },
  { value: 3, label: { en: 'Nearly every day' } },
];

export const PHQ_DIFFICULTY_OPTIONS = [
  { value: 0, label: { en: 'Not difficult at all' } },
  { value: 1, label: { en: 'Somewhat difficult' } },
  { value: 2, label: { en: 'Very difficult' } },
  { value: 3, label: { en: 'Extremely difficult' } },
];

export const PHQ_FUNCTION_TEXT =
  'How difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?';

const ITEMS = [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
  'Trouble concentrating on things, such as reading the newspaper or watching television',
  'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
  'Thoughts that you would be better off dead or of hurting yourself in some way',
];

const scored = ITEMS.map((_, i) => `phq9_${i + 1}`);

export const phq9 = defineInstrument({
  id: 'phq9',
  version: '1',
  title: { en: 'Patient Health Questionnaire-9' },
  shortTitle: 'PHQ-9',
  citation:
    'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med. 2001;16(9):606–613. doi:10.1046/j.1525-1497.2001.016009606.x',
  licence: PHQ_LICENCE,
  instructions: {
    en: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  },
  recallPeriod: 'last 2 weeks',
  languages: ['en'],
  scales: [
    { id: 'phq_frequency', options: PHQ_FREQUENCY_OPTIONS },
    { id: 'phq_difficulty', options: PHQ_DIFFICULTY_OPTIONS },
  ],
  items: [
    ...ITEMS.map((text, i) => ({
      id: `phq9_${i + 1}`,
      type: 'scale' as const,
      scale: 'phq_frequency',
      text: { en: text },
    })),
    {
      id: 'phq9_10',
      type: 'scale',
      scale: 'phq_difficulty',
      text: { en: PHQ_FUNCTION_TEXT },
      scored: false,
      showIf: `any(${scored.map((s) => `${s} > 0`).join(', ')})`,
      note: 'Function item: not scored; shown only when at least one of items 1–9 is above "Not at all".',
    },
  ],
  scores: [
    {
      id: 'phq9_total',
      label: { en: 'PHQ-9 total (depression severity)' },
      items: scored,
      method: 'sum',
      official: true,
      bands: [
        { min: 0, label: { en: 'Minimal' }, rank: 0 },
        { min: 5, label: { en: 'Mild' }, rank: 1 },
        { min: 10, label: { en: 'Moderate' }, rank: 2 },
        { min: 15, label: { en: 'Moderately severe' }, rank: 3 },
        { min: 20, label: { en: 'Severe' }, rank: 4 },
      ],
      description: 'sum of items 1–9 (0–27); all nine items needed; item 10 is not scored',
    },
  ],
  safety: [
    {
      id: 'phq9_item9',
      when: 'phq9_9 > 0',
      description:
        'PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above "Not at all": follow the study\'s safety protocol',
    },
  ],
  notes: [
    'Severity bands: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe; 10 or more is the usual screening cut-point.',
    'Missing items: no published rule was verified. Default: no total when any of items 1–9 is missing. A study may set its own prorating rule as a domain.',
    'Punctuation differs slightly between official printings (e.g. "dead, or of hurting yourself"); the wording follows the ReproNim reproschema library cross-checked with other implementations. Take the final text from the official PDFs at phqscreeners.com.',
    'The alternative diagnostic algorithm ("≥5 items at more than half the days, including item 1 or 2") is not implemented.',
    'Errors seen in public material (regression-tested): "PHQ-9 total 0–21", "items scored 0 to 4", "public domain – NIMH funding".',
  ],
});
