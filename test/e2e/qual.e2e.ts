/**
 * The qualitative study in real Chromium, against the real server: a researcher imports a focus-group
 * transcript, selects text in the browser and applies a code (the page's script turns the selection into
 * code-point offsets, also around an emoji in an Urdu transcript); a second researcher codes blind; the owner
 * opens comparison and sees kappa; builds a theme; downloads the results table and a QDPX.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/lib/zip.js';
import { cpIndexOf, ENGLISH_TRANSCRIPT, URDU_TRANSCRIPT } from '../fixtures/qual/project.js';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  type RunningServer,
  recordForeignRequests,
  selectText,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';

for (const backend of e2eBackends()) {
  describe(`the qualitative study in Chromium on ${backend.name}`, () => {
    let server: RunningServer;
    let baseUrl = '';
    let browser: Browser;
    let ownerCtx: BrowserContext;
    let analystCtx: BrowserContext;
    let owner: Page;
    let analyst: Page;
    let studyId = 0;
    const foreign: string[] = [];

    const signIn = async (page: Page, email: string) => {
      await page.goto(`${baseUrl}/signin`);
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.click('button.primary');
      await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    };

    beforeAll(async () => {
      server = await startServer(backend);
      baseUrl = server.baseUrl;
      const { store } = server;
      const o = await server.createUser('owner@example.org', 'Dr Owner', PASSWORD);
      const a = await server.createUser('analyst@example.org', 'Dr Analyst', PASSWORD);
      studyId = (await store.studies.create({ title: 'Burnout focus group', ownerId: o.id, definition: {} }))
        .id;
      await store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      browser = await launchBrowser();
      ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      analystCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      owner = await ownerCtx.newPage();
      analyst = await analystCtx.newPage();
      for (const p of [owner, analyst]) recordForeignRequests(p, baseUrl, foreign);
      await signIn(owner, 'owner@example.org');
      await signIn(analyst, 'analyst@example.org');
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('imports a transcript and codes a selection as the owner', async () => {
      await owner.goto(`${baseUrl}/studies/${studyId}/qual`);
      await owner.click('text=Start the qualitative project');
      await owner.click('nav[aria-label="Qualitative analysis"] >> text=Transcripts & coding');
      await owner.fill('#name', 'FGD 1');
      await owner.fill('#text', ENGLISH_TRANSCRIPT);
      await owner.click('button:has-text("Import")');
      await owner.waitForSelector('text=Transcript imported');
      // The shared (deductive) codebook: a code added here is every coder's; one typed in while coding blind
      // stays its coder's own until comparison (issue 10, defect 2).
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/codes`);
      await owner.fill('#new-name', 'Workload');
      await owner.click('button:has-text("Add code")');
      await owner.waitForSelector('text=1 codes.');
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/sources`);
      await owner.click('text=FGD 1');
      await owner.waitForSelector('#transcript');
      await selectText(owner, 'impossible to keep up with');
      const start = cpIndexOf(ENGLISH_TRANSCRIPT, 'impossible to keep up with');
      await expect.poll(() => owner.inputValue('input[name="start"]')).toBe(String(start));
      expect(await owner.inputValue('input[name="end"]')).toBe(
        String(start + 'impossible to keep up with'.length),
      );
      expect(await owner.textContent('#selection-preview')).toBe('impossible to keep up with');
      await owner.check('input[name="codes"]');
      await owner.click('button:has-text("Apply codes")');
      await owner.waitForSelector('#transcript .hl');
      expect(await owner.locator('#transcript .hl').allTextContents()).toEqual([
        'impossible to keep up with',
      ]);
      await owner.screenshot({ path: join(ARTIFACTS, `qual-coding-${backend.name}.png`), fullPage: true });
    });

    it('codes blind as a second researcher, who does not see the owner’s segment', async () => {
      await analyst.goto(`${baseUrl}/studies/${studyId}/qual/sources`);
      await analyst.click('text=FGD 1');
      await analyst.waitForSelector('#transcript');
      expect(await analyst.locator('#transcript .hl').count()).toBe(0); // blind: the owner's segment is hidden
      await selectText(analyst, 'material we have to study is impossible');
      await expect
        .poll(() => analyst.inputValue('input[name="start"]'))
        .toBe(String(cpIndexOf(ENGLISH_TRANSCRIPT, 'material we have')));
      await analyst.check('input[name="codes"]');
      await analyst.click('button:has-text("Apply codes")');
      await analyst.waitForSelector('#transcript .hl');
      expect((await analyst.locator('#transcript .hl').allTextContents()).join('')).toBe(
        'material we have to study is impossible',
      );
    });

    it('the owner opens comparison and sees kappa with its denominator', async () => {
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/compare`);
      await owner.click('button:has-text("Open comparison")');
      await owner.waitForSelector('text=κ (Cohen)');
      const row = owner.locator('tr', { hasText: 'Workload' });
      const cells = await row.locator('td').allTextContents();
      // Moderator turns are not units by default (issue 10).
      const moderator = ENGLISH_TRANSCRIPT.split('\n')
        .filter((l) => l.includes('] Moderator:'))
        .reduce((sum, l) => sum + Array.from(l).length, 0);
      expect(cells[1]).toBe(String(Array.from(ENGLISH_TRANSCRIPT).length - moderator));
      expect(cells[2]).toBe(String('impossible'.length)); // coded by both
      expect(Number(cells[8])).toBeGreaterThan(0);
      await owner.screenshot({ path: join(ARTIFACTS, `qual-compare-${backend.name}.png`), fullPage: true });
    });

    it('the owner reviews the disagreements, records consensus and exports the agreement table (issue 10)', async () => {
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/consensus`);
      await owner.waitForSelector('text=Disagreements (2)');
      await owner.locator('button:has-text("Accept Dr Owner")').first().click();
      await owner.waitForSelector('text=decided by consensus: 2; open: 0');
      expect(await owner.textContent('body')).toContain('each coder against the consensus');
      await owner.screenshot({ path: join(ARTIFACTS, `qual-consensus-${backend.name}.png`), fullPage: true });
      const docx = await owner.context().request.get(`${baseUrl}/studies/${studyId}/qual/compare.docx`);
      expect(docx.status()).toBe(200);
      const bytes = await docx.body();
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    });

    it('selects around an emoji in an Urdu transcript and stores code points', async () => {
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/sources`);
      await owner.fill('#name', 'FGD 2');
      await owner.selectOption('#language', 'ur');
      await owner.fill('#text', URDU_TRANSCRIPT);
      await owner.click('button:has-text("Import")');
      await owner.waitForSelector('text=Transcript imported');
      await owner.click('text=Open it for coding');
      await owner.waitForSelector('#transcript');
      const text = URDU_TRANSCRIPT.normalize('NFC').replace(/\r\n/g, '\n');
      const words = 'زیادہ ہے 😔 اور sleep';
      await selectText(owner, words);
      const start = cpIndexOf(text, words);
      await expect.poll(() => owner.inputValue('input[name="start"]')).toBe(String(start));
      expect(await owner.inputValue('input[name="end"]')).toBe(String(start + Array.from(words).length));
      // The Urdu turn is laid out right to left.
      const dir = await owner.evaluate(() => getComputedStyle(document.getElementById('turn-1')!).direction);
      expect(dir).toBe('rtl');
      await owner.fill('#new_code', 'Exam stress');
      await owner.click('button:has-text("Apply codes")');
      await owner.waitForSelector('#transcript .hl');
      expect((await owner.locator('#transcript .hl').allTextContents()).join('')).toBe(words);
      await owner.screenshot({ path: join(ARTIFACTS, `qual-urdu-${backend.name}.png`), fullPage: true });
    });

    it('builds a theme and downloads the results table and a QDPX', async () => {
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/themes`);
      await owner.fill('#new-name', 'Academic pressure');
      await owner.fill('#new-definition', 'The volume of study and the fear of falling behind.');
      await owner.check('form:has(#new-name) input[name="codes"] >> nth=0');
      await owner.fill('#new-needs', 'Workload reform');
      await owner.click('button:has-text("Add theme")');
      await owner.waitForSelector('h3:has-text("Academic pressure")');
      await owner.click('summary:has-text("Edit")');
      await owner.check('input[name="quotes"] >> nth=0');
      await owner.click('button:has-text("Save theme")');
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/results`);
      expect(await owner.textContent('table')).toContain('(Participant 4)');
      const [md] = await Promise.all([owner.waitForEvent('download'), owner.click('text=Markdown')]);
      const mdText = readFileSync((await md.path())!, 'utf8');
      expect(mdText).toContain('(Participant 4)');
      await owner.goto(`${baseUrl}/studies/${studyId}/qual/exchange`);
      const [qdpx] = await Promise.all([
        owner.waitForEvent('download'),
        owner.click('text=Project (.qdpx), positions in Unicode characters'),
      ]);
      const { entries } = readZip(new Uint8Array(readFileSync((await qdpx.path())!)));
      expect(entries.map((e) => e.name)).toContain('project.qde');
      expect(foreign).toEqual([]);
    });
  });
}
