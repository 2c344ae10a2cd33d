/**
 * The plan's `categories` (merged categories and group order, for the analysis only) against the report of the
 * same data recoded by hand: the example study with training ordered postgraduates first and specialties merged
 * into two groups must give exactly the report of a study whose questions were written that way and whose CSV
 * says so — every table, figure, sentence and model, with the model's reference category following its group.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report/spec.js';
import { resolveStudy } from '../../src/core/study/resolve.js';
import { docxParagraphs } from '../../src/import/docx.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { renderDocx, renderHtmlFragment, renderMarkdown } from '../../src/render/index.js';
import { analyzeFile, table } from './helpers.js';

const example = join(__dirname, '..', '..', 'examples', 'bace-medical-students');
const csvPath = join(example, 'responses.csv');
const csv = readFileSync(csvPath, 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: a study.json object edited freely in the test
const base = (): Record<string, any> => JSON.parse(readFileSync(join(example, 'study.json'), 'utf8'));

/** The plan's categories: postgraduates first; medicine and surgery merged, the rest merged. */
function withCategories() {
  const s = base();
  s.analysis.categories = [
    { question: 'training', groups: [{ values: [2] }, { values: [1] }] },
    {
      question: 'specialty',
      groups: [
        { label: 'Clinical (medicine or surgery)', values: [2, 1] },
        { label: 'Diagnostic, basic sciences or dental', values: [3, 4] },
      ],
    },
  ];
  // undergraduates as the reference of the logistic model (an option value of the question as stored)
  s.analysis.models[0].reference = { training: 1 };
  return s;
}

/** The same analysis written by hand: the questions' options are the groups, and the CSV carries their labels. */
function byHand() {
  const s = base();
  const q = (id: string) => s.questions.find((x: { id: string }) => x.id === id);
  q('training').options = [
    { value: 1, label: { en: 'Postgraduate' } },
    { value: 2, label: { en: 'Undergraduate' } },
  ];
  q('specialty').options = [
    { value: 1, label: { en: 'Clinical (medicine or surgery)' } },
    { value: 2, label: { en: 'Diagnostic, basic sciences or dental' } },
  ];
  q('specialty').showIf = 'training == 1';
  s.analysis.models[0].reference = { training: 2 };
  const data = join(mkdtempSync(join(tmpdir(), 'nabz-categories-')), 'responses.csv');
  const text = csv
    .replace(/,(Medicine and allied|Surgery and allied),/g, ',Clinical (medicine or surgery),')
    .replace(/,(Diagnostic and basic sciences|Dental),/g, ',"Diagnostic, basic sciences or dental",');
  writeFileSync(data, text);
  return { study: s, data };
}

const MERGE_NOTE =
  'Categories merged for the analysis (the answers as collected are unchanged): Specialty: "Surgery and allied" and "Medicine and allied" as "Clinical (medicine or surgery)"; "Diagnostic and basic sciences" and "Dental" as "Diagnostic, basic sciences or dental".';

/** The report without the table notes and the methods sentence that name the merged categories. */
function withoutMergeNotes(r: Report): Report {
  return {
    ...r,
    sections: r.sections.map((s) => ({
      ...s,
      blocks: s.blocks.map((b) =>
        b.type === 'table'
          ? { ...b, notes: b.notes.filter((n) => !n.startsWith('Categories merged for the analysis')) }
          : b.type === 'text'
            ? { ...b, sentences: b.sentences.filter((x) => !x.startsWith('Categories were merged')) }
            : b,
      ),
    })),
  };
}

describe('analysis.categories', () => {
  it('names the merged categories under every table that uses the question, and in the methods', async () => {
    const s = withCategories();
    s.analysis.associations = [
      { id: 'stigma', outcome: 'stigma', characteristics: ['specialty', 'gender'] },
      { id: 'gender_only', outcome: 'stigma', characteristics: ['gender'] },
    ];
    s.analysis.models.push({
      id: 'by_specialty',
      type: 'linear',
      outcome: 'stigma',
      predictors: ['specialty', 'age'],
    });
    const { report } = await analyzeFile(s, csvPath);
    const withNote: string[] = [];
    const without: string[] = [];
    for (const sec of report.sections)
      for (const b of sec.blocks)
        if (b.type === 'table') (b.notes.includes(MERGE_NOTE) ? withNote : without).push(b.id);
    expect(withNote.sort()).toEqual(
      [
        'sample',
        'xt_specialty_gender',
        'assoc_stigma',
        'model_by_specialty',
        'model_by_specialty_fit',
      ].sort(),
    );
    // training is only reordered (nothing merged): no note; the tables of other variables have none either
    expect(without).toEqual(
      expect.arrayContaining([
        'cmp_training',
        'xt_gender_training',
        'assoc_gender_only',
        'model_stigma_high',
      ]),
    );
    // every renderer prints the note (HTML and Markdown escape the quotes their own way; Word keeps them)
    const html = renderHtmlFragment(report, new Map());
    expect(html).toContain(MERGE_NOTE.replaceAll('"', '&quot;'));
    const md = renderMarkdown(report);
    expect(md.replace(/\\/g, '')).toContain(MERGE_NOTE);
    const docx = docxParagraphs(await renderDocx(report)).paragraphs;
    expect(docx.filter((x) => x.includes(MERGE_NOTE))).toHaveLength(withNote.length);
    const methods = report.sections.find((x) => x.id === 'methods')!;
    const text = methods.blocks.flatMap((b) => (b.type === 'text' ? b.sentences : []));
    expect(text).toContain(
      'Categories were merged for the analysis (the answers as collected are unchanged): Specialty: "Surgery and allied" and "Medicine and allied" as "Clinical (medicine or surgery)"; "Diagnostic and basic sciences" and "Dental" as "Diagnostic, basic sciences or dental".',
    );
  });

  it('gives the report of the data recoded by hand, table for table (but for the notes naming the merge)', async () => {
    const merged = await analyzeFile(withCategories(), csvPath);
    const a = { ...merged, report: withoutMergeNotes(merged.report) };
    expect(a.report).not.toEqual(merged.report);
    const h = byHand();
    const b = await analyzeFile(h.study, h.data);
    expect(a.report.sections.map((s) => s.id)).toEqual(b.report.sections.map((s) => s.id));
    for (let i = 0; i < a.report.sections.length; i++)
      expect(a.report.sections[i], a.report.sections[i]!.id).toEqual(b.report.sections[i]);
    expect(a.report).toEqual(b.report);
    // and it did change something: postgraduates come first, the specialties are two groups
    const sample = JSON.stringify(table(a.report, 'sample'));
    expect(sample.indexOf('Postgraduate')).toBeLessThan(sample.indexOf('Undergraduate'));
    expect(sample).toContain('Clinical (medicine or surgery)');
    expect(sample).not.toContain('Dental');
    // the stored data are untouched: the dataset still holds the original codes
    const training = a.dataset.columns.get('training');
    expect(training?.kind === 'numeric' && [...new Set(training.values)].sort()).toEqual([1, 2]);
  });

  it('refuses categories that would drop or double an answer, naming the question and the options', () => {
    const bad = base();
    bad.analysis.categories = [
      { question: 'specialty', groups: [{ values: [1, 2] }, { values: [2, 9] }] },
      { question: 'age', groups: [{ values: [1] }] },
      { question: 'nosuch', groups: [{ values: [1] }] },
    ];
    const r = resolveStudy(bad, getInstrument, instrumentIds());
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'analysis.categories[0].groups[1].values: categories of "specialty": option 2 is in group 1 and group 2',
        ),
        expect.stringContaining('9 is not an option value (the options are 1, 2, 3, 4)'),
        expect.stringContaining(
          'analysis.categories[0].groups: categories of "specialty": options 3, 4 are in no group',
        ),
        expect.stringContaining(
          'analysis.categories[1].question: categories of "age": only single-choice questions',
        ),
        expect.stringContaining(
          'analysis.categories[2].question: categories of "nosuch": there is no such question',
        ),
      ]),
    );
  });
});
