/**
 * Building a questionnaire in the studio without JSON: grid (matrix) questions — statements sharing one
 * response scale — and short labels; and an own instrument, a Likert grid with reverse-key ticks, a score
 * (which items, sum or mean, minimum answered) and bands, stored inline in the definition and scored like a
 * library instrument.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildScoringPlan } from '../../src/core/scoring/plan.js';
import { scoreRespondent } from '../../src/core/scoring/score.js';
import { getInstrument } from '../../src/instruments/index.js';
import { checkDefinition, launchCheck } from '../../src/server/studio/definition.js';
import { ownerStudio, serverBackends, type studioClient, type TestApp } from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;

const GRID = {
  action: 'add',
  _form: 'question',
  id: 'stress',
  type: 'grid',
  text_en: 'How much do you agree: I find these stressful',
  text_ur: 'آپ کس حد تک متفق ہیں',
  options: '1 = Strongly disagree\n2 = Disagree\n3 = Neutral\n4 = Agree\n5 = Strongly agree',
  rows: 'exams = Exams | امتحانات\nClinical placements on the wards',
  short: 'Sources of stress',
  required: 'on',
};

const CREATE = {
  _form: 'own',
  action: 'add',
  id: 'hs',
  title_en: 'Help seeking (test scale)',
  shortTitle: 'HS-4',
  options: '1 = Strongly disagree\n2 = Disagree\n3 = Neutral\n4 = Agree\n5 = Strongly agree',
  statements:
    'Test statement one\nTest statement two | آزمائشی دو\nTest statement three\nTest statement four',
};

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c } = await ownerStudio(backend));
    });

    afterEach(async () => {
      await t.close();
    });

    it('Basics: a title per language (the first language required); one title stays a plain string', async () => {
      const id = await c.createStudy({ title: 'Stress', languages: ['en', 'ur'] });
      const form = await c.get(`/studies/${id}/edit`);
      expect(form.body).toContain('name="title_en" value="Stress"');
      expect(form.body).toMatch(
        /<input type="text" id="b-title_ur" name="title_ur" value=""[^>]* lang="ur" dir="rtl"/,
      );

      const both = {
        _form: 'basics',
        languages: ['en', 'ur'],
        title_en: 'Stress survey',
        title_ur: 'ذہنی دباؤ کا سروے',
      };
      const r = await c.post(`/studies/${id}/edit/basics`, both);
      expect(r.statusCode, r.body.slice(0, 2000)).toBe(303);
      expect((await c.definitionOf(id)).title).toEqual({ en: 'Stress survey', ur: 'ذہنی دباؤ کا سروے' });
      // The studio's name for the study is the first language's title.
      expect((await t.store.studies.byId(id))!.title).toBe('Stress survey');
      const shown = await c.get(`/studies/${id}/edit`);
      expect(shown.body).toContain('name="title_ur" value="ذہنی دباؤ کا سروے"');
      // The respondent preview shows the Urdu title on the Urdu page.
      const preview = await c.get(`/studies/${id}/preview?lang=ur`);
      expect(preview.body).toContain('ذہنی دباؤ کا سروے');

      // Without the first language's title: refused, naming it; nothing saved.
      const bad = await c.post(`/studies/${id}/edit/basics`, { ...both, title_en: '' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('give the study a title in English, its first language');
      expect(bad.body).toMatch(/id="b-title_en"[^>]*aria-invalid="true"/);
      expect((await c.definitionOf(id)).title).toEqual({ en: 'Stress survey', ur: 'ذہنی دباؤ کا سروے' });

      // A title per language lacking a study language (a JSON edit): a launch warning naming it; none when complete.
      const lacking = launchCheck({ id: 'x', title: { en: 'Stress' }, languages: ['en', 'ur'] }, new Set());
      expect(lacking.warnings.find((w) => w.path === 'title')).toMatchObject({
        code: 'missing_translation',
        message: expect.stringContaining('no Urdu text'),
      });
      const complete = launchCheck(
        { id: 'x', title: { en: 'S', ur: 'س' }, languages: ['en', 'ur'] },
        new Set(),
      );
      expect(complete.warnings.find((w) => w.path === 'title')).toBeUndefined();

      // One title (Urdu dropped): a plain string, as before titles per language.
      const one = await c.post(`/studies/${id}/edit/basics`, { ...both, title_ur: '' });
      expect(one.statusCode).toBe(303);
      expect((await c.definitionOf(id)).title).toBe('Stress survey');
    });

    it('adds a grid question from the form: statements one per line, ids given or numbered, one shared scale', async () => {
      const id = await c.createStudy({ title: 'Stress', languages: ['en', 'ur'] });
      const r = await c.post(`/studies/${id}/edit/questions`, GRID);
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      const q = (await c.definitionOf(id)).questions![0] as Record<string, unknown>;
      expect(q).toMatchObject({
        id: 'stress',
        type: 'grid',
        short: 'Sources of stress',
        required: true,
        rows: [
          { id: 'exams', text: { en: 'Exams', ur: 'امتحانات' } },
          { id: '2', text: { en: 'Clinical placements on the wards' } },
        ],
      });
      expect((q.options as unknown[]).length).toBe(5);

      const page = await c.get(`/studies/${id}/edit`);
      expect(page.body).toContain(
        'Statements: stress_exams Exams; stress_2 Clinical placements on the wards',
      );
      expect(page.body).toContain('value="Sources of stress"');

      // The preview shows it as the respondent sees it: one fieldset, a nested one per statement.
      const preview = await c.get(`/studies/${id}/preview`);
      expect(preview.body).toContain('<fieldset class="gd" id="g-stress">');
      expect(preview.body).toContain('<legend>Exams</legend>');
      expect(preview.body).toContain('name="stress_2" value="5"');
    });

    it('edits a grid’s scale and statements in place, keeping row ids; refuses an empty scale', async () => {
      const id = await c.createStudy({ title: 'Stress' });
      expect((await c.post(`/studies/${id}/edit/questions`, GRID)).statusCode).toBe(303);
      const page = await c.get(`/studies/${id}/edit`);
      // The edit form holds what the parser reads back.
      expect(page.body).toContain(
        'exams = Exams | امتحانات\n2 = Clinical placements on the wards</textarea>',
      );
      let r = await c.post(`/studies/${id}/edit/questions`, {
        action: 'grid',
        id: 'stress',
        options: GRID.options,
        rows: 'exams = Exams and tests | امتحانات\n2 = Clinical placements on the wards\nmoney = Money',
      });
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      const q = (await c.definitionOf(id)).questions![0] as { rows: { id: string; text: { en: string } }[] };
      expect(q.rows.map((x) => [x.id, x.text.en])).toEqual([
        ['exams', 'Exams and tests'],
        ['2', 'Clinical placements on the wards'],
        ['money', 'Money'],
      ]);
      r = await c.post(`/studies/${id}/edit/questions`, {
        action: 'grid',
        id: 'stress',
        options: '',
        rows: 'A',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('a choice question needs options');
      expect(((await c.definitionOf(id)).questions![0] as { rows: unknown[] }).rows).toHaveLength(3);
    });

    it('refuses a grid without statements or with one option, and grids among screening questions', async () => {
      const id = await c.createStudy({ title: 'Stress' });
      let r = await c.post(`/studies/${id}/edit/questions`, { ...GRID, rows: '' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('a grid needs its statements');
      r = await c.post(`/studies/${id}/edit/questions`, { ...GRID, options: 'Agree' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('the response scale needs at least two options');
      r = await c.post(`/studies/${id}/edit/questions`, { ...GRID, rows: 'a = One\na = Two' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('repeats the row id &quot;a&quot;');
      r = await c.post(`/studies/${id}/edit/eligibility`, {
        ...GRID,
        _form: 'screening',
        eligibleIf: 'stress_1 > 1',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('is not a question type for screening');
      expect((await c.definitionOf(id)).questions).toEqual([]);
    });

    it('edits a question’s short label, and refuses one over 60 characters', async () => {
      const id = await c.createStudy({ title: 'Training' });
      const add = await c.post(`/studies/${id}/edit/questions`, {
        action: 'add',
        _form: 'question',
        id: 'level',
        type: 'single',
        text_en: 'What is your current level of training?',
        options: 'Pre-clinical\nClinical',
      });
      expect(add.statusCode).toBe(303);
      expect((await c.definitionOf(id)).questions![0]!.short).toBeUndefined();
      let r = await c.post(`/studies/${id}/edit/questions`, {
        action: 'short',
        id: 'level',
        short: 'Training level',
      });
      expect(r.statusCode).toBe(303);
      expect((await c.definitionOf(id)).questions![0]!.short).toBe('Training level');
      r = await c.post(`/studies/${id}/edit/questions`, {
        action: 'short',
        id: 'level',
        short: 'x'.repeat(61),
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('the short label has 61 characters; keep it to 60');
      expect((await c.definitionOf(id)).questions![0]!.short).toBe('Training level');
      // Emptied: the derived label is used again.
      r = await c.post(`/studies/${id}/edit/questions`, { action: 'short', id: 'level', short: '' });
      expect(r.statusCode).toBe(303);
      expect((await c.definitionOf(id)).questions![0]!.short).toBeUndefined();
    });

    it('creates a Likert grid, then takes reverse-key ticks, the score and bands; the score reverses what was ticked', async () => {
      const id = await c.createStudy({ title: 'Own scale' });
      let r = await c.post(`/studies/${id}/edit/own`, CREATE);
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      let si = (await c.definitionOf(id)).instruments![0]!;
      expect(si.instrument).toBe('hs');
      const def = si.definition as {
        items: { id: string; reverse?: boolean; text: unknown }[];
        scores: unknown[];
      };
      expect(def.items.map((i) => i.id)).toEqual(['hs_01', 'hs_02', 'hs_03', 'hs_04']);
      expect(def.items[1]!.text).toEqual({ en: 'Test statement two', ur: 'آزمائشی دو' });
      expect(def.items.some((i) => i.reverse)).toBe(false);
      // By default: the mean of all statements, all of them answered.
      expect(def.scores).toMatchObject([
        { id: 'hs_score', method: 'mean', items: ['hs_01', 'hs_02', 'hs_03', 'hs_04'], minAnswered: 4 },
      ]);

      const page = await c.get(`/studies/${id}/edit`);
      expect(page.body).toContain(
        'HS-4 <span class="muted">— Help seeking (test scale), own instrument, 4 statements',
      );
      expect(page.body).toContain('name="reverse" value="hs_02"');

      r = await c.post(`/studies/${id}/edit/own`, {
        ...CREATE,
        _form: 'own:hs',
        action: 'update',
        _items: '1',
        reverse: ['hs_02', 'hs_04'],
        inscore: ['hs_01', 'hs_02', 'hs_03', 'hs_04'],
        method: 'sum',
        minAnswered: '3',
        bands: '4 = Low\n12 = High',
      });
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      si = (await c.definitionOf(id)).instruments![0]!;
      const upd = si.definition as { items: { id: string; reverse?: boolean }[] };
      expect(upd.items.filter((i) => i.reverse).map((i) => i.id)).toEqual(['hs_02', 'hs_04']);

      // The stored definition resolves and scores like any instrument: 5 + (6 − 1) + 4 + (6 − 2) = 18, "High".
      const checked = checkDefinition(await c.definitionOf(id));
      expect(checked.ok).toBe(true);
      if (!checked.ok) return;
      const plan = buildScoringPlan(checked.value.resolved.study, getInstrument);
      expect(plan.ok).toBe(true);
      if (!plan.ok) return;
      const res = scoreRespondent({ hs_01: 5, hs_02: 1, hs_03: 4, hs_04: 2 }, plan.value);
      const score = res.scores.find((s) => s.id === 'hs_score')!;
      expect(score.value).toBe(18);
      expect(score.band?.label.en).toBe('High');
      // Three answered is enough (minimum answered 3); the sum of three is not prorated.
      expect(scoreRespondent({ hs_01: 5, hs_02: 1, hs_03: 4 }, plan.value).scores[0]!.value).toBe(14);
      expect(scoreRespondent({ hs_01: 5, hs_02: 1 }, plan.value).scores[0]!.value).toBeNull();

      // The respondent sees the statements on one page; the study launches (no licence terms, no safety rules).
      const preview = await c.get(`/studies/${id}/preview`);
      expect(preview.body).toContain('Test statement four');
      expect((await c.post(`/studies/${id}/launch`, { confirmed: '1' })).statusCode).toBe(303);
    });

    it('refuses, saying what to fix: a library id, no statements, a minimum above the items, a bad band line', async () => {
      const id = await c.createStudy({ title: 'Own scale' });
      const cases: [Record<string, string>, string][] = [
        [{ id: 'phq9' }, 'is the id of the library instrument PHQ-9'],
        [{ statements: '' }, 'write the statements, one per line'],
        [{ options: 'Agree' }, 'the response scale needs at least two options'],
        [{ minAnswered: '9' }, 'give a whole number from 1 to 4'],
        [{ bands: 'High' }, 'band line 1 (&quot;High&quot;) is not &quot;lowest score = label&quot;'],
        [{ method: 'median' }, '&quot;median&quot; is not a scoring method'],
      ];
      for (const [change, message] of cases) {
        const r = await c.post(`/studies/${id}/edit/own`, { ...CREATE, ...change });
        expect(r.statusCode, message).toBe(400);
        expect(r.body).toContain(message);
      }
      expect((await c.definitionOf(id)).instruments).toEqual([]);
    });

    it('removes an own instrument', async () => {
      const id = await c.createStudy({ title: 'Own scale' });
      expect((await c.post(`/studies/${id}/edit/own`, CREATE)).statusCode).toBe(303);
      const r = await c.post(`/studies/${id}/edit/instruments`, { action: 'remove', instrument: 'hs' });
      expect(r.statusCode).toBe(303);
      expect((await c.definitionOf(id)).instruments).toEqual([]);
    });
  });
}
