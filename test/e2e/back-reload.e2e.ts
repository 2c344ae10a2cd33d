/**
 * Issue 12, finding 18, in real Chromium: the respondent pages are redirect-after-POST. Each submit is one
 * POST answered with 303 and followed by a GET; Back, Forward and reload are GETs (a reload of a POST answer
 * would be a repeated POST and, in a headed browser, the "Confirm Form Resubmission" dialog); reloading the
 * end page or going back to the review stores nothing again. With JavaScript (the page script) and without.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy, phq9StudyDefinition } from '../server/helpers.js';
import { e2eBackends, launchBrowser, PHONE, type RunningServer, startServer } from './server.js';

const backend = e2eBackends()[0]!;

describe('respondent navigation survives Back and reload (double taps: respond-routes.test.ts)', () => {
  let server: RunningServer;
  let browser: Browser;
  let link = '';
  let twoLanguages = '';
  let studyId = 0;

  beforeAll(async () => {
    server = await startServer(backend);
    const owner = await server.createUser('owner@example.org', 'Owner', 'correct horse battery staple');
    const study = await createStudy(server.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
    studyId = study.id;
    link = `${server.baseUrl}/s/${study.publicToken}`;
    const both = await createStudy(server.store, {
      ownerId: owner.id,
      definition: { ...phq9StudyDefinition(), id: 'phq9_en_ur', languages: ['en', 'ur'] },
    });
    twoLanguages = `${server.baseUrl}/s/${both.publicToken}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The main frame's navigation requests ("POST /s/…?…"), and any dialog (there must be none). */
  function watch(page: Page) {
    const navigations: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) {
        const u = new URL(r.url());
        navigations.push(`${r.method()} ${u.pathname}${u.search}`);
      }
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    /** The navigations since the last call. */
    const since = () => navigations.splice(0);
    return { since, dialogs };
  }
  const checkedValue = (page: Page, name: string) =>
    page.$eval(`input[name=${name}]:checked`, (x) => (x as HTMLInputElement).value).catch(() => undefined);
  const responses = () => server.store.responses.count(studyId);

  for (const javaScriptEnabled of [true, false]) {
    it(`${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const before = await responses();
      const context = await browser.newContext({ ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      const w = watch(page);
      const path = new URL(link).pathname;
      await page.goto(link);
      w.since();
      for (let i = 1; i <= 9; i++) await page.check(`input[name=phq9_${i}][value="${i === 9 ? 0 : 1}"]`);
      await page.click('button[name=_nav][value=next]');
      await page.waitForSelector('input[name=phq9_10]');
      // One POST (to the page's URL with its language, so that an error page for a body never read, 413 or 429,
      // is in that language too), then the GET of the page the 303 names.
      expect(w.since()).toEqual([`POST ${path}?lang=en`, `GET ${path}?p=p2&lang=en`]);
      // The session key is never in a URL (shared phones keep history): an HttpOnly, session-only cookie.
      const session = (await context.cookies()).find((c) => c.name === 'nabz_s');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path, expires: -1 });
      expect(page.url()).not.toContain(session!.value);
      await page.check('input[name=phq9_10][value="2"]');
      await page.click('button[name=_nav][value=next]');
      await page.waitForSelector('button[name=_nav][value=submit]');
      expect(w.since()).toEqual([`POST ${path}?lang=en`, `GET ${path}?p=review&lang=en`]);

      // Back: the earlier page, as a GET, with its answer.
      await page.goBack();
      await page.waitForSelector('input[name=phq9_10]');
      expect(await checkedValue(page, 'phq9_10')).toBe('2');
      expect(w.since()).toEqual([`GET ${path}?p=p2&lang=en`]);
      // Reload: a GET again, same page, same answer.
      await page.reload();
      await page.waitForSelector('input[name=phq9_10]');
      expect(await checkedValue(page, 'phq9_10')).toBe('2');
      expect(w.since()).toEqual([`GET ${path}?p=p2&lang=en`]);
      // Change the answer from there and go on; Forward is not needed.
      await page.check('input[name=phq9_10][value="1"]');
      await page.click('button[name=_nav][value=next]');
      await page.waitForSelector('button[name=_nav][value=submit]');
      expect(w.since()).toEqual([`POST ${path}?lang=en`, `GET ${path}?p=review&lang=en`]);

      // Submit, then reload the thank-you page three times and go back: one response.
      await page.click('button[name=_nav][value=submit]');
      await page.waitForSelector('text=/Thank you/i');
      expect(w.since()).toEqual([`POST ${path}?lang=en`, `GET ${path}?p=submitted&lang=en`]);
      for (let i = 0; i < 3; i++) {
        await page.reload();
        await page.waitForSelector('text=/Thank you/i');
      }
      expect(w.since()).toEqual(Array(3).fill(`GET ${path}?p=submitted&lang=en`));
      await page.goBack();
      // The review is gone: its URL shows the end page again.
      await page.waitForSelector('text=/Thank you/i');
      expect(w.since().every((n) => n.startsWith('GET '))).toBe(true);
      expect(await page.$('button[name=_nav][value=submit]')).toBeNull();
      expect(await responses()).toBe(before + 1);
      const [stored] = (await server.store.responses.list(studyId)).slice(-1);
      expect((stored!.answers as Record<string, unknown>).phq9_10).toEqual({ kind: 'value', value: 1 });
      expect(w.dialogs).toEqual([]);
      // After the end the draft and its cookie are gone; how it ended is an HttpOnly, session-only cookie.
      const after = await context.cookies();
      expect(after.find((c) => c.name === 'nabz_s')).toBeUndefined();
      expect(after.find((c) => c.name === 'nabz_end')).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        path,
        expires: -1,
      });
      await context.close();
    });
  }

  for (const javaScriptEnabled of [true, false]) {
    it(`the language switch keeps what was typed on a session's page, ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const context = await browser.newContext({ ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      const w = watch(page);
      const path = new URL(twoLanguages).pathname;
      await page.goto(`${twoLanguages}?lang=en`);
      for (let i = 1; i <= 9; i++) await page.check(`input[name=phq9_${i}][value="${i === 9 ? 0 : 1}"]`);
      await page.click('button[name=_nav][value=next]');
      await page.waitForSelector('input[name=phq9_10]');
      w.since();
      // Typed, not yet sent; then the header's "اردو": one POST of the page's form, the same page in Urdu.
      await page.check('input[name=phq9_10][value="2"]');
      await page.click('header button[name=_nav][value="lang:ur"]');
      await page.waitForSelector('html[lang=ur][dir=rtl]');
      expect(w.since()).toEqual([`POST ${path}?lang=en`, `GET ${path}?p=p2&lang=ur`]);
      expect(await checkedValue(page, 'phq9_10')).toBe('2');
      // Back (in Urdu): the first page's answers are there too; the session stays in Urdu.
      await page.click('button[name=_nav][value=back]');
      await page.waitForSelector('input[name=phq9_1]');
      expect(await page.getAttribute('html', 'lang')).toBe('ur');
      expect(await checkedValue(page, 'phq9_1')).toBe('1');
      expect(w.dialogs).toEqual([]);
      await context.close();
    });
  }
});
