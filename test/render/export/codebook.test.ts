import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { buildVariables, codebookRows, renderCodebook } from '../../../src/render/export/index.js';
import { CODEBOOK_COLUMNS, mini, resolvedStudy, studyInput } from './fixture.js';

const resolved = resolvedStudy();
const vars = buildVariables(resolved, { includeScores: true, includeFreeText: true });
const book = renderCodebook(vars, resolved.study);
const ATTRIBUTION = 'MINI © 2020 J. Doe; free to use with attribution.';

describe('renderCodebook', () => {
  it('CSV: one row per variable, every column, the licence line on instrument rows', () => {
    expect(book.csv.startsWith('\uFEFF')).toBe(true);
    const rows = parse(book.csv, { bom: true }) as string[][];
    expect(rows[0]).toEqual(CODEBOOK_COLUMNS);
    expect(rows).toHaveLength(vars.length + 1);
    const by = new Map(rows.slice(1).map((r) => [r[0], r]));
    // a text cell starting with "-" gets the apostrophe every CSV of nabz gives it (formula injection)
    expect(by.get('mini_3')).toEqual([
      'mini_3',
      'Work keeps me awake',
      'Work keeps me awake',
      'numeric',
      'F8.0',
      '0 = Never; 1 = Sometimes; 2 = Often; 3 = Always',
      "'-9 = Skipped; -8 = Not applicable; -7 = Not shown",
      'MINI item',
      '',
      ATTRIBUTION,
    ]);
    expect(by.get('gender')).toEqual([
      'gender',
      'Gender',
      'Gender',
      'numeric',
      'F8.0',
      '1 = Female; 2 = Male',
      "'-9 = Skipped; -8 = Not applicable; -7 = Not shown",
      'Question: Demographics',
      '',
      '',
    ]);
    expect(by.get('submitted_on')!.slice(0, 5)).toEqual([
      'submitted_on',
      'Date submitted',
      '',
      'numeric',
      'SDATE10',
    ]);
    expect(by.get('story')!.slice(3, 5)).toEqual(['string', 'A2400']);
    expect(by.get('mini_total_band')![7]).toBe('MINI score');
    expect(by.get('mini_total_n')![1]).toBe('MINI total: items answered (of 3)');
    expect(by.get('mini_4')![8]).toBe('shown only when mini_1 > 0');
  });

  it('Markdown and HTML: notes on missing codes, a table of variables, the instruments with licence lines', () => {
    expect(book.markdown).toContain('# Codebook: Export test study — طلبہ');
    expect(book.markdown).toContain('-9 = skipped');
    expect(book.markdown).toContain('| mini\\_2 | I feel calm | I feel calm | numeric | F8.0 |');
    expect(book.markdown).toContain('## Instruments and licences');
    expect(book.markdown).toContain(`- ${ATTRIBUTION}`);
    expect(book.markdown).toContain(`- Citation: ${mini.citation}`);
    expect(book.html).toContain('<th scope="row"><code>mini_2</code></th><td dir="auto">I feel calm</td>');
    expect(book.html).toContain(`<li>${ATTRIBUTION}</li>`);
    expect(book.html).toContain('<td dir="auto">-9 = Skipped; -8 = Not applicable; -7 = Not shown</td>');
    expect(codebookRows(vars)).toHaveLength(vars.length);
  });

  it('escapes hostile text', () => {
    const hostile = {
      ...studyInput,
      title: '<script>alert(1)</script> | study',
      questions: [
        {
          id: 'q',
          type: 'single',
          text: { en: 'A | B <img src=x onerror=alert(1)>' },
          options: [{ value: 1, label: { en: '=1+1' } }],
        },
      ],
      sections: [],
    };
    const r = resolveStudy(hostile, (id) => (id === 'mini' ? mini : undefined), ['mini']);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const b = renderCodebook(buildVariables(r.value), r.value.study);
    expect(b.html).not.toContain('<script>');
    expect(b.html).not.toContain('<img');
    expect(b.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(b.markdown).toContain('A \\| B &lt;img src=x onerror=alert(1)>');
    const rows = parse(b.csv, { bom: true }) as string[][];
    expect(rows.find((x) => x[0] === 'q')![5]).toBe('1 = =1+1'); // starts with "1", not a formula
  });

  it('gives the study’s intro texts as respondents saw them, in each language, escaped (Markdown and HTML)', () => {
    const input = {
      ...studyInput,
      instruments: [
        {
          instrument: 'mini',
          intro: {
            en: 'Your last month on the wards.\n\n# Not a heading <b>x</b>',
            ur: 'وارڈز پر پچھلا مہینہ',
          },
        },
      ],
      collection: { questionsIntro: { en: 'First, about you.', ur: 'پہلے، آپ کے بارے میں۔' } },
    };
    const r = resolveStudy(input, (id) => (id === 'mini' ? mini : undefined), ['mini']);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const b = renderCodebook(buildVariables(r.value), r.value.study);
    expect(b.markdown).toContain('## Intro texts shown to respondents');
    expect(b.markdown).toContain("### The intro of the page of the study's own questions");
    expect(b.markdown).toContain('### The intro before MINI (shown before its instructions)');
    expect(b.markdown).toContain(
      'English (en):\n\n> Your last month on the wards.\n>\n> \\# Not a heading &lt;b>x&lt;/b>',
    );
    expect(b.markdown).toContain('Urdu (ur):\n\n> وارڈز پر پچھلا مہینہ');
    expect(b.html).toContain(
      '<blockquote lang="en" dir="ltr"><p>Your last month on the wards.</p><p># Not a heading &lt;b&gt;x&lt;/b&gt;</p></blockquote>',
    );
    expect(b.html).toContain('<blockquote lang="ur" dir="rtl"><p>پہلے، آپ کے بارے میں۔</p></blockquote>');
    expect(b.html).not.toContain('<b>');
    // Without intros the codebook has no such section.
    expect(book.markdown).not.toContain('Intro texts');
  });
});

describe('renderCodebook: a title per language', () => {
  it("heads the codebook with the study's first language's title", () => {
    const study = { ...resolved.study, title: { ur: 'سروے', en: 'Stress survey' }, languages: ['en', 'ur'] };
    const b = renderCodebook(vars, study);
    expect(b.markdown).toContain('# Codebook: Stress survey');
    expect(b.html).toContain('<h1>Codebook: Stress survey</h1>');
    expect(b.html).not.toContain('[object Object]');
  });
});
