/**
 * Grid (matrix) questions on the respondent page: one fieldset per grid with the question as its legend, one
 * nested fieldset per row (the statement as its legend, the shared options as radios), no JavaScript needed;
 * errors per row; rows without text in the page's language laid out in their own language.
 */
import { describe, expect, it } from 'vitest';
import { parsePageSubmission } from '../../../src/core/response/submission.js';
import { buildFlow } from '../../../src/core/study/pages.js';
import { resolveStudy } from '../../../src/core/study/resolve.js';
import { renderPage } from '../../../src/server/respond/render.js';

const study = {
  id: 'g',
  title: 'Grid study',
  languages: ['en', 'ur'],
  questions: [
    {
      id: 'year',
      type: 'single',
      text: { en: 'Year', ur: 'سال' },
      options: [
        { value: 1, label: { en: 'First' } },
        { value: 2, label: { en: 'Second' } },
      ],
    },
    {
      id: 'stress',
      type: 'grid',
      text: { en: 'How much do you agree: I find these stressful', ur: 'آپ کس حد تک متفق ہیں' },
      required: true,
      options: [
        { value: 1, label: { en: 'Strongly disagree', ur: 'سخت غیر متفق' } },
        { value: 2, label: { en: 'Disagree', ur: 'غیر متفق' } },
        { value: 3, label: { en: 'Neutral', ur: 'غیر جانبدار' } },
        { value: 4, label: { en: 'Agree', ur: 'متفق' } },
        { value: 5, label: { en: 'Strongly agree', ur: 'سخت متفق' } },
      ],
      rows: [
        { id: 'exams', text: { en: 'Exams', ur: 'امتحانات' } },
        { id: 'wards', text: { en: 'Clinical placements on the wards' } },
      ],
    },
    { id: 'note', type: 'text', text: { en: 'Anything else?' } },
  ],
};

const r = resolveStudy(study, () => undefined, []);
if (!r.ok) throw new Error(JSON.stringify(r.issues));
const f = buildFlow(r.value);
if (!f.ok) throw new Error(JSON.stringify(f.issues));
const flow = f.value;
const pageId = flow.pages.find((p) => p.kind === 'content')!.id;
const render = (lang: string, extra = {}) =>
  renderPage({ resolved: r.value, lang, view: 'page', flow, pageId, answers: {}, script: false, ...extra })
    .body;

describe('grid questions on the respondent page', () => {
  it('renders one fieldset per grid, its question as legend, a nested fieldset per row with the shared options', () => {
    const b = render('en');
    expect(b).toContain(
      '<fieldset class="gd" id="g-stress"><legend>How much do you agree: I find these stressful <span class="rq">(Required)</span></legend>' +
        '<fieldset class="q l" id="q-stress_exams" data-r><legend>Exams</legend><div class="o">' +
        '<label><input type="radio" name="stress_exams" value="1" id="f-stress_exams" required> Strongly disagree</label>',
    );
    expect(b).toContain(
      '<fieldset class="q l" id="q-stress_wards" data-r><legend>Clinical placements on the wards</legend>',
    );
    // The grid closes after its last row, before the next question.
    expect(b).toMatch(/Strongly agree<\/label><\/div><\/fieldset><\/fieldset><div class="q" id="q-note">/);
    // The row statement alone labels the row (not "Question [Row]").
    expect(b).not.toContain('[Exams]');
    // No script is needed: plain radios in a form that posts.
    expect(b).not.toContain('<script>');
  });

  it('takes the answers of each row as its own variable, and reports a missing row by its statement', () => {
    const ok = parsePageSubmission(flow, pageId, { stress_exams: '4', stress_wards: '2' }, {});
    expect(ok.errors).toEqual([]);
    expect(ok.answers.stress_exams).toEqual({ kind: 'value', value: 4 });
    expect(ok.answers.stress_wards).toEqual({ kind: 'value', value: 2 });

    const bad = parsePageSubmission(flow, pageId, { stress_exams: '4' }, {});
    expect(bad.errors.map((e) => e.field)).toEqual(['stress_wards']);
    const b = render('en', { errors: bad.errors, fields: { stress_exams: '4' } });
    expect(b).toContain('<a href="#f-stress_wards">');
    expect(b).toContain(
      '<fieldset class="q l bad" id="q-stress_wards" aria-describedby="e-stress_wards" aria-invalid="true" data-r>',
    );
    expect(b).toContain('name="stress_exams" value="4" checked');
  });

  it('on an Urdu page, lays out a row without Urdu text in its own language', () => {
    const b = render('ur');
    expect(b).toContain('<fieldset class="gd" id="g-stress"><legend>آپ کس حد تک متفق ہیں');
    expect(b).toContain('<fieldset class="q l" id="q-stress_exams" data-r><legend>امتحانات</legend>');
    expect(b).toContain(
      '<fieldset class="q l" id="q-stress_wards" lang="en" dir="ltr" data-r><legend>Clinical placements on the wards</legend>',
    );
    // Its options are Urdu: marked as such inside the English row.
    expect(b).toContain('value="4"> <span lang="ur" dir="rtl">متفق</span></label>');
  });
});
