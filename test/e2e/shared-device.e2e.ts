/**
 * Issue 12, finding 9 (shared phones), in real Chromium with JavaScript: one person starts the study and walks
 * away; the next person who opens the link in the same browser must not find the first person's answers
 * pre-filled (before the fix the page autosave, kept in localStorage for 12 h under a key per study and page,
 * filled both pages in). And a respondent who ticks "others use this phone" leaves nothing in the browser's
 * storage.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy, phq9StudyDefinition } from '../server/helpers.js';
import { e2eBackends, launchBrowser, PHONE, type RunningServer, startServer } from './server.js';

const backend = e2eBackends()[0]!;

describe('a shared phone', () => {
  let server: RunningServer;
  let browser: Browser;
  let link = '';

  beforeAll(async () => {
    server = await startServer(backend);
    const owner = await server.createUser('owner@example.org', 'Owner', 'correct horse battery staple');
    const study = await createStudy(server.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
    link = `${server.baseUrl}/s/${study.publicToken}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const checked = (page: Page) =>
    page.$$eval('input[type=radio]', (xs) => xs.filter((x) => (x as HTMLInputElement).checked).length);
  const nabzKeys = (page: Page) =>
    page.evaluate(() =>
      [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('nabz:')),
    );
  const answerFirstPage = async (page: Page) => {
    for (let i = 1; i <= 9; i++) await page.check(`input[name=phq9_${i}][value="${i === 9 ? 2 : 1}"]`);
  };

  it("does not show one person's answers to the next person who opens the link", async () => {
    const context = await browser.newContext({ ...PHONE });
    const first = await context.newPage();
    await first.goto(link);
    await answerFirstPage(first);
    await first.click('button[name=_nav][value=next]');
    await first.waitForSelector('input[name=phq9_10]');
    await first.check('input[name=phq9_10][value="3"]');
    // The first person walks away without submitting; the next one opens the link in the same browser.
    await first.close();
    const next = await context.newPage();
    await next.goto(link);
    await next.waitForSelector('input[name=phq9_1]');
    expect(await checked(next)).toBe(0);
    await answerFirstPage(next);
    await next.click('button[name=_nav][value=next]');
    await next.waitForSelector('input[name=phq9_10]');
    expect(await checked(next)).toBe(0);
    await context.close();
  });

  it('keeps nothing in the browser when the respondent says others use the phone', async () => {
    const context = await browser.newContext({ ...PHONE });
    const page = await context.newPage();
    await page.goto(link);
    await page.check('input[name=_shared]');
    await answerFirstPage(page);
    await page.click('button[name=_nav][value=next]');
    await page.waitForSelector('input[name=phq9_10]');
    await page.check('input[name=phq9_10][value="1"]');
    expect(await nabzKeys(page)).toEqual([]);
    // Without the box, the same page's autosave is kept (so the check above is not vacuous).
    const other = await context.newPage();
    await other.goto(link);
    await answerFirstPage(other);
    await other.click('button[name=_nav][value=next]');
    await other.waitForSelector('input[name=phq9_10]');
    await other.check('input[name=phq9_10][value="1"]');
    expect((await nabzKeys(other)).length).toBeGreaterThan(0);
    await context.close();
  });
});
