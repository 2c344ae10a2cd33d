/**
 * The studio's question form: grid (matrix) questions — statements sharing one response scale — and short
 * labels, added and edited without JSON, previewed as the respondent sees them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c } = await ownerStudio(backend));
    });

    afterEach(async () => {
      await t.close();
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

    it('refuses a grid without statements or with one option, and grids among screening questions', async () => {
      const id = await c.createStudy({ title: 'Stress' });
      let r = await c.post(`/studies/${id}/edit/questions`, { ...GRID, rows: '' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('a grid needs its statements');
      r = await c.post(`/studies/${id}/edit/questions`, { ...GRID, options: 'Agree' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('a grid needs its response scale: at least two options');
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
  });
}
