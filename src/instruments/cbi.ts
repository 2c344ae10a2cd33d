/**
 * CBI — Copenhagen Burnout Inventory (Kristensen, Borritz, Villadsen & Christensen 2005).
 * Facts and their status: docs/instrument-sources.md §4.1.
 */
import { defineInstrument } from '../core/instrument/define.js';

/** [id suffix, text, response type F (frequency) or D (degree), reversed] — VERIFIED across ≥ 2 sources. */
const ITEMS: ReadonlyArray<readonly [string, string, 'F' | 'D', boolean]> = [
  ['pb1', 'How often do you feel tired?', 'F', false],
  ['pb2', 'How often are you physically exhausted?', 'F', false],
  ['pb3', 'How often are you emotionally exhausted?', 'F', false],
  ['pb4', 'How often do you think: "I can\'t take it anymore"?', 'F', false],
  ['pb5', 'How often do you feel worn out?', 'F', false],
  ['pb6', 'How often do you feel weak and susceptible to illness?', 'F', false],
  ['wb1', 'Is your work emotionally exhausting?', 'D', false],
  ['wb2', 'Do you feel burnt out because of your work?', 'D', false],
  ['wb3', 'Does your work frustrate you?', 'D', false],
  ['wb4', 'Do you feel worn out at the end of the working day?', 'F', false],
  ['wb5', 'Are you exhausted in the morning at the thought of another day at work?', 'F', false],
  ['wb6', 'Do you feel that every working hour is tiring for you?', 'F', false],
  ['wb7', 'Do you have enough energy for family and friends during leisure time?', 'F', true],
  ['cb1', 'Do you find it hard to work with clients?', 'D', false],
  ['cb2', 'Do you find it frustrating to work with clients?', 'D', false],
  ['cb3', 'Does it drain your energy to work with clients?', 'D', false],
  ['cb4', 'Do you feel that you give more than you get back when you work with clients?', 'D', false],
  ['cb5', 'Are you tired of working with clients?', 'F', false],
  ['cb6', 'Do you sometimes wonder how long you will be able to continue working with clients?', 'F', false],
];

const ids = (prefix: string): string[] =>
  ITEMS.filter(([s]) => s.startsWith(prefix)).map(([s]) => `cbi_${s}`);

export const cbi = defineInstrument({
  id: 'cbi',
  version: '2005',
  title: { en: 'Copenhagen Burnout Inventory' },
  shortTitle: 'CBI',
  citation:
    'Kristensen TS, Borritz M, Villadsen E, Christensen KB. The Copenhagen Burnout Inventory: a new tool for the assessment of burnout. Work & Stress. 2005;19(3):192–207. doi:10.1080/02678370500297720',
  licence: {
    name: 'Free download from the National Research Centre for the Working Environment (NFA); described as public domain',
    textIncluded: true,
    requiresAcknowledgement: false,
    terms:
      'The CBI is offered as a free download by the Danish National Research Centre for the Working Environment (NFA) and is described as a "public domain questionnaire" (Fiorilli et al., Italian validation). No explicit licence text was found (SECONDARY). Cite Kristensen et al. (2005).',
    attribution:
      'Copenhagen Burnout Inventory: Kristensen TS, Borritz M, Villadsen E, Christensen KB (2005), Work & Stress 19(3):192–207. National Research Centre for the Working Environment, Copenhagen.',
    url: 'https://nfa.dk/vaerktoejer/spoergeskemaer/spoergeskema-til-maaling-af-udbraendthed-cbi/copenhagen-burnout-inventory-cbi',
  },
  languages: ['en'],
  scales: [
    {
      id: 'cbi_frequency',
      options: [
        { value: 100, label: { en: 'Always' } },
        { value: 75, label: { en: 'Often' } },
        { value: 50, label: { en: 'Sometimes' } },
        { value: 25, label: { en: 'Seldom' } },
        { value: 0, label: { en: 'Never or almost never' } },
      ],
    },
    {
      id: 'cbi_degree',
      options: [
        { value: 100, label: { en: 'To a very high degree' } },
        { value: 75, label: { en: 'To a high degree' } },
        { value: 50, label: { en: 'Somewhat' } },
        { value: 25, label: { en: 'To a low degree' } },
        { value: 0, label: { en: 'To a very low degree' } },
      ],
    },
  ],
  items: ITEMS.map(([s, text, type, reverse]) => ({
    id: `cbi_${s}`,
    type: 'scale' as const,
    scale: type === 'F' ? 'cbi_frequency' : 'cbi_degree',
    text: { en: text },
    reverse,
    ...(reverse ? { note: 'Reverse scored: 100 − value (enough energy is the opposite of burnout).' } : {}),
  })),
  scores: [
    {
      id: 'cbi_personal',
      label: { en: 'Personal burnout' },
      items: ids('pb'),
      method: 'mean',
      official: true,
      description: 'mean of the answered personal-burnout items PB1–PB6 (0–100)',
    },
    {
      id: 'cbi_work',
      label: { en: 'Work-related burnout' },
      items: ids('wb'),
      method: 'mean',
      official: true,
      description: 'mean of the answered work-related items WB1–WB7 (0–100), WB7 reversed (100 − value)',
    },
    {
      id: 'cbi_client',
      label: { en: 'Client-related burnout' },
      items: ids('cb'),
      method: 'mean',
      official: true,
      description: 'mean of the answered client-related items CB1–CB6 (0–100)',
    },
  ],
  notes: [
    'Options are scored 0/25/50/75/100 (Always 100 … Never or almost never 0; To a very high degree 100 … To a very low degree 0). One public app scores them 0/2/3/4 — wrong.',
    'No official cut-offs: "≥ 50 = high burnout" and 50–74 / 75–99 / 100 bands are conventions (SECONDARY/UNVERIFIED), so no bands are shipped. A study may count respondents at or above 50 with an analysis threshold and must say it is a convention.',
    'Missing items: the rule "fewer than half the items answered → missing" is commonly attributed to Kristensen but not confirmed; the default here is a mean of the answered items (at least one). Set a stricter study-level rule if needed.',
    'Item order within the work and client scales differs between implementations; the order here is UNVERIFIED — use the item ids, not positions. The NFA suggests the order of the questions may be alternated.',
    '"Clients" is usually replaced by the group the respondent works with (patients, students, …); that adaptation changes the wording and must be reported.',
    'Instructions and recall period are not shipped: the instruction text is UNVERIFIED (take it from the NFA download).',
    'Licence: described as public domain and offered as a free download; no explicit licence text was found. Confirm with NFA before redistributing outside research use.',
  ],
});
