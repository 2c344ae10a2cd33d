/** The generated methods paragraph: design, instruments with citations, missing-data rules, tests, α, software. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from './helpers.js';

const example = join(__dirname, '..', '..', 'examples', 'bace-medical-students');
const study = JSON.parse(readFileSync(join(example, 'study.json'), 'utf8')) as {
  analysis: Record<string, unknown>;
};
const csv = join(example, 'responses.csv');

function methodsText(report: Awaited<ReturnType<typeof analyzeFile>>['report']): string {
  const s = report.sections[0]!;
  expect(s.id).toBe('methods');
  expect(s.title).toBe('Methods');
  const b = s.blocks[0]!;
  if (b.type !== 'text') throw new Error('methods is not a text block');
  return b.sentences.join(' ');
}

describe('methods section', () => {
  it('describes the BACE example: sample, citation, scoring, missing data, tests, alpha, software', async () => {
    const { report } = await analyzeFile(study, csv);
    const m = methodsText(report);
    expect(m).toContain('Design: cross-sectional survey; 217 respondents were analysed.');
    expect(m).toContain('Barriers to Access to Care Evaluation, version 3 (BACE v3), 30 items: Clement S');
    expect(m).toContain('doi:10.1186/1471-244X-12-36.');
    expect(m).toContain('Scoring: official BACE v3 subscales');
    expect(m).toContain('means use the answered items (at least one), otherwise the score is missing');
    expect(m).toContain(
      "groups (level of training, gender) are compared with Welch's t test (Student's t test shown alongside)",
    );
    expect(m).toContain("Levene's test centred on the mean");
    expect(m).toContain("Cronbach's α (listwise deletion, as SPSS)");
    expect(m).toContain('Tests are two-sided at α = .05; intervals are 95% confidence intervals.');
    expect(m).toContain('Software: test');
  });

  it('follows the analysis plan: α, confidence level, t test, Levene centre, alpha missing, suppression', async () => {
    const plan = {
      ...study,
      analysis: {
        ...study.analysis,
        alpha: 0.01,
        confidenceLevel: 0.99,
        ttest: 'student',
        leveneCenter: 'median',
        alphaMissing: 'pairwise',
        minCellSize: 5,
        groupBy: [],
        thresholds: [],
      },
    };
    const m = methodsText((await analyzeFile(plan, csv)).report);
    expect(m).toContain('Tests are two-sided at α = .01; intervals are 99% confidence intervals.');
    expect(m).toContain("Cronbach's α (pairwise, as R psych::alpha)");
    expect(m).toContain('Counts below 5 are suppressed');
    expect(m).not.toContain('groups (');
    expect(m).not.toContain('Wilson');
    const grouped = methodsText(
      (await analyzeFile({ ...plan, analysis: { ...plan.analysis, groupBy: ['gender'] } }, csv)).report,
    );
    expect(grouped).toContain(
      "groups (gender) are compared with Student's t test (Welch's t test shown alongside)",
    );
    expect(grouped).toContain("Levene's test centred on the median");
  });
});
