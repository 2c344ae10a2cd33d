/**
 * axe-core on every respondent and studio page (issue 14: "an axe-core check of every respondent and studio
 * page in the e2e suite, failing on any violation"). WCAG 2.1 A and AA rules (test/e2e/axe.ts), in real
 * Chromium against the real server, with the app's own Content Security Policy.
 *
 * The studio pages are listed once, in test/e2e/a11y-pages.ts (test/server/a11y-pages.test.ts fails when a GET
 * route of the server is missing there). The respondent states are listed below: each starts afresh from the
 * study link and walks to its state, with and without JavaScript where the page differs.
 *
 * The fixture: a BACE study in English and Urdu (consent, a screening question, referral links) with the
 * example's 217 responses imported, a PHQ-9 study whose safety rule shows the support page, a PHQ-9 study that
 * offers a follow-up (the volunteer form), an invitation-only PHQ-9 study with two invitation links, a closed
 * study, a qualitative project with a transcript, a participant, a code applied to a quote, a theme, a memo and
 * the comparison opened; an owner and a viewer, an unused invitation link to the BACE study and an unused
 * password-reset link of the viewer; a follow-up wave of the follow-up study, sent to four personal wave links.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiStrings } from '../../src/core/study/i18n.js';
import { waveDefinition } from '../../src/core/study/waves.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { ownerSetupLink } from '../../src/server/auth/setup.js';
import { idempotencyKeyHasher, invitationKey } from '../../src/server/respond/submit.js';
import { consentTextOf } from '../../src/server/studio/definition.js';
import { randomCode } from '../../src/store/codec.js';
import { randomToken } from '../../src/store/index.js';
import { ENGLISH_TRANSCRIPT } from '../fixtures/qual/project.js';
import { followUpStudy } from '../server/followUpHelpers.js';
import { baceStudyDefinition, phq9StudyDefinition } from '../server/helpers.js';
import { type Fixture, STUDIO_PAGES, type StudioPage } from './a11y-pages.js';
import { axeViolations, expectAccessible, expectAccessibleWithoutScript, lastDocument } from './axe.js';
import {
  e2eBackends,
  launchBrowser,
  PHONE,
  type RunningServer,
  selectText,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const root = join(import.meta.dirname, '../..');
const CSV_FILE = join(root, 'examples/bace-medical-students/responses.csv');

/** Where a respondent state starts and how it gets there from the study link's first page. */
interface RespondentState {
  readonly name: string;
  readonly study: 'bace' | 'phq9' | 'followup' | 'invited' | 'closed' | 'wave';
  /** Check it with the page's script running (default) or without JavaScript, as a basic phone. */
  readonly js?: boolean;
  /** Opened with `?lang=ur`. */
  readonly urdu?: boolean;
  /** Opened at the resume form (`/resume`) instead of the first page. */
  readonly resume?: boolean;
  /** Opened at this path under the study link instead (`/volunteer`). */
  readonly path?: string;
  readonly walk?: (page: Page) => Promise<void>;
  /** The state shows the error summary (checked before axe runs, so a state that moved on fails). */
  readonly errors?: boolean;
}

/** Press a respondent page's button and wait for the page it leads to. */
async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

const agree = (page: Page) => press(page, 'button[name="_consent"][value="agree"]');
const next = (page: Page) => press(page, 'button[name="_nav"][value="next"]');
const eligible = async (page: Page) => {
  await agree(page);
  await page.check('input[name="enrolled"][value="1"]');
  await next(page);
};
const answerBace = async (page: Page) => {
  for (let j = 1; j <= 30; j++) {
    const id = `bace3_${String(j).padStart(2, '0')}`;
    await page.check(`input[name="${id}"][value="${j === 14 ? 'na' : String(j % 4)}"]`);
  }
};
/** The study's own questions (page 1). */
const toBace = async (page: Page) => {
  await eligible(page);
  await page.fill('input[name="age"]', '24');
  await page.check('input[name="gender"][value="1"]');
  await page.check('input[name="training"][value="1"]');
  await next(page);
};
const toReview = async (page: Page) => {
  await toBace(page);
  await answerBace(page);
  await next(page);
};

/** The PHQ-9 answered "Moderate" (total 10, item 9 at 0) and submitted: the end page offers the follow-up. */
const toVolunteerForm = async (page: Page) => {
  const values = [2, 2, 1, 1, 1, 1, 1, 1, 0];
  for (const [i, v] of values.entries()) await page.check(`input[name="phq9_${i + 1}"][value="${v}"]`);
  await next(page);
  await page.check('input[name="phq9_10"][value="0"]');
  await next(page);
  await press(page, 'button[name="_nav"][value="submit"]');
  await press(page, 'a.vo');
  await page.locator('#f-email').waitFor();
};
const sendVolunteerEmpty = async (page: Page) => {
  await toVolunteerForm(page);
  await press(page, 'button.p');
};
const volunteer = async (page: Page) => {
  await toVolunteerForm(page);
  await page.fill('#f-name', 'Ayesha');
  await page.fill('#f-email', 'ayesha@example.org');
  await page.check('#f-agree');
  await press(page, 'button.p');
  await page.locator('p[dir=ltr] a').waitFor();
};
const personalPage = async (page: Page) => {
  await volunteer(page);
  await press(page, 'p[dir=ltr] a');
  await page.locator('button[name="withdraw"]').waitFor();
};

/** The invitation-only study's links (set when the fixture is made): one left unused, one used by a walk. */
const invitations = { fresh: '', used: '' };

/**
 * The wave's personal links (volunteer codes the wave was sent to, set when the fixture is made): one only
 * opened, one answered by the thank-you walk, one answered and opened again; and a code it was not sent to.
 */
const waveCodes = { open: '', thanks: '', again: '', unknown: '' };
/** Open the wave with a personal link: its consent page with the confidentiality notice. */
const openWave = async (page: Page, code: string) => {
  await page.goto(`${page.url().split('?')[0]}?w=${code}`);
  await page.locator('main:has-text("confidential, not anonymous")').waitFor();
};
/** Answer the wave (PHQ-9, no safety rule) and submit it. */
const answerWave = async (page: Page, code: string) => {
  await openWave(page, code);
  await agree(page);
  for (let j = 1; j <= 9; j++) await page.check(`input[name="phq9_${j}"][value="${j === 1 ? 1 : 0}"]`);
  await next(page);
  await page.check('input[name="phq9_10"][value="0"]');
  await next(page);
  await press(page, 'button[name="_nav"][value="submit"]');
  // The walk must end on the thank-you page, or axe would check some other page under this state's name.
  expect((await page.locator('h1').textContent())?.trim()).toBe(uiStrings('en').thanksTitle);
};

const RESPONDENT_STATES: readonly RespondentState[] = [
  { name: 'consent', study: 'bace' },
  { name: 'consent, Urdu (right to left)', study: 'bace', urdu: true },
  { name: 'consent, without JavaScript', study: 'bace', js: false },
  { name: 'declined', study: 'bace', walk: (p) => press(p, 'button[name="_consent"][value="decline"]') },
  { name: 'eligibility question', study: 'bace', walk: agree },
  {
    name: 'eligibility, missing answer shown by the script',
    errors: true,
    study: 'bace',
    walk: async (p) => {
      await agree(p);
      await p.click('button[name="_nav"][value="next"]');
      await p.locator('.er').first().waitFor({ state: 'visible' });
    },
  },
  {
    name: 'eligibility, missing answer shown by the server (no JavaScript)',
    errors: true,
    study: 'bace',
    js: false,
    walk: async (p) => {
      await agree(p);
      await next(p);
    },
  },
  {
    name: 'eligibility, missing answer in Urdu (no JavaScript)',
    errors: true,
    study: 'bace',
    js: false,
    urdu: true,
    walk: async (p) => {
      await agree(p);
      await next(p);
    },
  },
  {
    name: 'ineligible',
    study: 'bace',
    walk: async (p) => {
      await agree(p);
      await p.check('input[name="enrolled"][value="0"]');
      await next(p);
    },
  },
  { name: 'questions page', study: 'bace', walk: eligible },
  { name: 'questions page, Urdu', study: 'bace', urdu: true, walk: eligible },
  {
    name: 'questions page, an age out of range and missing answers (no JavaScript)',
    errors: true,
    study: 'bace',
    js: false,
    walk: async (p) => {
      await eligible(p);
      await p.fill('input[name="age"]', '9');
      await next(p);
    },
  },
  { name: 'BACE page', study: 'bace', walk: toBace },
  { name: 'BACE page, Urdu', study: 'bace', urdu: true, walk: toBace },
  { name: 'review', study: 'bace', walk: toReview },
  { name: 'review, Urdu', study: 'bace', urdu: true, walk: toReview },
  {
    name: 'thank you, with the referral link',
    study: 'bace',
    walk: async (p) => {
      await toReview(p);
      await press(p, 'button[name="_nav"][value="submit"]');
    },
  },
  {
    name: 'saved, with the resume code',
    study: 'bace',
    walk: async (p) => {
      await eligible(p);
      await press(p, 'button[name="_nav"][value="save"]');
    },
  },
  { name: 'resume form', study: 'bace', resume: true },
  { name: 'follow-up volunteer page, not offered', study: 'bace', path: '/volunteer' },
  { name: 'follow-up personal link, unknown code', study: 'bace', path: '/v/ZZZZ-ZZZZ-ZZZZ' },
  {
    name: 'resume form, unknown code',
    errors: true,
    study: 'bace',
    resume: true,
    walk: async (p) => {
      await p.fill('#f-code', 'ZZZZ-ZZZZ');
      await press(p, 'button.p');
    },
  },
  { name: 'PHQ-9 page', study: 'phq9' },
  {
    name: 'PHQ-9 second page',
    study: 'phq9',
    walk: async (p) => {
      for (let j = 1; j <= 9; j++) await p.check(`input[name="phq9_${j}"][value="0"]`);
      await next(p);
    },
  },
  {
    name: 'support page after the safety rule fired',
    study: 'phq9',
    walk: async (p) => {
      for (let j = 1; j <= 9; j++) await p.check(`input[name="phq9_${j}"][value="${j === 9 ? 2 : 1}"]`);
      await next(p);
      await p.check('input[name="phq9_10"][value="1"]');
      await next(p);
      await press(p, 'button[name="_nav"][value="submit"]');
    },
  },
  { name: 'follow-up volunteer form', study: 'followup', walk: toVolunteerForm },
  {
    name: 'follow-up volunteer form, sent empty (errors)',
    errors: true,
    study: 'followup',
    walk: sendVolunteerEmpty,
  },
  {
    name: 'follow-up volunteer form, sent empty (errors, no JavaScript)',
    errors: true,
    study: 'followup',
    js: false,
    walk: sendVolunteerEmpty,
  },
  { name: 'follow-up volunteer: thank you, with the personal link', study: 'followup', walk: volunteer },
  { name: 'follow-up volunteer: the personal page', study: 'followup', walk: personalPage },
  {
    name: 'follow-up volunteer: withdrawn',
    study: 'followup',
    walk: async (p) => {
      await personalPage(p);
      await press(p, 'button[name="withdraw"]');
      await p.locator('h1:has-text("Your details are deleted")').waitFor();
    },
  },
  {
    name: 'invitation-only study, opened without an invitation',
    study: 'invited',
    walk: (p) => p.locator('main:has-text("Only people who received a personal invitation")').waitFor(),
  },
  {
    name: 'invitation-only study, opened with a valid invitation',
    study: 'invited',
    walk: async (p) => {
      await p.goto(`${p.url()}?i=${invitations.fresh}`);
      await p.locator('input[name="phq9_1"]').first().waitFor();
    },
  },
  {
    name: 'invitation-only study, invitation used already',
    study: 'invited',
    walk: async (p) => {
      const link = `${p.url()}?i=${invitations.used}`;
      await p.goto(link);
      for (let j = 1; j <= 9; j++) await p.check(`input[name="phq9_${j}"][value="${j === 1 ? 1 : 0}"]`);
      await next(p);
      await p.check('input[name="phq9_10"][value="0"]');
      await next(p);
      await press(p, 'button[name="_nav"][value="submit"]');
      await p.goto(link);
      await p.locator('main:has-text("This invitation link cannot be used")').waitFor();
    },
  },
  {
    name: 'follow-up wave, opened without a personal link',
    study: 'wave',
    walk: async (p) => {
      expect((await p.reload())?.status()).toBe(403);
      await p.locator('main:has-text("This follow-up is by personal link")').waitFor();
    },
  },
  {
    name: 'follow-up wave, a personal link it was not sent to',
    study: 'wave',
    walk: async (p) => {
      expect((await p.goto(`${p.url()}?w=${waveCodes.unknown}`))?.status()).toBe(409);
      await p.locator('main h1').waitFor();
    },
  },
  {
    name: 'follow-up wave, consent with the confidentiality notice (personal link)',
    study: 'wave',
    walk: (p) => openWave(p, waveCodes.open),
  },
  {
    name: 'follow-up wave, the PHQ-9 page (its items may be left blank: no error state to check)',
    study: 'wave',
    walk: async (p) => {
      await openWave(p, waveCodes.open);
      await agree(p);
      await p.locator('input[name="phq9_1"]').first().waitFor();
    },
  },
  {
    name: 'follow-up wave, thank you after submitting',
    study: 'wave',
    walk: (p) => answerWave(p, waveCodes.thanks),
  },
  {
    name: 'follow-up wave, personal link used again (answered)',
    study: 'wave',
    walk: async (p) => {
      await answerWave(p, waveCodes.again);
      const res = await p.goto(`${p.url().split('?')[0]}?w=${waveCodes.again}`);
      expect(res?.status()).toBe(409);
      await p.locator('main:has-text("You have answered this follow-up")').waitFor();
    },
  },
  { name: 'closed study', study: 'closed' },
  { name: 'closed study, Urdu', study: 'closed', urdu: true },
];

for (const backend of e2eBackends()) {
  describe(`axe-core on every page on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let owner: BrowserContext;
    let viewer: BrowserContext;
    let anonymous: BrowserContext;
    const links = { bace: '', phq9: '', followup: '', invited: '', closed: '', wave: '' };
    let fx: Fixture;
    let setup = '';
    let phone: BrowserContext;

    beforeAll(async () => {
      server = await startServer(backend);
      setup = (await ownerSetupLink(server.store, server.baseUrl))?.split('/').pop() ?? '';
      browser = await launchBrowser();
      anonymous = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      phone = await browser.newContext(PHONE);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(fx[k as keyof Fixture])));

    const checkStudioPage = async (p: StudioPage) => {
      const ctx = p.as === 'viewer' ? viewer : p.as === 'anonymous' ? anonymous : owner;
      const page = await ctx.newPage();
      try {
        const res = await page.goto(`${fx.baseUrl}${fill(p.path)}`);
        if (res?.status() !== (p.status ?? 200)) throw new Error(`${p.path} answered ${res?.status()}`);
        await p.open?.(page);
        await expectAccessible(page, p.name);
      } finally {
        await page.close();
      }
    };

    it('the check itself fails on a page with violations, naming rule, element and fix', async () => {
      const page = await anonymous.newPage();
      await page.setContent(
        '<!doctype html><html><head><title>t</title></head><body><main><h1>Bad</h1>' +
          '<p style="color:#aaa;background:#fff">faint text</p><img src="data:," id="pic"><input id="x"></main></body></html>',
      );
      const v = await axeViolations(page);
      expect(v.map((x) => x.rule).sort()).toEqual(['color-contrast', 'html-has-lang', 'image-alt', 'label']);
      await expect(expectAccessible(page, 'bad page')).rejects.toThrow(/image-alt \[critical\].*\n\s+#pic/);
      await page.close();
    });

    describe('before the first account exists', () => {
      beforeAll(() => {
        fx = {
          baseUrl: server.baseUrl,
          study: 0,
          draft: 0,
          sid: '',
          pid: '',
          upload: 0,
          setup,
          code: '',
          join: '',
          reset: '',
        };
      });
      for (const p of STUDIO_PAGES.filter((p) => p.beforeAccounts))
        it(`studio: ${p.name} (${p.route})`, () => checkStudioPage(p));
    });

    describe('with studies, responses and a qualitative project', () => {
      beforeAll(async () => {
        const { store, baseUrl } = server;
        // The owner is the server's administrator too (the accounts page).
        const made = await store.users.create({
          email: 'owner@example.org',
          displayName: 'Dr Owner',
          passwordHash: await hashPassword(PASSWORD),
          isAdmin: true,
        });
        if (!made.ok) throw new Error(made.message);
        const o = made.value;
        const v = await server.createUser('viewer@example.org', 'Dr Viewer', PASSWORD);
        const create = async (definition: Record<string, unknown>, status: 'open' | 'closed') => {
          const s = await store.studies.create({
            title: String(definition.title),
            ownerId: o.id,
            definition,
          });
          await store.studies.setStatus({ studyId: s.id, status: 'open' });
          if (status === 'closed') await store.studies.setStatus({ studyId: s.id, status: 'closed' });
          return s;
        };
        // With the researcher's intro texts (issue 14) on the questions page and before BACE, in both languages.
        const baceDef = baceStudyDefinition();
        const bace = await create(
          {
            ...baceDef,
            instruments: (baceDef.instruments as Record<string, unknown>[]).map((si, i) =>
              i === 0
                ? {
                    ...si,
                    intro: {
                      en: 'The next questions are about what stops you seeking help.\n\nThere are no right answers.',
                      ur: 'اگلے سوالات اس بارے میں ہیں کہ مدد لینے سے آپ کو کیا روکتا ہے۔',
                    },
                  }
                : si,
            ),
            collection: {
              ...(baceDef.collection as Record<string, unknown>),
              questionsIntro: { en: 'First, a little about you.', ur: 'پہلے، آپ کے بارے میں تھوڑا سا۔' },
            },
          },
          'open',
        );
        const phq9 = await create(phq9StudyDefinition(), 'open');
        const closed = await create({ ...phq9StudyDefinition(), languages: ['en', 'ur'] }, 'closed');
        const followup = await create(followUpStudy(), 'open');
        const invited = await create(phq9StudyDefinition(), 'open');
        await store.studies.setSettings({ studyId: invited.id, invitationOnly: true });
        // Invitation links as the studio makes them: random tokens, stored as the server's keyed hashes.
        const hashOf = idempotencyKeyHasher(store, undefined);
        invitations.fresh = randomToken();
        invitations.used = randomToken();
        await store.inviteLinks.create({
          studyId: invited.id,
          tokenHashes: [
            await hashOf(invited.id, invitationKey(invitations.fresh)),
            await hashOf(invited.id, invitationKey(invitations.used)),
          ],
        });
        // A follow-up wave of the follow-up study, made as the waves page makes it, launched and sent to four
        // volunteer codes (the wave checks the panel ids it was sent to, not the volunteer rows).
        const waveTitle = `${followup.title} — follow-up: post`;
        const waveDef = waveDefinition(followup.definition, waveTitle);
        const wave = await store.studies.duplicate({
          fromStudyId: followup.id,
          title: waveTitle,
          ownerId: o.id,
          definition: waveDef,
          consentText: consentTextOf(waveDef),
          wave: { of: followup.id, label: 'post' },
        });
        if (!wave) throw new Error('the wave was not made');
        await store.studies.setStatus({ studyId: wave.id, status: 'open' });
        waveCodes.open = randomCode(16);
        waveCodes.thanks = randomCode(16);
        waveCodes.again = randomCode(16);
        waveCodes.unknown = randomCode(16);
        await store.waves.invite(
          wave.id,
          await Promise.all(
            [waveCodes.open, waveCodes.thanks, waveCodes.again].map((c) =>
              store.waves.panelId(followup.id, c),
            ),
          ),
        );
        const draft = await store.studies.create({
          title: 'Not launched yet',
          ownerId: o.id,
          definition: phq9StudyDefinition(),
        });
        await store.roles.grant({ studyId: bace.id, userId: v.id, role: 'viewer' });
        links.bace = `${baseUrl}/s/${bace.publicToken}`;
        links.phq9 = `${baseUrl}/s/${phq9.publicToken}`;
        links.closed = `${baseUrl}/s/${closed.publicToken}`;
        links.followup = `${baseUrl}/s/${followup.publicToken}`;
        links.invited = `${baseUrl}/s/${invited.publicToken}`;
        links.wave = `${baseUrl}/s/${wave.publicToken}`;
        // An unused invitation link to the BACE study and an unused password-reset link of the viewer.
        const week = new Date(Date.now() + 7 * 86_400_000);
        const join = randomToken(24);
        const reset = randomToken(24);
        await store.accountLinks.create({
          token: join,
          kind: 'invite',
          studyId: bace.id,
          role: 'analyst',
          createdBy: o.id,
          expiresAt: week,
        });
        await store.accountLinks.create({
          token: reset,
          kind: 'reset',
          userId: v.id,
          createdBy: o.id,
          expiresAt: week,
        });

        owner = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        viewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await owner.newPage();
        await signInAs(page, baseUrl, 'owner@example.org', PASSWORD);
        const vp = await viewer.newPage();
        await signInAs(vp, baseUrl, 'viewer@example.org', PASSWORD);
        await vp.close();

        // The example's responses, through the import page (an upload left at its mapping screen too).
        const base = `${baseUrl}/studies/${bace.id}`;
        const upload = async () => {
          await page.goto(`${base}/import`);
          await page.setInputFiles('#import-file', CSV_FILE);
          await page.click('button:has-text("Upload and match columns")');
          await page.waitForURL(new RegExp(`/studies/${bace.id}/import/\\d+$`));
          return Number(new URL(page.url()).pathname.split('/').pop());
        };
        await upload();
        await page.click('#check-mapping');
        await page.waitForSelector('#do-import');
        await page.click('#do-import');
        await page.waitForURL(/\/import\?added=/);
        const pending = await upload();

        // The qualitative project: a transcript, a participant, a code on a quote, a theme, a memo.
        const qual = `${base}/qual`;
        await page.goto(qual);
        await page.click('text=Start the qualitative project');
        await page.goto(`${qual}/sources`);
        await page.fill('#name', 'FGD 1');
        await page.fill('#text', ENGLISH_TRANSCRIPT);
        await page.click('button:has-text("Import")');
        await page.waitForSelector('text=Transcript imported');
        await page.goto(`${qual}/participants`);
        await page.fill('#new-pseudonym', 'P1');
        await page.click('button:has-text("Add participant")');
        await page.waitForLoadState('load');
        await page.goto(`${qual}/sources`);
        await page.click('text=FGD 1');
        await page.waitForSelector('#transcript');
        const sid = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
        await selectText(page, 'impossible to keep up with');
        await page.fill('#new_code', 'Workload');
        await page.click('button:has-text("Apply codes")');
        await page.waitForSelector('#transcript .hl');
        await page.goto(`${qual}/themes`);
        await page.fill('#new-name', 'Overload');
        await page.fill('#new-definition', 'More work than anyone can do.');
        await page.click('button:has-text("Add theme")');
        await page.waitForLoadState('load');
        await page.goto(`${qual}/memos`);
        await page.fill('#text', 'First reading: workload comes up in every turn.');
        await page.click('button:has-text("Save memo")');
        await page.waitForLoadState('load');
        await page.goto(`${qual}/compare`);
        await page.click('button:has-text("Open comparison")');
        await page.waitForLoadState('load');
        const state = (await store.qual.state((await store.qual.byStudy(bace.id))!.id, { coderId: null }))!;
        await page.close();
        fx = {
          baseUrl,
          study: bace.id,
          draft: draft.id,
          sid,
          pid: state.entities.participant[0]!.id,
          upload: pending,
          setup,
          code: state.entities.code[0]?.id ?? '',
          join,
          reset,
        };
      });

      for (const p of STUDIO_PAGES.filter((p) => !p.beforeAccounts))
        it(`studio: ${p.name} (${p.route})`, () => checkStudioPage(p));

      for (const s of RESPONDENT_STATES) {
        it(`respondent: ${s.name}`, async () => {
          const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled: s.js ?? true });
          try {
            const page = await ctx.newPage();
            const loaded = lastDocument(page);
            const link = `${links[s.study]}${s.resume ? '/resume' : (s.path ?? '')}${s.urdu ? '?lang=ur' : ''}`;
            await page.goto(link);
            await s.walk?.(page);
            if (s.errors && s.js === false) expect(loaded().status()).toBe(400);
            else if (s.errors) expect(await page.locator('#es, [role=alert]').first().isVisible()).toBe(true);
            if (s.js === false) await expectAccessibleWithoutScript(phone, loaded(), s.name);
            else await expectAccessible(page, s.name);
          } finally {
            await ctx.close();
          }
        });
      }
    });
  });
}
