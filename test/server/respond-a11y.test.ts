/**
 * Accessibility of the respondent pages over HTTP, as a phone without JavaScript sees them (issue 14): a page
 * re-shown with errors announces them (the summary takes focus by `autofocus`, the title starts with "Error: "
 * in the page's language), forms have `novalidate` (no English browser popup instead of the translated
 * summary), a radio group's message is linked to the group and its radios, and the study's English title on
 * an Urdu page carries its own lang/dir.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  baceStudyDefinition,
  createStudy,
  FormBrowser,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';

for (const backend of serverBackends()) {
  describe(`respondent pages announce errors without JavaScript (${backend.name})`, () => {
    let t: TestApp;
    let url = '';
    beforeEach(async () => {
      t = await testApp({ backend });
      const ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
      const study = await createStudy(t.store, { ownerId, definition: baceStudyDefinition() });
      url = `/s/${study.publicToken}`;
    });
    afterEach(async () => {
      await t.close();
    });

    for (const [lang, prefix, other] of [
      ['en', 'Error: ', 'ur'],
      ['ur', 'خرابی: ', 'en'],
    ] as const) {
      it(`a missing answer on the ${lang} screening page: focus on the summary, "${prefix}" title, linked radios`, async () => {
        const b = new FormBrowser(t.app);
        await b.get(`${url}?lang=${lang}`);
        expect(b.html).toContain(`<html lang="${lang}"`);
        expect(titleOf(b.html).startsWith(prefix)).toBe(false);
        expect(b.html).toMatch(/<form method="post" [^>]*novalidate/);
        // The language switch on the first page.
        expect(b.html).toContain(`hreflang="${other}"`);
        await b.submit({}, { name: '_consent', value: 'agree' });
        expect(b.page()).toBe('e1');
        expect(titleOf(b.html).startsWith(prefix)).toBe(false);
        expect(b.html).not.toContain('autofocus');

        await b.submit({});
        expect(b.status).toBe(400);
        expect(b.page()).toBe('e1');
        expect(titleOf(b.html).startsWith(prefix)).toBe(true);
        // The summary is the one element with autofocus, and it can take focus.
        expect(b.html.match(/autofocus/g)).toHaveLength(1);
        expect(b.html).toMatch(
          /<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>[^<]+<\/h2><ul><li><a href="#f-enrolled">/,
        );
        // Every form of the page: novalidate (the translated summary, not the browser's popup).
        const forms = b.html.match(/<form [^>]*>/g) ?? [];
        expect(forms.length).toBeGreaterThan(0);
        for (const f of forms) expect(f).toContain(' novalidate');
        // The radio group is invalid and described by its message; so is each radio.
        // (On the Urdu page the English-only question carries lang="en" dir="ltr" too.)
        expect(b.html).toMatch(
          /<fieldset class="q bad" id="q-enrolled"( lang="en" dir="ltr")? aria-describedby="e-enrolled" aria-invalid="true" data-r>/,
        );
        expect(b.html).toMatch(/<p class="er" id="e-enrolled"[^>]*>[^<]+<\/p>/);
        const radios = b.html.match(/<input type="radio" name="enrolled"[^>]*>/g) ?? [];
        expect(radios).toHaveLength(2);
        for (const r of radios) expect(r).toContain('aria-describedby="e-enrolled"');

        // Answered: the next page has no "Error" title and no autofocus.
        await b.submit({ enrolled: '1' });
        expect(b.status).toBe(200);
        expect(titleOf(b.html).startsWith(prefix)).toBe(false);
        expect(b.html).not.toContain('autofocus');
      });
    }

    it('the study title (English) on an Urdu page carries lang="en" dir="ltr"; on an English page dir="auto"', async () => {
      const b = new FormBrowser(t.app);
      await b.get(`${url}?lang=ur`);
      expect(b.html).toMatch(/<header><p lang="en" dir="ltr">[A-Za-z]/);
      const e = new FormBrowser(t.app);
      await e.get(`${url}?lang=en`);
      expect(e.html).toMatch(/<header><p dir="auto">[A-Za-z]/);
    });

    it('a title per language: each page shows its own, the browser title too; a fallen-back one carries its lang/dir', async () => {
      const ownerId = (await t.createUser({ email: 'titles@example.org' })).id;
      const both = await createStudy(t.store, {
        ownerId,
        title: 'Stress survey',
        definition: { ...baceStudyDefinition(), title: { en: 'Stress survey', ur: 'ذہنی دباؤ کا سروے' } },
      });
      const ur = new FormBrowser(t.app);
      await ur.get(`/s/${both.publicToken}?lang=ur`);
      expect(ur.html).toContain('<header><p>ذہنی دباؤ کا سروے</p>');
      expect(titleOf(ur.html)).toMatch(/ – ذہنی دباؤ کا سروے$/);
      // The next page too (the session's pages).
      await ur.submit({}, { name: '_consent', value: 'agree' });
      expect(ur.html).toContain('<header><p>ذہنی دباؤ کا سروے</p>');
      const en = new FormBrowser(t.app);
      await en.get(`/s/${both.publicToken}?lang=en`);
      expect(en.html).toContain('<header><p>Stress survey</p>');
      expect(titleOf(en.html)).toMatch(/ – Stress survey$/);
      expect(en.html).not.toContain('[object Object]');

      const enOnly = await createStudy(t.store, {
        ownerId,
        title: 'Stress survey',
        definition: { ...baceStudyDefinition(), title: { en: 'Stress survey' } },
      });
      const fb = new FormBrowser(t.app);
      await fb.get(`/s/${enOnly.publicToken}?lang=ur`);
      expect(fb.html).toContain('<header><p lang="en" dir="ltr">Stress survey</p>');
    });

    it('a wrong resume code: "Error: " title and focus on the summary, in English and Urdu', async () => {
      for (const [lang, prefix] of [
        ['en', 'Error: '],
        ['ur', 'خرابی: '],
      ] as const) {
        const r = new FormBrowser(t.app);
        await r.get(`${url}/resume?lang=${lang}`);
        expect(r.html).toMatch(/<form [^>]*novalidate/);
        await r.submit({ code: 'ZZZZ-ZZZZ' });
        expect(r.status).toBe(400);
        expect(titleOf(r.html).startsWith(prefix)).toBe(true);
        expect(r.html).toContain('<div class="es" id="es" role="alert" tabindex="-1" autofocus>');
      }
    });
  });
}
