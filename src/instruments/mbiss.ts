/**
 * MBI-SS — Maslach Burnout Inventory, Student Survey (Schaufeli, Martínez, Marques Pinto, Salanova & Bakker 2002).
 * Structure and scoring only; the item text is licensed per administration by Mind Garden and must be
 * supplied as a text pack by a licensee. Facts and their status: docs/instrument-sources.md §3.
 */
import { defineInstrument } from '../core/instrument/define.js';

const block = (code: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `mbiss_${code}${i + 1}`);
const EX = block('ex', 5);
const CY = block('cy', 4);
const EF = block('ef', 6);

export const mbiss = defineInstrument({
  id: 'mbiss',
  version: '2002',
  title: { en: 'Maslach Burnout Inventory – Student Survey' },
  shortTitle: 'MBI-SS',
  citation:
    'Schaufeli WB, Martínez IM, Marques Pinto A, Salanova M, Bakker AB. Burnout and engagement in university students: a cross-national study. J Cross-Cult Psychol. 2002;33(5):464–481. doi:10.1177/0022022102033005003',
  licence: {
    name: 'Mind Garden: licence per administration',
    textIncluded: false,
    requiresAcknowledgement: true,
    terms:
      'The MBI is copyrighted and distributed by Mind Garden. "All reproductions in any medium need to be purchased from the publisher"; online administration outside Mind Garden\'s own system needs a licence to administer, bought per respondent. nabz ships only item ids and scoring: the study owner confirms they hold a Mind Garden licence for the number of administrations and supply the item text as a text pack.',
    attribution:
      'Maslach Burnout Inventory – Student Survey. Copyright Mind Garden, Inc. (www.mindgarden.com). Used under licence; item text supplied by the licensee.',
    url: 'https://www.mindgarden.com/313-mbi-general-survey-for-students',
  },
  languages: ['en'],
  scales: [
    {
      id: 'mbiss_frequency',
      options: [0, 1, 2, 3, 4, 5, 6].map((v) => ({ value: v, label: { en: String(v) } })),
    },
  ],
  items: [...EX, ...CY, ...EF].map((id) => ({ id, type: 'scale' as const, scale: 'mbiss_frequency' })),
  scores: [
    {
      id: 'mbiss_ex',
      label: { en: 'Exhaustion' },
      items: EX,
      method: 'mean',
      official: true,
      description: 'mean of the five exhaustion items (0–6)',
    },
    {
      id: 'mbiss_cy',
      label: { en: 'Cynicism' },
      items: CY,
      method: 'mean',
      official: true,
      description: 'mean of the four cynicism items (0–6)',
    },
    {
      id: 'mbiss_ef',
      label: { en: 'Academic efficacy' },
      items: EF,
      method: 'mean',
      official: true,
      description: 'mean of the six efficacy items (0–6); higher = more efficacy (not reversed)',
    },
  ],
  notes: [
    'No item text is shipped (Mind Garden copyright): apply a text pack from a licensee, which also supplies the option anchors (the shipped labels are the numbers 0–6).',
    "Structure UNVERIFIED from the primary text: the 15-item form (exhaustion 5, cynicism 4, efficacy 6) is widely cited for Schaufeli et al. 2002; Mind Garden sells a 16-item MBI-GS (S). The item order within the form is unknown — use the item ids, and map them to the licensed form's items in the text pack.",
    'Scale 0–6 frequency; the exact MBI-SS anchors are UNVERIFIED (usual MBI-GS anchors: Never … Every day).',
    'Subscale scores are means. Efficacy items are positively worded and kept as efficacy (high EX and CY with low EF = burnout profile); some researchers reverse them into "inefficacy" — define that as a study domain if needed.',
    'No official cut-offs (the 4th-edition manual is reported to discourage categorical cut-offs), so no bands are shipped.',
  ],
});
