import { describe, expect, it } from 'vitest';
import {
  describeScoring,
  descriptivesTable,
  endorsementTable,
  groupComparisonTable,
  independentSamplesTable,
  sampleTable,
  thresholdTable,
  topEndorsedFigure,
} from '../../../src/core/report/build.js';
import { cellText, displayRows, figureRows, tableNotes } from '../../../src/core/report/display.js';
import type { TableSpec } from '../../../src/core/report/spec.js';
import { notComputable } from '../../../src/core/stats/result.js';

/** Data rows of a table as text, group rows as "# label". */
function grid(t: TableSpec): string[][] {
  return displayRows(t).map((r) => (r.kind === 'group' ? [`# ${r.label}`] : [...r.cells]));
}

/** Seed paper Table 1 (stigma items, counts and percentages as published; N per item from the percentages). */
const stigma = [
  { label: 'Concern about what my friends might think, say, or do', count: 52, n: 217 },
  { label: 'Concern that I might be considered crazy', count: 79, n: 217 },
  { label: 'Concern that I might be considered a bad parent', count: 36, n: 167 },
  { label: 'Not willing to report/mention a mental health problem in my medical records', count: 85, n: 217 },
  { label: 'Concern about what other people at work might think, say, or do', count: 71, n: 217 },
  { label: 'Concern that I might be considered weak for having a mental health issue', count: 71, n: 217 },
];

describe('endorsementTable (Table 1)', () => {
  const t = endorsementTable({
    id: 'table1',
    title: 'Barriers rated "quite a lot" or "a lot"',
    endorsementLabel: 'rated "quite a lot" or "a lot"',
    domains: [
      { label: 'Stigma-related barriers', items: stigma },
      {
        label: 'Instrumental barriers',
        items: [
          { label: 'Difficulty taking time off work', count: 116, n: 217 },
          { label: 'Cost', count: 0, n: 0 },
        ],
      },
    ],
  });

  it('groups by domain and sorts each domain by share, ties in item order', () => {
    expect(grid(t)).toEqual([
      ['# Stigma-related barriers'],
      ['Not willing to report/mention a mental health problem in my medical records', '85', '217', '39.2%'],
      ['Concern that I might be considered crazy', '79', '217', '36.4%'],
      ['Concern about what other people at work might think, say, or do', '71', '217', '32.7%'],
      ['Concern that I might be considered weak for having a mental health issue', '71', '217', '32.7%'],
      ['Concern about what my friends might think, say, or do', '52', '217', '24.0%'],
      ['Concern that I might be considered a bad parent', '36', '167', '21.6%'],
      ['# Instrumental barriers'],
      ['Difficulty taking time off work', '116', '217', '53.5%'],
      ['Cost', '0', '0', 'not computable'],
    ]);
    expect(t.columns.map((c) => c.label)).toEqual(['Item', 'n', 'N', '%']);
  });

  it('states the denominator and explains not computable cells', () => {
    const notes = tableNotes(t);
    expect(notes[0]).toMatch(
      /^n: respondents endorsing the item \(rated "quite a lot" or "a lot"\); N: respondents who answered the item \("not applicable" and skipped answers excluded\)/,
    );
    expect(notes).toContain(
      'Not computable: no respondent answered this item (Instrumental barriers, Cost: %).',
    );
  });

  it('keeps data order on request', () => {
    const d = endorsementTable({
      id: 'x',
      title: 'x',
      endorsementLabel: 'x',
      sort: 'data',
      domains: [{ label: 'S', items: stigma }],
    });
    expect(grid(d)[1]![0]).toBe(stigma[0]!.label);
  });
});

describe('topEndorsedFigure (Figure 1)', () => {
  const items = [
    ...stigma,
    { label: 'Difficulty taking time off work', count: 116, n: 217 },
    { label: 'Wanting to solve the problem on my own', count: 97, n: 217 },
    { label: 'Nobody answered', count: 0, n: 0 },
  ];

  it('takes the top N by share, descending, with counts for text alternatives', () => {
    const f = topEndorsedFigure({ id: 'figure1', title: 'Top 3 barriers', items, top: 3, caption: 'c' });
    expect(f.data.map((d) => d.category)).toEqual([
      'Difficulty taking time off work',
      'Wanting to solve the problem on my own',
      'Not willing to report/mention a mental health problem in my medical records',
    ]);
    expect(f.data[0]).toEqual({
      category: 'Difficulty taking time off work',
      value: 116 / 217,
      count: 116,
      total: 217,
    });
    expect(f.sort).toBe('descending');
    expect(f.x.format).toEqual({ kind: 'percent', digits: 1 });
    expect(f.notes).toEqual([]);
    expect(figureRows(f).map((d) => d.label)).toEqual(['53.5%', '44.7%', '39.2%']);
  });

  it('names items tied with the last one shown', () => {
    const f = topEndorsedFigure({ id: 'f', title: 'Top 5', items, top: 5, caption: 'c' });
    expect(f.data.map((d) => d.category)[4]).toBe(
      'Concern about what other people at work might think, say, or do',
    );
    expect(f.notes).toEqual([
      '1 further item has the same share as the last item shown and is not shown: Concern that I might be considered weak for having a mental health issue.',
    ]);
  });
});

describe('descriptivesTable (Table 2)', () => {
  it('prints mean, SD, min, max, range with 2 decimals; not computable with reasons', () => {
    const t = descriptivesTable({
      id: 'table2',
      title: 'Domain scores',
      rowHeader: 'Domain',
      rows: [
        { label: 'Attitudinal barriers', n: 217, mean: 1.1756, sd: 0.4968, min: 0, max: 2.8 },
        { label: 'Instrumental barriers', n: 217, mean: 1.0355, sd: 0.5404, min: 0.2, max: 2.56 },
        {
          label: 'Empty',
          n: 0,
          mean: notComputable('no scores'),
          sd: notComputable('no scores'),
          min: notComputable('no scores'),
          max: notComputable('no scores'),
        },
      ],
    });
    expect(grid(t)).toEqual([
      ['Attitudinal barriers', '217', '1.18', '0.50', '0.00', '2.80', '2.80'],
      ['Instrumental barriers', '217', '1.04', '0.54', '0.20', '2.56', '2.36'],
      [
        'Empty',
        '0',
        'not computable',
        'not computable',
        'not computable',
        'not computable',
        'not computable',
      ],
    ]);
    expect(tableNotes(t)).toEqual([
      'SD: sample standard deviation (n − 1 denominator).',
      'Not computable: no scores (Empty: Mean, SD, Minimum, Maximum, Range).',
    ]);
  });
});

describe('thresholdTable', () => {
  it('prints n, N, % and the Wilson interval as percentages', () => {
    const t = thresholdTable({
      id: 't',
      title: 'At least 1.5',
      rows: [
        {
          label: 'Attitudinal',
          atLeast: 1.5,
          count: 61,
          n: 217,
          ci: { lower: 0.2255022813, upper: 0.3443248675, level: 0.95 },
        },
        { label: 'Empty', atLeast: 1.5, count: 0, n: 0, ci: notComputable('no respondent had a score') },
      ],
    });
    expect(grid(t)).toEqual([
      ['Attitudinal', '≥ 1.5', '61', '217', '28.1%', '[22.6%, 34.4%]'],
      ['Empty', '≥ 1.5', '0', '0', 'not computable', 'not computable'],
    ]);
    expect(t.columns.at(-1)!.label).toBe('95% CI');
    expect(tableNotes(t).at(-1)).toBe('Not computable: no respondent had a score (Empty, ≥ 1.5: %, 95% CI).');
  });
});

describe('groupComparisonTable (Table 3) and independentSamplesTable', () => {
  it('lays out groups per outcome with the reported test on the first row', () => {
    const t = groupComparisonTable({
      id: 'table3',
      title: 'By level of training',
      groupHeader: 'Level of training',
      test: 'student',
      alpha: 0.05,
      rows: [
        {
          outcomeLabel: 'Instrumental',
          groups: [
            { label: 'Postgraduate', n: 158, mean: 1.0866, sd: 0.53186 },
            { label: 'Undergraduate', n: 59, mean: 0.899, sd: 0.54317 },
          ],
          test: { statistic: 2.298565099, df: 215, pValue: 0.02249056894 },
          effect: { estimate: 0.3506970606, ci: { lower: 0.0483, upper: 0.6524, level: 0.95 } },
        },
      ],
    });
    expect(t.columns.map((c) => c.label)).toEqual([
      'Score',
      'Level of training',
      'n',
      'Mean',
      'SD',
      't',
      'df',
      'p',
      'd',
      '95% CI (d)',
    ]);
    expect(grid(t)).toEqual([
      ['Instrumental', 'Postgraduate', '158', '1.09', '0.53', '2.30', '215', '.022', '0.35', '[0.05, 0.65]'],
      ['', 'Undergraduate', '59', '0.90', '0.54', '', '', '', '', ''],
    ]);
    expect(t.notes[0]).toMatch(/Student's t-test/);
    expect(t.notes[1]).toBe('Significance: p < .05.');
  });

  it('shows Student and Welch rows with Levene centred as chosen', () => {
    const t = independentSamplesTable({
      id: 'ist',
      title: 'Independent samples tests',
      alpha: 0.05,
      leveneCenter: 'mean',
      rows: [
        {
          outcomeLabel: 'Instrumental',
          levene: { statistic: 0.0312, df: [1, 215], pValue: 0.86 },
          student: {
            statistic: 2.298565099,
            df: 215,
            pValue: 0.02249056894,
            meanDifference: 0.1876,
            ci: { lower: 0.0267, upper: 0.3485, level: 0.95 },
          },
          welch: {
            statistic: 2.276504773,
            df: 102.1297209,
            pValue: 0.02490207075,
            meanDifference: 0.1876,
            ci: { lower: 0.0241, upper: 0.3511, level: 0.95 },
          },
        },
      ],
    });
    expect(grid(t)).toEqual([
      [
        'Instrumental',
        'Equal variances assumed',
        '0.03',
        '.860',
        '2.30',
        '215',
        '.022',
        '0.19',
        '[0.03, 0.35]',
      ],
      ['', 'Equal variances not assumed', '', '', '2.28', '102.13', '.025', '0.19', '[0.02, 0.35]'],
    ]);
    expect(t.notes[0]).toBe("Levene's test centred on the mean, as SPSS.");
    const median = independentSamplesTable({
      id: 'x',
      title: 'x',
      alpha: 0.05,
      leveneCenter: 'median',
      rows: [],
    });
    expect(median.notes[0]).toMatch(/median \(Brown–Forsythe\), as R car::leveneTest/);
  });
});

describe('sampleTable', () => {
  it('lists levels with % of those who answered, and no-answer rows', () => {
    const t = sampleTable({
      id: 's',
      title: 'Sample',
      variables: [
        {
          label: 'Gender',
          levels: [
            { label: 'Female', count: 123 },
            { label: 'Male', count: 94 },
          ],
        },
        {
          label: 'Level',
          levels: [
            { label: 'Postgraduate', count: 158 },
            { label: 'Undergraduate', count: 58 },
          ],
          missing: 1,
        },
      ],
    });
    expect(grid(t)).toEqual([
      ['# Gender'],
      ['Female', '123', '56.7%'],
      ['Male', '94', '43.3%'],
      ['# Level'],
      ['Postgraduate', '158', '73.1%'],
      ['Undergraduate', '58', '26.9%'],
      ['No answer', '1', ''],
    ]);
    expect(t.denominator).toMatch(/no answer are listed but not counted/);
  });
});

describe('describeScoring', () => {
  const s = (official: boolean) => ({ label: 'Stigma', official, method: 'mean' as const, items: 10 });
  it('names official subscales, study-defined domains, or both', () => {
    expect(describeScoring({ instrument: 'BACE v3', scores: [s(false)] })).toBe(
      'Scoring: study-defined domains, not official BACE v3 subscales: Stigma (mean of 10 items).',
    );
    expect(describeScoring({ instrument: 'BACE v3', scores: [s(true)] })).toBe(
      "Scoring: official BACE v3 subscales, as defined by the instrument's authors: Stigma (mean of 10 items).",
    );
    expect(
      describeScoring({
        instrument: 'BACE v3',
        scores: [s(true), { ...s(false), label: 'Mine', description: 'sum of items 1–3' }],
      }),
    ).toBe(
      'Scoring: official BACE v3 subscales (Stigma (mean of 10 items)) and study-defined domains, which are not official subscales (Mine (sum of items 1–3)).',
    );
    expect(describeScoring({ instrument: 'BACE v3', scores: [] })).toMatch(/no BACE v3 scores were computed/);
  });
});

describe('cellText', () => {
  it('prints each cell kind', () => {
    const c = { key: 'k', label: 'K', format: { kind: 'decimal', digits: 2 } } as const;
    expect(cellText({ kind: 'number', value: 0.125 }, c)).toBe('0.13');
    expect(cellText({ kind: 'number', value: 0.0004, format: { kind: 'pValue' } }, c)).toBe('< .001');
    expect(
      cellText(
        { kind: 'number', value: 0.87, format: { kind: 'decimal', digits: 2, leadingZero: false } },
        c,
      ),
    ).toBe('.87');
    expect(cellText({ kind: 'number', value: 101.5, format: { kind: 'df' } }, c)).toBe('101.50');
    expect(cellText({ kind: 'number', value: 1.5, format: { kind: 'text' } }, c)).toBe('1.5');
    expect(cellText({ kind: 'proportion', count: 97, total: 217 }, c)).toBe('44.7% (97/217)');
    expect(cellText({ kind: 'proportion', count: 97, total: 217, digits: 2 }, c)).toBe('44.70% (97/217)');
    expect(cellText({ kind: 'interval', lower: 0.12, upper: 0.454 }, c)).toBe('[0.12, 0.45]');
    expect(
      cellText({ kind: 'interval', lower: 0.2255, upper: 0.3443, format: { kind: 'percent', digits: 1 } }, c),
    ).toBe('[22.6%, 34.4%]');
    expect(cellText({ kind: 'not_computable', reason: 'r' }, c)).toBe('not computable');
    expect(cellText({ kind: 'suppressed', reason: 'fewer than 5' }, c)).toBe('suppressed');
    expect(cellText({ kind: 'empty' }, c)).toBe('');
    expect(cellText(undefined, c)).toBe('');
    expect(cellText({ kind: 'text', text: 'x' }, c)).toBe('x');
  });
});
