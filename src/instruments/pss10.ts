/**
 * PSS-10 — Perceived Stress Scale, 10-item version (Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988).
 * Structure and scoring only ("Copyright 1994 Sheldon Cohen. All rights reserved."); the item text is a
 * user-supplied text pack. Facts and their status: docs/instrument-sources.md §6.
 */
import { defineInstrument } from '../core/instrument/define.js';

const id = (n: number): string => `pss10_${String(n).padStart(2, '0')}`;
/** Positively worded items, reverse scored 0↔4, 1↔3. */
const PSS10_REVERSED = [4, 5, 7, 8] as const;

export const pss10 = defineInstrument({
  id: 'pss10',
  version: '1988',
  title: { en: 'Perceived Stress Scale (10-item version)' },
  shortTitle: 'PSS-10',
  citation:
    'Cohen S, Kamarck T, Mermelstein R. A global measure of perceived stress. J Health Soc Behav. 1983;24(4):385–396. Cohen S, Williamson G. Perceived stress in a probability sample of the United States. In: Spacapan S, Oskamp S, eds. The Social Psychology of Health. Newbury Park, CA: Sage; 1988.',
  licence: {
    name: 'Copyright 1994 Sheldon Cohen, all rights reserved',
    textIncluded: false,
    requiresAcknowledgement: true,
    terms:
      '"Copyright 1994 Sheldon Cohen. All rights reserved." The current distributor and terms are unclear. nabz ships only item ids and scoring: the study owner confirms they may use the PSS-10 in their setting and supply the item text as a text pack.',
    attribution:
      'Perceived Stress Scale. Copyright 1994 Sheldon Cohen. All rights reserved. Item text supplied by the licensee.',
  },
  recallPeriod: 'last month',
  languages: ['en'],
  scales: [
    { id: 'pss10_frequency', options: [0, 1, 2, 3, 4].map((v) => ({ value: v, label: { en: String(v) } })) },
  ],
  items: Array.from({ length: 10 }, (_, i) => ({
    id: id(i + 1),
    type: 'scale' as const,
    scale: 'pss10_frequency',
    reverse: (PSS10_REVERSED as readonly number[]).includes(i + 1),
  })),
  scores: [
    {
      id: 'pss10_total',
      label: { en: 'Perceived stress (PSS-10 total)' },
      items: Array.from({ length: 10 }, (_, i) => id(i + 1)),
      method: 'sum',
      official: true,
      description:
        'sum of the 10 items (0–40) after reversing items 4, 5, 7 and 8 (4 − value); all ten items needed',
    },
  ],
  notes: [
    'No item text is shipped (copyright Sheldon Cohen): apply a text pack, which also supplies the option anchors (the shipped labels are the numbers 0–4; commonly Never, Almost never, Sometimes, Fairly often, Very often).',
    'Items 4, 5, 7 and 8 are reverse scored (0↔4, 1↔3) on the 0–4 coding. The keys depend on that coding: data coded 1–5 must be recoded to 0–4 first.',
    'The 0–13 / 14–26 / 27–40 "low / moderate / high" bands are a display convention from distributor handouts, not a validated cut-off, so no bands are shipped.',
    'Missing items: no published rule was verified. Default: no total when any item is missing.',
  ],
});
