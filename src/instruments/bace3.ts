/**
 * BACE v3 — Barriers to Access to Care Evaluation (Clement et al. 2012, BMC Psychiatry 12:36).
 * Facts and their status: docs/instrument-sources.md §1; text shipped per the decision in §1.6a.
 */
import { defineInstrument } from '../core/instrument/define.js';
import type { ItemInput } from '../core/instrument/schema.js';

const APP =
  'Wording as in the public MLSA-SRM BACE v3 implementation; check against Additional file 1 of the article.';

/** [number, text, N/A allowed, verified, note] */
const ITEMS: ReadonlyArray<readonly [number, string, boolean, boolean, string?]> = [
  [1, 'Being unsure where to go to get professional care', false, true],
  [2, 'Wanting to solve the problem on my own', false, true],
  [3, 'Concern that I might be seen as weak for having a mental health problem', false, true],
  [4, 'Fear of being put in hospital against my will', false, true],
  [5, 'Concern that it might harm my chances when applying for jobs', false, true],
  [6, 'Problems with transport or travelling to appointments', false, true],
  [7, 'Thinking the problem would get better by itself', false, true],
  [
    8,
    'Concern about what my family might think, say, do or feel',
    false,
    true,
    `${APP} (v2 had "think or say".)`,
  ],
  [
    9,
    'Feeing embarrassed or ashamed',
    false,
    true,
    '"Feeing" is the owner\'s spelling (BMC table and the public implementation); do not correct it.',
  ],
  [
    10,
    'Preferring to get alternative forms of care (e.g. traditional / religious healing or alternative / complementary therapies)',
    false,
    true,
    APP,
  ],
  [11, 'Not being able to afford the financial costs involved', false, true],
  [12, "Concern that I might be seen as 'crazy'", false, true],
  [13, 'Thinking that professional care probably would not help', false, true],
  [
    14,
    'Concern that I might be seen as a bad parent',
    true,
    false,
    "UNVERIFIED: BACE v2 wording (article Table 2); the v3 wording and the position of this item are not confirmed. Replace with the v3 form's wording (a text pack may do this).",
  ],
  [15, 'Professionals from my own ethnic or cultural group not being available', false, true, APP],
  [16, 'Being too unwell to ask for help', false, true, APP],
  [17, 'Concern that people I know might find out', false, true, APP],
  [18, 'Dislike of talking about my feelings, emotions or thoughts', false, true, APP],
  [
    19,
    'Concern that people might not take me seriously if they found out I was having professional care',
    false,
    true,
    APP,
  ],
  [20, 'Concerns about the treatments available (e.g. medication side effects)', false, true, APP],
  [21, 'Not wanting a mental health problem to be on my medical records', false, true, APP],
  [22, 'Having had previous bad experiences with professional care for mental health', false, true, APP],
  [23, 'Preferring to get help from family or friends', false, true, APP],
  [
    24,
    'Concern that my children may be taken into care or that I may lose access or custody of my children without my agreement',
    true,
    false,
    "PLACEHOLDER, UNVERIFIED: this is the wording as quoted in Table 1 of a 2025 study that reworded other BACE items; it is NOT confirmed as the owner's text. Replace it with the v3 form's wording before use.",
  ],
  [25, 'Thinking I did not have a problem', false, true, APP],
  [26, 'Concern about what my friends might think, say or do', false, true, APP],
  [
    27,
    'Difficulty taking time off work',
    true,
    true,
    `${APP} "Not applicable" allowed (for people not in work): UNVERIFIED.`,
  ],
  [
    28,
    'Concern about what people at work might think, say or do',
    true,
    true,
    `${APP} "Not applicable" allowed (for people not in work): UNVERIFIED.`,
  ],
  [
    29,
    'Having issues with childcare while I receive professional care',
    true,
    false,
    "PLACEHOLDER, UNVERIFIED: this is the wording as quoted in Table 1 of a 2025 study that reworded other BACE items; it is NOT confirmed as the owner's text. Replace it with the v3 form's wording before use.",
  ],
  [30, 'Having no one who could help me get professional care', false, true, APP],
];

const id = (n: number): string => `bace3_${String(n).padStart(2, '0')}`;

/** The official 12-item treatment-stigma subscale (abstract: "a 12-item treatment stigma subscale"). */
const BACE3_STIGMA_ITEMS = [3, 5, 8, 9, 12, 14, 17, 19, 21, 24, 26, 28] as const;

const items: ItemInput[] = ITEMS.map(([n, text, na, verified, note]) => ({
  id: id(n),
  type: 'scale',
  scale: 'bace3_extent',
  text: { en: text },
  notApplicable: na,
  verified,
  ...(note ? { note } : {}),
}));

export const bace3 = defineInstrument({
  id: 'bace3',
  version: '3',
  title: { en: 'Barriers to Access to Care Evaluation, version 3' },
  shortTitle: 'BACE v3',
  citation:
    'Clement S, Brohan E, Jeffery D, Henderson C, Hatch SL, Thornicroft G. Development and psychometric properties of the Barriers to Access to Care Evaluation scale (BACE) related to people with mental ill health. BMC Psychiatry. 2012;12:36. doi:10.1186/1471-244X-12-36',
  licence: {
    name: "King's College London (INDIGO) conditions of use; article CC BY 2.0",
    textIncluded: true,
    requiresAcknowledgement: true,
    terms:
      "The BACE is one of the stigma measures of King's College London's Section of Community Mental Health (INDIGO). Conditions of use: it is free for people who work or study in a university or health setting; complete the registration survey (https://www.surveymonkey.com/r/stigmascalesregistration); do not change or modify the scale; cite the key paper (Clement et al. 2012, BMC Psychiatry 12:36); do not pass the original or translated scale on to a third party — the only source of the scales and their translations is the INDIGO website; translations must be back-translated, carry the copyright footer, be sent to KCL and be free of charge. nabz shows the English v3 wording as published with the CC BY 2.0 article, attributed; by acknowledging these terms the study owner confirms they have registered with KCL and will not modify the wording.",
    attribution:
      "BACE v3 © King's College London. Clement et al. (2012) BMC Psychiatry 12:36, doi:10.1186/1471-244X-12-36. Used under the KCL/INDIGO conditions of use (https://www.indigo-group.org/stigma-scales/).",
    url: 'https://www.indigo-group.org/stigma-scales/',
  },
  recallPeriod: 'ever',
  languages: ['en'],
  scales: [
    {
      id: 'bace3_extent',
      options: [
        { value: 0, label: { en: 'Not at all' } },
        { value: 1, label: { en: 'A little' } },
        { value: 2, label: { en: 'Quite a lot' } },
        { value: 3, label: { en: 'A lot' } },
      ],
      notApplicableLabel: { en: 'Not applicable' },
    },
  ],
  items,
  scores: [
    {
      id: 'bace3_stigma',
      label: { en: 'Treatment stigma (BACE v3 subscale)' },
      items: BACE3_STIGMA_ITEMS.map(id),
      method: 'mean',
      official: true,
      description:
        'mean of the answered items 3, 5, 8, 9, 12, 14, 17, 19, 21, 24, 26, 28 (0–3); "not applicable" answers are left out of the mean and of the number of items used',
    },
    {
      id: 'bace3_mean',
      label: { en: 'Overall BACE mean (all 30 items)' },
      items: ITEMS.map(([n]) => id(n)),
      method: 'mean',
      official: false,
      description:
        'mean of all answered items (0–3), "not applicable" left out; a common summary, not a score defined by the instrument owner',
    },
  ],
  endorsement: { threshold: 2, label: { en: 'Quite a lot or a lot' } },
  notes: [
    'Text shipped per the project decision (docs/instrument-sources.md §1.6a): the English v3 wording published with the CC BY 2.0 article, attributed. The owner (KCL) asks that the scale be obtained only from its website; every study must acknowledge the terms before use.',
    'Items 14, 24 and 29 are marked unverified. Item 14 uses the v2 wording; items 24 and 29 carry PLACEHOLDER wording quoted by a secondary study. Replace them with the wording of the official v3 form (Additional file 1, or the form from KCL) before collecting data.',
    'The numbering (the parent/child items at 14, 24 and 29) is inferred from a 27-item public implementation plus the 12-item stigma subscale; check it against the official form.',
    'Which items allow "not applicable" (here 14, 24, 29 for parents and 27, 28 for people in work) and the exact label are UNVERIFIED.',
    'Scoring with "not applicable" is an implementation decision following the authors\' own Table 2 practice: N/A is stored as its own status, never as 0, and left out of item denominators and of subscale means. No published rule was found.',
    'The treatment-stigma subscale items 14 and 24 are inferred (the abstract says 12 items; v2 marked "bad parent" as stigma); the other ten are confirmed by a public implementation.',
    'The attitudinal and instrumental subscales of the KCL manual are NOT shipped: no public source lists their items, and a candidate split from memory must not be used until confirmed from the manual. A study that needs its own grouping defines it as study domains (official: false).',
    'The minimum number of answered items per subscale is not specified by the owner; the default here is 1 — set a study-level minimum if needed.',
    'Item endorsement ("quite a lot" or "a lot", ≥ 2) and "% reporting barrier to any degree" (≥ 1) / "% major barrier" (= 3) follow the column definitions of the article\'s Table 2.',
    'The instructions (a preamble defining "professional care" and a lifetime recall question) are not shipped because their verbatim text is UNVERIFIED; supply them from the official form with a text pack.',
  ],
});
