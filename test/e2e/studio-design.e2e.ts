/**
 * A researcher runs a study alone (issue 14), in real Chromium against the real server:
 * 1. edits a question in place on the Design page — a problem is shown under the field's label, focused — and
 *    fixes it;
 * 2. launches from the checklist page (unverified items listed, localhost address warned about) and opens the
 *    printable poster;
 * 3. duplicates the study (a new draft with the same questions) and archives the copy, which leaves the list of
 *    studies and comes back when restored.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  e2eBackends,
  launchBrowser,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
  textOf,
} from './server.js';

const PASSWORD = 'correct horse battery staple';

for (const backend of e2eBackends()) {
  describe(`running a study alone on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let studio: Page;
    let studyUrl = '';
    const foreign: string[] = [];

    beforeAll(async () => {
      server = await startServer(backend);
      await server.createUser('solo@example.org', 'Dr Solo', PASSWORD);
      browser = await launchBrowser();
      studio = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      recordForeignRequests(studio, server.baseUrl, foreign);
      await signInAs(studio, server.baseUrl, 'solo@example.org', PASSWORD);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('edits a question in place; a problem is focused under its field', async () => {
      await studio.click('text=New study');
      await studio.fill('#n-title', 'Sleep before exams');
      await studio.click('text=Create study');
      await studio.waitForURL(/\/studies\/\d+$/);
      studyUrl = studio.url();
      await studio.click('nav >> text=Design');
      await studio.click('summary:has-text("Question form")');
      await studio.fill('#q-id', 'hours');
      await studio.fill('#q-text_en', 'Hours slept last night');
      await studio.selectOption('#q-type', 'number');
      await studio.fill('#q-min', '0');
      await studio.fill('#q-max', '24');
      await studio.click('text=Add question');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');

      await studio.click('summary:has-text("Edit hours")');
      await studio.fill('#e-hours-text_en', 'How many hours did you sleep last night?');
      await studio.fill('#e-hours-min', '30');
      await studio.click('button:has-text("Save hours")');
      // Not saved: the message sits under the Maximum field, which has the focus.
      const focused = await studio.evaluate(() => document.activeElement?.id);
      expect(focused).toBe('e-hours-max');
      expect(await textOf(studio, '#e-hours-max-e')).toContain('is below the minimum (30)');
      expect(await studio.getAttribute('#e-hours-max', 'aria-describedby')).toBe('e-hours-max-e');
      expect(await studio.inputValue('#e-hours-text_en')).toBe('How many hours did you sleep last night?');
      await studio.fill('#e-hours-min', '0');
      await studio.click('button:has-text("Save hours")');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');
      expect(await textOf(studio, '#question-hours')).toContain('How many hours did you sleep last night?');
      expect(await studio.locator('button:has-text("Remove hours")').count()).toBe(1);
    });

    it('launches from the checklist and opens the printable poster', async () => {
      await studio.goto(studyUrl);
      await studio.click('a:has-text("Launch…")');
      expect(await textOf(studio, '#check-ready')).toContain('Done');
      expect(await textOf(studio, '#check-consent')).toContain('Unverified');
      expect(await textOf(studio, '#check-address')).toContain('the public address is http://');
      await studio.click('button:has-text("now")');
      await studio.waitForURL(/\/share\?launched=1$/);
      await studio.click('a:has-text("Printable poster")');
      await studio.locator('.poster .qr svg').waitFor({ state: 'visible' });
      expect(await textOf(studio, '.poster')).toContain('Sleep before exams');
      // Printed, only the poster shows.
      await studio.emulateMedia({ media: 'print' });
      expect(await studio.locator('header.top').isVisible()).toBe(false);
      expect(await studio.locator('.noprint').isVisible()).toBe(false);
      expect(await studio.locator('.poster .qr svg').isVisible()).toBe(true);
      await studio.emulateMedia({ media: 'screen' });
    });

    it('duplicates the study and archives the copy, then restores it', async () => {
      await studio.goto(studyUrl);
      await studio.click('button:has-text("Duplicate “Sleep before exams”")');
      await studio.waitForURL(/\/studies\/\d+\/edit\?saved=duplicate/);
      expect(await textOf(studio, '[role=status]')).toContain('This is a copy');
      expect(await textOf(studio, '#question-hours')).toContain('How many hours did you sleep last night?');
      const copyUrl = studio.url().replace(/\/edit.*$/, '');
      expect(copyUrl).not.toBe(studyUrl);

      await studio.goto(copyUrl);
      await studio.click('button:has-text("Archive “Copy of Sleep before exams”")');
      await studio.waitForURL(/\/archive$/);
      expect(await textOf(studio, 'main')).toContain('Copy of Sleep before exams');
      await studio.goto(`${server.baseUrl}/`);
      const list = await textOf(studio, 'main');
      expect(list).toContain('Sleep before exams');
      expect(list).not.toContain('Copy of Sleep before exams');

      await studio.click('text=Archived studies');
      await studio.click('button:has-text("Restore “Copy of Sleep before exams”")');
      await studio.goto(`${server.baseUrl}/`);
      expect(await textOf(studio, 'main')).toContain('Copy of Sleep before exams');
      expect(foreign).toEqual([]);
    });
  });
}
