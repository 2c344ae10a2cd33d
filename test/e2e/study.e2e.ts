/**
 * The product's main journey in real Chromium, against the real server:
 * 1. a researcher signs in, creates a BACE v3 study in the studio (acknowledging BACE's terms), adds a
 *    bilingual question and consent text, and launches it;
 * 2. a respondent on a phone-sized screen completes it with JavaScript disabled, saving and resuming with a
 *    resume code, and another with JavaScript enabled; neither page requests anything from another site;
 * 3. the Urdu page is laid out right to left, the English study title marked as English, and a missing answer
 *    announced in Urdu (focus on the summary, Urdu "Error:" title) with and without JavaScript;
 * 4. the researcher sees the progress and the analysis (screenshots saved under test-artifacts/) and downloads
 *    the .sav export, which PSPP reads back with its labels.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  PHONE,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
  textOf,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const TITLE = 'Barriers to care among medical students';

function hasPspp(): boolean {
  try {
    execFileSync('pspp', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const backend of e2eBackends()) {
  describe(`the study journey on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let researcher: BrowserContext;
    let studio: Page;
    let studyUrl = '';
    let link = '';

    beforeAll(async () => {
      server = await startServer(backend);
      await server.createUser('researcher@example.org', 'Dr Researcher', PASSWORD);
      browser = await launchBrowser();
      researcher = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        acceptDownloads: true,
      });
      studio = await researcher.newPage();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('a researcher creates a BACE study in the studio and launches it', async () => {
      const foreign: string[] = [];
      recordForeignRequests(studio, server.baseUrl, foreign);
      await studio.goto(`${server.baseUrl}/`);
      // Signed out: sent to the sign-in page.
      expect(new URL(studio.url()).pathname).toBe('/signin');
      await signInAs(studio, server.baseUrl, 'researcher@example.org', PASSWORD);

      await studio.click('text=New study');
      await studio.fill('#n-title', TITLE);
      await studio.check('#n-languages-ur');
      await studio.check('#n-instruments-bace3');
      // Without the acknowledgement the studio refuses, saying why.
      await studio.click('text=Create study');
      expect(await textOf(studio, '.errors')).toContain('requires you to accept their terms');
      await studio.check('#n-instruments-bace3');
      await studio.check('#n-acknowledge-bace3');
      await studio.click('text=Create study');
      await studio.waitForURL(/\/studies\/\d+$/);
      studyUrl = studio.url();

      await studio.click('nav >> text=Design');
      await studio.click('summary:has-text("Question form")');
      await studio.fill('#q-id', 'year');
      await studio.fill('#q-text_en', 'Year of study');
      await studio.fill('#q-text_ur', 'تعلیمی سال');
      await studio.selectOption('#q-type', 'single');
      await studio.fill(
        '#q-options',
        'First year | پہلا سال\nSecond year | دوسرا سال\nThird year or later | تیسرا سال یا بعد',
      );
      await studio.check('#q-required');
      await studio.click('text=Add question');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version 2');

      await studio.fill(
        '#c-text_en',
        'This anonymous survey asks about barriers to mental-health care. You may stop at any time.',
      );
      await studio.fill(
        '#c-text_ur',
        'یہ گمنام سروے ذہنی صحت کی دیکھ بھال میں رکاوٹوں کے بارے میں ہے۔ آپ کسی بھی وقت رک سکتے ہیں۔',
      );
      await studio.click('text=Save consent');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version 3');

      await studio.goto(studyUrl);
      await studio.click('a:has-text("Launch…")');
      await studio.click('button:has-text("now")');
      await studio.waitForURL(/\/share\?launched=1$/);
      link = (await studio.locator('#study-link').textContent())?.trim() ?? '';
      expect(link).toMatch(new RegExp(`^${server.baseUrl.replace(/[.]/g, '\\.')}/s/[A-Za-z0-9_-]+$`));
      await studio.locator('.qr svg').waitFor({ state: 'visible' });
      const wa = await studio.locator('a:has-text("Share on WhatsApp")').getAttribute('href');
      expect(wa).toBe(
        `https://wa.me/?text=${encodeURIComponent(`${TITLE} — an anonymous survey (a few minutes, any phone): ${link}`)}`,
      );
      await studio.screenshot({ path: join(ARTIFACTS, `${backend.name}-studio-share.png`), fullPage: true });
      expect(foreign).toEqual([]);
    });

    /** Answer the BACE page: a spread of answers, "not applicable" where allowed on item 14. */
    async function answerBace(page: Page, seed: number): Promise<void> {
      for (let j = 1; j <= 30; j++) {
        const id = `bace3_${String(j).padStart(2, '0')}`;
        const value = j === 14 ? 'na' : String((seed + j) % 4);
        await page.check(`input[name="${id}"][value="${value}"]`);
      }
    }

    async function respondent(javaScriptEnabled: boolean, seed: number): Promise<void> {
      const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled });
      const page = await ctx.newPage();
      const foreign: string[] = [];
      recordForeignRequests(page, server.baseUrl, foreign);
      await page.goto(link);
      expect(await textOf(page, 'h1')).toMatch(/consent/i);
      await page.click('button[name="_consent"][value="agree"]');
      // A required question left out: the respondent is told before anything is stored, in the same way in
      // both modes — by the page's script when JavaScript runs, by the server's page (400) when it does not
      // (the form has novalidate: no browser popup): the role=alert summary has the focus, so a screen
      // reader reads it first, and the title starts with "Error:".
      await page.click('button[name="_nav"][value="next"]');
      await page.locator('.er').first().waitFor({ state: 'visible', timeout: 5_000 });
      await page.waitForFunction(() => document.activeElement?.closest('#es') != null, null, {
        timeout: 5_000,
      });
      expect(await page.evaluate(() => document.activeElement?.closest('#es')?.getAttribute('role'))).toBe(
        'alert',
      );
      expect(await page.evaluate(() => document.title)).toMatch(/^Error: /);
      expect(await page.locator('#es a[href="#f-year"]').count()).toBe(1);
      expect(await page.locator('fieldset[aria-invalid="true"] input[name="year"]').count()).toBe(3);
      expect(await page.locator('input[name="year"]').count()).toBe(3);
      await page.check(`input[name="year"][value="${(seed % 3) + 1}"]`);
      await page.click('button[name="_nav"][value="next"]');
      expect(await textOf(page, 'h1')).toContain('Barriers to Access to Care Evaluation');
      await answerBace(page, seed);
      if (seed === 0)
        await page.screenshot({
          path: join(ARTIFACTS, `${backend.name}-respondent-bace-phone.png`),
          fullPage: true,
        });

      // Save and continue later: a short resume code, no account, no e-mail.
      await page.click('button[name="_nav"][value="save"]');
      const code = (await page.locator('.code').textContent())?.trim() ?? '';
      expect(code).toMatch(/^[A-Z0-9-]{4,16}$/);
      await ctx.close();

      // Later, on a fresh browser: resume with the code.
      const ctx2 = await browser.newContext({ ...PHONE, javaScriptEnabled });
      const page2 = await ctx2.newPage();
      recordForeignRequests(page2, server.baseUrl, foreign);
      await page2.goto(`${link}/resume`);
      await page2.fill('#f-code', code);
      await page2.click('button.p');
      // The answers were kept: the review page (everything answered) or the BACE page prefilled.
      const h1 = (await page2.locator('h1').textContent()) ?? '';
      if (!/review|check/i.test(h1)) {
        expect(
          await page2.locator(`input[name="bace3_01"][value="${String((seed + 1) % 4)}"]`).isChecked(),
        ).toBe(true);
        await page2.click('button[name="_nav"][value="next"]');
      }
      await page2.click('button[name="_nav"][value="submit"]');
      expect(await textOf(page2, 'h1')).toMatch(/thank/i);
      expect(foreign).toEqual([]);
      await ctx2.close();
    }

    it('a respondent on a phone completes it without JavaScript, saving and resuming with a code', async () => {
      await respondent(false, 0);
      const study = (await server.store.studies.listForUser(1))[0]!;
      expect(await server.store.responses.count(study.id)).toBe(1);
    });

    it('a respondent on a phone completes it with JavaScript, saving and resuming with a code', async () => {
      await respondent(true, 1);
      const study = (await server.store.studies.listForUser(1))[0]!;
      expect(await server.store.responses.count(study.id)).toBe(2);
    });

    it('the Urdu page is laid out right to left', async () => {
      const ctx = await browser.newContext({ ...PHONE });
      const page = await ctx.newPage();
      await page.goto(`${link}?lang=ur`);
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).direction)).toBe('rtl');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ur');
      expect(await textOf(page, 'main')).toContain('یہ گمنام سروے');
      await page.screenshot({
        path: join(ARTIFACTS, `${backend.name}-respondent-urdu-phone.png`),
        fullPage: true,
      });
      // The English study title keeps its own language and direction on the Urdu page.
      expect(await page.locator('header p').getAttribute('lang')).toBe('en');
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('header p')!).direction)).toBe(
        'ltr',
      );
      await ctx.close();
      // A missing answer, with and without JavaScript: the Urdu summary has the focus, the title is Urdu too.
      for (const javaScriptEnabled of [true, false]) {
        const c = await browser.newContext({ ...PHONE, javaScriptEnabled });
        const p = await c.newPage();
        await p.goto(`${link}?lang=ur`);
        await p.click('button[name="_consent"][value="agree"]');
        await p.click('button[name="_nav"][value="next"]');
        await p.waitForFunction(() => document.activeElement?.closest('#es') != null, null, {
          timeout: 5_000,
        });
        expect(await p.evaluate(() => document.title), `JavaScript ${javaScriptEnabled}`).toMatch(/^خرابی: /);
        expect(await textOf(p, '#es h2')).toBe('براہِ کرم درج ذیل درست کریں');
        await c.close();
      }
    });

    it('the researcher watches progress, reads the analysis and downloads a .sav that PSPP reads', async () => {
      const study = (await server.store.studies.listForUser(1))[0]!;
      // More respondents, straight into the store, so the analysis has groups of at least k = 5.
      for (let i = 0; i < 10; i++) {
        const answers: Record<string, unknown> = { year: { kind: 'value', value: (i % 2) + 1 } };
        for (let j = 1; j <= 30; j++)
          answers[`bace3_${String(j).padStart(2, '0')}`] = { kind: 'value', value: (i * 7 + j * 3) % 4 };
        const r = await server.store.responses.insert({
          studyId: study.id,
          idempotencyKey: `e2e-${i}`,
          answers,
          language: 'en',
          counters: ['completed'],
        });
        expect(r.ok).toBe(true);
      }

      await studio.goto(`${studyUrl}/progress`);
      expect(await textOf(studio, '#n-completed')).toBe('12');
      expect(Number(await studio.locator('#n-started').textContent())).toBeGreaterThanOrEqual(2);
      // The page updates itself in place (test/e2e/studio-phone.e2e.ts); without JavaScript, a refresh link.
      expect(await studio.locator('#live-refresh').getAttribute('href')).toBe(
        new URL(`${studyUrl}/progress`).pathname,
      );

      await studio.goto(`${studyUrl}/analysis`);
      await studio.check('input[name="group"][value="year"]');
      await studio.click('text=Update analysis');
      await studio.waitForURL(/group=year/);
      expect(await textOf(studio, '.report')).toContain('BACE v3');
      expect(await textOf(studio, '.report')).toContain('Scores by year of study');
      await studio.locator('.report svg').first().waitFor({ state: 'visible' });
      await studio.screenshot({ path: join(ARTIFACTS, `${backend.name}-analysis.png`), fullPage: true });

      await studio.goto(`${studyUrl}/exports`);
      await studio.check('#x-format-sav');
      const [download] = await Promise.all([
        studio.waitForEvent('download'),
        studio.click('button:has-text("Download")'),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.sav$/);
      const sav = join(ARTIFACTS, `${backend.name}-export.sav`);
      await download.saveAs(sav);

      if (!hasPspp()) {
        if (process.env.CI === 'true')
          throw new Error('pspp is not installed: CI must install it to read the .sav export back.');
        return;
      }
      writeFileSync(
        join(ARTIFACTS, `${backend.name}-read-sav.sps`),
        `GET FILE='${backend.name}-export.sav'.\nDISPLAY DICTIONARY.\nFREQUENCIES VARIABLES=year bace3_14.\n`,
      );
      execFileSync(
        'pspp',
        ['-O', 'format=csv', '-o', `${backend.name}-read-sav.csv`, `${backend.name}-read-sav.sps`],
        { cwd: ARTIFACTS },
      );
      const out = readFileSync(join(ARTIFACTS, `${backend.name}-read-sav.csv`), 'utf8');
      expect(out).toContain('Year of study');
      expect(out).toContain('First year');
      expect(out).toContain('Concern that I might be seen as a bad parent');
      // The two phone respondents answered item 14 "not applicable": user-missing with its label.
      expect(out).toContain('Missing,Not applicable,2');
      const audit = (await server.store.audit.listForStudy(study.id)).map((e) => e.action);
      expect(audit).toContain('export.sav');
    });
  });
}
