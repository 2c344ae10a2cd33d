/**
 * Licensed and translated text in the studio: the launch check judges the resolved study (text packs applied),
 * a study owner pastes a text pack per language and sees which items still lack text, unverified (placeholder)
 * wording and missing instructions are listed before launch, and the pack's source and back-translation
 * status reach the codebook. The item wording below is test text, not any instrument's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerStudio, serverBackends, type studioClient, type TestApp } from './helpers.js';

let t: TestApp;
let get: ReturnType<typeof studioClient>['get'];
let post: ReturnType<typeof studioClient>['post'];
let createStudy: ReturnType<typeof studioClient>['createStudy'];
let definitionOf: ReturnType<typeof studioClient>['definitionOf'];

const PSS_IDS = Array.from({ length: 10 }, (_, i) => `pss10_${String(i + 1).padStart(2, '0')}`);
const lines = (lang: string) => PSS_IDS.map((_, i) => `Test wording ${lang} ${i + 1}`).join('\n');

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      let c: ReturnType<typeof studioClient>;
      ({ t, c } = await ownerStudio(backend));
      ({ get, post, createStudy, definitionOf } = c);
    });

    afterEach(async () => {
      await t.close();
    });

    it('launches PSS-10 once its text pack is in the definition (the check used the library instrument)', async () => {
      const id = await createStudy({ title: 'Stress', instruments: ['pss10'], acknowledge: ['pss10'] });
      const def = await definitionOf(id);
      def.instruments![0]!.textPacks = [
        {
          instrument: 'pss10',
          version: def.instruments![0]!.version,
          language: 'en',
          licensee: 'Test licensee',
          items: Object.fromEntries(PSS_IDS.map((x, i) => [x, `Test wording en ${i + 1}`])),
        },
      ];
      const saved = await post(`/studies/${id}/edit/json`, { definition: JSON.stringify(def) });
      expect(saved.statusCode, saved.body.slice(0, 3000)).toBe(303);
      const r = await post(`/studies/${id}/launch`, { confirmed: '1' });
      expect(r.statusCode, r.body.slice(0, 4000)).toBe(303);
      expect((await t.store.studies.byId(id))!.status).toBe('open');
    });

    it('takes a pasted text pack per language, lists what still lacks text, and launches when every language has it', async () => {
      const id = await createStudy({
        title: 'Stress',
        languages: ['en', 'ur'],
        instruments: ['pss10'],
        acknowledge: ['pss10'],
      });
      let r = await post(`/studies/${id}/launch`, { confirmed: '1' });
      expect(r.statusCode).toBe(409);
      expect(r.body).toContain('10 of 10 items lack English text');
      expect(r.body).toContain('10 of 10 items lack Urdu text');

      const edit = await get(`/studies/${id}/edit`);
      expect(edit.body).toContain(
        'English: 10 of 10 items lack text — the study cannot launch until they have it',
      );

      // Nine lines for ten items: refused, with what to do, nothing saved.
      const before = (await t.store.studies.byId(id))!.version;
      r = await post(`/studies/${id}/edit/textpacks`, {
        _form: 'textpack:pss10',
        instrument: 'pss10',
        language: 'en',
        licensee: 'Test licensee',
        text: lines('en').split('\n').slice(0, 9).join('\n'),
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('PSS-10 has 10 items but 9 lines were pasted');
      expect((await t.store.studies.byId(id))!.version).toBe(before);

      // No licensee: refused.
      r = await post(`/studies/${id}/edit/textpacks`, {
        instrument: 'pss10',
        language: 'en',
        text: lines('en'),
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('say who supplied this text');

      r = await post(`/studies/${id}/edit/textpacks`, {
        _form: 'textpack:pss10',
        instrument: 'pss10',
        language: 'en',
        licensee: 'Test licensee',
        source: 'Test source',
        text: lines('en'),
      });
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      const packs = (await definitionOf(id)).instruments![0]!.textPacks as { language: string }[];
      expect(packs.map((p) => p.language)).toEqual(['en']);

      r = await post(`/studies/${id}/launch`, { confirmed: '1' });
      expect(r.statusCode).toBe(409);
      expect(r.body).not.toContain('lack English text');
      expect(r.body).toContain('10 of 10 items lack Urdu text');

      // The Urdu pack as "item_id = text" lines, with its source and back-translation status.
      r = await post(`/studies/${id}/edit/textpacks`, {
        instrument: 'pss10',
        language: 'ur',
        licensee: 'Test licensee',
        source: 'Urdu translation by test translators',
        backTranslation: 'done',
        text: PSS_IDS.map((x, i) => `${x} = آزمائشی متن ${i + 1}`).join('\n'),
      });
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      const page = await get(`/studies/${id}/edit`);
      expect(page.body).toContain('Urdu: every item has text.');
      expect(page.body).toContain('Urdu translation by test translators');
      expect(page.body).toContain('back-translated');

      r = await post(`/studies/${id}/launch`, { confirmed: '1' });
      expect(r.statusCode, r.body.slice(0, 4000)).toBe(303);

      // The same pack drives the respondent page …
      const preview = await get(`/studies/${id}/preview?lang=ur`);
      expect(preview.body).toContain('آزمائشی متن 1');
      // … and the codebook names its source and back-translation status.
      const cb = await post(`/studies/${id}/exports`, { format: 'codebook' });
      expect(cb.statusCode).toBe(200);
      expect(cb.body).toContain(
        'Text (ur): supplied by Test licensee; source: Urdu translation by test translators; back-translated',
      );
      expect(cb.body).toContain('Text (en): supplied by Test licensee; source: Test source');

      // Replacing a language's pack keeps one pack per language; removing one blocks the launch check again.
      r = await post(`/studies/${id}/edit/textpacks`, {
        action: 'remove',
        instrument: 'pss10',
        language: 'ur',
      });
      expect(r.statusCode).toBe(303);
      const after = (await definitionOf(id)).instruments![0]!.textPacks as { language: string }[];
      expect(after.map((p) => p.language)).toEqual(['en']);
    });

    it('refuses a pack that would change verified published wording, naming the item', async () => {
      const id = await createStudy({ title: 'Barriers', instruments: ['bace3'], acknowledge: ['bace3'] });
      const r = await post(`/studies/${id}/edit/textpacks`, {
        instrument: 'bace3',
        language: 'en',
        licensee: 'Test',
        text: 'bace3_01 = Something else entirely',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('item &quot;bace3_01&quot;: the pack&#39;s wording');
      expect((await definitionOf(id)).instruments![0]!.textPacks ?? []).toEqual([]);
    });

    it('lists BACE unverified items and the missing instructions on the Design and launch pages, until replaced', async () => {
      const id = await createStudy({ title: 'Barriers', instruments: ['bace3'], acknowledge: ['bace3'] });
      const overview = await get(`/studies/${id}`);
      expect(overview.body).toContain(
        'BACE v3 items bace3_14, bace3_24, bace3_29 have unverified or placeholder wording',
      );
      expect(overview.body).toContain('BACE v3 has no instructions (stem) in English');
      const edit = await get(`/studies/${id}/edit`);
      expect(edit.body).toContain('Unverified or placeholder wording');
      expect(edit.body).toMatch(/<code>bace3_24<\/code>/);
      expect(edit.body).toContain('No instructions (stem) in English');

      const r = await post(`/studies/${id}/edit/textpacks`, {
        instrument: 'bace3',
        language: 'en',
        licensee: 'Test',
        source: 'Test official form',
        backTranslation: 'not_applicable',
        instructions: 'Test instructions.',
        text: 'bace3_14 = Test wording 14\nbace3_24 = Test wording 24\nbace3_29 = Test wording 29',
      });
      expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
      const again = await get(`/studies/${id}`);
      expect(again.body).not.toContain('unverified or placeholder wording');
      expect(again.body).not.toContain('has no instructions');
      const preview = await get(`/studies/${id}/preview`);
      expect(preview.body).toContain('Test instructions.');
    });
  });
}
