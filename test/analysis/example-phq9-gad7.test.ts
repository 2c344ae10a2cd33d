/**
 * The "factors associated" example (examples/phq9-gad7-students: PHQ-9 and GAD-7 with demographics, simulated by
 * `nabz simulate` from simulation.json) through import → score → analyze, against values computed independently in R
 * from the same CSV (test/goldens/r/example_phq9_gad7.R): the bivariate tests of `analysis.associations`, the Holm
 * adjustment, the post-hoc tests, the correlation matrix, the models and the sample-size sentence. Tolerances:
 * statistics 12 significant digits, p-values 11 (Tukey and Games–Howell p-values to R's ptukey accuracy).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cell, Report, Row, TableSpec } from '../../src/core/report/spec.js';
import { resolveStudy } from '../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { expectDigits } from '../helpers/accuracy.js';
import { analyzeFile, table as tableOf, value } from './helpers.js';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'phq9-gad7-students');
const golden = JSON.parse(
  readFileSync(join(root, 'test', 'goldens', 'example_phq9_gad7.json'), 'utf8'),
) as Record<string, number>;
const g = (k: string) => {
  const v = golden[k];
  if (v === undefined) throw new Error(`golden ${k} missing`);
  return v;
};
const studyJson = () => JSON.parse(readFileSync(join(example, 'study.json'), 'utf8'));
const csv = join(example, 'responses.csv');

let report: Report;
const table = (id: string): TableSpec => tableOf(report, id);

/** The characteristic's own row (the one with the test) of an association table, by its label. */
function head(t: TableSpec, label: string): Record<string, Cell> {
  const r = t.rows.find(
    (x: Row) =>
      x.kind === 'data' &&
      !x.indent &&
      x.cells.characteristic?.kind === 'text' &&
      x.cells.characteristic.text === label,
  );
  if (r?.kind !== 'data') throw new Error(`no row ${label} in ${t.id}`);
  return r.cells;
}
function sentences(r: Report, sectionId: string): string[] {
  const s = r.sections.find((x) => x.id === sectionId);
  if (!s) throw new Error(`no section ${sectionId}`);
  return s.blocks.flatMap((b) => (b.type === 'text' ? b.sentences : []));
}
function textOf(c: Cell | undefined): string {
  return c?.kind === 'text' ? c.text : '';
}

beforeAll(async () => {
  report = (await analyzeFile(studyJson(), csv)).report;
});

const LABEL: Record<string, string> = {
  gender: 'Gender',
  year: 'Year of study',
  residence: 'Residence',
  family_history: 'Family history of mental illness',
  marital: 'Marital status',
  age: 'Age, M (SD)',
  sleep: 'Hours of sleep on a usual night, M (SD)',
};

describe('PHQ-9/GAD-7 example: bivariate associations agree with R', () => {
  it('depression (PHQ-9 ≥ 10): chi-square, Fisher when an expected count < 5, Welch t; Holm over the table', () => {
    const t = table('assoc_depression');
    for (const v of ['gender', 'year', 'residence', 'family_history']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe(`χ²(${g(`depression.${v}.df`)})`);
      expectDigits(value(c.statistic), g(`depression.${v}.chi2`), 12, `${v} χ²`);
      expectDigits(value(c.p), g(`depression.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`depression.${v}.holm`), 11, `${v} Holm p`);
      expect(textOf(c.effect)).toBe(`V = ${g(`depression.${v}.v`).toFixed(2).replace(/^0/, '')}`);
    }
    // Marital status: the smallest expected count is below 5, so Fisher's exact test, and the note says why.
    expect(g('depression.marital.minExpected')).toBeLessThan(5);
    const m = head(t, LABEL.marital!);
    expect(textOf(m.test)).toBe("Fisher's exact");
    expectDigits(value(m.p), g('depression.marital.p'), 11, 'marital Fisher p');
    expectDigits(value(m.padj), g('depression.marital.holm'), 11, 'marital Holm p');
    expect(t.notes.join(' ')).toMatch(
      /Marital status: Fisher's exact test \(two-sided, R fisher.test\) instead of chi-square, because 2 of 6 cells \(33.3%\) have an expected count below 5 \(minimum 2.69\)/,
    );
    for (const v of ['age', 'sleep']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe(`Welch's t(${g(`depression.${v}.df`).toFixed(2)})`);
      expectDigits(value(c.statistic), g(`depression.${v}.t`), 12, `${v} t`);
      expectDigits(value(c.p), g(`depression.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`depression.${v}.holm`), 11, `${v} Holm p`);
    }
  });

  it('PHQ-9 total (nonparametric): Mann–Whitney, Kruskal–Wallis, Spearman; Holm over the table', () => {
    const t = table('assoc_phq9_total');
    for (const v of ['gender', 'family_history']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe('Mann–Whitney W');
      expectDigits(value(c.statistic), g(`phq9_total.${v}.W`), 12, `${v} W`);
      expectDigits(value(c.p), g(`phq9_total.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`phq9_total.${v}.holm`), 11, `${v} Holm p`);
    }
    for (const v of ['year', 'residence']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe(`Kruskal–Wallis H(${g(`phq9_total.${v}.df`)})`);
      expectDigits(value(c.statistic), g(`phq9_total.${v}.H`), 12, `${v} H`);
      expectDigits(value(c.p), g(`phq9_total.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`phq9_total.${v}.holm`), 11, `${v} Holm p`);
      // Dunn's pairs after Kruskal–Wallis, Holm over the pairs (the plan's adjust)
      const ph = table(`assoc_phq9_total_${v}_posthoc`);
      expect(ph.title).toMatch(/Dunn's pairwise comparisons/);
      expect(ph.notes.join(' ')).toMatch(/p adjusted over the \d+ comparisons among these groups: Holm/);
      const pairs = ph.rows.filter((r) => r.kind === 'data');
      expect(pairs).toHaveLength(v === 'year' ? 6 : 3);
      for (const r of pairs) {
        if (r.kind !== 'data') continue;
        const key = `phq9_total.${v}.dunn.${textOf(r.cells.comparison).replace(' − ', ' - ')}`;
        expectDigits(value(r.cells.diff), g(`${key}.diff`), 12, `${key} diff`);
        expectDigits(value(r.cells.z), g(`${key}.z`), 12, `${key} z`);
        expectDigits(value(r.cells.p), g(`${key}.p`), 11, `${key} p`);
        expectDigits(value(r.cells.padj), g(`${key}.holm`), 11, `${key} Holm p`);
      }
    }
    for (const [v, label] of [
      ['age', 'Age'],
      ['sleep', 'Hours of sleep on a usual night'],
    ] as const) {
      const c = head(t, label);
      expect(textOf(c.test)).toBe('Spearman ρ(398)');
      expectDigits(value(c.statistic), g(`phq9_total.${v}.rho`), 12, `${v} ρ`);
      expectDigits(value(c.p), g(`phq9_total.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`phq9_total.${v}.holm`), 11, `${v} Holm p`);
    }
  });

  it('GAD-7 total: Welch t and Welch ANOVA with Games–Howell pairs (per-group n, mean, SD in the note)', () => {
    const t = table('assoc_gad7_total');
    const gc = head(t, 'Gender');
    expectDigits(value(gc.statistic), g('gad7_total.gender.t'), 12, 'gender t');
    expectDigits(value(gc.p), g('gad7_total.gender.p'), 11, 'gender p');
    for (const v of ['year', 'residence']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe(
        `Welch's F(${v === 'year' ? 3 : 2}, ${g(`gad7_total.${v}.df2`).toFixed(2)})`,
      );
      expectDigits(value(c.statistic), g(`gad7_total.${v}.F`), 12, `${v} F`);
      expectDigits(value(c.p), g(`gad7_total.${v}.p`), 11, `${v} p`);
      expectDigits(value(c.padj), g(`gad7_total.${v}.holm`), 11, `${v} Holm p`);
      const ph = table(`assoc_gad7_total_${v}_posthoc`);
      expect(ph.title).toMatch(/Games–Howell/);
      expect(ph.denominator).toMatch(/\(n = \d+, M = \d+\.\d\d, SD = \d+\.\d\d\)/);
      for (const r of ph.rows) {
        if (r.kind !== 'data') continue;
        const key = `gad7_total.${v}.gh.${textOf(r.cells.comparison).replace(' − ', ' - ')}`;
        expectDigits(value(r.cells.diff), g(`${key}.diff`), 12, `${key} diff`);
        expectDigits(value(r.cells.se), g(`${key}.se`), 12, `${key} se`);
        expectDigits(value(r.cells.df), g(`${key}.df`), 12, `${key} df`);
        expectDigits(value(r.cells.q), g(`${key}.q`), 12, `${key} q`);
        // R's ptukey is accurate to only a few digits (docs/statistics.md); ours is the exact integral.
        expectDigits(value(r.cells.p), g(`${key}.p`), 4, `${key} p`);
      }
    }
  });

  it("with Student's t chosen: one-way ANOVA and Tukey HSD as R TukeyHSD(aov())", async () => {
    const s = studyJson();
    s.analysis.ttest = 'student';
    s.analysis.associations = [s.analysis.associations[2]];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'assoc_gad7_total');
    for (const v of ['year', 'residence']) {
      const c = head(t, LABEL[v]!);
      expect(textOf(c.test)).toBe(`F(${v === 'year' ? 3 : 2}, ${v === 'year' ? 396 : 397})`);
      expectDigits(value(c.statistic), g(`gad7_total.${v}.Fstudent`), 12, `${v} F`);
      expectDigits(value(c.p), g(`gad7_total.${v}.pStudent`), 11, `${v} p`);
      const ph = tableOf(r, `assoc_gad7_total_${v}_posthoc`);
      expect(ph.title).toMatch(/Tukey/);
      for (const row of ph.rows) {
        if (row.kind !== 'data') continue;
        const key = `gad7_total.${v}.tukey.${textOf(row.cells.comparison).replace(' − ', ' - ')}`;
        expectDigits(value(row.cells.diff), g(`${key}.diff`), 12, `${key} diff`);
        const ci = row.cells.ci;
        if (ci?.kind !== 'interval') throw new Error('no interval');
        // qtukey in R stops at |Δq| < 1e-4: R's interval is good to about 4–5 digits.
        expectDigits(ci.lower, g(`${key}.lwr`), 4, `${key} lower`);
        expectDigits(ci.upper, g(`${key}.upr`), 4, `${key} upper`);
        expectDigits(value(row.cells.p), g(`${key}.p`), 3, `${key} p`);
      }
    }
  });

  it('sentences say "significantly" only where the Holm-adjusted p is below α', () => {
    const all = [
      ...sentences(report, 'assoc_depression'),
      ...sentences(report, 'assoc_phq9_total'),
      ...sentences(report, 'assoc_gad7_total'),
      ...sentences(report, 'correlations'),
    ];
    expect(all.length).toBeGreaterThan(15);
    // Gender and PHQ-9 ≥ 10: p = .014 unadjusted, but the Holm-adjusted p is .084 — not significant.
    expect(g('depression.gender.p')).toBeLessThan(0.05);
    expect(g('depression.gender.holm')).toBeGreaterThan(0.05);
    const gender = all.find((x) => x.startsWith('Gender was') && x.includes('≥ 10'))!;
    expect(gender).toMatch(
      /^Gender was not significantly associated with .*p = \.014, Holm-adjusted p = \.084/,
    );
    for (const s of all) {
      const m = /Holm-adjusted p (=|<) (1\.000|\.\d+)/.exec(s);
      expect(m, s).not.toBeNull();
      const adjusted = Number(m![2]!.startsWith('.') ? `0${m![2]}` : m![2]);
      if (/ was significantly/.test(s)) expect(adjusted <= 0.05 || m![1] === '<', s).toBe(true);
      else expect(adjusted >= 0.05, s).toBe(true);
    }
    // And a significant one after adjustment: family history with PHQ-9 ≥ 10.
    expect(g('depression.family_history.holm')).toBeLessThan(0.05);
    expect(
      all.some((x) => x.startsWith('Family history of mental illness was significantly associated')),
    ).toBe(true);
  });

  it('small groups (k = 15): a category below k is left out with the next smallest, so "overall minus shown" describes k people', async () => {
    const s = studyJson();
    s.analysis.minCellSize = 15;
    s.analysis.associations = [s.analysis.associations[0]];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'assoc_depression');
    const rows = t.rows.flatMap((x) => (x.kind === 'data' ? [x.cells] : []));
    // Divorced or widowed (6) is below k; alone, its counts would be the overall split (in the threshold table)
    // minus Single and Married. Married (30, the next smallest) goes with it: what is left out is 36 people.
    expect(rows.some((c) => textOf(c.characteristic) === 'Divorced or widowed')).toBe(false);
    expect(rows.some((c) => textOf(c.characteristic) === 'Married')).toBe(false);
    expect(t.notes).toContain(
      'Marital status: Divorced or widowed left out of the comparison (fewer than 15 respondents, who could be identified). Married is left out too, so that the groups left out hold at least 15 respondents together and cannot be recovered as the overall figures minus the groups shown.',
    );
    expect(head(t, 'Marital status').test?.kind).toBe('not_computable');
  });

  it('small cells (k = 5): suppressed along rows and columns, and the test over the table is not shown', async () => {
    const s = studyJson();
    s.analysis.minCellSize = 5;
    s.analysis.associations = [s.analysis.associations[0]];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'assoc_depression');
    const rows = t.rows.flatMap((x) => (x.kind === 'data' ? [x.cells] : []));
    const row = (label: string) => rows.find((c) => textOf(c.characteristic) === label)!;
    // Married 17 / 13 is above k; Divorced or widowed (6) has cells below 5. Hiding only Divorced's cells would
    // leave each recoverable as its column total (known from the threshold table) minus Single and Married; so
    // Married's cells are hidden too, and each column's hidden cells hold at least k people together.
    expect([g('k10.marital.married.dep'), g('k10.marital.married.nodep')]).toEqual([17, 13]);
    for (const label of ['Married', 'Divorced or widowed']) {
      expect(row(label).o0?.kind).toBe('suppressed');
      expect(row(label).o1?.kind).toBe('suppressed');
    }
    expect(row('Single').o0?.kind).toBe('proportion');
    expect(value(row('Married').n)).toBe(30);
    // With the printed row totals and the known column totals, χ² would pin the hidden cells down.
    const m = head(t, 'Marital status');
    expect(m.test?.kind).toBe('suppressed');
    expect(m.statistic).toBeUndefined();
    expect(m.p).toBeUndefined();
    expect(t.notes.join(' ')).toMatch(
      /Marital status: cells with fewer than 5 respondents are suppressed, with further cells of their rows and columns/,
    );
    // The other characteristics keep their tests.
    expect(textOf(head(t, 'Gender').test)).toBe('χ²(1)');
  });

  it('adjust "none": no adjusted column, the note says so, sentences decide on the test p', async () => {
    const s = studyJson();
    s.analysis.adjust = 'none';
    s.analysis.associations = [s.analysis.associations[0]];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'assoc_depression');
    expect(t.columns.some((c) => c.key === 'padj')).toBe(false);
    expect(t.notes).toContain(
      'p-values are not adjusted for multiple comparisons (analysis.adjust = "none").',
    );
    const text = sentences(r, 'assoc_depression').join(' ');
    expect(text).not.toMatch(/adjusted/);
    expect(text).toMatch(/^Gender was significantly associated with .* p = \.014, Cramér's V/);
  });

  it('adjust "bonferroni": m·p capped at 1, named in the column and the sentences', async () => {
    const s = studyJson();
    s.analysis.adjust = 'bonferroni';
    s.analysis.associations = [s.analysis.associations[0]];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'assoc_depression');
    expect(t.columns.find((c) => c.key === 'padj')?.label).toBe('p (Bonferroni)');
    const c = head(t, 'Family history of mental illness');
    expectDigits(value(c.padj), Math.min(1, 7 * g('depression.family_history.p')), 14, 'Bonferroni p');
    expect(sentences(r, 'assoc_depression').join(' ')).toMatch(/Bonferroni-adjusted p = /);
  });

  it('correlation matrix: Pearson r, p and Holm-adjusted p per pair, n per cell', () => {
    const t = table('correlations');
    const vars = ['phq', 'gad', 'age', 'sleep'];
    // rows: per variable a group row, then r, p, p (Holm), n
    const block = (i: number) => {
      const start = t.rows.findIndex((r) => r.kind === 'group' && r.label.startsWith(`${i + 1}. `));
      return t.rows.slice(start + 1, start + 5).map((r) => (r.kind === 'data' ? r.cells : {}));
    };
    for (let i = 0; i < 4; i++) {
      const [r, p, padj, n] = block(i);
      for (let j = i + 1; j < 4; j++) {
        const key = `cor.${vars[i]}.${vars[j]}`;
        expectDigits(value(r![`v${j}`]), g(`${key}.r`), 12, `${key} r`);
        expectDigits(value(p![`v${j}`]), g(`${key}.p`), 11, `${key} p`);
        expectDigits(value(padj![`v${j}`]), g(`${key}.holm`), 11, `${key} Holm`);
        expect(value(n![`v${j}`])).toBe(g('n'));
      }
    }
  });
});

describe('correlations over fewer than k respondents', () => {
  it('are suppressed (r, p and n) and get no sentence', async () => {
    const s = studyJson();
    s.analysis.minCellSize = 401;
    s.analysis.associations = [];
    s.analysis.models = [];
    const r = (await analyzeFile(s, csv)).report;
    const t = tableOf(r, 'correlations');
    const shown = t.rows.flatMap((x) =>
      x.kind === 'data' ? Object.entries(x.cells).filter(([k, c]) => k !== 'stat' && c.kind !== 'empty') : [],
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const [key, c] of shown) if (c.kind !== 'suppressed') expect(key, JSON.stringify(c)).toBe('diag');
    expect(sentences(r, 'correlations')).toEqual([]);
  });
});

describe('PHQ-9/GAD-7 example: models and methods agree with R', () => {
  it('logistic model of PHQ-9 ≥ 10 and linear model of the GAD-7 total', () => {
    const rows = new Map<string, Record<string, Cell>>();
    for (const id of ['model_depression', 'model_anxiety']) {
      let group: string | undefined;
      for (const r of table(id).rows) {
        if (r.kind === 'group') {
          group = r.label;
          continue;
        }
        const label = textOf(r.cells.predictor);
        rows.set(`${id}:${r.indent ? `${group}: ${label}` : label}`, r.cells);
        if (!r.indent) group = undefined;
      }
    }
    const names = Object.keys(golden)
      .filter((k) => k.startsWith('logistic.') && k.endsWith('.b'))
      .map((k) => k.slice('logistic.'.length, -2))
      .filter((x) => x !== '(Intercept)');
    expect(names).toHaveLength(6);
    for (const name of names) {
      const c = rows.get(`model_depression:${name}`);
      if (!c) throw new Error(`no logistic row ${name}: ${[...rows.keys()].join(' | ')}`);
      expectDigits(value(c.b), g(`logistic.${name}.b`), 12, `${name} B`);
      expectDigits(value(c.se), g(`logistic.${name}.se`), 12, `${name} SE`);
      expectDigits(value(c.p), g(`logistic.${name}.p`), 11, `${name} p`);
      expectDigits(value(c.or), g(`logistic.${name}.or`), 12, `${name} OR`);
    }
    const lnames = Object.keys(golden)
      .filter((k) => k.startsWith('linear.') && k.endsWith('.b'))
      .map((k) => k.slice('linear.'.length, -2))
      .filter((x) => x !== '(Intercept)');
    expect(lnames).toHaveLength(7);
    for (const name of lnames) {
      const c = rows.get(`model_anxiety:${name}`);
      if (!c) throw new Error(`no linear row ${name}: ${[...rows.keys()].join(' | ')}`);
      expectDigits(value(c.b), g(`linear.${name}.b`), 12, `${name} B`);
      expectDigits(value(c.se), g(`linear.${name}.se`), 12, `${name} SE`);
      expectDigits(value(c.t), g(`linear.${name}.t`), 12, `${name} t`);
      expectDigits(value(c.p), g(`linear.${name}.p`), 11, `${name} p`);
    }
  });

  it('the methods paragraph names the sample-size calculation, the tests, the models and the adjustment', () => {
    const m = sentences(report, 'methods').join(' ');
    expect(g('samplesize.n')).toBe(292);
    expect(m).toContain(
      `gives n₀ = ${g('samplesize.n0').toFixed(1)}; with the finite population correction n = n₀/(1 + (n₀ − 1)/N) for a population of N = 3000, at least 292 respondents were required.`,
    );
    expect(m).toMatch(/Fisher's exact test when an expected count is below 5/);
    expect(m).toMatch(/Welch's ANOVA with Games–Howell post-hoc tests/);
    expect(m).toMatch(/the Kruskal–Wallis test with ε² and Dunn's post-hoc test for PHQ-9 total/);
    expect(m).toMatch(
      /binary logistic regression on gender, year of study, family history of mental illness/,
    );
    expect(m).toMatch(/adjusted for multiple comparisons with the Holm method within each family of tests/);
  });
});

describe('the association and correlation plan is checked against the study', () => {
  const issues = (analysis: Record<string, unknown>) => {
    const s = studyJson();
    Object.assign(s.analysis, analysis);
    const r = resolveStudy(s, getInstrument, instrumentIds());
    if (r.ok) throw new Error('expected issues');
    return r.issues;
  };
  it('unknown ids, the outcome as a characteristic, atLeast on a single-choice outcome, a duplicate id', () => {
    const got = issues({
      associations: [
        { id: 'a', outcome: 'nope', characteristics: ['gender', 'what'] },
        { id: 'a', outcome: 'gender', atLeast: 1, characteristics: ['gender'] },
      ],
    });
    expect(got.map((i) => i.path)).toEqual([
      'analysis.associations[0].outcome',
      'analysis.associations[0].characteristics[1]',
      'analysis.associations[1].id',
      'analysis.associations[1].atLeast',
      'analysis.associations[1].characteristics[0]',
    ]);
    expect(got[0]!.message).toContain('outcome "nope" is not a score or question of this study');
    expect(got[3]!.message).toContain('"gender" is a single-choice question, so "atLeast" does not apply');
    expect(got[4]!.message).toContain('"gender" is the outcome; it cannot also be a characteristic');
  });
  it('a correlation of a single-choice question, a variable listed twice, too few variables', () => {
    const got = issues({ correlations: { variables: ['phq9_total', 'gender', 'phq9_total'] } });
    expect(got.map((i) => i.path)).toEqual([
      'analysis.correlations.variables[1]',
      'analysis.correlations.variables[2]',
    ]);
    expect(got[0]!.message).toContain('"gender" is a single question; use a score');
    expect(issues({ correlations: { variables: ['phq9_total'] } })[0]!.path).toMatch(
      /correlations\.variables/,
    );
  });
  it('adjust and sampleSize refuse unknown methods and impossible values', () => {
    expect(issues({ adjust: 'sidak' })[0]!.path).toBe('analysis.adjust');
    expect(issues({ sampleSize: { proportion: 1.5, margin: 0.05 } })[0]!.path).toBe(
      'analysis.sampleSize.proportion',
    );
    expect(issues({ sampleSize: { proportion: 0.3, margin: 0 } })[0]!.path).toBe(
      'analysis.sampleSize.margin',
    );
  });
});
