/**
 * Every question type in the report (src/core/analysis/questions.ts and the sample table) against values computed
 * independently in R (test/goldens/r/questions.R → test/goldens/questions.json), on real data (psych::bfi) and
 * on a seeded synthetic Google Forms export. Counts exact; proportions, Wilson limits (prop.test, correct =
 * FALSE), quantile(type = 6) quartiles, means and SDs to at least 12 significant digits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeStudy } from '../../src/core/analysis/analyzeStudy.js';
import {
  assertValidReport,
  type Cell,
  type FigureSpec,
  type Report,
  type TableSpec,
} from '../../src/core/report/spec.js';
import { buildScoringPlan, scoreDataset } from '../../src/core/scoring/index.js';
import { resolveStudy } from '../../src/core/study/resolve.js';
import { importResponses, targetsFromStudy } from '../../src/import/index.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { renderHtml, renderMarkdown, renderTablesCsv, renderText } from '../../src/render/index.js';
import { renderFigureSvg } from '../../src/render/svg.js';
import { expectDigits } from '../helpers/accuracy.js';

const root = join(__dirname, '..', '..');
const data = join(root, 'test', 'goldens', 'data');
const golden = JSON.parse(readFileSync(join(root, 'test', 'goldens', 'questions.json'), 'utf8')) as Record<
  string,
  number
>;
const g = (k: string): number => {
  const v = golden[k];
  if (v === undefined) throw new Error(`no golden ${k}`);
  return v;
};

async function analyze(name: string, edit: (s: Record<string, unknown>) => void = () => {}): Promise<Report> {
  const study = JSON.parse(readFileSync(join(data, `${name}.study.json`), 'utf8')) as Record<string, unknown>;
  edit(study);
  const r = resolveStudy(study, getInstrument, instrumentIds());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const targets = targetsFromStudy(r.value.study, getInstrument);
  if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
  const imported = await importResponses(join(data, `${name}.csv`), targets.value);
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors.slice(0, 5)));
  const plan = buildScoringPlan(r.value.study, getInstrument);
  if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
  const scored = scoreDataset(imported.dataset, plan.value);
  return assertValidReport(
    analyzeStudy({ resolved: r.value, dataset: imported.dataset, scored, generatedBy: 'test' }),
  );
}

function block(report: Report, id: string): TableSpec | FigureSpec {
  for (const s of report.sections) for (const b of s.blocks) if (b.type !== 'text' && b.id === id) return b;
  throw new Error(`no table or figure ${id}`);
}
const table = (r: Report, id: string) => block(r, id) as TableSpec;
function rows(t: TableSpec): Record<string, Cell>[] {
  return t.rows.flatMap((r) => (r.kind === 'data' ? [r.cells] : []));
}
function value(c: Cell | undefined): number {
  if (c?.kind !== 'number') throw new Error(`not a number cell: ${JSON.stringify(c)}`);
  return c.value;
}
function share(c: Cell | undefined): [number, number] {
  if (c?.kind !== 'proportion') throw new Error(`not a proportion cell: ${JSON.stringify(c)}`);
  return [c.count, c.total];
}
function interval(c: Cell | undefined): [number, number] {
  if (c?.kind !== 'interval') throw new Error(`not an interval cell: ${JSON.stringify(c)}`);
  return [c.lower, c.upper];
}
const text = (c: Cell | undefined) => (c?.kind === 'text' ? c.text : '');

function expectWilson(cells: Record<string, Cell>, key: string, what: string, pair = ['agree', 'agreeCi']) {
  expect(share(cells[pair[0]!]), what).toEqual([g(`${key}.count`), g(`${key}.n`)]);
  const [lo, hi] = interval(cells[pair[1]!]);
  expectDigits(lo, g(`${key}.lower`), 12, `${what} Wilson lower`);
  expectDigits(hi, g(`${key}.upper`), 12, `${what} Wilson upper`);
}

function expectLikert(cells: Record<string, Cell>, key: string, levels: number, what: string) {
  for (let v = 1; v <= levels; v++)
    expectDigits(value(cells[`o${v - 1}`]), g(`${key}.p${v}`), 14, `${what} p${v}`);
  for (const q of ['median', 'q1', 'q3']) expectDigits(value(cells[q]), g(`${key}.${q}`), 14, `${what} ${q}`);
  expectWilson(cells, `${key}.agree`, what);
}

function expectNumber(cells: Record<string, Cell>, key: string) {
  expect(value(cells.n)).toBe(g(`${key}.n`));
  for (const f of ['mean', 'sd', 'median', 'q1', 'q3', 'min', 'max'])
    expectDigits(value(cells[f]), g(`${key}.${f}`), 12, `${key} ${f}`);
}

function expectSingle(t: TableSpec, group: string, key: string, levels: number) {
  const all = t.rows;
  const start = all.findIndex((r) => r.kind === 'group' && r.label === group);
  expect(start, `group ${group}`).toBeGreaterThanOrEqual(0);
  for (let v = 1; v <= levels; v++) {
    const r = all[start + v]!;
    if (r.kind !== 'data') throw new Error('row');
    const n = g(`${key}.${v}.n`);
    expect(value(r.cells.n)).toBe(g(`${key}.${v}.count`));
    expectDigits(value(r.cells.valid), g(`${key}.${v}.count`) / n, 15, `${key} ${v} valid %`);
    const [lo, hi] = interval(r.cells.ci);
    expectDigits(lo, g(`${key}.${v}.lower`), 12, `${key} ${v} Wilson lower`);
    expectDigits(hi, g(`${key}.${v}.upper`), 12, `${key} ${v} Wilson upper`);
  }
}

describe('every question type in the report agrees with R: synthetic Google Forms export', async () => {
  const report = await analyze('questions_synthetic');

  it('multiple choice: each option of those who answered (empty = no answer), Wilson CIs, labels with commas whole', () => {
    const r = rows(table(report, 'mc_coping'));
    expect(r.map((x) => text(x.option))).toEqual([
      'Talking to friends, family or a partner',
      'Exercise',
      'Prayer, meditation',
      'Professional help',
      'None',
    ]);
    r.forEach((cells, i) => {
      expect(value(cells.n)).toBe(g(`syn.coping.${i + 1}.count`));
      expectWilson(cells, `syn.coping.${i + 1}`, `coping option ${i + 1}`, ['percent', 'ci']);
    });
    const t = table(report, 'mc_coping');
    expect(t.denominator).toContain(`${g('syn.coping.1.n')} of 157 respondents who answered`);
    expect(t.notes.join(' ')).toContain(
      `"None" excludes the other options, but ${g('syn.coping.contradictory')} respondent(s) chose it together with another option`,
    );
    expect(t.notes.join(' ')).toContain('Wilson score interval');
    // the figure asked for with analysis.questionFigures
    const f = block(report, 'mc_coping_fig') as FigureSpec;
    expect(f.kind).toBe('bar');
    expect(f.data.map((d) => d.count)).toEqual([1, 2, 3, 4, 5].map((i) => g(`syn.coping.${i}.count`)));
  });

  it('grid: distribution, median and quartiles (type 6), % agreeing with Wilson CI; a diverging chart', () => {
    const t = table(report, 'grid_work');
    expect(t.title).toBe('Work and support');
    const r = rows(t);
    expect(r.map((x) => text(x.item))).toEqual([
      'My workload is manageable',
      'I feel supported by my supervisors',
      'Would seek help',
    ]);
    ['load', 'support', 'help'].forEach((id, i) => {
      expect(value(r[i]!.n)).toBe(g(`syn.work_${id}.agree.n`));
      expectLikert(r[i]!, `syn.work_${id}`, 5, id);
    });
    expect(t.notes.join(' ')).toMatch(/Agreeing: answered "Agree" or "Strongly agree" \(the top 2 options/);
    expect(t.notes.join(' ')).toMatch(/quantile\(type = 6\)/);
    const f = block(report, 'grid_work_fig') as FigureSpec;
    expect(f.kind).toBe('diverging');
    expect(f.levels).toEqual([
      'Strongly disagree',
      'Disagree',
      'Neither agree nor disagree',
      'Agree',
      'Strongly agree',
    ]);
    expect(f.agreeing).toEqual([3, 4]);
    for (const d of f.data) {
      expectDigits(
        d.segments!.reduce((a, b) => a + b, 0),
        1,
        14,
        `${d.category} segments sum`,
      );
    }
    expectDigits(f.data[0]!.segments![0]!, g('syn.work_load.p1'), 14, 'segment');
  });

  it('single choice: valid percent with a Wilson CI in the sample table', () => {
    expectSingle(table(report, 'sample'), 'Year of study', 'syn.year', 5);
  });

  it('number questions: n, mean, SD, median, quartiles, min–max; free text: count only', () => {
    const r = rows(table(report, 'numbers'));
    expect(text(r[0]!.question)).toBe('Hours of sleep');
    expectNumber(r[0]!, 'syn.sleep');
    const ft = rows(table(report, 'free_text'));
    expect(value(ft[0]!.n)).toBe(g('syn.comment.n'));
    expect(JSON.stringify(report)).not.toContain('Some comment, with a comma');
  });

  it('the sample paragraph describes demographics only, not the grid or multiple-choice questions', () => {
    const sample = report.sections.find((s) => s.id === 'sample')!;
    const para = sample.blocks.find((b) => b.type === 'text')!;
    const sentences = para.type === 'text' ? para.sentences.join(' ') : '';
    expect(sentences).toContain('Year of study: First');
    expect(sentences).not.toMatch(/workload|cope|Strongly/);
  });

  it('small cells are suppressed with the sample rules, and left out of the figures', async () => {
    const k = 20;
    const small = await analyze('questions_synthetic', (s) => {
      (s.analysis as Record<string, unknown>).minCellSize = k;
    });
    const mc = rows(table(small, 'mc_coping'));
    // Professional help: fewer than 20 chose it
    expect(g('syn.coping.4.count')).toBeLessThan(k);
    expect(mc[3]!.n!.kind).toBe('suppressed');
    expect(mc[3]!.ci!.kind).toBe('suppressed');
    expect(mc[0]!.n!.kind).toBe('number');
    expect((block(small, 'mc_coping_fig') as FigureSpec).data.map((d) => d.category)).not.toContain(
      'Professional help',
    );
    const grid = rows(table(small, 'grid_work'));
    // "Strongly disagree" with "My workload is manageable" is 16 of 155: hidden with its complementary cell
    const hidden = Object.entries(grid[0]!).filter(([, c]) => c.kind === 'suppressed');
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    // the shortest and longest sleep were each reported by fewer than 20: not printed
    const sleep = rows(table(small, 'numbers'))[0]!;
    expect(sleep.min!.kind).toBe('suppressed');
    expect(sleep.max!.kind).toBe('suppressed');
    expectDigits(value(sleep.mean), g('syn.sleep.mean'), 12, 'sleep mean with k = 20');
    // every statement has an option chosen by fewer than 20 (e.g. "Strongly disagree"): no bar is drawn
    for (const row of grid) expect(Object.values(row).some((c) => c.kind === 'suppressed')).toBe(true);
    expect(() => block(small, 'grid_work_fig')).toThrow(/no table or figure/);
  });

  it('the diverging chart renders to SVG with every level in the legend', async () => {
    const svg = await renderFigureSvg(block(report, 'grid_work_fig') as FigureSpec);
    expect(svg).toMatch(/^<svg[^>]*role="img"/);
    for (const l of ['Strongly disagree', 'Neither agree nor disagree', 'Strongly agree', 'Would seek help'])
      expect(svg).toContain(l);
    expect(svg).toContain('67%');
  });
});

describe('the renderers show the question tables and figures', async () => {
  const report = await analyze('questions_synthetic');

  it('text, Markdown, CSV and HTML', async () => {
    const txt = renderText(report, { width: 120 });
    expect(txt).toMatch(/Table \d+\. Helps you cope with stress/);
    expect(txt).toMatch(/Would seek(?: help)?\s+156\s+1\.9%/);
    const md = renderMarkdown(report);
    expect(md).toContain('| Would seek help | 67% | 105/156 |');
    expect(md).toContain(
      '| Talking to friends, family or a partner | 78 | 51.7% (78/151) | [43.7%, 59.5%] |',
    );
    const csv = renderTablesCsv(report);
    expect([...csv.keys()]).toEqual(
      expect.arrayContaining([
        'sample.csv',
        'mc_coping.csv',
        'grid_work.csv',
        'numbers.csv',
        'free_text.csv',
      ]),
    );
    expect(csv.get('grid_work.csv')).toContain('Agreeing');
    const html = await renderHtml(report);
    expect(html).toContain('id="figure-grid_work_fig"');
    expect(html).toContain('Neither agree nor disagree');
    expect(html).not.toMatch(/<script/);
  });
});

describe('every question type in the report agrees with R: real data (psych::bfi, n = 2,800)', async () => {
  const report = await analyze('bfi', (s) => {
    s.analysis = { groupBy: ['education'] };
  });

  it('ten 6-point Likert items as a grid: distribution, quartiles, % agreeing with Wilson CIs', () => {
    const r = rows(table(report, 'grid_bfi'));
    const items = ['A1', 'A2', 'A3', 'A4', 'A5', 'C1', 'C2', 'C3', 'C4', 'C5'];
    expect(r).toHaveLength(items.length);
    items.forEach((it, i) => {
      expectLikert(r[i]!, `bfi.bfi_${it}`, 6, it);
    });
    expect(table(report, 'grid_bfi').notes[0]).toBe(
      'Agreeing: answered "Moderately Accurate" or "Very Accurate" (the top 2 options of the scale).',
    );
  });

  it('gender and education (with missing answers) with Wilson CIs; age as a number', () => {
    const sample = table(report, 'sample');
    expectSingle(sample, 'Gender', 'bfi.gender', 2);
    expectSingle(sample, 'Highest level of education', 'bfi.education', 5);
    const r = rows(table(report, 'numbers'));
    expectNumber(r[0]!, 'bfi.age');
  });

  it('headings use the short label, not the whole question text', () => {
    const titles = report.sections.map((s) => s.title);
    expect(titles).toContain('Scores by highest level of education');
    expect(titles.join('|')).not.toMatch(/what is your/i);
  });
});
