/**
 * `nabz init`: a study drafted from a Google Forms export analyses the same export with no edits. The fixture
 * export (test/fixtures/init/export.csv) was simulated from test/fixtures/init/source-study.json: PHQ-9, an own
 * 10-item agreement grid with items 4 and 8 reverse keyed, a number, a single choice, a "select all that
 * apply" question with an option containing commas, an ordered single choice and free text.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { nabz, root } from '../helpers/nabz.js';

const fixture = join(root, 'test', 'fixtures', 'init');
const exportCsv = join(fixture, 'export.csv');

type Cell = { kind: string; value?: number; text?: string };
type Report = {
  sections: {
    blocks: { type: string; id?: string; rows?: { kind: string; cells: Record<string, Cell> }[] }[];
  }[];
};
/** Score descriptives (n, mean, sd) by score label, from every "<instrument>_scores" table of a JSON report. */
function scoreStats(report: Report): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of report.sections)
    for (const b of s.blocks)
      if (b.type === 'table' && b.id?.endsWith('_scores'))
        for (const r of b.rows ?? [])
          if (r.kind === 'data')
            out.set(
              r.cells.label?.text ?? '',
              ['n', 'mean', 'sd'].map((k) => r.cells[k]?.value ?? Number.NaN),
            );
  return out;
}
function analyzeJson(study: string): Report {
  const r = nabz('analyze', exportCsv, '--study', study, '--format', 'json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Report;
}

describe('nabz init', () => {
  it('drafts a study that analyses the same export with no edits, with the scores of the source study', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-init-'));
    const study = join(dir, 'study.json');
    const r = nabz('init', exportCsv, '--out', study);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/phq9: PHQ-9, 10 of 10 items/);
    expect(r.out).toMatch(
      /10 items on the agreement \(5\) scale \(1 = Strongly disagree, .*5 = Strongly agree\)/,
    );
    // Reverse-worded items are pointed out, not silently keyed.
    expect(r.out).toMatch(/_04 "People should sort out .*correlates negatively .*set "reverse": true/);
    expect(r.out).toMatch(/_08 "Seeing a psychiatrist .*correlates negatively/);
    expect(r.out.match(/correlates negatively/g)).toHaveLength(2);
    expect(r.out).toMatch(/"Timestamp": submission time/);

    const draft = JSON.parse(readFileSync(study, 'utf8'));
    expect(draft.instruments[0]).toEqual({ instrument: 'phq9' });
    const ownFile = draft.instruments[1].file as string;
    expect(ownFile).toMatch(/\.instrument\.json$/);
    const own = JSON.parse(readFileSync(join(dir, ownFile), 'utf8'));
    expect(own.items).toHaveLength(10);
    const byType = Object.fromEntries(draft.questions.map((q: { type: string }) => [q.type, q]));
    expect(byType.number.integer).toBe(true);
    // "Select all that apply": Google's ", " joins split, but an option with commas stays whole.
    expect(byType.multiple.options.map((o: { label: { en: string } }) => o.label.en).sort()).toEqual([
      'Doctor',
      'Family',
      'Friends, classmates or seniors',
      'None',
      'University counsellor',
    ]);
    expect(byType.longtext ?? byType.text).toBeDefined();
    const stress = draft.questions.find((q: { text: { en: string } }) =>
      q.text.en.startsWith('How stressed'),
    );
    expect(stress.options.map((o: { label: { en: string } }) => o.label.en)).toEqual([
      'Not at all',
      'A little',
      'Quite a lot',
      'A lot',
    ]);

    // init → analyze: exit 0, and the PHQ-9 scores equal the source study's exactly.
    const source = scoreStats(analyzeJson(join(fixture, 'source-study.json')));
    const drafted = scoreStats(analyzeJson(study));
    const phq = 'PHQ-9 total (depression severity)';
    expect(drafted.get(phq)).toEqual(source.get(phq));
    expect(source.get(phq)![0]).toBeGreaterThan(90);

    // With the two hinted items marked reverse, the drafted own score equals the source study's keyed score.
    const ownLabel = own.scores[0].label.en as string;
    const unkeyed = drafted.get(ownLabel)!;
    expect(unkeyed[1]).not.toBe(source.get('Attitude')![1]);
    for (const it of own.items) if (/_0[48]$/.test(it.id)) it.reverse = true;
    writeFileSync(join(dir, ownFile), JSON.stringify(own));
    expect(scoreStats(analyzeJson(study)).get(ownLabel)).toEqual(source.get('Attitude'));
  });

  it('reports a near miss (an item text that differs) and drafts its columns so the export still analyses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-init-'));
    const csv = readFileSync(exportCsv, 'utf8').replace('[Poor appetite or overeating]', '[Poor appetite]');
    writeFileSync(join(dir, 'export.csv'), csv);
    const study = join(dir, 'study.json');
    const r = nabz('init', join(dir, 'export.csv'), '--out', study, '--inline');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Near misses/);
    expect(r.out).toMatch(/phq9 \(PHQ-9\): 9 of 10 items have a column/);
    expect(r.out).toMatch(
      /no column for phq9_5 "Poor appetite or overeating"; did you mean column [A-Z]+ "Patient Health Questionnaire-9 \[Poor appetite\]" \(\d+% alike\)\?/,
    );
    expect(r.out).toMatch(/map the columns to its item ids in a mapping file/);
    const draft = JSON.parse(readFileSync(study, 'utf8'));
    expect(draft.instruments.some((si: { instrument?: string }) => si.instrument === 'phq9')).toBe(false);
    // --inline: own instruments inside the study, no separate files.
    expect(draft.instruments.every((si: { definition?: unknown }) => si.definition)).toBe(true);
    const a = nabz('analyze', join(dir, 'export.csv'), '--study', study, '--format', 'json');
    expect(a.code, a.err).toBe(0);
  });

  it('drafts the same study from an XLSX copy of the export (numbers as numeric cells)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-init-'));
    const { parse } = await import('csv-parse/sync');
    const rows = parse(readFileSync(exportCsv, 'utf8')) as string[][];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Form responses 1');
    const ageCol = rows[0]!.indexOf('Age (years)');
    for (const [i, r] of rows.entries())
      ws.addRow(r.map((c, j) => (i > 0 && j === ageCol && c !== '' ? Number(c) : c === '' ? null : c)));
    const xlsx = join(dir, 'export.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const fromCsv = nabz('init', exportCsv, '--out', join(dir, 'csv', 'study.json'), '--inline');
    const fromXlsx = nabz('init', xlsx, '--out', join(dir, 'xlsx', 'study.json'), '--inline');
    expect(fromXlsx.code, fromXlsx.err).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'csv', 'study.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'xlsx', 'study.json'), 'utf8'));
    expect(fromCsv.code).toBe(0);
    expect({ ...b, id: a.id, title: a.title }).toEqual(a);
    expect(nabz('analyze', xlsx, '--study', join(dir, 'xlsx', 'study.json'), '--format', 'json').code).toBe(
      0,
    );
  });

  it('does not overwrite files, and names a missing export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-init-'));
    const study = join(dir, 'study.json');
    writeFileSync(study, '{}');
    const r = nabz('init', exportCsv, '--out', study);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not overwriting ".*study.json".*--force/);
    expect(readFileSync(study, 'utf8')).toBe('{}');
    const r2 = nabz('init', join(dir, 'nope.csv'), '--out', join(dir, 'x.json'));
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/There is no file ".*nope.csv"/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});
