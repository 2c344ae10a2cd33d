/**
 * Regression models of the analysis plan (`analysis.models`) on the example BACE study, against R glm/lm run on
 * the same CSV (test/goldens/r/models_bace.R → test/goldens/models_bace.json) — 12 significant digits, p-values 11 —
 * and the model problems and
 * validation errors that must become clear notes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report, TableSpec } from '../../src/core/report/spec.js';
import { resolveStudy } from '../../src/core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { expectDigits } from '../helpers/accuracy.js';
import { analyzeFile, table, value } from './helpers.js';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'bace-medical-students');
const csv = join(example, 'responses.csv');
const studyJson = () => JSON.parse(readFileSync(join(example, 'study.json'), 'utf8'));
const golden = JSON.parse(readFileSync(join(root, 'test', 'goldens', 'models_bace.json'), 'utf8')) as Record<
  string,
  number
>;
const g = (k: string) => {
  const v = golden[k];
  if (v === undefined) throw new Error(`golden ${k} missing`);
  return v;
};
const NAMES = ['(Intercept)', 'Gender: Male', 'Level of training: Postgraduate', 'Age'];

/** Data rows by coefficient name ("Gender: Male"), from the group header and the level row. */
function byCoefficient(t: TableSpec) {
  const out = new Map<string, Record<string, unknown>>();
  let group: string | undefined;
  for (const r of t.rows) {
    if (r.kind === 'group') {
      group = r.label;
      continue;
    }
    const label = r.cells.predictor?.kind === 'text' ? r.cells.predictor.text : '';
    out.set(r.indent ? `${group}: ${label}` : label, r.cells);
    if (!r.indent) group = undefined;
  }
  return out;
}
function cell(rows: Map<string, Record<string, unknown>>, name: string, key: string) {
  const c = rows.get(name)?.[key] as Parameters<typeof value>[0];
  return c;
}
function bounds(c: unknown): [number, number] {
  const i = c as { kind: string; lower: number; upper: number };
  if (i?.kind !== 'interval') throw new Error(`not an interval: ${JSON.stringify(c)}`);
  return [i.lower, i.upper];
}
function fitValue(t: TableSpec, label: string): number {
  const r = t.rows.find(
    (x) => x.kind === 'data' && x.cells.statistic?.kind === 'text' && x.cells.statistic.text === label,
  );
  if (r?.kind !== 'data') throw new Error(`no fit row ${label}`);
  return value(r.cells.value);
}
function sentences(report: Report, sectionId: string): string[] {
  const s = report.sections.find((x) => x.id === sectionId);
  if (!s) throw new Error(`no section ${sectionId}`);
  return s.blocks.flatMap((b) => (b.type === 'text' ? b.sentences : []));
}

/** B, SE, Wald, p, the adjusted OR and the crude OR with their Wald CIs of every coefficient against the golden. */
function expectLogisticRows(rows: ReturnType<typeof byCoefficient>, prefix: string, crude: string) {
  for (const name of NAMES) {
    const k = `${prefix}.${name}`;
    expectDigits(value(cell(rows, name, 'b')), g(`${k}.b`), 12, `${k}.b`);
    expectDigits(value(cell(rows, name, 'se')), g(`${k}.se`), 12, `${k}.se`);
    expectDigits(value(cell(rows, name, 'wald')), g(`${k}.wald`), 12, `${k}.wald`);
    expectDigits(value(cell(rows, name, 'p')), g(`${k}.p`), 11, `${k}.p`);
    if (name === '(Intercept)') continue;
    expectDigits(value(cell(rows, name, 'or')), g(`${k}.or`), 12, `${k}.or`);
    const [lo, hi] = bounds(cell(rows, name, 'orCi'));
    expectDigits(lo, g(`${k}.orLower`), 12, `${k}.orLower`);
    expectDigits(hi, g(`${k}.orUpper`), 12, `${k}.orUpper`);
    expectDigits(value(cell(rows, name, 'crude')), g(`${crude}.${name}.or`), 12, `crude ${name}`);
    const [clo, chi] = bounds(cell(rows, name, 'crudeCi'));
    expectDigits(clo, g(`${crude}.${name}.orLower`), 12, `crude ${name} lower`);
    expectDigits(chi, g(`${crude}.${name}.orUpper`), 12, `crude ${name} upper`);
  }
}

let report: Report;
beforeAll(async () => {
  report = (await analyzeFile(studyJson(), csv)).report;
});

describe('example BACE study: models agree with R', () => {
  it('logistic model of stigma ≥ 1.5: B, SE, Wald χ², p, adjusted and crude ORs with Wald CIs match glm', () => {
    const t = table(report, 'model_stigma_high');
    expect(t.denominator).toContain(`n = ${g('n')}`);
    expect(t.denominator).toContain(`${g('logistic.events')} of ${g('n')}`);
    const rows = byCoefficient(t);
    expectLogisticRows(rows, 'logistic', 'crude');
    expect(value(cell(rows, 'Gender: Female (reference)', 'or'))).toBe(1);
  });

  it('logistic model fit: −2LL, model χ² and p, Cox & Snell and Nagelkerke R², classification match R', () => {
    const f = table(report, 'model_stigma_high_fit');
    expectDigits(fitValue(f, '−2 log-likelihood'), g('logistic.deviance'), 12, 'deviance');
    expectDigits(
      fitValue(f, '−2 log-likelihood, intercept only'),
      g('logistic.nullDeviance'),
      10,
      'null deviance',
    );
    expectDigits(fitValue(f, 'Model χ²'), g('logistic.chi2'), 12, 'model chi2');
    expect(fitValue(f, 'Model df')).toBe(3);
    expectDigits(fitValue(f, 'Model p'), g('logistic.chi2p'), 11, 'model p');
    expectDigits(fitValue(f, 'Cox & Snell R²'), g('logistic.coxSnell'), 12, 'Cox & Snell');
    expectDigits(fitValue(f, 'Nagelkerke R²'), g('logistic.nagelkerke'), 12, 'Nagelkerke');
    const c = table(report, 'model_stigma_high_classification');
    const [no, yes] = c.rows.flatMap((r) => (r.kind === 'data' ? [r.cells] : []));
    expect([value(no!.p0), value(no!.p1), value(yes!.p0), value(yes!.p1)]).toEqual([
      g('logistic.class00'),
      g('logistic.class01'),
      g('logistic.class10'),
      g('logistic.class11'),
    ]);
  });

  it('linear model of the stigma domain: B, SE, β, t, p, CI, VIF, R², adjusted R², F and p match lm', () => {
    const rows = byCoefficient(table(report, 'model_stigma_linear'));
    for (const name of NAMES) {
      const k = `linear.${name}`;
      expectDigits(value(cell(rows, name, 'b')), g(`${k}.b`), 12, `${k}.b`);
      expectDigits(value(cell(rows, name, 'se')), g(`${k}.se`), 12, `${k}.se`);
      expectDigits(value(cell(rows, name, 't')), g(`${k}.t`), 12, `${k}.t`);
      expectDigits(value(cell(rows, name, 'p')), g(`${k}.p`), 11, `${k}.p`);
      const [lo, hi] = bounds(cell(rows, name, 'ci'));
      expectDigits(lo, g(`${k}.lower`), 12, `${k}.lower`);
      expectDigits(hi, g(`${k}.upper`), 12, `${k}.upper`);
      if (name === '(Intercept)') continue;
      expectDigits(value(cell(rows, name, 'beta')), g(`${k}.beta`), 12, `${k}.beta`);
      expectDigits(value(cell(rows, name, 'vif')), g(`${k}.vif`), 12, `${k}.vif`);
    }
    const f = table(report, 'model_stigma_linear_fit');
    expectDigits(fitValue(f, 'R²'), g('linear.r2'), 12, 'R2');
    expectDigits(fitValue(f, 'Adjusted R²'), g('linear.adjr2'), 12, 'adj R2');
    expectDigits(fitValue(f, 'F'), g('linear.F'), 12, 'F');
    expectDigits(fitValue(f, 'p'), g('linear.Fp'), 11, 'F p');
  });

  it('each model has a result sentence that says "significantly" only for p < alpha', () => {
    const logistic = sentences(report, 'model_stigma_high').join(' ');
    const sig = g('logistic.chi2p') < 0.05;
    expect(logistic).toContain(sig ? 'fitted significantly better' : 'did not fit significantly better');
    for (const name of NAMES.slice(1)) {
      const p = g(`logistic.${name}.p`);
      if (p >= 0.05) expect(logistic).not.toContain(`${name} (adjusted OR`);
      else expect(logistic).toContain(`${name} (adjusted OR`);
    }
    const linear = sentences(report, 'model_stigma_linear').join(' ');
    expect(linear).toContain(
      g('linear.Fp') < 0.05 ? 'explained a statistically significant share' : 'did not explain',
    );
  });
});

describe('example BACE study: any barrier domain ≥ 1.5 (analysis.combined) agrees with R', () => {
  it('the logistic model of the highest domain score ≥ 1.5: crude and adjusted ORs with Wald CIs match glm', () => {
    const t = table(report, 'model_any_barrier');
    expect(t.title).toMatch(/^Any barrier domain ≥ 1\.5/);
    expect(t.denominator).toContain(`n = ${g('any.n')}`);
    expect(t.denominator).toContain(`${g('any.events')} of ${g('any.n')}`);
    const rows = byCoefficient(t);
    expectLogisticRows(rows, 'any', 'anycrude');
    const f = table(report, 'model_any_barrier_fit');
    expectDigits(fitValue(f, '−2 log-likelihood'), g('any.deviance'), 12, 'deviance');
    expectDigits(fitValue(f, 'Model χ²'), g('any.chi2'), 12, 'model chi2');
    expectDigits(fitValue(f, 'Model p'), g('any.chi2p'), 11, 'model p');
  });

  it('its bivariate associations: chi-square (Fisher for specialty, expected counts < 5) and Welch t for age', () => {
    const t = table(report, 'assoc_any_barrier');
    const head = (label: string) => {
      const r = t.rows.find(
        (x) =>
          x.kind === 'data' &&
          !x.indent &&
          x.cells.characteristic?.kind === 'text' &&
          x.cells.characteristic.text === label,
      );
      if (r?.kind !== 'data') throw new Error(`no row ${label}`);
      return r.cells;
    };
    for (const [v, label] of [
      ['gender', 'Gender'],
      ['training', 'Level of training'],
    ] as const) {
      const c = head(label);
      expectDigits(value(c.statistic), g(`assoc.${v}.chi2`), 12, `${v} χ²`);
      expectDigits(value(c.p), g(`assoc.${v}.p`), 11, `${v} p`);
    }
    expect(g('assoc.specialty.minExpected')).toBeLessThan(5);
    const sp = head('Specialty');
    expect(sp.test?.kind === 'text' && sp.test.text).toBe("Fisher's exact");
    expectDigits(value(sp.p), g('assoc.specialty.p'), 11, 'specialty Fisher p');
    const age = head('Age, M (SD)');
    expectDigits(value(age.statistic), g('assoc.age.t'), 12, 'age t');
    expectDigits(value(age.p), g('assoc.age.p'), 11, 'age p');
  });

  it('a combined score names unknown scores and clashing ids', () => {
    const s = studyJson();
    s.analysis.combined.push({ id: 'gender', label: 'x', max: ['stigma', 'nosuch'] });
    const r = resolveStudy(s, getInstrument, instrumentIds());
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'analysis.combined[1].id: combined score "gender": the study already has a question with this id; choose another',
        expect.stringContaining(
          'analysis.combined[1].max[1]: combined score "gender": "nosuch" is not a score of this study',
        ),
      ]),
    );
  });
});

describe('model problems become notes naming the predictor', () => {
  const withModels = (models: unknown[], extra: Record<string, unknown> = {}) => {
    const s = studyJson();
    s.analysis = { ...s.analysis, ...extra, models };
    return s;
  };

  it('a category with fewer than k respondents: the model is not shown, the note names it', async () => {
    const s = withModels(
      [{ id: 'm', type: 'logistic', outcome: 'stigma', atLeast: 1.5, predictors: ['specialty', 'age'] }],
      { minCellSize: 10 },
    );
    const r = (await analyzeFile(s, csv)).report;
    const text = sentences(r, 'model_m').join(' ');
    expect(text).toContain('not computed');
    expect(text).toMatch(/"Dental" has fewer than 10 respondents/);
    expect(r.sections.find((x) => x.id === 'model_m')!.blocks.some((b) => b.type === 'table')).toBe(false);
  });

  it('fewer than k events: the logistic model is not shown; the linear model still is', async () => {
    const s = studyJson();
    s.analysis.minCellSize = 60; // 58 respondents have stigma >= 1.5; every gender and training group has >= 61
    const r = (await analyzeFile(s, csv)).report;
    const text = sentences(r, 'model_stigma_high').join(' ');
    expect(text).toContain(
      'not shown. Fewer than 60 of the 217 respondents used had Stigma-related barriers ≥ 1.5',
    );
    expect(r.sections.find((x) => x.id === 'model_stigma_high')!.blocks.every((b) => b.type === 'text')).toBe(
      true,
    );
    expect(table(r, 'model_stigma_linear').rows.length).toBeGreaterThan(0);
  });

  it('a classification cell below k hides the classification counts and percentages', async () => {
    const model = {
      id: 'm',
      type: 'logistic',
      outcome: 'attitudinal',
      atLeast: 1.2,
      predictors: ['training', 'gender', 'age'],
    };
    const shown = table((await analyzeFile(withModels([model]), csv)).report, 'model_m_classification');
    // with k = 0 the table shows 5 and 9 predicted "yes": two cells below k = 10
    expect(shown.rows.flatMap((r) => (r.kind === 'data' && r.cells.p1 ? [value(r.cells.p1)] : []))).toEqual([
      5, 9,
    ]);
    const hidden = table(
      (await analyzeFile(withModels([model], { minCellSize: 10 }), csv)).report,
      'model_m_classification',
    );
    const cells = hidden.rows.flatMap((r) =>
      r.kind === 'data' ? [r.cells.p0, r.cells.p1, r.cells.correct] : [],
    );
    expect(cells.filter((c) => c !== undefined).every((c) => c!.kind === 'suppressed')).toBe(true);
  });

  it('a category nobody chose is left out with a note; as the reference it stops the model with the fix', async () => {
    const s = withModels([{ id: 'm', type: 'linear', outcome: 'stigma', predictors: ['gender', 'age'] }]);
    const gender = s.questions.find((q: { id: string }) => q.id === 'gender');
    gender.options.push({ value: 3, label: { en: 'Another gender' } });
    const t = table((await analyzeFile(s, csv)).report, 'model_m');
    expect(t.notes).toContain(
      'Gender: "Another gender" has no respondents among the cases used and is left out of the model.',
    );
    s.analysis.models[0].reference = { gender: 3 };
    const text = sentences((await analyzeFile(s, csv)).report, 'model_m').join(' ');
    expect(text).toContain(
      'Gender: the reference category "Another gender" has no respondents among the 217 cases used',
    );
    expect(text).toContain('name another in "reference"');
  });

  it('complete cases: respondents missing a predictor are excluded and counted in the note', async () => {
    const s = withModels([{ id: 'm', type: 'linear', outcome: 'stigma', predictors: ['specialty', 'age'] }]);
    const r = (await analyzeFile(s, csv)).report;
    const t = table(r, 'model_m');
    expect(t.denominator).toBe(
      'n = 156 complete cases; 61 excluded for a missing value (Specialty: 61 missing).',
    );
  });

  it('separation: the note names the predictor, no NaN, the rest of the report renders', async () => {
    const s = withModels([
      { id: 'sep', type: 'logistic', outcome: 'stigma', atLeast: 1.5, predictors: ['stigma_copy', 'age'] },
    ]);
    // a predictor that is the outcome itself separates it completely
    s.instruments[0].domains.push({
      ...s.instruments[0].domains.find((d: { id: string }) => d.id === 'stigma'),
      id: 'stigma_copy',
      label: { en: 'Stigma copy' },
    });
    const r = (await analyzeFile(s, csv)).report;
    const text = sentences(r, 'model_sep').join(' ');
    expect(text).toContain('Stigma copy');
    expect(text).toMatch(/separat/);
    expect(JSON.stringify(r)).not.toMatch(/NaN|null/);
    expect(r.sections.some((x) => x.id === 'thresholds')).toBe(true);
  });
});

describe('model validation errors name the path and the fix', () => {
  const issues = (models: unknown[]) => {
    const s = studyJson();
    s.analysis.models = models;
    const r = resolveStudy(s, getInstrument, instrumentIds());
    if (r.ok) throw new Error('expected issues');
    return r.issues;
  };
  it('atLeast on a linear model, no atLeast on a logistic one', () => {
    expect(
      issues([{ id: 'm', type: 'linear', outcome: 'stigma', atLeast: 2, predictors: ['age'] }]).map(
        (i) => i.path,
      ),
    ).toEqual(['analysis.models[0].atLeast']);
    const [i] = issues([{ id: 'm', type: 'logistic', outcome: 'stigma', predictors: ['age'] }]);
    expect(i!.message).toContain('needs "atLeast"');
  });
  it('unknown outcome and predictor ids, a text predictor, a reference that is not an option', () => {
    const got = issues([
      {
        id: 'm',
        type: 'linear',
        outcome: 'nope',
        predictors: ['age', 'what', 'gender'],
        reference: { gender: 7 },
      },
    ]);
    expect(got.map((i) => i.path)).toEqual([
      'analysis.models[0].outcome',
      'analysis.models[0].predictors[1]',
      'analysis.models[0].reference.gender',
    ]);
    expect(got[0]!.message).toContain('"nope" is not a score or question');
    expect(got[1]!.message).toContain('"what" is not a score or question');
    expect(got[2]!.message).toContain('reference 7 is not an option value of "gender" (1, 2)');
  });
  it('a reference on a number predictor, a duplicate model id', () => {
    const got = issues([
      { id: 'm', type: 'linear', outcome: 'stigma', predictors: ['age'], reference: { age: 20 } },
      { id: 'm', type: 'linear', outcome: 'stigma', predictors: ['gender'] },
    ]);
    expect(got.map((i) => i.code)).toEqual(['not_categorical', 'duplicate_model']);
  });
});
