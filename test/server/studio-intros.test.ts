/**
 * Intro texts (issue 14): the researcher's own text on a page and before an instrument, set and edited on the
 * Design page in each study language (errors at the field, audited like every definition change, owner only,
 * CSRF), and shown to respondents — under the page's title, and before the instrument's items and its own
 * instructions — in English and Urdu, without JavaScript, in the preview as on the study link.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTRO_MAX_LENGTH } from '../../src/core/study/schema.js';
import {
  createStudy,
  FormBrowser,
  formBody,
  ownerStudio,
  phq9StudyDefinition,
  type SignedIn,
  serverBackends,
  type studioClient,
  type TestApp,
} from './helpers.js';

let t: TestApp;
let c: ReturnType<typeof studioClient>;
let owner: SignedIn;

const EN = 'The next questions are about your last month on the wards.\n\nAnswer for yourself.';
const UR = 'اگلے سوالات وارڈز پر آپ کے پچھلے مہینے کے بارے میں ہیں۔';
const EVIL = '<script>alert(1)</script> & "q"';
const PHQ9_STEM = 'Over the last 2 weeks, how often have you been bothered';

const YEAR = {
  action: 'add',
  _form: 'question',
  id: 'year',
  text_en: 'Year of study',
  text_ur: 'تعلیمی سال',
  type: 'single',
  options: 'First year | پہلا سال\nSecond year | دوسرا سال',
  required: 'on',
};

const index = (body: string, s: string) => {
  const i = body.indexOf(s);
  expect(i, `"${s}" is on the page`).toBeGreaterThanOrEqual(0);
  return i;
};

for (const backend of serverBackends()) {
  describe(`intro texts on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c, owner } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    it('sets, edits and removes the intro before an instrument; audited; shown in the preview before its instructions (en, ur)', async () => {
      const id = await c.createStudy({ title: 'Wards', languages: ['en', 'ur'], instruments: ['phq9'] });
      const design = await c.get(`/studies/${id}/edit`);
      expect(design.body).toContain('<section id="intros"><h2>Intro texts</h2>');
      expect(design.body).toContain(
        '<label for="in-instrument-phq9-intro_ur">Intro before PHQ-9 (Urdu)</label>',
      );
      expect(design.body).toMatch(
        /<textarea id="in-instrument-phq9-intro_ur" name="intro_ur"[^>]* lang="ur" dir="rtl"/,
      );

      let r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:instrument:phq9',
        target: 'instrument:phq9',
        intro_en: EN,
        intro_ur: UR,
      });
      expect(r.statusCode, r.body.slice(0, 2000)).toBe(303);
      expect(r.headers.location).toBe(`/studies/${id}/edit?saved=intros#intros`);
      expect((await c.definitionOf(id)).instruments![0]!.intro).toEqual({ en: EN, ur: UR });
      const audit = (await t.store.audit.listForStudy(id)).find((e) => e.action === 'study.update');
      expect(audit?.actorUserId).toBe(owner.user.id);
      expect(audit?.detail).toMatchObject({
        change: 'intro',
        target: 'instrument:phq9',
        languages: ['en', 'ur'],
      });

      // The form shows what is stored.
      expect((await c.get(`/studies/${id}/edit`)).body).toContain(`>${UR}</textarea>`);

      // The preview (the respondent engine): the intro, as paragraphs, before PHQ-9's own instructions.
      let p = await c.get(`/studies/${id}/preview?lang=en`);
      expect(p.statusCode).toBe(200);
      expect(p.body).toContain(
        '<div class="in"><p>The next questions are about your last month on the wards.</p><p>Answer for yourself.</p></div>',
      );
      expect(index(p.body, 'class="in"')).toBeLessThan(index(p.body, PHQ9_STEM));
      expect(index(p.body, PHQ9_STEM)).toBeLessThan(index(p.body, 'name="phq9_1"'));
      p = await c.get(`/studies/${id}/preview?lang=ur`);
      expect(p.body).toContain('<html lang="ur" dir="rtl">');
      expect(p.body).toContain(`<div class="in"><p>${UR}</p></div>`);

      // Edit one language; then empty both to remove it.
      r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:instrument:phq9',
        target: 'instrument:phq9',
        intro_en: 'Edited.\r\n\r\nSecond paragraph.',
        intro_ur: UR,
      });
      expect(r.statusCode).toBe(303);
      expect((await c.definitionOf(id)).instruments![0]!.intro).toEqual({
        en: 'Edited.\n\nSecond paragraph.',
        ur: UR,
      });
      r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:instrument:phq9',
        target: 'instrument:phq9',
        intro_en: '',
        intro_ur: '',
      });
      expect(r.statusCode).toBe(303);
      expect((await c.definitionOf(id)).instruments![0]).not.toHaveProperty('intro');
      const changes = (await t.store.audit.listForStudy(id))
        .filter((e) => e.action === 'study.update')
        .map((e) => (e.detail as { change: string }).change);
      expect(changes.filter((x) => x.startsWith('intro'))).toEqual(['intro.remove', 'intro', 'intro']);
      expect((await c.get(`/studies/${id}/preview?lang=en`)).body).not.toContain('class="in"');
    });

    it('shows a missing study language and a text too long at the field (focus, aria), and saves nothing', async () => {
      const id = await c.createStudy({ title: 'Wards', languages: ['en', 'ur'], instruments: ['phq9'] });
      const before = (await t.store.studies.byId(id))!.version;
      let r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:instrument:phq9',
        target: 'instrument:phq9',
        intro_en: EN,
        intro_ur: '',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('<title>Error: Design');
      expect(r.body).toContain(
        'the intro before PHQ-9 has no Urdu (ur) text, but the study is offered in English and Urdu',
      );
      // Under the Urdu field's label, linked and focused; the English text typed is kept.
      expect(r.body).toMatch(
        /<span class="field-error" id="in-instrument-phq9-intro_ur-e">[^<]*has no Urdu \(ur\) text/,
      );
      expect(r.body).toMatch(
        /<textarea id="in-instrument-phq9-intro_ur" name="intro_ur" rows="3" aria-describedby="in-instrument-phq9-intro_ur-e" aria-invalid="true" autofocus/,
      );
      expect(r.body.match(/ autofocus/g)).toHaveLength(1);
      expect(r.body).toContain('<a href="#in-instrument-phq9-intro_ur">intro_ur</a>');
      expect(r.body).toContain(
        'The next questions are about your last month on the wards.\n\nAnswer for yourself.</textarea>',
      );

      r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:instrument:phq9',
        target: 'instrument:phq9',
        intro_en: 'x'.repeat(INTRO_MAX_LENGTH + 1),
        intro_ur: UR,
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain(
        `has ${INTRO_MAX_LENGTH + 1} characters; an intro may have at most ${INTRO_MAX_LENGTH}`,
      );
      expect(r.body).toMatch(/<textarea id="in-instrument-phq9-intro_en"[^>]* aria-invalid="true" autofocus/);

      r = await c.post(`/studies/${id}/edit/intros`, {
        target: 'instrument:gad7',
        intro_en: EN,
        intro_ur: UR,
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('the study has no instrument &quot;gad7&quot;');
      r = await c.post(`/studies/${id}/edit/intros`, { target: 'nonsense', intro_en: EN });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('does not name an intro');
      expect((await t.store.studies.byId(id))!.version).toBe(before);
      expect((await c.definitionOf(id)).instruments![0]).not.toHaveProperty('intro');

      // Adding a language the intros lack is refused by name, from the Basics form.
      expect(
        (
          await c.post(`/studies/${id}/edit/intros`, {
            target: 'instrument:phq9',
            intro_en: EN,
            intro_ur: UR,
          })
        ).statusCode,
      ).toBe(303);
      const en = await c.createStudy({ title: 'English only', instruments: ['phq9'] });
      expect(
        (await c.post(`/studies/${en}/edit/intros`, { target: 'instrument:phq9', intro_en: EN })).statusCode,
      ).toBe(303);
      r = await c.post(`/studies/${en}/edit/basics`, { title: 'English only', languages: ['en', 'ur'] });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('the intro before PHQ-9 has no Urdu (ur) text');
      expect((await c.definitionOf(en)).languages).toEqual(['en']);
    });

    it('the own questions’ page intro: set from the form, shown under the page title', async () => {
      const id = await c.createStudy({ title: 'Wards', languages: ['en', 'ur'], instruments: ['phq9'] });
      expect((await c.post(`/studies/${id}/edit/questions`, YEAR)).statusCode).toBe(303);
      expect((await c.get(`/studies/${id}/edit`)).body).toContain('Intro of the page of your own questions');
      const r = await c.post(`/studies/${id}/edit/intros`, {
        _form: 'intro:questions',
        target: 'questions',
        intro_en: 'First, a little about you.',
        intro_ur: 'پہلے، آپ کے بارے میں۔',
      });
      expect(r.statusCode, r.body.slice(0, 2000)).toBe(303);
      expect((await c.definitionOf(id)).collection?.questionsIntro).toEqual({
        en: 'First, a little about you.',
        ur: 'پہلے، آپ کے بارے میں۔',
      });
      const p = await c.get(`/studies/${id}/preview?lang=en`);
      expect(index(p.body, '<h1>')).toBeLessThan(index(p.body, 'First, a little about you.'));
      expect(index(p.body, 'First, a little about you.')).toBeLessThan(index(p.body, 'name="year"'));
    });

    it('owner only, with the CSRF token', async () => {
      const id = await c.createStudy({ title: 'Wards', instruments: ['phq9'] });
      const body = { target: 'instrument:phq9', intro_en: EN };
      const noToken = await t.app.inject({
        method: 'POST',
        url: `/studies/${id}/edit/intros`,
        headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody(body),
      });
      expect(noToken.statusCode).toBe(403);
      const u = await t.createUser({ email: 'ann@example.org', name: 'Ann Analyst' });
      await t.store.roles.grant({ studyId: id, userId: u.id, role: 'analyst' });
      const analyst = await t.signIn(u.email, u.password);
      const a = await t.app.inject({
        method: 'POST',
        url: `/studies/${id}/edit/intros`,
        headers: { cookie: analyst.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...body, _csrf: analyst.csrf }),
      });
      expect(a.statusCode).toBe(403);
      expect((await c.definitionOf(id)).instruments![0]).not.toHaveProperty('intro');
    });

    it('a respondent sees the page and instrument intros in English and Urdu without JavaScript; answers, errors and progress as before', async () => {
      const def = phq9StudyDefinition();
      const study = await createStudy(t.store, {
        ownerId: owner.user.id,
        definition: {
          ...def,
          languages: ['en', 'ur'],
          instruments: [{ instrument: 'phq9', intro: { en: `${EN} ${EVIL}`, ur: UR } }],
          questions: [
            {
              id: 'year',
              type: 'single',
              text: { en: 'Year of study', ur: 'تعلیمی سال' },
              options: [
                { value: 1, label: { en: 'First', ur: 'پہلا' } },
                { value: 2, label: { en: 'Second', ur: 'دوسرا' } },
              ],
              required: true,
            },
          ],
          collection: {
            ...(def.collection as object),
            pages: [
              {
                title: { en: 'About you', ur: 'آپ کے بارے میں' },
                intro: { en: 'First, about you.', ur: 'پہلے، آپ کے بارے میں۔' },
                items: ['year'],
              },
              { items: ['instrument:phq9'] },
            ],
          },
        },
      });
      for (const lang of ['en', 'ur'] as const) {
        const b = new FormBrowser(t.app);
        await b.get(`/s/${study.publicToken}?lang=${lang}`);
        expect(b.status).toBe(200);
        expect(b.html).toContain(`<html lang="${lang}" dir="${lang === 'ur' ? 'rtl' : 'ltr'}">`);
        const intro = lang === 'en' ? 'First, about you.' : 'پہلے، آپ کے بارے میں۔';
        expect(b.html).toContain(`<div class="in"><p>${intro}</p></div>`);
        expect(index(b.html, '<progress')).toBeLessThan(index(b.html, intro));
        // An unanswered required question: the summary still comes first, the intro stays, names unchanged.
        await b.submit({});
        expect(b.status).toBe(400);
        expect(index(b.html, 'id="es"')).toBeLessThan(index(b.html, intro));
        expect(b.html).toContain('<input type="radio" name="year" value="1" id="f-year"');
        await b.submit({ year: '1' });
        expect(b.page()).toBe('p2');
        expect(b.html).toMatch(/<p class="pg" id="pg">[^<]*2[^<]*<\/p><progress max="\d+" value="2"/);
        if (lang === 'en') {
          expect(b.html).toContain(
            '<p>The next questions are about your last month on the wards.</p><p>Answer for yourself. &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>',
          );
          expect(b.html).not.toContain('<script>alert(1)');
          expect(index(b.html, 'class="in"')).toBeLessThan(index(b.html, PHQ9_STEM));
        } else {
          expect(b.html).toContain(`<div class="in"><p>${UR}</p></div>`);
        }
        expect(b.html).toContain('name="phq9_1"');
      }
    });
  });
}
