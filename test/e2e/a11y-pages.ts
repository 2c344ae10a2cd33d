/**
 * Every page the accessibility check (test/e2e/a11y.e2e.ts, axe-core, issue 14) opens — the one list to
 * extend when a page is added. test/server/a11y-pages.test.ts reads the GET routes registered in the server and
 * fails when one is neither here nor in NOT_PAGES, so a new studio page cannot be forgotten.
 *
 * Paths use the ids of the fixture the e2e test builds (`Fixture`): `{study}` the BACE study, `{draft}` a study
 * not launched yet, `{sid}` its
 * transcript, `{pid}` its participant, `{upload}` an uploaded CSV, `{setup}` a setup token, `{code}` a code,
 * `{join}` an unused invitation link's token (a role on the study), `{reset}` an unused password-reset token.
 * `open` runs after the page is loaded, to bring it into the state to check (a form sent with errors, an open
 * menu). This file imports nothing at run time but types, so the route test runs without a browser.
 */
import type { Page } from 'playwright-core';

export interface Fixture {
  readonly baseUrl: string;
  readonly study: number;
  /** A study not launched yet (the launch checklist). */
  readonly draft: number;
  readonly sid: string;
  readonly pid: string;
  readonly upload: number;
  readonly setup: string;
  readonly code: string;
  /** An unused invitation link (`/join/…`) to the BACE study. */
  readonly join: string;
  /** An unused password-reset link (`/reset/…`) of the viewer's account. */
  readonly reset: string;
}

export interface StudioPage {
  /** The route as registered in Fastify (`/studies/:id/progress`). */
  readonly route: string;
  /** What the check is called in the test's output. */
  readonly name: string;
  /** The path to open, with `{study}`, `{sid}`, … from the fixture. */
  readonly path: string;
  /** Who looks: the owner (default), a viewer (suppressed, published figures), or nobody signed in. */
  readonly as?: 'owner' | 'viewer' | 'anonymous';
  /** The status the page answers with (default 200): an error page is a page too. */
  readonly status?: number;
  /** Checked before any account exists (the first-run setup page is gone once there is one). */
  readonly beforeAccounts?: boolean;
  /** Bring the loaded page into the state to check. */
  readonly open?: (page: Page) => Promise<void>;
}

/** Press `selector` (a form sent as it is, required fields empty) and wait for the errors it shows. */
const sendEmpty =
  (selector: string) =>
  async (page: Page): Promise<void> => {
    await page.click(selector);
    await page.locator('.errors, [role=alert]').first().waitFor({ state: 'visible', timeout: 15_000 });
  };

/** Fill two different new passwords (`#password`, `#password2`) and send the form: the errors it shows. */
const mismatchedPasswords = async (page: Page): Promise<void> => {
  await page.fill('#password', 'first long password');
  await page.fill('#password2', 'second long password');
  await sendEmpty('button.primary')(page);
};

const Q = '/studies/{study}/qual';

export const STUDIO_PAGES: readonly StudioPage[] = [
  { route: '/signin', name: 'sign-in', path: '/signin', as: 'anonymous' },
  {
    route: '/signin',
    name: 'sign-in, wrong password',
    path: '/signin',
    as: 'anonymous',
    open: async (page) => {
      await page.fill('#email', 'owner@example.org');
      await page.fill('#password', 'not the password');
      await sendEmpty('button.primary')(page);
    },
  },
  {
    route: '/setup/:token',
    name: 'first-run setup',
    path: '/setup/{setup}',
    as: 'anonymous',
    beforeAccounts: true,
  },
  {
    route: '/setup/:token',
    name: 'first-run setup, errors shown',
    path: '/setup/{setup}',
    as: 'anonymous',
    beforeAccounts: true,
    open: async (page) => {
      await page.fill('#email', 'owner@example.org');
      await page.fill('#password', 'first password');
      await page.fill('#password2', 'second password');
      await sendEmpty('button.primary')(page);
    },
  },
  { route: '/', name: 'dashboard', path: '/' },
  { route: '/account', name: 'your account', path: '/account' },
  { route: '/admin/users', name: 'accounts (administrator)', path: '/admin/users' },
  {
    route: '/join/:token',
    name: 'invitation link, expired or unknown',
    path: '/join/not-a-real-invitation-token',
    as: 'anonymous',
    status: 410,
  },
  {
    route: '/join/:token',
    name: 'invitation link: the form to create an account',
    path: '/join/{join}',
    as: 'anonymous',
  },
  {
    route: '/join/:token',
    name: 'invitation link: the form with errors',
    path: '/join/{join}',
    as: 'anonymous',
    open: async (page) => {
      await page.fill('#name', 'Dr New');
      await page.fill('#email', 'new@example.org');
      await mismatchedPasswords(page);
    },
  },
  { route: '/join/:token', name: 'invitation link, signed in: accept', path: '/join/{join}' },
  { route: '/reset/:token', name: 'password reset form', path: '/reset/{reset}', as: 'anonymous' },
  {
    route: '/reset/:token',
    name: 'password reset form with errors',
    path: '/reset/{reset}',
    as: 'anonymous',
    open: mismatchedPasswords,
  },
  {
    route: '/reset/:token',
    name: 'password reset link, expired or unknown',
    path: '/reset/not-a-real-reset-token',
    as: 'anonymous',
    status: 410,
  },
  { route: '/studies/new', name: 'new study', path: '/studies/new' },
  {
    route: '/studies/new',
    name: 'new study, errors shown',
    path: '/studies/new',
    open: async (page) => {
      // BACE without accepting its terms: refused, saying why.
      await page.fill('#n-title', 'A study');
      await page.check('#n-instruments-bace3');
      await sendEmpty('button:has-text("Create study")')(page);
    },
  },
  { route: '/archive', name: 'archived studies', path: '/archive' },
  { route: '/studies/:id', name: 'study overview', path: '/studies/{study}' },
  { route: '/studies/:id/launch', name: 'launch checklist', path: '/studies/{draft}/launch' },
  { route: '/studies/:id/delete', name: 'delete a study, confirmation', path: '/studies/{draft}/delete' },
  { route: '/studies/:id/poster', name: 'QR poster', path: '/studies/{study}/poster' },
  { route: '/studies/:id', name: 'study overview (viewer)', path: '/studies/{study}', as: 'viewer' },
  { route: '/studies/:id/edit', name: 'design', path: '/studies/{study}/edit' },
  {
    route: '/studies/:id/edit',
    name: 'design, question form with errors',
    path: '/studies/{study}/edit',
    open: async (page) => {
      await page.click('summary:has-text("Question form")');
      await page.fill('#q-id', '1 bad name');
      await sendEmpty('button:has-text("Add question")')(page);
    },
  },
  {
    route: '/studies/:id/edit',
    name: 'design, intro form with errors',
    path: '/studies/{study}/edit',
    open: async (page) => {
      // The first intro form, sent with its Urdu text only: the English (a study language) is missing.
      await page.click('#intros summary >> nth=0');
      await page.fill('#intros details[open] textarea[name="intro_ur"]', 'صرف اردو');
      await page.fill('#intros details[open] textarea[name="intro_en"]', '');
      await sendEmpty('#intros details[open] button')(page);
    },
  },
  { route: '/studies/:id/plan', name: 'analysis plan (settings)', path: '/studies/{study}/plan' },
  { route: '/studies/:id/preview', name: 'preview', path: '/studies/{study}/preview' },
  { route: '/studies/:id/share', name: 'share', path: '/studies/{study}/share' },
  { route: '/studies/:id/share/present', name: 'share, presenting', path: '/studies/{study}/share/present' },
  { route: '/studies/:id/progress', name: 'progress', path: '/studies/{study}/progress' },
  {
    route: '/studies/:id/progress',
    name: 'progress (viewer)',
    path: '/studies/{study}/progress',
    as: 'viewer',
  },
  { route: '/studies/:id/analysis', name: 'analysis', path: '/studies/{study}/analysis' },
  {
    route: '/studies/:id/analysis',
    name: 'analysis (viewer)',
    path: '/studies/{study}/analysis',
    as: 'viewer',
  },
  { route: '/studies/:id/exports', name: 'exports', path: '/studies/{study}/exports' },
  { route: '/studies/:id/import', name: 'import', path: '/studies/{study}/import' },
  {
    route: '/studies/:id/import/:upload',
    name: 'import, matching columns',
    path: '/studies/{study}/import/{upload}',
  },
  { route: '/studies/:id/roles', name: 'people', path: '/studies/{study}/roles' },
  { route: '/studies/:id/volunteers', name: 'follow-up volunteers', path: '/studies/{study}/volunteers' },
  { route: '/studies/:id/waves', name: 'follow-up waves', path: '/studies/{study}/waves' },
  { route: '/studies/:id/audit', name: 'audit log', path: '/studies/{study}/audit' },
  { route: '/studies/:id/qual', name: 'qualitative overview', path: Q },
  { route: '/studies/:id/qual', name: 'qualitative overview (viewer)', path: Q, as: 'viewer' },
  { route: '/studies/:id/qual/sources', name: 'qualitative sources', path: `${Q}/sources` },
  { route: '/studies/:id/qual/sources/:sid', name: 'a transcript', path: `${Q}/sources/{sid}` },
  { route: '/studies/:id/qual/codes', name: 'codes', path: `${Q}/codes` },
  { route: '/studies/:id/qual/participants', name: 'participants', path: `${Q}/participants` },
  { route: '/studies/:id/qual/consent', name: 'written consent', path: `${Q}/consent` },
  { route: '/studies/:id/qual/memos', name: 'memos', path: `${Q}/memos` },
  { route: '/studies/:id/qual/themes', name: 'themes', path: `${Q}/themes` },
  { route: '/studies/:id/qual/queries', name: 'queries', path: `${Q}/queries` },
  { route: '/studies/:id/qual/compare', name: 'coder comparison', path: `${Q}/compare` },
  { route: '/studies/:id/qual/consensus', name: 'consensus', path: `${Q}/consensus` },
  {
    route: '/studies/:id/qual/consensus',
    name: 'consensus, by speaker turn',
    path: `${Q}/consensus?view=turns`,
  },
  {
    route: '/studies/:id/qual/consensus/codebook',
    name: 'consensus codebook',
    path: `${Q}/consensus/codebook`,
  },
  {
    route: '/studies/:id/qual/consensus/codebook/split',
    name: 'split a code',
    path: `${Q}/consensus/codebook/split?code={code}`,
  },
  { route: '/studies/:id/qual/member-checks', name: 'member checks', path: `${Q}/member-checks` },
  {
    route: '/studies/:id/qual/member-checks/:pid/packet',
    name: 'member-check packet',
    path: `${Q}/member-checks/{pid}/packet`,
  },
  { route: '/studies/:id/qual/results', name: 'qualitative results', path: `${Q}/results` },
  { route: '/studies/:id/qual/checklists', name: 'reporting checklists', path: `${Q}/checklists` },
  { route: '/studies/:id/qual/exchange', name: 'QDPX exchange', path: `${Q}/exchange` },
  { route: '/studies/:id/qual/audit', name: 'qualitative audit trail', path: `${Q}/audit` },
];

/** GET routes that are not pages a person reads in the browser, and why they are not checked. */
export const NOT_PAGES: readonly { readonly route: string; readonly why: string }[] = [
  { route: '/healthz', why: 'a health check for load balancers (JSON)' },
  { route: '/studies/:id/progress.json', why: 'the figures the progress page’s script polls (JSON)' },
  { route: '/studies/:id/qr.svg', why: 'the QR code image (shown on the share page, which is checked)' },
  { route: '/qual-assets/qual.js', why: 'the transcript page’s script' },
  { route: '/studies/:id/qual/sources/:sid/media', why: 'a recording’s bytes (audio/video)' },
  { route: '/studies/:id/analysis/report.docx', why: 'a Word download' },
  { route: '/studies/:id/waves/paired.csv', why: 'the paired export of the follow-up waves (CSV download)' },
  {
    route: '/studies/:id/analysis/report.html',
    why: 'a downloaded report (src/render/html.ts), not a studio page',
  },
  { route: '/studies/:id/poster.png', why: 'the poster as an image (the poster page is checked)' },
  { route: '/studies/:id/poster.svg', why: 'the poster as an image (the poster page is checked)' },
  { route: '/studies/:id/poster.pdf', why: 'the poster as a PDF download (the poster page is checked)' },
  { route: '/studies/:id/qual/consent/register.csv', why: 'a CSV download' },
  { route: '/studies/:id/qual/consent/:rid/pdf', why: 'a PDF download (a signed consent form)' },
  { route: '/studies/:id/qual/compare.csv', why: 'a CSV download' },
  { route: '/studies/:id/qual/compare.docx', why: 'a Word download' },
  { route: '/studies/:id/qual/consensus/agreement.csv', why: 'a CSV download' },
  { route: '/studies/:id/qual/consensus/agreement.docx', why: 'a Word download' },
  { route: '/studies/:id/qual/codebook.qdc', why: 'a REFI-QDA codebook download' },
  { route: '/studies/:id/qual/export.qdpx', why: 'a REFI-QDA project download' },
  { route: '/studies/:id/qual/checklists.md', why: 'a Markdown download' },
  { route: '/studies/:id/qual/checklists.docx', why: 'a Word download' },
  { route: '/studies/:id/qual/results.md', why: 'a Markdown download' },
  { route: '/studies/:id/qual/results.csv', why: 'a CSV download' },
  { route: '/studies/:id/qual/results.docx', why: 'a Word download' },
  { route: '/studies/:id/qual/results.html', why: 'a downloaded results document, not a studio page' },
  { route: '/studies/:id/qual/audit.csv', why: 'a CSV download' },
  { route: '/studies/:id/qual/audit.json', why: 'a JSON download' },
  { route: '/studies/:id/qual/audit.md', why: 'a Markdown download' },
];

/** The respondent routes; their states are listed in RESPONDENT_STATES (a11y.e2e.ts drives each). */
export const RESPONDENT_ROUTES: readonly string[] = [
  '/s/:token',
  '/s/:token/resume',
  '/s/:token/volunteer',
  '/s/:token/v/:code',
];
