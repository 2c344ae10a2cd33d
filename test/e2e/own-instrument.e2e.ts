/**
 * "Any questionnaire" in real Chromium, against the real server:
 * 1. a researcher builds an own instrument in the studio without JSON — a Likert grid of six statements
 *    sharing one five-point scale, two of them ticked as reverse keyed, scored as a mean — and launches it;
 * 2. a respondent answers on a 360 px phone with JavaScript off (nothing wider than the screen, no request to
 *    another site);
 * 3. the researcher sees the score and Cronbach's alpha computed on the keyed values in the analysis.
 */
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

const STATEMENTS = [
  'Talking to a counsellor about stress would help me',
  'I would know where to find help if I needed it',
  'Asking for help is a sign of weakness',
  'My friends would support me in getting help',
  'Getting help early makes problems smaller',
  'I should solve my emotional problems on my own',
];
const IDS = STATEMENTS.map((_, i) => `hsa_${String(i + 1).padStart(2, '0')}`);
/** Statements 3 and 6 are worded negatively: reverse keyed (scored 6 − answer). */
const REVERSED = new Set(['hsa_03', 'hsa_06']);

/** Respondent k's raw answers (1–5): agreement with the positive statements, disagreement with the others. */
function answersOf(k: number): number[] {
  const level = 1 + (k % 5);
  return IDS.map((id, j) => {
    const v = Math.min(5, Math.max(1, level + (((k + j) % 3) - 1)));
    return REVERSED.has(id) ? 6 - v : v;
  });
}

/** Cronbach's alpha of complete rows: k/(k−1) · (1 − Σ item variances / variance of the total). */
function cronbach(rows: number[][]): number {
  const k = rows[0]!.length;
  const variance = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  };
  let items = 0;
  for (let j = 0; j < k; j++) items += variance(rows.map((r) => r[j]!));
  return (k / (k - 1)) * (1 - items / variance(rows.map((r) => r.reduce((a, b) => a + b, 0))));
}

for (const backend of e2eBackends()) {
  describe(`an own Likert instrument, built in the studio, on ${backend.name}`, () => {
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
      researcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      studio = await researcher.newPage();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('a researcher builds a Likert grid with two reverse-keyed statements and launches it', async () => {
      const foreign: string[] = [];
      recordForeignRequests(studio, server.baseUrl, foreign);
      await signInAs(studio, server.baseUrl, 'researcher@example.org', PASSWORD);
      await studio.click('text=New study');
      await studio.fill('#n-title', 'Help-seeking attitudes');
      await studio.click('text=Create study');
      await studio.waitForURL(/\/studies\/\d+$/);
      studyUrl = studio.url();

      await studio.click('nav >> text=Design');
      await studio.click('summary:has-text("Create a Likert grid")');
      await studio.fill('#own-new-id', 'hsa');
      await studio.fill('#own-new-title_en', 'Help-seeking attitudes (test scale)');
      await studio.fill('#own-new-shortTitle', 'HSA-6');
      await studio.fill(
        '#own-new-options',
        '1 = Strongly disagree\n2 = Disagree\n3 = Neither agree nor disagree\n4 = Agree\n5 = Strongly agree',
      );
      await studio.fill('#own-new-statements', STATEMENTS.join('\n'));
      await studio.click('text=Create the instrument');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');

      await studio.click('summary:has-text("Edit HSA-6")');
      for (const id of REVERSED) await studio.check(`input[name="reverse"][value="${id}"]`);
      await studio.click('button:has-text("Save HSA-6")');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');
      await studio.click('summary:has-text("Edit HSA-6")');
      for (const id of IDS)
        expect(await studio.locator(`input[name="reverse"][value="${id}"]`).isChecked()).toBe(
          REVERSED.has(id),
        );

      await studio.goto(studyUrl);
      await studio.click('button:has-text("Launch")');
      await studio.waitForURL(/\/share\?launched=1$/);
      link = (await studio.locator('#study-link').textContent())?.trim() ?? '';
      expect(link).toContain('/s/');
      expect(foreign).toEqual([]);
    });

    it('a respondent answers on a 360 px phone with JavaScript off', async () => {
      const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
      const page = await ctx.newPage();
      const foreign: string[] = [];
      recordForeignRequests(page, server.baseUrl, foreign);
      await page.goto(link);
      expect(await textOf(page, 'main')).toContain(STATEMENTS[0]!);
      // Nothing is wider than the phone: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const raw = answersOf(0);
      for (const [j, id] of IDS.entries()) await page.check(`input[name="${id}"][value="${raw[j]}"]`);
      await page.screenshot({
        path: join(ARTIFACTS, `${backend.name}-own-instrument-phone.png`),
        fullPage: true,
      });
      await page.click('button[name="_nav"][value="next"]');
      await page.click('button[name="_nav"][value="submit"]');
      expect(await textOf(page, 'h1')).toMatch(/thank/i);
      expect(foreign).toEqual([]);
      await ctx.close();
    });

    it('the analysis shows the score and Cronbach’s alpha on the keyed values', async () => {
      const study = (await server.store.studies.listForUser(1))[0]!;
      for (let k = 1; k < 12; k++) {
        const answers: Record<string, unknown> = {};
        answersOf(k).forEach((v, j) => {
          answers[IDS[j]!] = { kind: 'value', value: v };
        });
        const r = await server.store.responses.insert({
          studyId: study.id,
          idempotencyKey: `own-e2e-${k}`,
          answers,
          language: 'en',
          counters: ['completed'],
        });
        expect(r.ok).toBe(true);
      }
      const keyed = Array.from({ length: 12 }, (_, k) =>
        answersOf(k).map((v, j) => (REVERSED.has(IDS[j]!) ? 6 - v : v)),
      );
      const alpha = cronbach(keyed);
      const rawAlpha = cronbach(Array.from({ length: 12 }, (_, k) => answersOf(k)));
      // The data make the difference visible: keyed, the scale is consistent; raw, it is not.
      expect(alpha).toBeGreaterThan(0.8);
      expect(rawAlpha).toBeLessThan(0.5);
      const mean = keyed.map((r) => r.reduce((a, b) => a + b, 0) / r.length).reduce((a, b) => a + b, 0) / 12;

      await studio.goto(`${studyUrl}/analysis`);
      const report = await textOf(studio, '.report');
      expect(report).toContain('HSA-6');
      expect(report).toContain(`Cronbach's α for`);
      expect(report).toContain(`was ${alpha.toFixed(2).replace(/^0/, '')}`);
      expect(report).toContain(mean.toFixed(2));
      await studio.screenshot({
        path: join(ARTIFACTS, `${backend.name}-own-instrument-analysis.png`),
        fullPage: true,
      });
    });
  });
}
