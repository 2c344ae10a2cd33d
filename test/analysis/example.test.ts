/**
 * The whole analysis of the example study (import → score → analyze) against values computed independently in
 * R from the same CSV (test/goldens/r/example_bace.R). Tolerances: statistics 12 significant digits, p-values 11,
 * counts exact.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStudy, cellsToSuppress } from '../../src/core/analysis/analyzeStudy.js';
import { formatDf, formatPExpression, formatStatistic } from '../../src/core/report/format.js';
import type { Cell, Report, TableSpec } from '../../src/core/report/spec.js';
import type { Dataset } from '../../src/core/response/dataset.js';
import { markNotShown } from '../../src/core/response/skipLogic.js';
import type { ScoredDataset } from '../../src/core/scoring/index.js';
import { buildScoringPlan, scoreDataset } from '../../src/core/scoring/index.js';
import { type ResolvedStudy, resolveStudy } from '../../src/core/study/resolve.js';
import { importResponses, targetsFromStudy } from '../../src/import/index.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { expectDigits } from '../helpers/accuracy.js';
import { dataRows, table as tableOf, value } from './helpers.js';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'bace-medical-students');
const golden = JSON.parse(readFileSync(join(root, 'test', 'goldens', 'example_bace.json'), 'utf8')) as Record<
  string,
  number
>;
const SCORES = ['bace3_stigma', 'bace3_mean', 'stigma', 'attitudinal', 'instrumental'];

let report: Report;
let resolved: ResolvedStudy;
let dataset: Dataset;
let scored: ScoredDataset;

const table = (id: string): TableSpec => tableOf(report, id);
function interval(c: Cell | undefined): [number, number] {
  if (c?.kind !== 'interval') throw new Error(`not an interval cell: ${JSON.stringify(c)}`);
  return [c.lower, c.upper];
}
const g = (k: string) => {
  const v = golden[k];
  if (v === undefined) throw new Error(`golden ${k} missing`);
  return v;
};

beforeAll(async () => {
  const r = resolveStudy(
    JSON.parse(readFileSync(join(example, 'study.json'), 'utf8')),
    getInstrument,
    instrumentIds(),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  resolved = r.value;
  const targets = targetsFromStudy(resolved.study, getInstrument);
  if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
  const imported = await importResponses(join(example, 'responses.csv'), targets.value);
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const plan = buildScoringPlan(resolved.study, getInstrument);
  if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
  dataset = imported.dataset;
  expect(
    markNotShown(
      dataset,
      [...resolved.variables.values()].map((v) => v.item),
    ).get('specialty'),
  ).toBe(61);
  scored = scoreDataset(imported.dataset, plan.value);
  expect(scored.scores.map((s) => s.id)).toEqual(SCORES);
  report = analyzeStudy({ resolved, dataset: imported.dataset, scored, generatedBy: 'test' });
});

describe('example BACE study: nabz agrees with R', () => {
  it('item endorsement counts and denominators ("not applicable" left out) match exactly', () => {
    const bace = getInstrument('bace3')!;
    const byText = new Map(bace.items.map((i) => [i.text?.en, i.id]));
    const rows = dataRows(table('bace3_endorsement'));
    expect(rows).toHaveLength(30);
    for (const r of rows) {
      const id = byText.get((r.item as { text: string }).text)!;
      expect(value(r.count), id).toBe(g(`endorse.${id}.count`));
      expect(value(r.n), id).toBe(g(`endorse.${id}.n`));
      expect(value(r.percent)).toBe(g(`endorse.${id}.count`) / g(`endorse.${id}.n`));
    }
  });

  it('score descriptives', () => {
    const rows = dataRows(table('bace3_scores'));
    SCORES.forEach((k, i) => {
      expect(value(rows[i]!.n)).toBe(g(`desc.${k}.n`));
      for (const f of ['mean', 'sd', 'min', 'max'] as const)
        expectDigits(value(rows[i]![f]), g(`desc.${k}.${f}`), 12, `${k} ${f}`);
    });
  });

  it('threshold prevalence with Wilson intervals (prop.test, correct = FALSE)', () => {
    const rows = dataRows(table('thresholds'));
    ['stigma', 'attitudinal', 'instrumental'].forEach((k, i) => {
      expect(value(rows[i]!.count)).toBe(g(`threshold.${k}.count`));
      expect(value(rows[i]!.n)).toBe(g(`threshold.${k}.n`));
      const [lo, hi] = interval(rows[i]!.ci);
      expectDigits(lo, g(`threshold.${k}.lower`), 12, `${k} Wilson lower`);
      expectDigits(hi, g(`threshold.${k}.upper`), 12, `${k} Wilson upper`);
    });
  });

  it('Student and Welch rows, Levene (mean-centred) by level of training', () => {
    const rows = dataRows(table('ttest_training'));
    SCORES.forEach((k, i) => {
      const st = rows[2 * i]!;
      const we = rows[2 * i + 1]!;
      expectDigits(value(st.t), g(`student.${k}.t`), 12, `${k} Student t`);
      expectDigits(value(st.p), g(`student.${k}.p`), 11, `${k} Student p`);
      expectDigits(interval(st.ci)[0], g(`student.${k}.lower`), 12, `${k} Student CI lower`);
      expectDigits(interval(st.ci)[1], g(`student.${k}.upper`), 12, `${k} Student CI upper`);
      expectDigits(value(we.t), g(`welch.${k}.t`), 12, `${k} Welch t`);
      expectDigits(value(we.df), g(`welch.${k}.df`), 12, `${k} Welch df`);
      expectDigits(value(we.p), g(`welch.${k}.p`), 11, `${k} Welch p`);
      expectDigits(interval(we.ci)[0], g(`welch.${k}.lower`), 12, `${k} Welch CI lower`);
      expectDigits(value(st.leveneF), g(`levene.${k}.F`), 12, `${k} Levene F`);
      expectDigits(value(st.leveneP), g(`levene.${k}.p`), 11, `${k} Levene p`);
    });
  });

  it('Cronbach\'s alpha, listwise as SPSS: all items, and the items without "not applicable" as well', () => {
    const rows = dataRows(table('reliability'));
    const text = (c: Cell | undefined) => (c?.kind === 'text' ? c.text : '');
    let i = 0;
    for (const k of SCORES) {
      const all = rows[i++]!;
      const items = scored.scores.find((s) => s.id === k)!.def.items.length;
      expect(text(all.rule)).toBe(`listwise, all ${items} items`);
      expect(value(all.items)).toBe(items);
      expect(value(all.n)).toBe(g(`alpha.${k}.n`));
      expectDigits(value(all.alpha), g(`alpha.${k}.alpha`), 12, `${k} alpha`);
      if (golden[`alpha.${k}.answerable.n`] === undefined) continue;
      // A score with items that offer "not applicable" also gets alpha over the items everyone can answer.
      const ans = rows[i++]!;
      expect(text(ans.rule)).toBe('listwise, items without "not applicable"');
      expect(value(ans.items)).toBe(g(`alpha.${k}.answerable.items`));
      expect(value(ans.n)).toBe(g(`alpha.${k}.answerable.n`));
      expectDigits(value(ans.alpha), g(`alpha.${k}.answerable.alpha`), 12, `${k} alpha without N/A items`);
    }
    expect(rows).toHaveLength(i);
    // BACE's listwise alpha over all 30 items keeps 44 of 217 respondents; over its 25 answerable items, all 217.
    expect(g('alpha.bace3_mean.n')).toBe(44);
    expect(g('alpha.bace3_mean.answerable.n')).toBe(217);
  });

  it('score distributions: SE and quartiles (SPSS HAVERAGE = R type 6)', () => {
    const rows = dataRows(table('bace3_distribution'));
    SCORES.forEach((k, i) => {
      expectDigits(value(rows[i]!.se), g(`se.${k}`), 12, `${k} SE`);
      expectDigits(value(rows[i]!.q1), g(`q1.${k}`), 12, `${k} Q1`);
      expectDigits(value(rows[i]!.median), g(`median.${k}`), 12, `${k} median`);
      expectDigits(value(rows[i]!.q3), g(`q3.${k}`), 12, `${k} Q3`);
    });
  });

  it('item-total statistics: corrected item-total r and alpha if deleted (psych::alpha r.drop, alpha.drop)', () => {
    for (const k of SCORES) {
      const rows = dataRows(table(`${k}_item_total`));
      const ids = scored.scores.find((s) => s.id === k)!.def.items;
      expect(rows).toHaveLength(ids.length);
      ids.forEach((id, j) => {
        expectDigits(value(rows[j]!.r), g(`rdrop.${k}.${id}`), 12, `${k} ${id} r.drop`);
        expectDigits(value(rows[j]!.alpha), g(`alphadrop.${k}.${id}`), 12, `${k} ${id} alpha.drop`);
      });
      if (golden[`alpha.${k}.answerable.n`] === undefined) {
        expect(() => table(`${k}_answerable_item_total`)).toThrow();
        continue;
      }
      const ans = dataRows(table(`${k}_answerable_item_total`));
      const ansIds = ids.filter((id) => golden[`rdrop.${k}.answerable.${id}`] !== undefined);
      expect(ans).toHaveLength(g(`alpha.${k}.answerable.items`));
      ansIds.forEach((id, j) => {
        expectDigits(value(ans[j]!.r), g(`rdrop.${k}.answerable.${id}`), 12, `${k} ${id} r.drop without N/A`);
        expectDigits(value(ans[j]!.alpha), g(`alphadrop.${k}.answerable.${id}`), 12, `${k} ${id} alpha.drop`);
      });
    }
  });

  it('gender by level of training: Pearson chi-square and Fisher exact as R', () => {
    const t = table('xt_gender_training');
    const note = t.notes.join(' ');
    const chi = Number(/χ²\(1\) = ([\d.]+)/.exec(note)![1]);
    expect(chi).toBe(Number(g('xt.gender.chi2').toFixed(2)));
    expect(note).toContain(`p = ${g('xt.gender.p').toFixed(3).replace(/^0/, '')}`);
    expect(note).toContain(
      `Fisher's exact test (two-sided, as R fisher.test): p = ${g('xt.gender.fisher.p').toFixed(3).replace(/^0/, '')}`,
    );
  });

  it('more than two groups: Welch ANOVA in the table and a sentence formatted by the p-value rule', () => {
    const r = analyzeStudy({ resolved, dataset, scored, generatedBy: 'test', groupBy: ['specialty'] });
    const t = r.sections
      .flatMap((s) => s.blocks)
      .find((b): b is TableSpec => b.type === 'table' && b.id === 'anova_specialty')!;
    const rows = dataRows(t);
    const text = r.sections
      .flatMap((s) => s.blocks.flatMap((b) => (b.type === 'text' ? b.sentences : [])))
      .join(' ');
    for (const k of ['stigma', 'attitudinal']) {
      const i = SCORES.indexOf(k);
      const welch = rows[2 * i + 1]!;
      expectDigits(value(welch.f), g(`welchanova.${k}.F`), 12, `${k} Welch F`);
      expectDigits(value(welch.df2), g(`welchanova.${k}.df2`), 12, `${k} Welch df2`);
      expectDigits(value(welch.p), g(`welchanova.${k}.p`), 11, `${k} Welch p`);
      const label = scored.scores.find((s) => s.id === k)!.def.label.en!;
      const expected = `${label} scores ${g(`welchanova.${k}.p`) < 0.05 ? 'differed significantly' : 'did not differ significantly'} by specialty, Welch's F(3, ${formatDf(g(`welchanova.${k}.df2`))}) = ${formatStatistic(g(`welchanova.${k}.F`))}, ${formatPExpression(g(`welchanova.${k}.p`))}.`;
      expect(text).toContain(expected);
    }
  });

  it('names the scoring it used and never calls p < alpha "not significant"', () => {
    expect(report.scoringNote).toMatch(/study-defined domains/);
    expect(report.scoringNote).toMatch(/official BACE v3 subscales/);
    const text = report.sections
      .flatMap((s) => s.blocks.flatMap((b) => (b.type === 'text' ? b.sentences : [])))
      .join(' ');
    for (const m of text.matchAll(/no statistically significant difference[^.]*?p = (\.\d+)/g)) {
      expect(Number(`0${m[1]}`)).toBeGreaterThanOrEqual(0.05);
    }
    for (const m of text.matchAll(/significantly (?:higher|lower)[^.]*?p = (\.\d+)/g)) {
      expect(Number(`0${m[1]}`)).toBeLessThan(0.05);
    }
  });

  it('small-cell suppression hides small cells, their complement, and comparisons by small groups', () => {
    const sampleRows = (r: Report) => {
      const t = r.sections
        .flatMap((s) => s.blocks)
        .find((b): b is TableSpec => b.type === 'table' && b.id === 'sample')!;
      const rows = dataRows(t);
      return (label: string) =>
        rows.find((x) => (x.characteristic as { text: string }).text === label)!.n!.kind;
    };
    const r50 = analyzeStudy({
      resolved,
      dataset,
      scored,
      generatedBy: 'test',
      minCellSize: 50,
      groupBy: ['specialty', 'training'],
    });
    const c50 = sampleRows(r50);
    expect([c50('Surgery and allied'), c50('Diagnostic and basic sciences'), c50('Dental')]).toEqual([
      'suppressed',
      'suppressed',
      'suppressed',
    ]);
    expect([c50('Medicine and allied'), c50('Female'), c50('Undergraduate')]).toEqual([
      'number',
      'number',
      'number',
    ]);
    const json50 = JSON.stringify(r50);
    expect(json50).toMatch(/Comparisons by specialty are not shown: at least one group has fewer than 50/);
    expect(json50).toContain('"id":"cmp_training"');
    // Male (98) is below 100; Female (119) must go too, or 217 − 119 reveals it.
    const c100 = sampleRows(
      analyzeStudy({ resolved, dataset, scored, generatedBy: 'test', minCellSize: 100 }),
    );
    expect([c100('Male'), c100('Female')]).toEqual(['suppressed', 'suppressed']);
  });
});

describe('cellsToSuppress', () => {
  it('suppresses cells under k and one complementary cell when only one would be hidden', () => {
    expect([...cellsToSuppress([10, 3, 20], 5)].sort()).toEqual([0, 1]);
    expect([...cellsToSuppress([10, 3, 4, 20], 5)].sort()).toEqual([1, 2]);
    expect([...cellsToSuppress([10, 0, 20], 5)]).toEqual([]);
    expect([...cellsToSuppress([1, 2], 0)]).toEqual([]);
  });
});
