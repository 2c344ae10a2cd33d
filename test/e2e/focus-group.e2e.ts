/**
 * The seed focus-group study end to end in real Chromium (issue 14, first e2e of "Done when"). The seed study
 * invited medical students with "mild to moderate burnout symptoms" on the MBI-SS and excluded severe
 * depression, anxiety or stress on the DASS-21. Here:
 *
 * 1. a screening survey with the MBI-SS (its licensed wording from a text pack: nabz ships no MBI text) and the
 *    DASS-21, with the study's own exhaustion bands and the follow-up rule over those bands and DASS-21's;
 * 2. three students answer on phones: one with high exhaustion gets no offer; two eligible ones leave contacts on
 *    the separate volunteer page (no request to any other host);
 * 3. the owner sees the two volunteers with their bands (k = 2, both share them), invites them (the invitation
 *    text carries each personal link), marks them attended and makes each a qualitative participant;
 * 4. written consent: the owner adds the consent form, records each participant's signed form and downloads a
 *    participant's consent PDF for the ethics file;
 * 5. a focus-group transcript is imported and its speaker turns are linked to P1 and P2;
 * 6. the participants carry their screening bands as attributes (no retyping), and the contacts appear nowhere
 *    but the owner's volunteers page: not in the anonymous dataset export, the participants page or the
 *    transcript.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../server/helpers.js';
import {
  e2eBackends,
  launchBrowser,
  PHONE,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const EX = Array.from({ length: 5 }, (_, i) => `mbiss_ex${i + 1}`);
const CY = Array.from({ length: 4 }, (_, i) => `mbiss_cy${i + 1}`);
const EF = Array.from({ length: 6 }, (_, i) => `mbiss_ef${i + 1}`);

/** The licensee's MBI-SS wording (test wording: the real text is Mind Garden's and is never in the repository). */
const MBISS_PACK = {
  instrument: 'mbiss',
  version: '2002',
  language: 'en',
  licensee: 'Test licensee (Mind Garden licence 0001)',
  instructions: 'How often do you feel this way about your studies?',
  items: Object.fromEntries([...EX, ...CY, ...EF].map((id) => [id, `Test wording of ${id}`])),
  scales: {
    mbiss_frequency: {
      '0': 'Never',
      '1': 'A few times a year',
      '2': 'Once a month',
      '3': 'A few times a month',
      '4': 'Once a week',
      '5': 'A few times a week',
      '6': 'Every day',
    },
  },
};

const NOT_SEVERE = '["Normal", "Mild", "Moderate"]';

/** The screening study: MBI-SS with the study's exhaustion bands, DASS-21, and the follow-up rule. */
const SCREENING = {
  id: 'fg_screening',
  title: 'Burnout screening for the focus groups',
  languages: ['en'],
  instruments: [
    {
      instrument: 'mbiss',
      termsAcknowledged: { by: 'Olivia Owner', at: '2026-11-01' },
      textPacks: [MBISS_PACK],
      domains: [
        {
          id: 'burnout_ex',
          label: { en: 'Exhaustion level (study cut-offs)' },
          items: EX,
          method: 'mean',
          bands: [
            { min: 0, label: { en: 'Low' }, rank: 0 },
            { min: 2, label: { en: 'Mild to moderate' }, rank: 1 },
            { min: 4.5, label: { en: 'High' }, rank: 2 },
          ],
        },
      ],
    },
    { instrument: 'dass21' },
  ],
  followUp: {
    eligibleIf: `band.burnout_ex = "Mild to moderate" and band.dass21_d in ${NOT_SEVERE} and band.dass21_a in ${NOT_SEVERE} and band.dass21_s in ${NOT_SEVERE}`,
    description: { en: 'A 60-minute focus group on burnout and help-seeking, in March.' },
  },
};

/** A focus-group transcript in the form researchers type them: a moderator and participants P1 and P2. */
const TRANSCRIPT = [
  'Moderator: What makes the workload hard to manage?',
  'P1: The exams come one after the other, there is never a week to recover.',
  'P2: For me it is the ward duties on top of the lectures.',
  'Moderator: Where would you go for help?',
  'P1: Honestly nowhere, the counsellor is also our teacher.',
  'P2: Friends first, then maybe family.',
].join('\n\n');

for (const backend of e2eBackends()) {
  describe(`the seed focus-group study in Chromium on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let owner: Page;
    let ownerContext: BrowserContext;
    let link = '';
    let studyId = 0;
    const foreign: string[] = [];
    const personal = new Map<string, string>();

    beforeAll(async () => {
      server = await startServer(backend);
      const o = await server.createUser('owner@example.org', 'Olivia Owner', PASSWORD);
      const study = await createStudy(server.store, { ownerId: o.id, definition: SCREENING });
      // Two volunteers in this test: k = 2 lets their shared bands show (the default k = 5 would withhold them).
      await server.store.studies.setSettings({ studyId: study.id, minCellSize: 2 });
      studyId = study.id;
      link = `${server.baseUrl}/s/${study.publicToken}`;
      browser = await launchBrowser();
      ownerContext = await browser.newContext();
      owner = await ownerContext.newPage();
      await signInAs(owner, server.baseUrl, 'owner@example.org', PASSWORD);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    /**
     * A student on a phone answers every page: each radio group by its item's prefix (`values`), Next until the
     * review page, then Submit. Returns the page, on the end page.
     */
    async function answerSurvey(values: { ex: string; cy: string; ef: string; dass: string }) {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      recordForeignRequests(page, server.baseUrl, foreign);
      await page.goto(`${link}?lang=en`);
      const byPrefix = (name: string) =>
        name.startsWith('mbiss_ex')
          ? values.ex
          : name.startsWith('mbiss_cy')
            ? values.cy
            : name.startsWith('mbiss_ef')
              ? values.ef
              : values.dass;
      for (let step = 0; step < 20; step++) {
        if (await page.$('button[name=_nav][value=submit]')) {
          await page.click('button[name=_nav][value=submit]');
          break;
        }
        const names = await page.$$eval('input[type=radio]', (els) => [
          ...new Set(els.map((e) => (e as HTMLInputElement).name)),
        ]);
        // The licensed wording is what the student reads, not item ids.
        if (names.includes('mbiss_ex1'))
          expect(await page.textContent('main')).toContain('Test wording of mbiss_ex1');
        for (const name of names) await page.check(`input[name=${name}][value="${byPrefix(name)}"]`);
        await page.click('button[name=_nav][value=next]');
      }
      await page.waitForSelector('h1');
      return { context, page };
    }

    it('screening: a student with high exhaustion gets no offer; two eligible ones volunteer', async () => {
      // Exhaustion 6 (High): not eligible.
      const high = await answerSurvey({ ex: '6', cy: '2', ef: '4', dass: '1' });
      expect(await high.page.$('a.vo')).toBeNull();
      await high.context.close();

      // Exhaustion 3 (Mild to moderate); DASS-21 items at 1: depression 14 (Moderate), anxiety 14 (Moderate),
      // stress 14 (Normal).
      for (const who of [
        { name: 'Ayesha', phone: '+92 300 1234567' },
        { name: 'Bilal', email: 'bilal@example.org' },
      ]) {
        const { context, page } = await answerSurvey({ ex: '3', cy: '2', ef: '4', dass: '1' });
        await page.waitForSelector('a.vo');
        await page.click('a.vo');
        await page.waitForSelector('#f-email');
        expect(await page.textContent('main')).toContain('A 60-minute focus group on burnout');
        await page.fill('#f-name', who.name);
        if (who.email) await page.fill('#f-email', who.email);
        if (who.phone) await page.fill('#f-phone', who.phone);
        await page.check('#f-agree');
        await page.click('button.p');
        await page.waitForSelector('text=Thank you for volunteering');
        personal.set(who.name, (await page.textContent('p[dir=ltr] a')) ?? '');
        await context.close();
      }
      expect([...personal.values()].every((l) => /\/v\/[2-9A-Z]{16}$/.test(l))).toBe(true);
      expect(foreign).toEqual([]);
    }, 180_000);

    it('the owner sees both with their bands, invites them, marks them attended and makes them participants', async () => {
      await owner.goto(`${server.baseUrl}/studies/${studyId}/volunteers`);
      const body = (await owner.textContent('main')) ?? '';
      expect(body).toContain('2 volunteers shown; 0 waiting');
      expect(body).toContain('Ayesha');
      expect(body).toContain('bilal@example.org');
      // The WhatsApp link carries the invitation (with the personal link) to the volunteer's number.
      expect(
        await owner
          .locator('tr', { hasText: 'Ayesha' })
          .locator('a', { hasText: 'WhatsApp' })
          .getAttribute('href'),
      ).toMatch(/^https:\/\/wa\.me\/923001234567\?text=Hello%20Ayesha/);
      expect(body.match(/Exhaustion level \(study cut-offs\): Mild to moderate/g)).toHaveLength(2);
      expect(body.match(/Depression \(DASS-21 × 2\): Moderate/g)).toHaveLength(2);
      for (const name of ['Ayesha', 'Bilal']) {
        const row = () => owner.locator('tr', { hasText: name });
        expect(await row().locator('textarea').inputValue()).toContain(personal.get(name));
        for (const status of ['invited', 'consented', 'attended']) {
          await row().locator('select[name=status]').selectOption(status);
          await row().locator('button', { hasText: 'Save' }).click();
          await owner.waitForLoadState();
        }
        expect(await row().locator('select[name=status]').inputValue()).toBe('attended');
      }

      await owner.goto(`${server.baseUrl}/studies/${studyId}/qual`);
      await owner.click('text=Start the qualitative project');
      await owner.waitForLoadState();
      for (const name of ['Ayesha', 'Bilal']) {
        await owner.goto(`${server.baseUrl}/studies/${studyId}/volunteers`);
        await owner.locator('tr', { hasText: name }).locator('button', { hasText: 'a participant' }).click();
        await owner.waitForLoadState();
      }
      await owner.goto(`${server.baseUrl}/studies/${studyId}/volunteers`);
      expect(await owner.locator('tr', { hasText: 'Ayesha' }).textContent()).toContain('participant P1');
      expect(await owner.locator('tr', { hasText: 'Bilal' }).textContent()).toContain('participant P2');
    }, 120_000);

    it('written consent is recorded for each participant, with a PDF for the ethics file', async () => {
      await owner.goto(`${server.baseUrl}/studies/${studyId}/qual/consent`);
      await owner.click('summary:has-text("Add a consent form version")');
      await owner.fill('#cf-version', 'v1.0 2026-11-01');
      await owner.fill('#cf-title', 'Consent to take part in a focus group');
      await owner.fill(
        '#cf-text',
        'I agree to take part in a recorded focus group.\n\nI know I can withdraw at any time without giving a reason.',
      );
      await owner.click('button:has-text("Add version")');
      await owner.waitForLoadState();
      for (const [pid, initials] of [
        ['P1', 'A.K.'],
        ['P2', 'B.A.'],
      ] as const) {
        await owner.selectOption('#cr-participant', { label: pid });
        await owner.selectOption('#cr-version', 'v1.0 2026-11-01');
        await owner.fill('#cr-date', '2026-12-01');
        await owner.fill('#cr-as', initials);
        await owner.fill('#cr-witness', 'M.Z.');
        await owner.click('button:has-text("Record consent")');
        await owner.waitForLoadState();
      }
      const register = (await owner.textContent('main')) ?? '';
      expect(register).toContain('P1');
      expect(register).toContain('P2');
      expect(register).toContain('v1.0 2026-11-01');
      const pdfHref = await owner
        .locator('a[href*="/qual/consent/"][href$="/pdf"]')
        .first()
        .getAttribute('href');
      expect(pdfHref).toBeTruthy();
      const pdf = await owner.request.get(new URL(pdfHref ?? '', server.baseUrl).toString());
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toContain('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }, 120_000);

    it('the transcript is imported with its turns linked to P1 and P2, who carry their screening bands', async () => {
      await owner.goto(`${server.baseUrl}/studies/${studyId}/qual/sources`);
      await owner.fill('#name', 'FGD 1');
      await owner.fill('#text', TRANSCRIPT);
      await owner.click('button:has-text("Import")');
      await owner.waitForSelector('text=Transcript imported');

      const project = await server.store.qual.byStudy(studyId);
      const state = project && (await server.store.qual.state(project.id, { coderId: null }));
      if (!state) throw new Error('no qualitative project');
      const participants = state.entities.participant.map((p) => p.data);
      expect(participants.map((p) => p.pseudonym)).toEqual(['P1', 'P2']);
      for (const p of participants)
        expect(p.attributes).toEqual({
          'follow-up volunteer': true,
          'Exhaustion level (study cut-offs) band': 'Mild to moderate',
          'Depression (DASS-21 × 2) band': 'Moderate',
          'Anxiety (DASS-21 × 2) band': 'Moderate',
          'Stress (DASS-21 × 2) band': 'Normal',
        });
      const source = state.entities.source[0]?.data;
      const speakers = new Set((source?.turns ?? []).map((t) => t.participantId).filter((id) => id !== null));
      expect([...speakers].sort()).toEqual(participants.map((p) => p.id).sort());

      await owner.goto(`${server.baseUrl}/studies/${studyId}/qual/participants`);
      const page = (await owner.textContent('main')) ?? '';
      expect(page).toContain('Mild to moderate');
      // The contacts stay on the owner's volunteers page: not on the participants page, the transcript or the
      // anonymous dataset.
      for (const contact of ['Ayesha', 'Bilal', 'bilal@example.org', '1234567']) {
        expect(page).not.toContain(contact);
        expect(JSON.stringify(state)).not.toContain(contact);
      }
      // The anonymous dataset (scored CSV, the fullest one) through the Exports page.
      await owner.goto(`${server.baseUrl}/studies/${studyId}/exports`);
      await owner.check('#x-format-scored');
      const [download] = await Promise.all([
        owner.waitForEvent('download'),
        owner.click('form[action$="/exports"] button'),
      ]);
      const file = await download.path();
      const csv = readFileSync(file, 'utf8');
      expect(csv.trim().split('\n')).toHaveLength(4); // a header and the three responses
      expect(csv).toContain('burnout_ex');
      for (const contact of ['Ayesha', 'Bilal', 'bilal@example.org', '1234567', '/v/'])
        expect(csv).not.toContain(contact);
    }, 120_000);
  });
}
