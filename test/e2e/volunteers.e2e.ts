/**
 * Issue 14 in real Chromium: a screening survey → eligible respondents volunteer on the separate page → the owner
 * sees them (bands shown once k volunteers of the batch share them), invites one (the invitation text carries the
 * personal link), marks them attended → the qualitative participant has the bands as attributes. Respondent pages
 * make no request to any other host.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followUpStudy } from '../server/followUpHelpers.js';
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

for (const backend of e2eBackends()) {
  describe(`follow-up volunteers in Chromium on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let link = '';
    let studyId = 0;
    const foreign: string[] = [];

    beforeAll(async () => {
      server = await startServer(backend);
      const owner = await server.createUser('owner@example.org', 'Olivia Owner', PASSWORD);
      const study = await createStudy(server.store, {
        ownerId: owner.id,
        definition: followUpStudy(),
      });
      await server.store.studies.setSettings({ studyId: study.id, minCellSize: 2 });
      studyId = study.id;
      link = `${server.baseUrl}/s/${study.publicToken}`;
      browser = await launchBrowser();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    /** A respondent on a phone: answer every PHQ-9 item 1–9 with `v`, submit, and volunteer with `contact`. */
    async function respondAndVolunteer(
      v: number,
      contact: { email?: string; phone?: string; name?: string },
    ) {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      recordForeignRequests(page, server.baseUrl, foreign);
      await page.goto(`${link}?lang=en`);
      for (let i = 1; i <= 9; i++) await page.check(`input[name=phq9_${i}][value="${v}"]`);
      await page.click('button[name=_nav][value=next]');
      await page.check('input[name=phq9_10][value="0"]');
      await page.click('button[name=_nav][value=next]');
      await page.click('button[name=_nav][value=submit]');
      await page.waitForSelector('a.vo');
      expect(await page.textContent('h2')).toContain('Take part in a follow-up');
      await page.click('a.vo');
      await page.waitForSelector('#f-email');
      expect(await page.textContent('main')).toContain('A 60-minute focus group in March.');
      if (contact.name) await page.fill('#f-name', contact.name);
      if (contact.email) await page.fill('#f-email', contact.email);
      if (contact.phone) await page.fill('#f-phone', contact.phone);
      await page.check('#f-agree');
      await page.click('button.p');
      await page.waitForSelector('text=Thank you for volunteering');
      const personal = await page.textContent('p[dir=ltr] a');
      await context.close();
      return personal ?? '';
    }

    it('screening → volunteering → invitation → attended → qualitative participant with bands', async () => {
      // Not eligible (total 9, Mild): no offer.
      const ctx0 = await browser.newContext({ ...PHONE });
      const p0: Page = await ctx0.newPage();
      await p0.goto(`${link}?lang=en`);
      for (let i = 1; i <= 9; i++) await p0.check(`input[name=phq9_${i}][value="1"]`);
      await p0.click('button[name=_nav][value=next]');
      await p0.check('input[name=phq9_10][value="0"]');
      await p0.click('button[name=_nav][value=next]');
      await p0.click('button[name=_nav][value=submit]');
      await p0.waitForSelector('h1');
      expect(await p0.$('a.vo')).toBeNull();
      await ctx0.close();

      const personal = await respondAndVolunteer(2, { name: 'Ayesha', phone: '+92 300 1234567' });
      expect(personal).toMatch(/\/v\/[2-9A-Z]{16}$/);
      await respondAndVolunteer(2, { email: 'bilal@example.org' });
      expect(foreign).toEqual([]);

      const ctx = await browser.newContext();
      const owner = await ctx.newPage();
      await signInAs(owner, server.baseUrl, 'owner@example.org', PASSWORD);
      await owner.goto(`${server.baseUrl}/studies/${studyId}/volunteers`);
      const body = (await owner.textContent('main')) ?? '';
      expect(body).toContain('2 volunteers shown; 0 waiting');
      expect(body).toContain('Ayesha');
      expect(body).toContain('bilal@example.org');
      expect(body.match(/PHQ-9 total \(depression severity\): Moderately severe/g)).toHaveLength(2);
      const ayesha = owner.locator('tr', { hasText: 'Ayesha' });
      // The invitation carries Ayesha's personal link, and the WhatsApp link carries the invitation.
      expect(await ayesha.locator('textarea').inputValue()).toContain(personal);
      expect(await ayesha.locator('a', { hasText: 'WhatsApp' }).getAttribute('href')).toMatch(
        /^https:\/\/wa\.me\/923001234567\?text=Hello%20Ayesha/,
      );
      await ayesha.locator('select[name=status]').selectOption('invited');
      await ayesha.locator('button', { hasText: 'Save' }).click();
      await owner.waitForLoadState();
      await owner
        .locator('tr', { hasText: 'Ayesha' })
        .locator('select[name=status]')
        .selectOption('attended');
      await owner.locator('tr', { hasText: 'Ayesha' }).locator('button', { hasText: 'Save' }).click();
      await owner.waitForLoadState();
      expect(
        await owner.locator('tr', { hasText: 'Ayesha' }).locator('select[name=status]').inputValue(),
      ).toBe('attended');

      // The qualitative project, then the participant from the volunteer.
      const made = await server.store.qual.create({
        studyId,
        name: 'Focus groups',
        actor: { coderId: 'c-owner', userId: null },
      });
      expect(made.ok).toBe(true);
      await owner
        .locator('tr', { hasText: 'Ayesha' })
        .locator('button', { hasText: 'a participant' })
        .click();
      await owner.waitForSelector('text=participant P1');
      await owner.goto(`${server.baseUrl}/studies/${studyId}/qual/participants`);
      const qual = (await owner.textContent('main')) ?? '';
      expect(qual).toContain('P1');
      expect(qual).toContain('Moderately severe');
      const project = (await server.store.qual.byStudy(studyId))!;
      const state = (await server.store.qual.state(project.id, { coderId: null }))!;
      expect(state.entities.participant.map((p) => p.data.attributes)).toEqual([
        { 'follow-up volunteer': true, 'PHQ-9 total (depression severity) band': 'Moderately severe' },
      ]);
      await ctx.close();
    }, 120_000);
  });
}
