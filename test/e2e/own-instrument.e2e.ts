/**
 * "Any questionnaire" in real Chromium, against the real server:
 * 1. a researcher builds an own instrument in the studio without JSON — a Likert grid of six statements
 *    sharing one five-point scale, two of them ticked as reverse keyed, scored as a mean — and a grid question
 *    of the study's own, and launches it;
 * 2. a respondent answers on a 360 px phone with JavaScript off (the grid as one fieldset with a fieldset per
 *    statement; nothing wider than the screen; no request to another site);
 * 3. the researcher sees the score, Cronbach's alpha computed on the keyed values and the Likert chart in the
 *    analysis;
 * 4. a PSS-10 study (text licensed, not shipped) is refused at launch until its owner reads the text pack from a
 *    file in the studio; then it launches and the respondent page shows that text.
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

/** Respondents: one on the phone, the others straight into the store — enough that no Likert cell is below k = 5. */
const N = 60;

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

      // A grid question of the study's own (a matrix, not scored): asked before the instrument.
      await studio.click('summary:has-text("Question form")');
      await studio.fill('#q-id', 'stress');
      await studio.fill('#q-text_en', 'How stressful do you find these?');
      await studio.selectOption('#q-type', 'grid');
      await studio.fill(
        '#q-options',
        '1 = Not at all\n2 = A little\n3 = Moderately\n4 = Very\n5 = Extremely',
      );
      await studio.fill('#q-rows', 'exams = Exams\nwards = Clinical placements on the wards\nmoney = Money');
      await studio.fill('#q-short', 'Sources of stress');
      await studio.click('text=Add question');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');

      await studio.goto(studyUrl);
      await studio.click('a:has-text("Launch…")');
      await studio.click('button:has-text("now")');
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
      // The grid question: its question as the group's legend, a labelled group of options per statement.
      expect(await textOf(page, '#g-stress > legend')).toContain('How stressful do you find these?');
      expect(await page.locator('#g-stress fieldset').count()).toBe(3);
      expect(await textOf(page, '#q-stress_wards > legend')).toBe('Clinical placements on the wards');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // Each radio is reachable by its label at 360 px (the options wrap under the statement).
      for (const row of ['exams', 'wards', 'money'])
        await page
          .getByLabel('Very')
          .and(page.locator(`[name="stress_${row}"]`))
          .check();
      await page.screenshot({
        path: join(ARTIFACTS, `${backend.name}-grid-question-phone.png`),
        fullPage: true,
      });
      await page.click('button[name="_nav"][value="next"]');
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

    it('the analysis shows the score, Cronbach’s alpha on the keyed values and the Likert chart', async () => {
      const study = (await server.store.studies.listForUser(1))[0]!;
      for (let k = 1; k < N; k++) {
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
      const keyed = Array.from({ length: N }, (_, k) =>
        answersOf(k).map((v, j) => (REVERSED.has(IDS[j]!) ? 6 - v : v)),
      );
      const alpha = cronbach(keyed);
      const rawAlpha = cronbach(Array.from({ length: N }, (_, k) => answersOf(k)));
      // The data make the difference visible: keyed, the scale is consistent; raw, it is not.
      expect(alpha).toBeGreaterThan(0.8);
      expect(rawAlpha).toBeLessThan(0.5);
      const mean = keyed.map((r) => r.reduce((a, b) => a + b, 0) / r.length).reduce((a, b) => a + b, 0) / N;

      await studio.goto(`${studyUrl}/analysis`);
      const report = await textOf(studio, '.report');
      expect(report).toContain('HSA-6');
      expect(report).toContain(`Cronbach's α for`);
      expect(report).toContain(`was ${alpha.toFixed(2).replace(/^0/, '')}`);
      // The score: n and mean of the keyed statements in the score table.
      const row = (await textOf(studio, '#table-hsa_distribution tbody tr')).replace(/\s+/g, ' ');
      expect(row).toContain(`HSA-6 mean${N}${mean.toFixed(2)}`);
      // The Likert chart of the six statements: a diverging stacked bar chart drawn as SVG, one bar per statement.
      const chart = studio.locator('#figure-likert_hsa_fig');
      await chart.locator('svg').waitFor({ state: 'visible' });
      expect(await chart.locator('figcaption').textContent()).toContain('HSA-6: responses to each item');
      expect(await chart.locator('table tbody tr').count()).toBe(6);
      await studio.screenshot({
        path: join(ARTIFACTS, `${backend.name}-own-instrument-analysis.png`),
        fullPage: true,
      });
    });

    it('a study owner reads a licensed PSS-10 text pack from a file; the study launches once it has its text', async () => {
      await studio.goto(`${server.baseUrl}/studies/new`);
      await studio.fill('#n-title', 'Perceived stress');
      await studio.check('#n-instruments-pss10');
      await studio.check('#n-acknowledge-pss10');
      await studio.click('text=Create study');
      await studio.waitForURL(/\/studies\/\d+$/);
      const url = studio.url();
      // Without its text, the launch is refused with what is missing.
      await studio.click('a:has-text("Launch…")');
      expect(await textOf(studio, '#check-ready')).toContain('10 of 10 items lack English text');

      await studio.click('nav >> text=Design');
      expect(await textOf(studio, '#textpacks')).toContain('English: 10 of 10 items lack text');
      const pack = {
        instrument: 'pss10',
        language: 'en',
        items: Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [
            `pss10_${String(i + 1).padStart(2, '0')}`,
            `Test wording ${i + 1}`,
          ]),
        ),
      };
      await studio.setInputFiles('#tp-pss10-file', {
        name: 'pss10-en.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(pack)),
      });
      await expect.poll(() => studio.inputValue('#tp-pss10-text')).toContain('Test wording 10');
      await studio.fill('#tp-pss10-licensee', 'Test licensee (licence 1)');
      await studio.click('button:has-text("Save PSS-10 text")');
      expect(await textOf(studio, '[role=status]')).toContain('Saved as version');
      expect(await textOf(studio, '#textpacks')).toContain('English: every item has text.');

      await studio.goto(url);
      await studio.click('a:has-text("Launch…")');
      await studio.click('button:has-text("now")');
      await studio.waitForURL(/\/share\?launched=1$/);
      const pssLink = (await studio.locator('#study-link').textContent())?.trim() ?? '';
      const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
      const page = await ctx.newPage();
      await page.goto(pssLink);
      expect(await textOf(page, 'main')).toContain('Test wording 1');
      await ctx.close();
    });
  });
}
