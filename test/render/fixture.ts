/**
 * A small hand-built report in the shape of the BACE paper (numbers from its tables, a few items only), plus
 * hostile labels to check escaping. Shared by the renderer tests.
 */
import {
  describeScoring,
  descriptivesTable,
  endorsementTable,
  groupComparisonTable,
  sampleTable,
  thresholdTable,
  topEndorsedFigure,
} from '../../src/core/report/build.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/core/report/spec.js';
import { notComputable } from '../../src/core/stats/result.js';

export const XSS = '<script>alert("x")</script>';
export const FORMULA = '=HYPERLINK("http://evil.example","click")';

const stigma = [
  { label: 'Not willing to report/mention a mental health problem in my medical records', count: 85, n: 217 },
  { label: 'Concern that I might be considered crazy', count: 79, n: 217 },
  { label: 'Concern that I might be considered a bad parent', count: 36, n: 167 },
];
const instrumental = [
  { label: 'Difficulty taking time off work', count: 116, n: 217 },
  { label: 'Being unsure where to go to get professional care', count: 60, n: 217 },
];
const attitudinal = [
  { label: 'Wanting to solve the problem on my own', count: 97, n: 217 },
  { label: `Preferring alternative care ${XSS}`, count: 91, n: 217 },
  { label: FORMULA, count: 10, n: 217 },
];

export function fixtureReport(): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: 'Barriers to care among medical students',
    language: 'en',
    generatedBy: 'nabz 0.1.0',
    scoringNote: describeScoring({
      instrument: 'BACE v3',
      scores: [
        { label: 'Stigma-related barriers', official: false, method: 'mean', items: 3 },
        { label: 'Instrumental barriers', official: false, method: 'mean', items: 2 },
      ],
    }),
    sections: [
      {
        id: 'sample',
        title: 'Sample',
        blocks: [
          { type: 'text', sentences: ['A total of 217 responses were analysed.'] },
          sampleTable({
            id: 'sample',
            title: 'Participants',
            variables: [
              {
                label: 'Gender',
                levels: [
                  { label: 'Female', count: 123 },
                  { label: 'Male', count: 94 },
                ],
              },
              {
                label: 'Level of training',
                levels: [
                  { label: 'Postgraduate', count: 158 },
                  { label: 'Undergraduate', count: 59 },
                ],
                missing: 0,
              },
            ],
          }),
        ],
      },
      {
        id: 'endorsement',
        title: 'Item endorsement',
        blocks: [
          endorsementTable({
            id: 'endorsement',
            title: 'Barriers rated "quite a lot" or "a lot"',
            endorsementLabel: 'rated "quite a lot" or "a lot"',
            domains: [
              { label: 'Stigma-related barriers', items: stigma },
              { label: 'Attitudinal barriers', items: attitudinal },
              {
                label: 'Instrumental barriers',
                items: [...instrumental, { label: 'Cost of care', count: 0, n: 0 }],
              },
            ],
          }),
          topEndorsedFigure({
            id: 'top-barriers',
            title: 'Top 5 barriers',
            items: [...stigma, ...instrumental, ...attitudinal],
            top: 5,
            caption: 'Barriers rated "quite a lot" or "a lot".',
          }),
        ],
      },
      {
        id: 'scores',
        title: 'Domain scores',
        blocks: [
          descriptivesTable({
            id: 'domains',
            title: 'Domain scores (0–3)',
            rowHeader: 'Domain',
            rows: [
              { label: 'Stigma-related barriers', n: 217, mean: 0.9974, sd: 0.6512, min: 0, max: 3 },
              { label: 'Instrumental barriers', n: 217, mean: 1.0355, sd: 0.5404, min: 0, max: 2.56 },
              {
                label: 'Empty domain',
                n: 0,
                mean: notComputable('no respondent had a score'),
                sd: notComputable('no respondent had a score'),
                min: notComputable('no respondent had a score'),
                max: notComputable('no respondent had a score'),
              },
            ],
          }),
          thresholdTable({
            id: 'thresholds',
            title: 'Respondents with a domain score of at least 1.5',
            rows: [
              {
                label: 'Attitudinal barriers',
                atLeast: 1.5,
                count: 61,
                n: 217,
                ci: { lower: 0.22582, upper: 0.34382, level: 0.95 },
              },
            ],
          }),
          groupComparisonTable({
            id: 'by-training',
            title: 'Domain scores by level of training',
            groupHeader: 'Level of training',
            test: 'welch',
            alpha: 0.05,
            rows: [
              {
                outcomeLabel: 'Instrumental',
                groups: [
                  { label: 'Postgraduate', n: 158, mean: 1.0866, sd: 0.53186 },
                  { label: 'Undergraduate', n: 59, mean: 0.899, sd: 0.54317 },
                ],
                test: { statistic: 2.2813, df: 101.87, pValue: 0.0246 },
                effect: { estimate: 0.3509, ci: { lower: 0.0483, upper: 0.6524, level: 0.95 } },
              },
              {
                outcomeLabel: 'Stigma related',
                groups: [
                  { label: 'Postgraduate', n: 158, mean: 1.0263, sd: 0.64201 },
                  {
                    label: 'Undergraduate',
                    n: 1,
                    mean: 0.9199,
                    sd: notComputable('fewer than 2 respondents in the group'),
                  },
                ],
                test: notComputable('fewer than 2 respondents in a group'),
              },
            ],
          }),
        ],
      },
    ],
  };
}
