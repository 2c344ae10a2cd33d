/**
 * Consensus with three coders in real Chromium, against the real server (issue 10): three researchers code the
 * same focus-group transcript blind, each naming the same idea in their own words; the owner opens comparison,
 * reviews the disagreements per speaker turn (filtered by code and by coder), merges the three codes into one
 * and splits a code in the consensus codebook, records the consensus, links a consensus quote to a theme, and
 * downloads the results table, the agreement table and the agreement before and after consensus as Word
 * files whose document.xml says what it should.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/lib/zip.js';
import { cpIndexOf, ENGLISH_TRANSCRIPT } from '../fixtures/qual/project.js';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  type RunningServer,
  recordForeignRequests,
  selectText,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const P2 = "I'm terrified of failing.";
const P2_LONG = "terrified of failing. If I don't get the top grades";
const P1 = "I'm so focused on grades";
// All three coded "terrified of failing."; the owner's version adds "I'm " (accepted into the consensus below).
const OPEN_DECIDED = "I'm terrified of failing.";

/** The text of word/document.xml of a downloaded .docx. */
function docxText(path: string): string {
  const { entries } = readZip(new Uint8Array(readFileSync(path)));
  const xml = new TextDecoder().decode(entries.find((e) => e.name === 'word/document.xml')!.data);
  return [...xml.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)]
    .map((m) => m[1]!)
    .join(' ')
    .replaceAll('&amp;', '&')
    .replaceAll('&apos;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"');
}

for (const backend of e2eBackends()) {
  describe(`consensus with three coders in Chromium on ${backend.name}`, () => {
    let server: RunningServer;
    let baseUrl = '';
    let browser: Browser;
    let owner: Page;
    let second: Page;
    let third: Page;
    let studyId = 0;
    let qual = '';
    const foreign: string[] = [];

    /** Open the transcript's coding page, select `needle` and apply `code` (a new code, or an existing one). */
    const codeAs = async (page: Page, needle: string, code: { new: string } | { existing: string }) => {
      await page.goto(`${qual}/sources`);
      await page.click('text=FGD 1');
      await page.waitForSelector('#transcript');
      await selectText(page, needle);
      await expect
        .poll(() => page.inputValue('input[name="start"]'))
        .toBe(String(cpIndexOf(ENGLISH_TRANSCRIPT, needle)));
      if ('new' in code) await page.fill('#new_code', code.new);
      else await page.check(`#code-form label:has-text("${code.existing}") input[name="codes"]`);
      await page.click('button:has-text("Apply codes")');
      await page.waitForSelector('#transcript .hl');
    };

    beforeAll(async () => {
      server = await startServer(backend);
      baseUrl = server.baseUrl;
      const { store } = server;
      const o = await server.createUser('owner@example.org', 'Dr Owner', PASSWORD);
      studyId = (await store.studies.create({ title: 'Burnout focus group', ownerId: o.id, definition: {} }))
        .id;
      qual = `${baseUrl}/studies/${studyId}/qual`;
      for (const [email, name] of [
        ['second@example.org', 'Dr Second'],
        ['third@example.org', 'Dr Third'],
      ] as const) {
        const u = await server.createUser(email, name, PASSWORD);
        await store.roles.grant({ studyId, userId: u.id, role: 'analyst' });
      }
      browser = await launchBrowser();
      const pages: Page[] = [];
      for (const email of ['owner@example.org', 'second@example.org', 'third@example.org']) {
        const ctx = await browser.newContext({
          viewport: { width: 1280, height: 900 },
          acceptDownloads: true,
        });
        const page = await ctx.newPage();
        recordForeignRequests(page, baseUrl, foreign);
        await signInAs(page, baseUrl, email, PASSWORD);
        pages.push(page);
      }
      [owner, second, third] = pages as [Page, Page, Page];
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('three coders code the same transcript blind, each in their own words', async () => {
      await owner.goto(qual);
      await owner.click('text=Start the qualitative project');
      await owner.click('nav[aria-label="Qualitative analysis"] >> text=Transcripts & coding');
      await owner.fill('#name', 'FGD 1');
      await owner.fill('#text', ENGLISH_TRANSCRIPT);
      await owner.click('button:has-text("Import")');
      await owner.waitForSelector('text=Transcript imported');
      await codeAs(owner, P2, { new: 'Fear of failure' });
      await codeAs(owner, P1, { existing: 'Fear of failure' });
      await codeAs(second, P2, { new: 'Terrified' });
      // Blind: the second coder sees neither the owner's segments nor the owner's own code.
      expect(await second.locator('#transcript .hl').allTextContents()).toEqual([P2]);
      expect(await second.textContent('#code-form')).not.toContain('Fear of failure');
      await codeAs(third, P2_LONG, { new: 'Anxiety' });
      expect(await third.locator('#transcript .hl').allTextContents()).toEqual([P2_LONG]);
      expect(await third.textContent('#code-form')).not.toContain('Terrified');
    });

    it('the owner opens comparison and reviews the disagreements per speaker turn, by code and by coder', async () => {
      await owner.goto(`${qual}/compare`);
      await owner.click('button:has-text("Open comparison")');
      await owner.waitForSelector('text=α (Krippendorff)');
      await owner.goto(`${qual}/consensus`);
      await owner.selectOption('#view', 'turns');
      await owner.click('form[action$="/consensus"] button:has-text("Show")');
      await owner.waitForSelector('text=Speaker turns where the coders differ (2)');
      const p2 = owner.locator('tr', { hasText: 'terrified of failing. If I' });
      expect(await p2.locator('mark').allTextContents()).toEqual(['Fear of failure', 'Terrified', 'Anxiety']);
      // Filter by coder: the second and third coders only.
      await owner.uncheck('input[name="coders"] >> nth=0');
      await owner.click('form[action$="/consensus"] button:has-text("Show")');
      await owner.waitForSelector('text=Speaker turns where the coders differ (1)');
      expect(await owner.locator('th').allTextContents()).not.toContain('Dr Owner');
      // Filter by code: every coder again, "Terrified" only.
      await owner.check('input[name="coders"] >> nth=0');
      await owner.selectOption('#code', { label: 'Terrified' });
      await owner.click('form[action$="/consensus"] button:has-text("Show")');
      await owner.waitForSelector('text=Speaker turns where the coders differ (1)');
      expect(await owner.textContent('body')).toContain(
        'Before consensus (no consensus step yet: the figure now): 3 coders (Dr Owner, Dr Second, Dr Third)',
      );
      await owner.screenshot({
        path: join(ARTIFACTS, `consensus-turns-${backend.name}.png`),
        fullPage: true,
      });
    });

    it('merges the three coders’ codes and splits a code in the consensus codebook', async () => {
      await owner.goto(`${qual}/consensus`);
      await owner.click('text=Consensus codebook (merge and split codes)');
      for (const name of ['Fear of failure', 'Terrified', 'Anxiety'])
        await owner.check(`fieldset:has-text("Codes to merge") label:has-text("${name}") input`);
      await owner.selectOption('#into', { label: 'Fear of failure' });
      await owner.click('button:has-text("Merge codes")');
      await owner.waitForSelector('text=Undo merge of Terrified');
      expect(await owner.locator('tr', { hasText: 'Undo merge of Anxiety' }).textContent()).toContain(
        'Dr Owner: 2; Dr Second: 1; Dr Third: 1',
      );
      await owner.click('text=Split Fear of failure…');
      await owner.waitForSelector('h1:has-text("Split Fear of failure")');
      await owner.fill('#split-name', 'Grade pressure');
      await owner.check(`tr:has-text("${P1}") input[name="move"]`);
      await owner.click('button:has-text("Split the code")');
      await owner.waitForSelector('text=Consensus codebook');
      expect(await owner.locator('tr', { hasText: 'Grade pressure' }).textContent()).toContain('Dr Owner: 1');
      await owner.screenshot({
        path: join(ARTIFACTS, `consensus-codebook-${backend.name}.png`),
        fullPage: true,
      });
    });

    it('records the consensus: a decision per turn and per passage, with agreement before and after', async () => {
      await owner.goto(`${qual}/consensus?view=turns`);
      await owner.waitForSelector('text=Speaker turns where the coders differ (1)');
      await owner.selectOption('tr:has-text("Grade pressure") select[name="choice"]', {
        label: 'as Dr Owner coded it',
      });
      await owner.click('tr:has-text("Grade pressure") button:has-text("Decide")');
      await owner.waitForSelector('text=each coder against the consensus');
      await owner.goto(`${qual}/consensus`);
      // The transcript's consensus has started, so the merged code's remaining passage-level disagreements
      // ("I'm " and the third coder's longer passage) count as "not coded" until decided otherwise; the third
      // disagreement is the Grade pressure passage decided from the turn view.
      const body0 = (await owner.textContent('body')) ?? '';
      expect(body0).toContain('Disagreements: 3; decided by consensus: 3; open: 0.');
      const first = owner.locator('tr', { hasText: 'Fear of failure' }).first();
      expect(await first.locator('mark').textContent()).toBe("I'm ");
      expect(await first.locator('td').nth(5).textContent()).toBe('not coded');
      await first.locator('button:has-text("Accept Dr Owner")').click();
      await owner.waitForSelector('text=Agreement before and after consensus');
      expect(
        await owner.locator('tr', { hasText: 'Fear of failure' }).first().locator('td').nth(5).textContent(),
      ).toBe('coded');
      const body = (await owner.textContent('body')) ?? '';
      expect(body).toMatch(/Before consensus \(recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(body).toContain('(2 code(s) merged into others)');
      await owner.screenshot({
        path: join(ARTIFACTS, `consensus-after-${backend.name}.png`),
        fullPage: true,
      });
    });

    it('downloads the results table and the agreement table as Word, both on the consensus codebook', async () => {
      await owner.goto(`${qual}/themes`);
      await owner.fill('#new-name', 'Fear of failing');
      await owner.fill('#new-definition', 'Being terrified of failing and of letting family down.');
      await owner.check('form:has(#new-name) label:has-text("Fear of failure") input[name="codes"]');
      await owner.click('button:has-text("Add theme")');
      await owner.waitForSelector('h3:has-text("Fear of failing")');
      await owner.click('summary:has-text("Edit")');
      // The picker lists a passage once, naming every coder who coded it: the consensus among them.
      const consensusQuote = owner.locator('label.check', { hasText: 'Consensus' });
      expect(await consensusQuote.locator('.muted').textContent()).toBe(
        'coded by Dr Owner, Dr Second, Consensus',
      );
      expect(await consensusQuote.textContent()).toContain(OPEN_DECIDED);
      await consensusQuote.locator('input').check();
      await owner.click('button:has-text("Save theme")');
      await owner.goto(`${qual}/results`);
      const [results] = await Promise.all([
        owner.waitForEvent('download'),
        owner.click('a:has-text("Word")'),
      ]);
      const resultsText = docxText((await results.path())!);
      expect(resultsText).toContain('Fear of failing');
      expect(resultsText).toContain(`“${OPEN_DECIDED}” (Participant 2)`);
      await owner.goto(`${qual}/compare`);
      const [agreement] = await Promise.all([
        owner.waitForEvent('download'),
        owner.click('a:has-text("Word")'),
      ]);
      const agreementText = docxText((await agreement.path())!);
      expect(agreementText).toContain('Inter-coder agreement among Dr Owner, Dr Second, Dr Third');
      expect(agreementText).toContain('Fear of failure');
      expect(agreementText).toContain('Grade pressure');
      expect(agreementText).toContain('Pairs of coders');
      // The rows are the consensus codebook's; the merged codes are named only in the note that says so.
      const note =
        'Codes are read through the consensus codebook: "Terrified", "Anxiety" as "Fear of failure"';
      expect(agreementText).toContain(note);
      expect(agreementText.replaceAll(note, '')).not.toMatch(/Terrified|Anxiety/);
      // Agreement before and after consensus, from the Consensus page.
      await owner.goto(`${qual}/consensus`);
      const [stages] = await Promise.all([owner.waitForEvent('download'), owner.click('a:has-text("Word")')]);
      const stagesText = docxText((await stages.path())!);
      expect(stagesText).toContain('Inter-coder agreement before and after consensus');
      expect(stagesText).toMatch(
        /Before consensus: coders' own codebooks \(3 codes\), recorded \d{4}-\d\d-\d\d/,
      );
      expect(stagesText).toContain('Now: consensus codebook, coders among themselves');
      expect(stagesText.split('After: coder against the consensus').length - 1).toBe(3);
      expect(foreign).toEqual([]);
    });
  });
}
