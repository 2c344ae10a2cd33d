/**
 * The analysis plan in real Chromium, against the real server: a researcher sets up a logistic model, an
 * association of characteristics with an outcome and a Spearman correlation matrix with the studio's plan forms
 * (outcome, cut-off, boxes ticked, a reference category chosen — no JSON); a mistyped field is shown next to the
 * field and focused; then the researcher opens the analysis, downloads the Word report, and the downloaded .docx
 * holds the model's, the association's and the correlations' tables (word/document.xml) and the figures as PNG
 * (word/media).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxParagraphs } from '../../src/import/docx.js';
import { readZip } from '../../src/lib/zip.js';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  type RunningServer,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const TITLE = 'Any stigma-related barrier by gender, training and age';
const ASSOC_TITLE = 'Characteristics of students with any stigma-related barrier';
const N = 120;

/** Respondent k's answers: BACE items 0–3 rising with a latent level, gender, training, age (deterministic). */
function answersOf(k: number): Record<string, number> {
  let s = (k + 1) * 2654435761;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const gender = 1 + (k % 2);
  const training = 1 + (Math.floor(k / 2) % 2);
  const level = rnd() * 3 + (gender === 2 ? 0.3 : 0) - (training === 2 ? 0.2 : 0);
  const a: Record<string, number> = { gender, training, age: 19 + (k % 17) };
  if (training === 2) a.specialty = 1 + (k % 4);
  for (let i = 1; i <= 30; i++)
    a[`bace3_${String(i).padStart(2, '0')}`] = Math.max(0, Math.min(3, Math.round(level + rnd() - 0.5)));
  return a;
}

for (const backend of e2eBackends()) {
  describe(`a regression model set up in the studio and downloaded as Word, on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let context: BrowserContext;
    let studio: Page;
    let studyId = 0;

    beforeAll(async () => {
      server = await startServer(backend);
      const owner = await server.createUser('researcher@example.org', 'Dr Researcher', PASSWORD);
      const definition = JSON.parse(
        readFileSync(join(import.meta.dirname, '../../examples/bace-medical-students/study.json'), 'utf8'),
      ) as Record<string, unknown>;
      definition.analysis = { groupBy: ['training'] }; // no models: the researcher adds one with the forms
      const study = await server.store.studies.create({
        title: String(definition.title),
        ownerId: owner.id,
        definition,
      });
      studyId = study.id;
      await server.store.acknowledgements.record({ studyId, instrumentId: 'bace3', userId: owner.id });
      await server.store.studies.setStatus({ studyId, status: 'open' });
      for (let k = 0; k < N; k++) {
        const r = await server.store.responses.insert({
          studyId,
          idempotencyKey: `plan-e2e-${k}`,
          answers: Object.fromEntries(
            Object.entries(answersOf(k)).map(([id, value]) => [id, { kind: 'value', value }]),
          ),
          language: 'en',
          counters: ['completed'],
        });
        expect(r.ok).toBe(true);
      }
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      studio = await context.newPage();
      await signInAs(studio, server.baseUrl, 'researcher@example.org', PASSWORD);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('adds a logistic model with the plan forms', async () => {
      await studio.goto(`${server.baseUrl}/studies/${studyId}/edit`);
      await studio.click('a[href$="/plan"]');
      await studio.waitForURL(`${server.baseUrl}/studies/${studyId}/plan`);
      await studio.fill('#pm-id', 'any_barrier');
      await studio.selectOption('#pm-type', 'logistic');
      await studio.selectOption('#pm-outcome', 'stigma');
      await studio.fill('#pm-atLeast', '1.5');
      await studio.fill('#pm-title', TITLE);
      for (const p of ['gender', 'training', 'age']) await studio.check(`#pm-predictors-${p}`);
      await studio.selectOption('#pm-reference_training', '2');
      await studio.click('#models button.primary');
      await studio.waitForURL(/\/plan\?saved=models/);
      const listed = await studio.locator('#models li').first().textContent();
      expect(listed).toContain(
        'logistic regression of stigma ≥ 1.5 on age, gender, training (training: reference 2)',
      );
      await studio.screenshot({ path: join(ARTIFACTS, 'plan-model.png'), fullPage: true });
    }, 60_000);

    it('adds an association and a correlation matrix with the forms; a mistyped cut-off is shown at its field', async () => {
      await studio.fill('#pa-id', 'any_barrier_factors');
      await studio.selectOption('#pa-outcome', 'stigma');
      await studio.fill('#pa-atLeast', 'one and a half');
      for (const ch of ['gender', 'training', 'age']) await studio.check(`#pa-characteristics-${ch}`);
      await studio.fill('#pa-title', ASSOC_TITLE);
      await studio.click('#associations button.primary');
      await studio.waitForURL(/\/plan\/associations/);
      // the problem next to the field, which has the focus; what was typed is kept
      expect(await studio.locator('#pa-atLeast-e').textContent()).toContain(
        '"one and a half" is not a number',
      );
      expect(await studio.evaluate(() => document.activeElement?.id)).toBe('pa-atLeast');
      expect(await studio.inputValue('#pa-title')).toBe(ASSOC_TITLE);
      expect(await studio.isChecked('#pa-characteristics-age')).toBe(true);
      await studio
        .locator('#associations')
        .screenshot({ path: join(ARTIFACTS, 'plan-association-error.png') });
      await studio.fill('#pa-atLeast', '1.5');
      await studio.selectOption('#pa-numeric', 'nonparametric');
      await studio.click('#associations button.primary');
      await studio.waitForURL(/\/plan\?saved=associations/);
      expect(await studio.locator('#associations li').first().textContent()).toContain(
        'stigma ≥ 1.5 by gender, training, age (rank-based tests)',
      );
      for (const v of ['stigma', 'attitudinal', 'instrumental', 'age'])
        await studio.check(`#pr-variables-${v}`);
      await studio.selectOption('#pr-method', 'spearman');
      await studio.click('#correlations button.primary');
      await studio.waitForURL(/\/plan\?saved=correlations/);
      expect(await studio.locator('#correlations p').nth(1).textContent()).toContain(
        'Spearman correlations of stigma, attitudinal, instrumental, age (pairwise deletion)',
      );
      await studio.selectOption('#pj-adjust', 'holm');
      await studio.click('#adjust button.primary');
      await studio.waitForURL(/\/plan\?saved=adjust/);
      await studio.screenshot({ path: join(ARTIFACTS, 'plan-tests.png'), fullPage: true });
    }, 60_000);

    it('opens the analysis and downloads report.docx holding the model table and the figures as PNG', async () => {
      await studio.goto(`${server.baseUrl}/studies/${studyId}/analysis`);
      await studio.locator(`text=${TITLE}`).first().waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([
        studio.waitForEvent('download', { timeout: 120_000 }),
        studio.click('text=Download the report (Word)'),
      ]);
      expect(download.suggestedFilename()).toBe(`study-${studyId}-report.docx`);
      const path = join(ARTIFACTS, 'plan-report.docx');
      await download.saveAs(path);
      const bytes = new Uint8Array(readFileSync(path));
      const { entries } = readZip(bytes);
      const xml = new TextDecoder().decode(entries.find((e) => e.name === 'word/document.xml')!.data);
      const p = docxParagraphs(bytes).paragraphs;
      writeFileSync(join(ARTIFACTS, 'plan-report.txt'), p.join('\n'));
      // the model's table: "Table N" then its title, as a Word table with the predictors' rows
      const at = p.lastIndexOf(TITLE); // the section heading comes first, then the table caption
      expect(at, 'model table title').toBeGreaterThan(0);
      expect(p[at - 1]).toMatch(/^Table \d+$/);
      expect(p.slice(at)).toContain('Age');
      expect(p.slice(at).some((x) => /^Gender/.test(x) || /Male|Female/.test(x))).toBe(true);
      expect(p).toContain(`${TITLE}: model fit`);
      expect(xml).toMatch(/<w:tbl>/);
      // the association's table: its caption, a row per characteristic, the rank-based test for age, Holm p
      const assoc = p.lastIndexOf(ASSOC_TITLE);
      expect(assoc, 'association table title').toBeGreaterThan(0);
      expect(p[assoc - 1]).toMatch(/^Table \d+$/);
      const assocRows = p.slice(assoc, assoc + 80);
      expect(assocRows).toContain('p (Holm)');
      expect(assocRows.some((x) => /Mann–Whitney/.test(x))).toBe(true);
      expect(assocRows.some((x) => /^Level of training|Training/.test(x))).toBe(true);
      // the correlation matrix
      const corr = p.lastIndexOf('Spearman rank correlations');
      expect(corr, 'correlation table title').toBeGreaterThan(0);
      expect(p[corr - 1]).toMatch(/^Table \d+$/);
      expect(p.slice(corr, corr + 60)).toContain('ρ');
      // figures embedded as PNG
      expect(entries.some((e) => /^word\/media\/.+\.png$/.test(e.name))).toBe(true);
    }, 180_000);
  });
}
