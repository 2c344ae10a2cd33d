/**
 * Editing a study's own question in place on the Design page (issue 14), in process on every backend: the
 * edit form starts from the stored question; a wording fix on an open study with responses is saved as a new
 * version and recorded in the audit log with the fields it touched; a structural change (values, range) asks
 * for confirmation first and is saved only with it; a form with a problem is shown again with the message under
 * the field's label, linked (aria-describedby) and focused; buttons name the question they act on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hiddenFields, ownerStudio, serverBackends, type studioClient, type TestApp } from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;

const AGE = {
  action: 'add',
  _form: 'question',
  id: 'age',
  type: 'number',
  text_en: 'How old are you?',
  min: '16',
  max: '60',
  required: 'on',
};
const YEAR = {
  action: 'add',
  _form: 'question',
  id: 'year',
  type: 'single',
  text_en: 'Year of study',
  options: '1 = First\n2 = Second',
};

/** The edit form's fields for `age` as the page shows them (what a browser would post unchanged). */
const editAge = (over: Record<string, string>) => ({
  _form: 'edit:age',
  action: 'edit',
  id: 'age',
  type: 'number',
  text_en: 'How old are you?',
  text_ur: '',
  options: '',
  rows: '',
  short: '',
  min: '16',
  max: '60',
  maxLength: '',
  required: 'on',
  showIf: '',
  ...over,
});

for (const backend of serverBackends()) {
  describe(`editing a question on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    it('edits in place: the form starts from the question, buttons name it, the order and id stay', async () => {
      const id = await c.createStudy({ title: 'Edit me' });
      expect((await c.post(`/studies/${id}/edit/questions`, AGE)).statusCode).toBe(303);
      expect((await c.post(`/studies/${id}/edit/questions`, YEAR)).statusCode).toBe(303);
      const page = await c.get(`/studies/${id}/edit`);
      for (const label of [
        'Move age down',
        'Remove age',
        'Move year up',
        'Remove year',
        'Edit age',
        'Save age',
      ])
        expect(page.body, label).toContain(label);
      expect(page.body).not.toContain('Move age up');
      expect(page.body).toMatch(/id="e-age-text_en"[^>]*>How old are you\?<\/textarea>/);
      expect(page.body).toMatch(/id="e-age-max" name="max" value="60"/);

      const r = await c.post(
        `/studies/${id}/edit/questions`,
        editAge({ text_en: 'What is your age?', max: '70' }),
      );
      expect(r.statusCode, r.body.slice(0, 1500)).toBe(303);
      const qs = (await c.definitionOf(id)).questions!;
      expect(qs.map((q) => q.id)).toEqual(['age', 'year']);
      expect(qs[0]).toMatchObject({
        id: 'age',
        text: { en: 'What is your age?' },
        max: 70,
        min: 16,
        required: true,
      });
      // The same form again changes nothing: no new version.
      const v = (await t.store.studies.byId(id))!.version;
      await c.post(`/studies/${id}/edit/questions`, editAge({ text_en: 'What is your age?', max: '70' }));
      expect((await t.store.studies.byId(id))!.version).toBe(v);

      expect((await c.post(`/studies/${id}/edit/questions`, { action: 'down', id: 'age' })).statusCode).toBe(
        303,
      );
      expect((await c.definitionOf(id)).questions!.map((q) => q.id)).toEqual(['year', 'age']);

      // The questions' page after the instruments, and back.
      const place = (placement: string) =>
        c.post(`/studies/${id}/edit/questions`, { _form: 'placement', action: 'place', placement });
      expect((await place('after')).statusCode).toBe(303);
      expect((await c.definitionOf(id)).collection?.questionsPlacement).toBe('after');
      expect((await c.get(`/studies/${id}/edit`)).body).toMatch(/<option value="after" selected>/);
      const wrong = await place('middle');
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('&quot;middle&quot; is not a place for the questions');
      expect((await place('before')).statusCode).toBe(303);
      expect((await c.definitionOf(id)).collection?.questionsPlacement).toBeUndefined();
    });

    it('on an open study with responses: wording is saved and audited, a structural change needs confirmation', async () => {
      const id = await c.createStudy({ title: 'Open study' });
      await c.post(`/studies/${id}/edit/questions`, AGE);
      await t.store.studies.setStatus({ studyId: id, status: 'open' });
      const version = (await t.store.studies.byId(id))!.version;
      await t.store.responses.insert({
        studyId: id,
        idempotencyKey: 'a'.repeat(32),
        answers: { age: { kind: 'value', value: 21 } },
        language: 'en',
      });

      const wording = await c.post(
        `/studies/${id}/edit/questions`,
        editAge({ text_en: 'What is your age?' }),
      );
      expect(wording.statusCode).toBe(303);
      const audit = (await t.store.audit.listForStudy(id))[0]!;
      expect(audit).toMatchObject({
        action: 'study.update',
        detail: {
          change: 'question.edit',
          question: 'age',
          kind: 'wording',
          fields: ['text'],
          version: version + 1,
        },
      });

      const structural = editAge({ text_en: 'What is your age?', max: '99' });
      const asked = await c.post(`/studies/${id}/edit/questions`, structural);
      expect(asked.statusCode).toBe(400);
      expect(asked.body).toContain(
        'this edit of &quot;age&quot; changes max, which 1 stored response(s) answered',
      );
      expect(asked.body).toContain('Save the change to age as a new version');
      expect((await c.definitionOf(id)).questions![0]!.max).toBe(60);

      // The confirmation form carries the same fields and the confirmation.
      const confirm = /<div class="notice" role="alert">[\s\S]*?<\/form>/.exec(asked.body)![0];
      const carried = hiddenFields(confirm);
      expect(carried).toMatchObject({ confirm_change: 'age', max: '99', action: 'edit', id: 'age' });
      const { _csrf: _, ...fields } = carried;
      const saved = await c.post(`/studies/${id}/edit/questions`, fields);
      expect(saved.statusCode).toBe(303);
      expect((await c.definitionOf(id)).questions![0]!.max).toBe(99);
      expect((await t.store.audit.listForStudy(id))[0]!.detail).toMatchObject({
        change: 'question.edit',
        kind: 'structure',
        fields: ['max'],
      });
    });

    it('shows a problem under the field, linked and focused, keeping what was typed', async () => {
      const id = await c.createStudy({ title: 'Errors' });
      await c.post(`/studies/${id}/edit/questions`, AGE);
      const r = await c.post(
        `/studies/${id}/edit/questions`,
        editAge({ min: '50', max: '20', text_en: 'Age now' }),
      );
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('<title>Error: Design');
      expect(r.body).toMatch(
        /<label for="e-age-max">Maximum \(numbers\)<\/label><span class="field-error" id="e-age-max-e">the maximum \(20\) is below the minimum \(50\); swap them<\/span><input type="number" id="e-age-max" name="max" value="20" aria-describedby="e-age-max-e" aria-invalid="true" autofocus/,
      );
      expect(r.body).toContain('<a href="#e-age-max">max</a>');
      expect(r.body.match(/ autofocus/g)).toHaveLength(1);
      expect(r.body).toMatch(/<details open><summary>Edit age<\/summary>/);
      expect(r.body).toMatch(/id="e-age-text_en"[^>]*>Age now<\/textarea>/);

      // The add form's problems are linked the same way.
      const bad = await c.post(`/studies/${id}/edit/questions`, { ...AGE, id: '9lives' });
      expect(bad.body).toMatch(
        /id="q-id" name="id" value="9lives" aria-describedby="q-id-h q-id-e" aria-invalid="true" autofocus/,
      );
    });
  });
}
