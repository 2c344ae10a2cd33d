/**
 * The analysis plan edited with forms (src/server/studio/plan.ts): group comparisons, thresholds and regression
 * models saved as new definition versions with an audit entry; CSRF required; bad input re-renders the form
 * (400) naming the field and the value, and stores nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDefinition } from '../../src/server/studio/definition.js';
import {
  baceStudyDefinition,
  createStudy,
  formBody,
  ownerStudio,
  serverBackends,
  type studioClient,
  type TestApp,
} from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;
let owner: Awaited<ReturnType<typeof ownerStudio>>['owner'];

/** The BACE study without a plan: no groups, thresholds or models. */
function bareBace(): Record<string, unknown> {
  const d = baceStudyDefinition();
  return { ...d, analysis: {} };
}

async function planUpdates(id: number) {
  return (await t.store.audit.listForStudy(id))
    .filter((e) => e.action === 'study.update')
    .reverse()
    .map((e) => e.detail as Record<string, unknown>);
}

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c, owner } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    /** A draft BACE study without a plan, its instrument's terms acknowledged by the owner. */
    const study = async () => {
      const st = await createStudy(t.store, {
        ownerId: owner.user.id,
        definition: bareBace(),
        status: 'draft',
      });
      await t.store.acknowledgements.record({ studyId: st.id, instrumentId: 'bace3', userId: owner.user.id });
      return st.id;
    };

    it('shows the plan as forms: group variables, t-test, thresholds, models with predictors and reference categories', async () => {
      const id = await study();
      const r = await c.get(`/studies/${id}/plan`);
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('<h1>Analysis plan</h1>');
      expect(r.body).toMatch(/name="groupBy" value="gender"/);
      expect(r.body).toMatch(/name="ttest"/);
      expect(r.body).toMatch(/<option value="stigma">stigma<\/option>/);
      expect(r.body).toMatch(/name="predictors" value="age"/);
      expect(r.body).toMatch(/name="reference_gender"/);
      expect(r.body).toMatch(/name="_csrf"/);
      // the Design page points to it instead of the JSON editor
      expect((await c.get(`/studies/${id}/edit`)).body).toContain(`href="/studies/${id}/plan"`);
    });

    it('saves group comparisons, a threshold and a logistic model as new versions with audit entries', async () => {
      const id = await study();
      let r = await c.post(`/studies/${id}/plan/comparisons`, {
        groupBy: ['training', 'gender'],
        ttest: 'student',
        alpha: '0.01',
      });
      expect(r.statusCode, /<div class="errors"[\s\S]*?<\/div>/.exec(r.body)?.[0]).toBe(303);
      expect(r.headers.location).toBe(`/studies/${id}/plan?saved=comparisons#comparisons`);
      r = await c.post(`/studies/${id}/plan/thresholds`, {
        score: 'stigma',
        atLeast: '1.5',
        label: 'Any barrier',
      });
      expect(r.statusCode, /<div class="errors"[\s\S]*?<\/div>/.exec(r.body)?.[0]).toBe(303);
      r = await c.post(`/studies/${id}/plan/models`, {
        id: 'stigma_high',
        type: 'logistic',
        outcome: 'stigma',
        atLeast: '1.5',
        predictors: ['gender', 'training', 'age'],
        reference_gender: '2',
        reference_training: '',
      });
      expect(r.statusCode, /<div class="errors"[\s\S]*?<\/div>/.exec(r.body)?.[0]).toBe(303);
      const def = await c.definitionOf(id);
      expect(def.analysis).toMatchObject({
        groupBy: ['training', 'gender'],
        ttest: 'student',
        alpha: 0.01,
        thresholds: [{ score: 'stigma', atLeast: 1.5, label: 'Any barrier' }],
        models: [
          {
            id: 'stigma_high',
            type: 'logistic',
            outcome: 'stigma',
            atLeast: 1.5,
            predictors: ['gender', 'training', 'age'],
            reference: { gender: 2 },
          },
        ],
      });
      // the analysis page starts with the plan's group variables ticked (no query string)
      const analysis = await c.get(`/studies/${id}/analysis`);
      expect(analysis.statusCode).toBe(200);
      expect(analysis.body).toMatch(/name="group" value="training" checked/);
      expect(analysis.body).toMatch(/name="group" value="gender" checked/);
      expect(analysis.body).toMatch(/name="group" value="specialty">/);
      // the saved plan is a valid study definition
      const checked = checkDefinition(def);
      expect(checked.ok).toBe(true);
      const updates = await planUpdates(id);
      expect(updates.map((d) => d.change)).toEqual([
        'plan.comparisons',
        'plan.threshold.add',
        'plan.model.add',
      ]);
      expect(updates.map((d) => d.version)).toEqual([2, 3, 4]);
      expect(updates[2]).toMatchObject({ model: 'stigma_high', outcome: 'stigma' });
      // the page lists them, and removing works the same way
      const page = await c.get(`/studies/${id}/plan?saved=models`);
      expect(page.body).toContain(
        'logistic regression of stigma ≥ 1.5 on gender, training, age (gender: reference 2)',
      );
      expect(page.body).toContain('Any barrier: stigma ≥ 1.5');
      r = await c.post(`/studies/${id}/plan/models`, { action: 'remove', id: 'stigma_high' });
      expect(r.statusCode).toBe(303);
      r = await c.post(`/studies/${id}/plan/thresholds`, { action: 'remove', index: '0' });
      expect(r.statusCode).toBe(303);
      const after = (await c.definitionOf(id)).analysis as Record<string, unknown>;
      expect(after.models).toEqual([]);
      expect(after.thresholds).toEqual([]);
      expect((await planUpdates(id)).map((d) => d.change).slice(-2)).toEqual([
        'plan.model.remove',
        'plan.threshold.remove',
      ]);
    });

    it('merges categories and orders groups for the analysis with a form, refusing a grouping that drops an option', async () => {
      const id = await study();
      let r = await c.post(`/studies/${id}/plan/categories`, {
        question: 'specialty',
        groups: 'Clinical = 1, 2\r\nOther = 3 4',
      });
      expect(r.statusCode, /<div class="errors"[\s\S]*?<\/div>/.exec(r.body)?.[0]).toBe(303);
      r = await c.post(`/studies/${id}/plan/categories`, { question: 'training', groups: '2\n1' });
      expect(r.statusCode, /<div class="errors"[\s\S]*?<\/div>/.exec(r.body)?.[0]).toBe(303);
      expect((await c.definitionOf(id)).analysis).toMatchObject({
        categories: [
          {
            question: 'specialty',
            groups: [
              { label: 'Clinical', values: [1, 2] },
              { label: 'Other', values: [3, 4] },
            ],
          },
          { question: 'training', groups: [{ values: [2] }, { values: [1] }] },
        ],
      });
      const page = await c.get(`/studies/${id}/plan`);
      expect(page.body).toContain('Clinical = 1, 2\nOther = 3, 4');
      expect(page.body).toContain('Postgraduate = 2\nUndergraduate = 1');
      // an option left out is refused by the whole-definition check, naming it; nothing is stored
      const v = (await t.store.studies.byId(id))!.version;
      r = await c.post(`/studies/${id}/plan/categories`, {
        question: 'specialty',
        groups: 'Clinical = 1, 2\nOther = 3',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('option 4 is in no group');
      expect(r.body).toMatch(
        /<span class="field-error" id="pk-specialty-groups-e">[^<]*option 4 is in no group/,
      );
      expect(r.body).toMatch(/<textarea id="pk-specialty-groups"[^>]*aria-invalid="true" autofocus/);
      expect(r.body).toContain('Clinical = 1, 2\nOther = 3');
      r = await c.post(`/studies/${id}/plan/categories`, { question: 'specialty', groups: 'Clinical = one' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain(
        'line 1 &quot;Clinical = one&quot;: after &quot;=&quot; list the option values',
      );
      r = await c.post(`/studies/${id}/plan/categories`, { question: 'age', groups: 'Young = 1' });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('choose a single-choice question (got &quot;age&quot;)');
      expect((await t.store.studies.byId(id))!.version).toBe(v);
      // empty text removes them
      r = await c.post(`/studies/${id}/plan/categories`, { question: 'training', groups: '' });
      expect(r.statusCode).toBe(303);
      expect(((await c.definitionOf(id)).analysis as { categories: unknown[] }).categories).toHaveLength(1);
      expect((await planUpdates(id)).map((d) => d.change)).toEqual([
        'plan.categories',
        'plan.categories',
        'plan.categories.remove',
      ]);
    });

    it('refuses bad input with the field, the value and the fix named; nothing is stored', async () => {
      const id = await study();
      const before = (await t.store.studies.byId(id))!.version;
      const cases: [string, Record<string, string | string[]>, RegExp][] = [
        // logistic without a cut-off: the schema's own message, under the model's path
        [
          'models',
          { id: 'm1', type: 'logistic', outcome: 'stigma', atLeast: '', predictors: ['age'] },
          /analysis\.models\[0\]\.atLeast<\/code>: logistic model &quot;m1&quot; needs &quot;atLeast&quot;/,
        ],
        [
          'models',
          { id: 'm1', type: 'logistic', outcome: 'stigma', atLeast: 'ten', predictors: ['age'] },
          /analysis\.models\.atLeast<\/code>: &quot;ten&quot; is not a number/,
        ],
        [
          'models',
          { id: 'm1', type: 'linear', outcome: 'stigma', predictors: [] },
          /analysis\.models\.predictors<\/code>: tick at least one predictor/,
        ],
        [
          'models',
          { id: 'm1', type: 'linear', outcome: 'stigma', predictors: ['stigma'] },
          /&quot;stigma&quot; is the outcome; it cannot also be a predictor/,
        ],
        [
          'models',
          { id: 'm1', type: 'linear', outcome: 'stigma', predictors: ['gender'], reference_gender: '9' },
          /analysis\.models\.reference\.gender<\/code>: &quot;9&quot; is not an option value of gender/,
        ],
        ['models', { id: 'm1', type: 'linear', outcome: 'nosuch', predictors: ['age'] }, /nosuch/],
        [
          'thresholds',
          { score: 'stigma', atLeast: '' },
          /analysis\.thresholds\.atLeast<\/code>: type the cut-off/,
        ],
        [
          'comparisons',
          { groupBy: ['age'], ttest: 'welch' },
          /&quot;age&quot; is not a single-choice question/,
        ],
        ['comparisons', { ttest: 'welch', alpha: '5' }, /α must be between 0 and 1/],
      ];
      for (const [section, fields, message] of cases) {
        const r = await c.post(`/studies/${id}/plan/${section}`, fields);
        expect(r.statusCode, `${section} ${JSON.stringify(fields)}`).toBe(400);
        expect(r.body, `${section} ${JSON.stringify(fields)}`).toMatch(message);
      }
      // what was typed is kept
      const r = await c.post(`/studies/${id}/plan/models`, {
        id: 'kept_id',
        type: 'logistic',
        outcome: 'stigma',
        atLeast: 'ten',
        predictors: ['age'],
      });
      expect(r.body).toContain('value="kept_id"');
      expect(r.body).toContain('value="ten"');
      // the problem is also next to its field, described by it, and that field takes the focus
      expect(r.body).toContain(
        '<span class="field-error" id="pm-atLeast-e">&quot;ten&quot; is not a number; type a number such as 10 or 1.5</span>',
      );
      expect(r.body).toMatch(
        /<input type="text" id="pm-atLeast" name="atLeast" value="ten" aria-describedby="pm-atLeast-h pm-atLeast-e" aria-invalid="true" autofocus>/,
      );
      expect(r.body).toMatch(/name="predictors" value="age" checked/);
      expect((await t.store.studies.byId(id))!.version).toBe(before);
      expect(await planUpdates(id)).toEqual([]);
    });

    it('needs the CSRF token and the owner role', async () => {
      const id = await study();
      const noToken = await t.app.inject({
        method: 'POST',
        url: `/studies/${id}/plan/comparisons`,
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ groupBy: 'gender', ttest: 'welch' }),
      });
      expect(noToken.statusCode).toBe(403);
      const u = await t.createUser({ email: 'ann@example.org', name: 'Ann Analyst' });
      await t.store.roles.grant({ studyId: id, userId: u.id, role: 'analyst' });
      const analyst = await t.signIn(u.email, u.password);
      const a = await t.app.inject({
        method: 'GET',
        url: `/studies/${id}/plan`,
        headers: { cookie: analyst.cookie },
      });
      expect(a.statusCode).toBe(403);
      expect((await c.definitionOf(id)).analysis).toEqual({});
    });
  });
}
