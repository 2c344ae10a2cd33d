/**
 * The researcher studio through HTTP (app.inject): creating a study, editing its definition with validation,
 * consent versions, launch rules, share link/QR/WhatsApp, close/reopen, preview, progress, analysis with
 * small-cell suppression, CSRF.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docxParagraphs } from '../../src/import/docx.js';
import type { StudyDraft } from '../../src/server/studio/definition.js';
import { csrfFromHtml, formBody, type SignedIn, serverBackends, type TestApp, testApp } from './helpers.js';

let t: TestApp;
let owner: SignedIn;

async function get(url: string, who: SignedIn = owner) {
  return t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
}

async function post(url: string, fields: Record<string, string | readonly string[]>, who: SignedIn = owner) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ ...fields, _csrf: who.csrf }),
  });
}

async function createStudy(fields: Record<string, string | readonly string[]>): Promise<number> {
  const r = await post('/studies', { languages: ['en'], ...fields });
  expect(r.statusCode, r.body.slice(0, 2000)).toBe(303);
  const m = /^\/studies\/(\d+)$/.exec(String(r.headers.location));
  expect(m).not.toBeNull();
  return Number(m![1]);
}

async function definitionOf(id: number): Promise<StudyDraft> {
  return (await t.store.studies.byId(id))!.definition as StudyDraft;
}

async function auditActions(id: number): Promise<string[]> {
  return (await t.store.audit.listForStudy(id)).map((e) => e.action).reverse();
}

const YEAR = {
  id: 'year',
  text_en: 'Year of study',
  text_ur: 'تعلیمی سال',
  type: 'single',
  options: 'First year | پہلا سال\nSecond year | دوسرا سال',
  required: 'on',
};

const CONTACT = {
  action: 'add',
  name_en: 'College counselling service',
  name_ur: 'کالج کونسلنگ سروس',
  phone: '+92 51 111 222 333',
  hours_en: 'Mon–Fri 9–17',
};

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      t = await testApp({ backend, config: { publicUrl: 'https://survey.example.edu' } });
      const u = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
      owner = await t.signIn(u.email, u.password);
    });

    afterEach(async () => {
      await t.close();
    });

    describe('creating a study', () => {
      it('shows each instrument with its licence and terms, and which need a text pack', async () => {
        const r = await get('/studies/new');
        expect(r.statusCode).toBe(200);
        expect(r.body).toContain('King&#39;s College London (INDIGO) conditions of use');
        expect(r.body).toContain('I have read and accept the terms of BACE v3');
        expect(r.body).toContain('Mind Garden: licence per administration');
        // MBI-SS and PSS-10 ship without item text.
        expect(r.body.match(/Licensed without its item text/g)?.length).toBe(2);
        // The page allows only its own inline style and script (by hash), nothing from elsewhere.
        expect(r.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
      });

      it('refuses BACE v3 without the acknowledgement of its terms, then records the acknowledgement', async () => {
        const refused = await post('/studies', {
          title: 'Barriers to care',
          languages: ['en'],
          instruments: ['bace3'],
        });
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain('BACE v3&#39;s owner requires you to accept their terms');
        expect(await t.store.studies.listForUser(owner.user.id)).toEqual([]);

        const id = await createStudy({
          title: 'Barriers to care',
          instruments: ['bace3', 'phq9'],
          acknowledge: ['bace3'],
        });
        const acks = await t.store.acknowledgements.list(id);
        expect(acks.map((a) => [a.instrumentId, a.userId])).toEqual([['bace3', owner.user.id]]);
        const def = await definitionOf(id);
        expect(def.instruments?.map((i) => i.instrument)).toEqual(['bace3', 'phq9']);
        expect(def.instruments?.[0]?.termsAcknowledged?.by).toBe('Olivia Owner <olivia@example.org>');
        expect(def.instruments?.[1]?.termsAcknowledged).toBeUndefined();
        expect(def.collection?.anonymous).toBe(true);
        expect(def.collection?.collectTimes).toBe(false);
        expect(def.collection?.minCellSize).toBe(5);
        expect(await auditActions(id)).toEqual(['instrument.acknowledge', 'study.create']);

        const dash = await get('/');
        expect(dash.body).toContain('Barriers to care');
        expect(dash.body).toContain('<td>owner</td>');
        expect(dash.body).toContain('draft');
      });
    });

    describe('editing the definition', () => {
      it('adds questions, validating ids, options and skip logic with messages that say what to fix', async () => {
        const id = await createStudy({ title: 'Wellbeing', instruments: ['phq9'] });
        const url = `/studies/${id}/edit/questions`;

        let r = await post(url, { ...YEAR, id: '1year' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('&quot;1year&quot; cannot be a variable name');
        // What was typed is kept.
        expect(r.body).toContain('First year | پہلا سال');

        r = await post(url, { ...YEAR, options: '' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('a choice question needs options');

        r = await post(url, YEAR);
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/edit?saved=questions#questions`);
        let def = await definitionOf(id);
        expect(def.questions).toEqual([
          {
            id: 'year',
            type: 'single',
            required: true,
            text: { en: 'Year of study', ur: 'تعلیمی سال' },
            options: [
              { value: 1, label: { en: 'First year', ur: 'پہلا سال' } },
              { value: 2, label: { en: 'Second year', ur: 'دوسرا سال' } },
            ],
          },
        ]);
        expect((await t.store.studies.byId(id))!.version).toBe(2);

        const sport = { id: 'sport', text_en: 'Which sports?', type: 'multiple', options: 'Cricket\nHockey' };
        r = await post(url, { ...sport, showIf: 'year >' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('the condition &quot;year &gt;&quot; cannot be read');

        r = await post(url, { ...sport, showIf: 'semester = 2' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('refers to &quot;semester&quot;, which is not a question of this study');

        r = await post(url, { ...sport, showIf: 'year = 2' });
        expect(r.statusCode).toBe(303);
        def = await definitionOf(id);
        expect(def.questions?.[1]).toMatchObject({ id: 'sport', type: 'multiple', showIf: 'year = 2' });

        // Removing a question another one depends on is refused with the reason.
        r = await post(url, { action: 'remove', id: 'year' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('showIf of &quot;sport&quot; refers to &quot;year&quot;');

        // Every save is a new version with an audit entry.
        const versions = await t.store.studies.versions(id);
        expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
        const updates = (await t.store.audit.listForStudy(id)).filter((e) => e.action === 'study.update');
        expect(updates.map((e) => (e.detail as { version: number }).version)).toEqual([3, 2]);
        expect(updates[0]!.detail).toMatchObject({ change: 'question.add', question: 'sport' });
      });

      it('edits the definition as JSON, listing problems by path', async () => {
        const id = await createStudy({ title: 'JSON study', instruments: ['phq9'] });
        const url = `/studies/${id}/edit/json`;
        let r = await post(url, { definition: '{ "title": "x", }' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('the text is not valid JSON');

        const def = await definitionOf(id);
        r = await post(url, {
          definition: JSON.stringify({ ...def, questions: [{ id: 'q1', type: 'bogus', text: { en: 'Q' } }] }),
        });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('<code>questions[0].type</code>');

        // Claiming an acknowledgement in JSON does not count: it must be given in the studio.
        r = await post(url, {
          definition: JSON.stringify({
            ...def,
            instruments: [
              ...(def.instruments ?? []),
              { instrument: 'pss10', termsAcknowledged: { by: 'me', at: 'now' } },
            ],
          }),
        });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('PSS-10 requires its owner&#39;s terms to be acknowledged');

        r = await post(url, { definition: JSON.stringify({ ...def, title: 'Renamed in JSON' }) });
        expect(r.statusCode).toBe(303);
        expect((await t.store.studies.byId(id))!.title).toBe('Renamed in JSON');
      });

      it('keeps consent version 1 before launch and bumps it for a change after launch', async () => {
        const id = await createStudy({ title: 'Consent', instruments: ['bace3'], acknowledge: ['bace3'] });
        const url = `/studies/${id}/edit/consent`;
        expect((await post(url, { text_en: 'You may stop at any time.' })).statusCode).toBe(303);
        expect(
          (
            await post(url, {
              text_en: 'You may stop at any time. Nothing identifies you.',
              text_ur: 'آپ کسی بھی وقت رک سکتے ہیں۔',
            })
          ).statusCode,
        ).toBe(303);
        expect((await definitionOf(id)).collection?.consent).toEqual({
          version: 1,
          text: {
            en: 'You may stop at any time. Nothing identifies you.',
            ur: 'آپ کسی بھی وقت رک سکتے ہیں۔',
          },
        });
        expect((await post(`/studies/${id}/launch`, { confirmed: '1' })).statusCode).toBe(303);
        // Same text again: no new consent version.
        await post(url, {
          text_en: 'You may stop at any time. Nothing identifies you.',
          text_ur: 'آپ کسی بھی وقت رک سکتے ہیں۔',
        });
        expect((await definitionOf(id)).collection?.consent?.version).toBe(1);
        await post(url, { text_en: 'Changed after launch.', text_ur: 'آپ کسی بھی وقت رک سکتے ہیں۔' });
        expect((await definitionOf(id)).collection?.consent?.version).toBe(2);
        // The store records each version's consent hash.
        const versions = await t.store.studies.versions(id);
        expect(new Set(versions.map((v) => v.consentHash).filter(Boolean)).size).toBe(3);
      });

      it('adds eligibility screening with its rule, support contacts and settings', async () => {
        const id = await createStudy({ title: 'Screening', instruments: ['phq9'] });
        const base = `/studies/${id}/edit`;
        const question = {
          action: 'add',
          id: 'is_student',
          text_en: 'Are you a medical student?',
          type: 'single',
          options: '1 = Yes | جی ہاں\n0 = No | نہیں',
          required: 'on',
        };
        let r = await post(`${base}/eligibility`, question);
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('the first screening question needs the eligibility rule too');
        r = await post(`${base}/eligibility`, {
          ...question,
          eligibleIf: 'is_student = 1',
          ineligible_en: 'Thank you — this survey is for medical students.',
        });
        expect(r.statusCode).toBe(303);
        r = await post(`${base}/eligibility`, { action: 'rule', eligibleIf: 'is_student = 3 or' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('eligibleIf');
        r = await post(`${base}/contacts`, { ...CONTACT, phone: 'call us' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('&quot;call us&quot; is not a phone number');
        expect((await post(`${base}/contacts`, CONTACT)).statusCode).toBe(303);
        r = await post(`${base}/settings`, { anonymous: 'on', referrals: 'on', minCellSize: '0' });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain('is not a valid k');
        expect(
          (await post(`${base}/settings`, { anonymous: 'on', referrals: 'on', minCellSize: '10' }))
            .statusCode,
        ).toBe(303);
        const def = await definitionOf(id);
        expect(def.collection?.eligibility).toMatchObject({
          eligibleIf: 'is_student = 1',
          ineligibleMessage: { en: 'Thank you — this survey is for medical students.' },
        });
        expect(def.collection?.supportContacts).toEqual([
          {
            name: { en: 'College counselling service', ur: 'کالج کونسلنگ سروس' },
            phone: '+92 51 111 222 333',
            hours: { en: 'Mon–Fri 9–17' },
          },
        ]);
        expect(def.collection).toMatchObject({
          anonymous: true,
          collectTimes: false,
          referrals: true,
          minCellSize: 10,
        });
        const study = (await t.store.studies.byId(id))!;
        expect([study.anonymous, study.recordTimes, study.minCellSize]).toEqual([true, false, 10]);
      });
    });

    describe('launch, share, close, reopen', () => {
      it('refuses to launch PHQ-9 without support contacts, then launches and shows the link, QR code and WhatsApp link', async () => {
        const id = await createStudy({ title: 'PHQ study', instruments: ['phq9'] });
        let r = await post(`/studies/${id}/launch`, { confirmed: '1' });
        expect(r.statusCode).toBe(409);
        expect(r.body).toContain('PHQ-9 has safety rules');
        expect(r.body).toContain('add at least one support contact');
        expect((await t.store.studies.byId(id))!.status).toBe('draft');

        await post(`/studies/${id}/edit/contacts`, CONTACT);
        r = await post(`/studies/${id}/launch`, { confirmed: '1' });
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/share?launched=1`);
        const study = (await t.store.studies.byId(id))!;
        expect(study.status).toBe('open');

        r = await get(`/studies/${id}/share?launched=1`);
        const link = `https://survey.example.edu/s/${study.publicToken}`;
        expect(r.body).toContain(link);
        expect(r.body).toMatch(
          /<div class="qr"><svg role="img" aria-label="QR code for https:\/\/survey\.example\.edu\/s\/[^"]+" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
        );
        expect(r.body).toContain(
          `href="https://wa.me/?text=${encodeURIComponent(`PHQ study — an anonymous survey (a few minutes, any phone): ${link}`)}"`,
        );
        // No resource from another site is loaded by the page (links only).
        expect(r.body).not.toMatch(/<(img|script|link|iframe)[^>]+(src|href)="https?:/);

        const qr = await get(`/studies/${id}/qr.svg`);
        expect(qr.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
        expect(qr.headers['content-disposition']).toBe(`attachment; filename="study-${id}-qr.svg"`);
        expect(qr.body).toContain('<svg');

        expect(await auditActions(id)).toContain('study.launch');
      });

      it('refuses a text-pack instrument without its text, and instruments whose terms were not accepted', async () => {
        const id = await createStudy({ title: 'MBI study', instruments: ['mbiss'], acknowledge: ['mbiss'] });
        const r = await post(`/studies/${id}/launch`, { confirmed: '1' });
        expect(r.statusCode).toBe(409);
        expect(r.body).toContain('MBI-SS is licensed without its item text');
        expect(r.body).toContain('text pack');

        // A definition that reached the store without the acknowledgement (e.g. written by another tool).
        const raw = await t.store.studies.create({
          title: 'Imported',
          ownerId: owner.user.id,
          definition: { id: 'imported', title: 'Imported', instruments: [{ instrument: 'bace3' }] },
        });
        const refused = await post(`/studies/${raw.id}/launch`, { confirmed: '1' });
        expect(refused.statusCode).toBe(409);
        expect(refused.body).toContain('BACE v3 requires its owner&#39;s terms to be acknowledged');
        expect((await t.store.studies.byId(raw.id))!.status).toBe('draft');
      });

      it('closes and reopens, auditing each', async () => {
        const id = await createStudy({
          title: 'Open and close',
          instruments: ['bace3'],
          acknowledge: ['bace3'],
        });
        expect((await post(`/studies/${id}/close`, {})).statusCode).toBe(409);
        expect((await post(`/studies/${id}/launch`, { confirmed: '1' })).statusCode).toBe(303);
        expect((await post(`/studies/${id}/close`, {})).statusCode).toBe(303);
        expect((await t.store.studies.byId(id))!.status).toBe('closed');
        expect((await post(`/studies/${id}/launch`, { confirmed: '1' })).statusCode).toBe(409);
        expect((await post(`/studies/${id}/reopen`, {})).statusCode).toBe(303);
        expect((await t.store.studies.byId(id))!.status).toBe('open');
        expect((await auditActions(id)).slice(-3)).toEqual(['study.launch', 'study.close', 'study.reopen']);
      });

      it('refuses a state change without a CSRF token', async () => {
        const id = await createStudy({ title: 'CSRF', instruments: ['bace3'], acknowledge: ['bace3'] });
        const r = await t.app.inject({
          method: 'POST',
          url: `/studies/${id}/launch`,
          headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: '',
        });
        expect(r.statusCode).toBe(403);
        expect(r.body).toContain('CSRF');
        const forged = await t.app.inject({
          method: 'POST',
          url: `/studies/${id}/launch`,
          headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: formBody({ _csrf: 'forged-token' }),
        });
        expect(forged.statusCode).toBe(403);
        expect((await t.store.studies.byId(id))!.status).toBe('draft');
      });
    });

    describe('preview', () => {
      it('shows the respondent pages with their own headers, in English and Urdu, and walks the flow without storing', async () => {
        const id = await createStudy({ title: 'Preview me', languages: ['en', 'ur'], instruments: ['phq9'] });
        await post(`/studies/${id}/edit/questions`, YEAR);
        await post(`/studies/${id}/edit/consent`, {
          text_en: 'Consent text here.',
          text_ur: 'رضامندی کا متن',
        });
        await post(`/studies/${id}/edit/contacts`, CONTACT);

        let r = await get(`/studies/${id}/preview?lang=ur`);
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-security-policy']).toContain("script-src 'sha256-");
        expect(r.body).toContain('<html lang="ur" dir="rtl">');
        expect(r.body).toContain('رضامندی کا متن');
        expect(r.body).toContain('Preview — nothing you enter here is stored.');
        // The preview session is a draft named by a cookie scoped to the preview; keep a small jar. Every form
        // carries the session's step (`_n`), read from the page last shown.
        let cookie = owner.cookie;
        let shownStep: string | undefined;
        const show = async (url: string) => {
          const res = await t.app.inject({ method: 'GET', url, headers: { cookie } });
          shownStep = /name="_n" value="(\d+)"/.exec(res.body)?.[1];
          return res;
        };
        const step = async (fields: Record<string, string>) => {
          const res = await t.app.inject({
            method: 'POST',
            url: `/studies/${id}/preview?lang=en`,
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            payload: formBody({
              ...fields,
              ...(shownStep !== undefined ? { _n: shownStep } : {}),
              _idem: 'preview',
              _csrf: owner.csrf,
            }),
          });
          for (const c of res.cookies) {
            cookie = [
              ...cookie.split('; ').filter((p) => !p.startsWith(`${c.name}=`)),
              `${c.name}=${c.value}`,
            ].join('; ');
          }
          return res;
        };
        r = await t.app.inject({ method: 'GET', url: `/studies/${id}/preview?lang=en`, headers: { cookie } });
        expect(r.body).toContain('Consent text here.');
        expect(csrfFromHtml(r.body)).toBeTruthy();
        r = await step({ _page: 'consent', _consent: 'agree' });
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=p1`);
        await show(String(r.headers.location));
        // A required question left out: the same message a respondent gets (on the page the redirect shows).
        r = await step({ _page: 'p1', _nav: 'next' });
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=p1`);
        const refused = await show(String(r.headers.location));
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain('Year of study');
        // Back from a page with problems is allowed (the respondent's rule; the old preview refused it).
        r = await step({ _page: 'p1', _nav: 'back' });
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=consent`);
        await show(`/studies/${id}/preview?lang=en&page=p1`);
        // A page never reached cannot be opened ("page seen", as for respondents): the current page instead.
        r = await show(`/studies/${id}/preview?lang=en&page=p3`);
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=consent`);
        await show(`/studies/${id}/preview?lang=en&page=p1`);
        r = await step({ _page: 'p1', _nav: 'next', year: '2' });
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=p2`);
        await show(String(r.headers.location));
        const phq: Record<string, string> = { _page: 'p2', _nav: 'next' };
        for (let i = 1; i <= 9; i++) phq[`phq9_${i}`] = i === 9 ? '1' : '0';
        r = await step(phq);
        // PHQ-9 item 10 is asked only when a problem was reported: its own page.
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=p3`);
        await show(String(r.headers.location));
        r = await step({ _page: 'p3', _nav: 'next', phq9_10: '0' });
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=review`);
        const review = await show(String(r.headers.location));
        expect(review.statusCode).toBe(200);
        r = await step({ _page: 'review', _nav: 'submit' });
        // PHQ-9 item 9 above 0: the support page with the study's contacts.
        expect(r.headers.location).toBe(`/studies/${id}/preview?lang=en&page=support`);
        const support = await t.app.inject({
          method: 'GET',
          url: String(r.headers.location),
          headers: { cookie },
        });
        expect(support.body).toContain('College counselling service');
        expect(await t.store.responses.count(id)).toBe(0);
      });
    });

    let seeded = 0;
    async function seedResponses(id: number, groups: readonly [number, number][]) {
      for (const [year, count] of groups) {
        for (let i = 0; i < count; i++) {
          const answers: Record<string, unknown> = { year: { kind: 'value', value: year } };
          for (let j = 1; j <= 30; j++) {
            answers[`bace3_${String(j).padStart(2, '0')}`] = { kind: 'value', value: (i + j + year) % 4 };
          }
          const r = await t.store.responses.insert({
            studyId: id,
            idempotencyKey: `k${seeded++}`,
            answers,
            language: 'en',
            counters: ['completed'],
          });
          expect(r.ok).toBe(true);
        }
      }
    }

    describe('progress and analysis', () => {
      it('shows counters and drop-off by page, updating in place (counts JSON), never reloading itself', async () => {
        const id = await createStudy({ title: 'Progress', instruments: ['bace3'], acknowledge: ['bace3'] });
        await post(`/studies/${id}/edit/questions`, YEAR);
        await post(`/studies/${id}/launch`, { confirmed: '1' });
        await t.store.counters.increment({ studyId: id, name: 'started', by: 12 });
        await t.store.counters.increment({ studyId: id, name: 'page_p1', by: 12 });
        await t.store.counters.increment({ studyId: id, name: 'page_p2', by: 9 });
        await t.store.counters.increment({ studyId: id, name: 'screened_out', by: 2 });
        await seedResponses(id, [[1, 6]]);
        const r = await get(`/studies/${id}/progress`);
        expect(r.statusCode).toBe(200);
        expect(r.body).not.toContain('http-equiv="refresh"');
        expect(r.body).toContain(`data-live="/studies/${id}/progress.json"`);
        expect(r.body).toContain(`<a href="/studies/${id}/progress" id="live-refresh">Refresh now</a>`);
        expect(r.body).toContain(
          '<button type="button" id="live-pause" aria-pressed="false" hidden>Pause updates</button>',
        );
        expect(r.body).toContain('<b id="n-started" data-k="started">12</b>');
        expect(r.body).toContain('<b id="n-completed" data-k="completed">6</b>');
        // Screened-out counts below k are not shown exactly.
        expect(r.body).toContain('<b id="n-screened" data-k="screened">fewer than 5</b>');
        expect(r.body).toMatch(
          /Barriers to Access to Care Evaluation[^<]*\(p2\)<\/td><td class="n">9<\/td><td class="n">75%/,
        );
        // The JSON the page polls carries the same figures.
        const j = await get(`/studies/${id}/progress.json`);
        expect(j.statusCode).toBe(200);
        expect(j.headers['content-type']).toMatch(/^application\/json/);
        const counts = JSON.parse(j.body) as {
          stats: Record<string, string>;
          dropoff: { cells: string[] }[];
        };
        expect(counts.stats).toEqual({
          started: '12',
          completed: '6',
          screened: 'fewer than 5',
          declined: '0',
          rate: '50%',
        });
        expect(counts.dropoff.find((row) => row.cells[1]?.endsWith('(p2)'))?.cells.slice(2)).toEqual([
          '9',
          '75%',
        ]);
      });

      it('suppresses group comparisons involving a group smaller than k (a group of 3)', async () => {
        const id = await createStudy({ title: 'Analysis', instruments: ['bace3'], acknowledge: ['bace3'] });
        await post(`/studies/${id}/edit/questions`, YEAR);
        await post(`/studies/${id}/launch`, { confirmed: '1' });

        await seedResponses(id, [[1, 3]]);
        let r = await get(`/studies/${id}/analysis`);
        expect(r.body).toContain(
          '3 responses so far. The analysis is shown once at least k = 5 respondents have answered',
        );
        const early = await get(`/studies/${id}/analysis/report.docx`);
        expect(early.statusCode).toBe(409);
        expect(early.body).toContain('at least 5 respondents');

        await seedResponses(id, [[2, 10]]);
        r = await get(`/studies/${id}/analysis?group=year`);
        expect(r.statusCode).toBe(200);
        expect(r.body).toContain(
          'Comparisons by year of study are not shown: at least one group has fewer than 5 respondents',
        );
        // The sample table hides the small cell and the complementary one.
        expect(r.body).toMatch(/First year<\/th><td class="r nc">suppressed<\/td>/);
        expect(r.body).toMatch(/Second year<\/th><td class="r nc">suppressed<\/td>/);
        // No count of 3 anywhere in the sample table (the item tables show medians and quartiles, which may be 3).
        const sample = /id="table-sample"[^>]*>[\s\S]*?<\/table>/.exec(r.body)?.[0] ?? '';
        expect(sample).toContain('First year');
        expect(sample).not.toMatch(/>3<\/td>/);
        // The group picker lists the single-choice question, ticked.
        expect(r.body).toMatch(/name="group" value="year" checked/);

        // With both groups at k or more, the comparison is shown.
        await seedResponses(id, [[1, 2]]);
        r = await get(`/studies/${id}/analysis?group=year`);
        expect(r.body).not.toContain('are not shown: at least one group');
        expect(r.body).toContain('Welch');
        expect(r.body).toContain('<svg');

        const dl = await get(`/studies/${id}/analysis/report.html?group=year`);
        expect(dl.headers['content-disposition']).toBe(`attachment; filename="study-${id}-report.html"`);
        expect(dl.body).toMatch(/^<!DOCTYPE html>/);
        expect(r.body).toContain(`href="/studies/${id}/analysis/report.docx?group=year"`);
        const word = await get(`/studies/${id}/analysis/report.docx?group=year`);
        expect(word.statusCode).toBe(200);
        expect(word.headers['content-disposition']).toBe(`attachment; filename="study-${id}-report.docx"`);
        const paragraphs = docxParagraphs(new Uint8Array(word.rawPayload)).paragraphs;
        expect(paragraphs).toContain('Table 1');
        expect(paragraphs).toContain('Methods');
        expect(paragraphs).toContain(`Scores by year of study`);
        expect((await get(`/studies/${id}/audit`)).body).toContain('report.docx');
      });
    });
  });
}
