/**
 * The studio on a 360 px phone, in real Chromium against the real server (issue 14, "Accessibility"): every
 * studio page of a study with responses (the analysis with its wide tables and charts included) fits the
 * screen — `document.documentElement.scrollWidth <= 360`, so the page never scrolls sideways; wide tables
 * scroll in their own boxes, which the keyboard can reach; every page starts with a working "Skip to
 * content" link; and the progress page shows a new response without reloading itself, can be paused, and
 * offers a manual refresh link.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baceAnswers } from '../faults/helpers.js';
import { baceStudyDefinition, createStudy } from '../server/helpers.js';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  PHONE,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const WIDTH = PHONE.viewport.width;

/** Send one response through the respondents' JSON API (as a phone app would). */
async function submit(server: RunningServer, token: string, seed: number): Promise<void> {
  const r = await fetch(`${server.baseUrl}/api/v1/s/${token}/responses`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `phone-e2e-${String(seed).padStart(4, '0')}`,
    },
    // The study asks for consent (version 2): the API stores a response only with the agreement.
    body: JSON.stringify({
      language: 'en',
      answers: baceAnswers(seed),
      consent: { agreed: true, version: 2 },
    }),
  });
  expect(r.status, await r.text()).toBe(201);
}

/** The page's width and, when it is wider than the screen, the elements that stick out (for the message). */
async function overflow(page: Page): Promise<{ width: number; culprits: string[] }> {
  return page.evaluate((limit) => {
    const culprits: string[] = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.right > limit + 0.5 && !e.closest('.wrap, .table-wrap'))
        culprits.push(
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className} (${Math.round(r.right)})`,
        );
    }
    return { width: document.documentElement.scrollWidth, culprits: culprits.slice(0, 8) };
  }, WIDTH);
}

for (const backend of e2eBackends()) {
  describe(`the studio on a ${WIDTH} px phone, on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    let studyId = 0;
    let token = '';
    const foreign: string[] = [];

    beforeAll(async () => {
      server = await startServer(backend);
      const owner = await server.createUser('owner@example.org', 'Dr Owner', PASSWORD);
      const study = await createStudy(server.store, { ownerId: owner.id, definition: baceStudyDefinition() });
      studyId = study.id;
      token = study.publicToken;
      await server.store.acknowledgements.record({ studyId, instrumentId: 'bace3', userId: owner.id });
      // Enough responses for the analysis to show every table (k = 5), with both genders above k.
      for (let i = 0; i < 14; i++) await submit(server, token, i);
      browser = await launchBrowser();
      page = await (await browser.newContext(PHONE)).newPage();
      recordForeignRequests(page, server.baseUrl, foreign);
      await signInAs(page, server.baseUrl, 'owner@example.org', PASSWORD);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it(`no studio page scrolls sideways at ${WIDTH} px; wide tables scroll in keyboard-reachable boxes`, async () => {
      const base = `/studies/${studyId}`;
      const paths = [
        '/',
        '/studies/new',
        base,
        `${base}/preview`,
        `${base}/share`,
        `${base}/progress`,
        `${base}/analysis`,
        `${base}/analysis?group=gender`,
        `${base}/exports`,
        `${base}/import`,
        `${base}/plan`,
        `${base}/roles`,
        `${base}/edit`,
        `${base}/qual`,
        `${base}/audit`,
      ];
      const wide: string[] = [];
      const unreachable: string[] = [];
      for (const path of paths) {
        const res = await page.goto(`${server.baseUrl}${path}`);
        expect(res?.status(), path).toBe(200);
        const { width, culprits } = await overflow(page);
        if (width > WIDTH) wide.push(`${path}: ${width} px wide; sticking out: ${culprits.join(', ')}`);
        // Every scroll box is a named region the keyboard can focus.
        const boxes = await page.$$eval('.wrap, .report .table-wrap', (els) =>
          els.map((e) => ({
            tabindex: e.getAttribute('tabindex'),
            role: e.getAttribute('role'),
            label: e.getAttribute('aria-label') ?? '',
          })),
        );
        for (const b of boxes)
          if (b.tabindex !== '0' || b.role !== 'region' || b.label === '')
            unreachable.push(
              `${path}: a scroll box with tabindex=${b.tabindex}, role=${b.role}, aria-label="${b.label}"`,
            );
        // The skip link is the first thing Tab reaches, and it moves focus to the page's content.
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent), path).toBe('Skip to content');
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => document.activeElement?.id), path).toBe('content');
        if (path.endsWith('group=gender'))
          await page.screenshot({
            path: join(ARTIFACTS, `phone-analysis-${backend.name}.png`),
            fullPage: true,
          });
      }
      expect(wide).toEqual([]);
      expect(unreachable).toEqual([]);

      // The analysis's tables really are wider than the phone: they scroll inside their boxes.
      await page.goto(`${server.baseUrl}${base}/analysis?group=gender`);
      const scrollable = await page.$$eval(
        '.report .table-wrap',
        (els) => els.filter((e) => e.scrollWidth > e.clientWidth).length,
      );
      expect(scrollable).toBeGreaterThan(0);
      expect(foreign).toEqual([]);
    });

    it('the progress page shows a new response in place, pauses, and has a refresh link', async () => {
      await page.goto(`${server.baseUrl}/studies/${studyId}/progress`);
      expect(await page.textContent('#n-completed')).toBe('14');
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
      expect(await page.getAttribute('#live-refresh', 'href')).toBe(`/studies/${studyId}/progress`);
      // A marker that a reload would wipe out.
      await page.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      await submit(server, token, 100);
      await page.waitForFunction(() => document.getElementById('n-completed')?.textContent === '15', null, {
        timeout: 30_000,
      });
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(await page.textContent('#live-status')).toContain('New counts');
      expect(await page.locator('tbody[data-rows="dropoff"] tr').last().textContent()).toContain('15');

      // Paused, a new response is not shown; resumed, it is.
      await page.click('#live-pause');
      expect(await page.textContent('#live-pause')).toBe('Resume updates');
      expect(await page.getAttribute('#live-pause', 'aria-pressed')).toBe('true');
      await submit(server, token, 101);
      await page.waitForTimeout(12_000);
      expect(await page.textContent('#n-completed')).toBe('15');
      await page.click('#live-pause');
      await page.waitForFunction(() => document.getElementById('n-completed')?.textContent === '16', null, {
        timeout: 30_000,
      });
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(foreign).toEqual([]);
    });
  });
}
