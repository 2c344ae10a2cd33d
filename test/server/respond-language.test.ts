/**
 * The language switch on every respondent page of a study in English and Urdu (issue 14), over HTTP as a phone
 * without JavaScript sees it: consent, screening, content pages (also re-shown with errors), review, every end
 * page, the resume code and form, closed, expired and the volunteer pages. On a session's page the switch is a
 * button that posts the page's form (what was typed is kept, the session goes on in the language chosen);
 * elsewhere a link to the same page in the other language. `<html>` carries the page's `lang`/`dir`.
 *
 * The app's error pages under a study link (400, 413, 429, 500) are in the study language the request asked for
 * (`?lang=`, else the form's `_lang`), with the switch; English otherwise, and whenever anything is unexpected.
 *
 * And the page count a respondent can trust: "of N" stays the same when an answer shows a follow-up page
 * (core/study/pages.ts `progress`), the `<progress>` element agrees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { respondentErrorPage } from '../../src/server/respond/errorPage.js';
import { answerPhq9, followUpStudy } from './followUpHelpers.js';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  countRows,
  createStudy,
  FormBrowser,
  form,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

const DIR = { en: 'ltr', ur: 'rtl' } as const;
type Lang = keyof typeof DIR;
const other = (l: Lang): Lang => (l === 'en' ? 'ur' : 'en');
const baceAnswer = (i: number) => String((i * 7 + 1) % 4);

const navOf = (html: string) => /<nav aria-label="[^"]+">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';

/** The page is in `lang` and offers the other language as a link; returns the link. */
function expectLink(b: FormBrowser, lang: Lang): string {
  expect(b.html, b.url).toContain(`<html lang="${lang}" dir="${DIR[lang]}">`);
  const to = other(lang);
  const m = new RegExp(`<a href="([^"]+)" hreflang="${to}" lang="${to}" dir="${DIR[to]}">`).exec(
    navOf(b.html),
  );
  expect(m, `a link to ${to} on ${b.url}`).not.toBeNull();
  return m![1]!.replace(/&amp;/g, '&');
}

/** The page is in `lang` and offers the other language as a button posting the page's form. */
function expectButton(b: FormBrowser, lang: Lang): void {
  expect(b.html, b.url).toContain(`<html lang="${lang}" dir="${DIR[lang]}">`);
  expect(navOf(b.html)).toContain(`form="rf" name="_nav" value="lang:${other(lang)}" formnovalidate`);
  expect(b.html).toMatch(/<form method="post" action="[^"]*" id="rf" /);
}

/** Follow a page's language link: the same page (same URL but the language) in the other language. */
async function followLink(b: FormBrowser, lang: Lang): Promise<void> {
  const href = expectLink(b, lang);
  const status = b.status;
  await b.get(href);
  expect(b.status).toBe(status);
  expectLink(b, other(lang));
}

/** Press the language button with `fields` typed: the same page again in the other language. */
async function pressSwitch(b: FormBrowser, lang: Lang, fields: Record<string, string> = {}): Promise<void> {
  expectButton(b, lang);
  const page = b.page();
  await b.submit(fields, { name: '_nav', value: `lang:${other(lang)}` });
  expect(b.status).toBe(200);
  expect(b.page()).toBe(page);
  expectButton(b, other(lang));
}

for (const backend of serverBackends()) {
  describe(`the language switch on every respondent page (${backend.name})`, () => {
    let t: TestApp;
    let ownerId = 0;
    let token = '';
    beforeEach(async () => {
      t = await testApp({ backend });
      ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
      token = (await createStudy(t.store, { ownerId, definition: baceStudyDefinition() })).publicToken;
    });
    afterEach(async () => {
      await t.close();
    });

    it('consent, screening, a content page (with errors), review and thank-you: the switch keeps every answer', async () => {
      const b = new FormBrowser(t.app);
      await b.get(`/s/${token}?lang=en`);
      expect(b.page()).toBe('consent');
      // The first page (no session yet): a link.
      await followLink(b, 'en');
      await b.submit({}, { name: '_consent', value: 'agree' });
      expect(b.page()).toBe('e1');
      // Screening: the button keeps the choice made, unchecked.
      await pressSwitch(b, 'ur', { enrolled: '1' });
      expect(b.html).toMatch(/name="enrolled" value="1"[^>]*checked/);
      // (A browser sends what is checked; this one sends the given fields.)
      await b.submit({ enrolled: '1' });
      expect(b.page()).toBe('p1');
      // A page re-shown with errors (no JavaScript), then switched: what was typed is still there.
      await b.submit({ age: '21' });
      expect(b.status).toBe(400);
      expect(b.html).toContain('<html lang="en" dir="ltr">');
      await pressSwitch(b, 'en', { age: '21', gender: '2' });
      expect(b.html).toContain('value="21"');
      expect(b.html).toMatch(/name="gender" value="2"[^>]*checked/);
      await b.submit({ age: '21', gender: '2', training: '1' });
      expect(b.page()).toBe('p3');
      // Half of the BACE page typed, then switched back to English: kept.
      const half = Object.fromEntries(BACE_ITEMS.slice(0, 5).map((id, i) => [id, baceAnswer(i)]));
      await pressSwitch(b, 'ur', half);
      expect(b.html).toMatch(new RegExp(`name="${BACE_ITEMS[4]}" value="${baceAnswer(4)}"[^>]*checked`));
      await b.submit(Object.fromEntries(BACE_ITEMS.map((id, i) => [id, baceAnswer(i)])));
      expect(b.page()).toBe('review');
      await pressSwitch(b, 'en');
      // Back from the review in Urdu: the session kept the language (the draft's), and every answer.
      await b.submit({}, { name: '_nav', value: 'back' });
      expectButton(b, 'ur');
      expect(b.html).toMatch(new RegExp(`name="${BACE_ITEMS[0]}" value="${baceAnswer(0)}"[^>]*checked`));
      await b.submit(Object.fromEntries(BACE_ITEMS.map((id, i) => [id, baceAnswer(i)])));
      await b.submit({}, { name: '_nav', value: 'submit' });
      expect(b.status).toBe(200);
      // The thank-you page (no form): a link to it in English.
      await followLink(b, 'ur');
      expect(await countRows(t.store, 'responses')).toBe(1);
    });

    it('declined, screened out, saved (resume code), the resume form (also with a wrong code), closed and expired: a link', async () => {
      const d = new FormBrowser(t.app);
      await d.get(`/s/${token}?lang=ur`);
      await d.submit({}, { name: '_consent', value: 'decline' });
      await followLink(d, 'ur');

      const i = new FormBrowser(t.app);
      await i.get(`/s/${token}?lang=en`);
      await i.submit({}, { name: '_consent', value: 'agree' });
      await i.submit({ enrolled: '0' });
      expect(i.url).toContain('p=ineligible');
      await followLink(i, 'en');

      const s = new FormBrowser(t.app);
      await s.get(`/s/${token}?lang=en`);
      await s.submit({}, { name: '_consent', value: 'agree' });
      await s.submit({ enrolled: '1' });
      await s.submit({ age: '30' }, { name: '_nav', value: 'save' });
      const code = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(s.html)?.[1];
      expect(code).toBeTruthy();
      await followLink(s, 'en');
      expect(s.html).toContain(code!);

      const r = new FormBrowser(t.app);
      await r.get(`/s/${token}/resume?lang=ur`);
      await followLink(r, 'ur');
      await r.submit({ code: 'ZZZZ-ZZZZ' });
      expect(r.status).toBe(400);
      await followLink(r, 'en');
      // Resumed: the session's pages have the button, in the language the answers were saved in.
      await r.submit({ code: code! });
      expect(r.page()).toBe('p1');
      await pressSwitch(r, 'en', { age: '30' });
      expect(r.html).toContain('value="30"');

      // Expired: a session page without a session.
      const x = new FormBrowser(t.app);
      await x.get(`/s/${token}?p=p1&lang=ur`);
      expect(x.status).toBe(403);
      await followLink(x, 'ur');

      const closed = await createStudy(t.store, {
        ownerId,
        definition: baceStudyDefinition(),
        status: 'closed',
      });
      const c = new FormBrowser(t.app);
      await c.get(`/s/${closed.publicToken}?lang=en`);
      await followLink(c, 'en');
    });

    it('the volunteer pages: the offer, the form and the personal page', async () => {
      const fu = await createStudy(t.store, { ownerId, definition: followUpStudy() });
      const b = new FormBrowser(t.app);
      await answerPhq9(b, fu.publicToken, 2, 'ur');
      expectLink(b, 'ur');
      const offer = /<a class="vo" href="([^"]+)"/.exec(b.html)?.[1];
      expect(offer).toBeTruthy();
      await b.get(offer!.replace(/&amp;/g, '&'));
      await followLink(b, 'ur');
      await b.submit({ email: 'v@example.org', agree: '1' });
      const personal = /\/s\/[^/]+\/v\/[A-Z0-9]+/.exec(b.html)?.[0];
      expect(personal).toBeTruthy();
      await b.get(`${personal}?lang=en`);
      await followLink(b, 'en');
    });
  });

  describe(`the app's error pages in the language asked for (${backend.name})`, () => {
    let t: TestApp;
    let token = '';
    const start = async (config = {}) => {
      t = await testApp({ backend, config });
      const ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
      token = (await createStudy(t.store, { ownerId, definition: baceStudyDefinition() })).publicToken;
    };
    afterEach(async () => {
      await t.close();
    });
    /** The page is the error page of that status in `lang`, with a link to the other language. */
    const expectErrorPage = (b: FormBrowser, status: number, lang: Lang, title: string) => {
      expect(b.status).toBe(status);
      expect(b.html).toContain(`<h1>${title}</h1>`);
      return expectLink(b, lang);
    };
    /** On the first content page of a session in `lang`. */
    const onPage = async (lang: Lang) => {
      const b = new FormBrowser(t.app);
      await b.get(`/s/${token}?lang=${lang}`);
      await b.submit({}, { name: '_consent', value: 'agree' });
      expect(b.page()).toBe('e1');
      return b;
    };

    it('413 (a body too large to be read) and 400 (a form that is not UTF-8): Urdu, with the link to English', async () => {
      await start();
      const b = await onPage('ur');
      await b.submit({ enrolled: 'x'.repeat(300 * 1024) });
      const href = expectErrorPage(b, 413, 'ur', 'عبارت بہت لمبی ہے');
      expect(href).toBe(`/s/${token}?lang=en`);
      await b.get(href);
      expect(b.status).toBe(200);
      expect(b.html).toContain('<html lang="en" dir="ltr">');

      const c = await onPage('ur');
      const bad = await c.post(c.action(), { ...form({}), payload: 'enrolled=%FF' });
      c.html = bad.body;
      c.status = bad.statusCode;
      expectErrorPage(c, 400, 'ur', 'فارم میں کوئی خرابی تھی');
      // In English when English is asked for, with the link to Urdu.
      const e = await onPage('en');
      await e.submit({ enrolled: 'x'.repeat(300 * 1024) });
      expectErrorPage(e, 413, 'en', 'Too much text');
    });

    it('429 (the page limit) and 500 (the store failing; the language from the form body): Urdu', async () => {
      await start({ submitRateLimitPerMinute: 1 });
      const b = new FormBrowser(t.app);
      for (let i = 0; i < 10; i++) await b.get(`/s/${token}?lang=ur`);
      expect(b.status).toBe(200);
      await b.get(`/s/${token}?lang=ur`);
      expectErrorPage(b, 429, 'ur', 'بہت زیادہ کوششیں');
      await t.close();

      await start();
      const c = new FormBrowser(t.app);
      await c.get(`/s/${token}?lang=ur`);
      expect(c.hidden()._lang).toBe('ur');
      t.store.drafts.save = async () => {
        throw new Error('the disk is full');
      };
      // Posted to the link without `?lang=`: the form's `_lang` says Urdu.
      const res = await c.post(`/s/${token}`, form({ ...c.hidden(), _consent: 'agree' }));
      c.html = res.body;
      c.status = res.statusCode;
      expectErrorPage(c, 500, 'ur', 'کچھ غلط ہو گیا');
    });

    it('English, as before, for a language the study does not have, a study not loaded, or a failure in between', async () => {
      await start();
      const b = await onPage('ur');
      await b.post(`/s/${token}?lang=fr`, form({ enrolled: 'x'.repeat(300 * 1024) }));
      expect(b.lastPost!.statusCode).toBe(413);
      expect(b.lastPost!.body).toContain('<html lang="en" dir="ltr">');
      expect(b.lastPost!.body).not.toContain('hreflang');
      // An unknown link: no study, no languages.
      const u = new FormBrowser(t.app);
      await u.get('/s/NoSuchStudyToken/nothing?lang=ur');
      expect(u.status).toBe(404);
      expect(u.html).toContain('<html lang="en" dir="ltr">');
      // The page itself never fails: a cache that throws gives the English page.
      const page = respondentErrorPage({ url: `/s/${token}?lang=ur`, query: { lang: 'ur' } }, 500, {
        kept: () => {
          throw new Error('broken');
        },
      });
      expect(page.status).toBe(500);
      expect(page.body).toContain('<html lang="en" dir="ltr">');
      expect(page.body).toContain('<h1>Something went wrong</h1>');
    });
  });

  describe(`a page count a respondent can trust (${backend.name})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t.close();
    });

    it('"of N" stays the same when an answer shows a follow-up page; a skipped page is skipped in the numbers', async () => {
      t = await testApp({ backend });
      const ownerId = (await t.createUser({ email: 'owner@example.org' })).id;
      const definition = {
        id: 'followups',
        title: { en: 'Follow-ups', ur: 'فالو اپ' },
        languages: ['en', 'ur'],
        questions: [
          {
            id: 'smoke',
            type: 'single',
            text: { en: 'Do you smoke?' },
            options: [
              { value: 1, label: { en: 'Yes' } },
              { value: 0, label: { en: 'No' } },
            ],
            required: true,
          },
          {
            id: 'perday',
            type: 'number',
            text: { en: 'How many a day?' },
            min: 0,
            max: 100,
            showIf: 'smoke == 1',
          },
          { id: 'sleep', type: 'number', text: { en: 'Hours of sleep' }, min: 0, max: 24 },
        ],
        collection: { pages: [{ items: ['smoke'] }, { items: ['perday'] }, { items: ['sleep'] }] },
      };
      const study = await createStudy(t.store, { ownerId, definition });
      // Its first page has a question: the switch posts the form there too, and keeps the choice (a session opens).
      const f = new FormBrowser(t.app);
      await f.get(`/s/${study.publicToken}?lang=en`);
      expect(f.page()).toBe('p1');
      await pressSwitch(f, 'en', { smoke: '1' });
      expect(f.html).toMatch(/name="smoke" value="1"[^>]*checked/);
      expect(f.cookies().nabz_s).toBeTruthy();
      const counts = async (smoke: string): Promise<string[]> => {
        const b = new FormBrowser(t.app);
        await b.get(`/s/${study.publicToken}?lang=en`);
        const seen: string[] = [];
        const take = () => {
          const text = /<p class="pg" id="pg">([^<]+)<\/p><progress max="(\d+)" value="(\d+)"/.exec(b.html);
          expect(text, b.html.slice(0, 500)).not.toBeNull();
          // The <progress> element agrees with the text.
          expect(text![1]).toBe(`Page ${text![3]} of ${text![2]}`);
          seen.push(text![1]!);
        };
        take();
        await b.submit({ smoke });
        take();
        if (b.page() === 'p2') {
          await b.submit({ perday: '5' });
          take();
        }
        await b.submit({ sleep: '7' });
        expect(b.page()).toBe('review');
        take();
        return seen;
      };
      // Before the fix the first page said "of 3" and, after "Yes", the next "of 4".
      expect(await counts('1')).toEqual(['Page 1 of 4', 'Page 2 of 4', 'Page 3 of 4', 'Page 4 of 4']);
      expect(await counts('0')).toEqual(['Page 1 of 4', 'Page 3 of 4', 'Page 4 of 4']);
    });
  });
}
