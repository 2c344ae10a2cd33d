/**
 * Written consent for focus groups over HTTP (issue 14), on SQLite and (with NABZ_TEST_PG_URL) PostgreSQL:
 * consent form versions (owner), a signed form recorded per participant, the register page and CSV, the PDF
 * per participant read back with pdftotext (English and Urdu), bad input refused naming the field with
 * nothing stored, and withdrawal: the existing withdrawal deletes the participant's data and records itself
 * on the consent record and in the audit trail (the name signed with masked there).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { pdfText } from '../helpers/pdf.js';
import { formBody, serverBackends, type TestApp, testApp } from './helpers.js';

interface Browser {
  readonly cookie: string;
  readonly csrf: string;
}

const EN_TEXT =
  'I have read the information sheet for the Burnout focus group study, dated 1 November 2026.\n\n' +
  'I understand that taking part is voluntary and that I may withdraw at any time without giving a reason.';
const UR_TEXT =
  'میں نے برن آؤٹ فوکس گروپ کی تحقیق کی معلوماتی شیٹ پڑھ لی ہے۔\n\n' +
  'میں سمجھتا ہوں کہ شرکت رضاکارانہ ہے اور میں کسی بھی وقت PHQ 9 سمیت اپنی رضامندی واپس لے سکتا ہوں۔';

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');

for (const backend of serverBackends()) {
  describe(`written consent over HTTP on ${backend.name}`, () => {
    let t: TestApp;
    let app: FastifyInstance;
    let store: Store;
    let owner: Browser;
    let analyst: Browser;
    let viewer: Browser;
    let studyId: number;
    let base: string;

    const get = (url: string, who: Browser) =>
      app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
    const post = (url: string, fields: Record<string, string>, who: Browser) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, _csrf: who.csrf }),
      });
    const ok = (res: LightMyRequestResponse, status = 303) => {
      expect(res.statusCode, res.body.slice(0, 1500)).toBe(status);
      return res;
    };
    const doc = async () => (await store.qual.byStudy(studyId))!.doc;
    const participantId = async (pseudonym: string) => {
      const p = (await store.qual.byStudy(studyId))!;
      const state = (await store.qual.state(p.id, { coderId: null, all: true }))!;
      return state.entities.participant.find((x) => x.data.pseudonym === pseudonym)!.id;
    };

    beforeAll(async () => {
      t = await testApp({ backend });
      ({ app, store } = t);
      const o = await t.createUser({ email: 'owner@example.org', name: 'Dr Owner' });
      const a = await t.createUser({ email: 'analyst@example.org', name: 'Dr Analyst' });
      const v = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      studyId = (await store.studies.create({ title: 'Burnout focus group', ownerId: o.id, definition: {} }))
        .id;
      await store.roles.grant({ studyId, userId: a.id, role: 'analyst' });
      await store.roles.grant({ studyId, userId: v.id, role: 'viewer' });
      owner = await t.signIn(o.email);
      analyst = await t.signIn(a.email);
      viewer = await t.signIn(v.email);
      base = `/studies/${studyId}/qual`;
      ok(await post(base, { name: 'Burnout FGD' }, owner));
      for (const pseudonym of ['P1', 'P2', 'P3'])
        ok(await post(`${base}/participants`, { pseudonym, name: `Name of ${pseudonym}` }, owner));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('adds consent form versions (owner only), refusing a duplicate label, diacritics and a wrong language', async () => {
      const en = { version: 'v1.0 2026-11-01', language: 'en', title: 'Consent to take part', text: EN_TEXT };
      ok(await post(`${base}/consent/forms`, en, analyst), 403);
      ok(await post(`${base}/consent/forms`, en, owner));
      const dup = ok(await post(`${base}/consent/forms`, { ...en, text: 'Other words' }, owner), 400);
      expect(dup.body).toContain('Consent form version &quot;v1.0 2026-11-01&quot; exists already');
      const marks = ok(
        await post(`${base}/consent/forms`, { ...en, version: 'ur-x', language: 'ur', text: 'دِل' }, owner),
        400,
      );
      expect(marks.body).toContain('U+0650');
      const wrong = ok(
        await post(`${base}/consent/forms`, { ...en, version: 'x', text: UR_TEXT }, owner),
        400,
      );
      expect(wrong.body).toContain('choose Urdu');
      const badLang = ok(
        await post(`${base}/consent/forms`, { ...en, version: 'y', language: 'fr' }, owner),
        400,
      );
      expect(badLang.body).toContain('language');
      ok(
        await post(
          `${base}/consent/forms`,
          { version: 'v1.0-ur', language: 'ur', title: 'تحقیق میں شرکت کی رضامندی', text: UR_TEXT },
          owner,
        ),
      );
      const forms = (await doc()).consentForms;
      expect(forms.map((f) => f.version)).toEqual(['v1.0 2026-11-01', 'v1.0-ur']);
      expect(forms[0]!.text).toBe(EN_TEXT);
    });

    it('records signed forms; bad dates, unknown versions and duplicates are refused with nothing stored', async () => {
      const p1 = await participantId('P1');
      const p2 = await participantId('P2');
      const rec = {
        participant: p1,
        formVersion: 'v1.0 2026-11-01',
        signedOn: '2026-11-20',
        signedAs: 'A. K.',
        witness: 'Dr Witness',
        notes: 'Signed before the session',
      };
      ok(await post(`${base}/consent/records`, rec, viewer), 403);
      ok(await post(`${base}/consent/records`, rec, analyst));
      const again = ok(await post(`${base}/consent/records`, rec, owner), 400);
      expect(again.body).toContain('consent to version &quot;v1.0 2026-11-01&quot; is recorded already');
      for (const [change, message] of [
        [{ signedOn: '2026-02-30' }, 'Date signed &quot;2026-02-30&quot; is not a date'],
        [{ signedOn: '2999-01-01' }, 'is in the future'],
        [{ formVersion: 'v9' }, 'Consent form version &quot;v9&quot; does not exist'],
        [{ participant: 'p-nobody' }, 'Participant &quot;p-nobody&quot; does not exist'],
        [{ signedAs: '  ' }, 'name or initials'],
      ] as const) {
        const res = ok(
          await post(`${base}/consent/records`, { ...rec, participant: p2, ...change }, owner),
          400,
        );
        expect(res.body).toContain(message);
      }
      expect((await doc()).consents).toHaveLength(1);
      ok(
        await post(
          `${base}/consent/records`,
          {
            participant: p2,
            formVersion: 'v1.0-ur',
            signedOn: '2026-11-21',
            signedAs: 'عائشہ',
            witness: '',
            notes: '',
          },
          owner,
        ),
      );
      const consents = (await doc()).consents;
      expect(consents.map((c) => [c.pseudonym, c.formVersion, c.signedOn, c.signedAs, c.witness])).toEqual([
        ['P1', 'v1.0 2026-11-01', '2026-11-20', 'A. K.', 'Dr Witness'],
        ['P2', 'v1.0-ur', '2026-11-21', 'عائشہ', ''],
      ]);
      const page = ok(await get(`${base}/consent`, analyst), 200);
      expect(page.body).toContain('A. K.');
      expect(page.body).toContain(`${base}/consent/${consents[0]!.id}/pdf`);
      ok(await get(`${base}/consent`, viewer), 403);
      const participants = ok(await get(`${base}/participants`, owner), 200).body;
      expect(participants).toContain('v1.0 2026-11-01, signed 2026-11-20');
      expect(participants).toContain('no written consent recorded');
    });

    it('writes a PDF per participant with the consent text of that version and the recorded fields', async () => {
      const [en, ur] = (await doc()).consents;
      const res = ok(await get(`${base}/consent/${en!.id}/pdf`, owner), 200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(res.rawPayload);
      for (const s of [
        'Burnout focus group',
        'Consent to take part',
        'version v1.0 2026-11-01 (English)',
        'I understand that taking part is voluntary and that I may withdraw at any time without giving a reason.',
        'P1',
        'A. K.',
        '2026-11-20',
        'Dr Witness',
        'Signed before the session',
        'Dr Analyst',
        en!.id,
      ])
        expect(text).toContain(s);
      expect(text).not.toContain('Consent withdrawn');

      const urPdf = ok(await get(`${base}/consent/${ur!.id}/pdf`, owner), 200);
      const urText = pdfText(urPdf.rawPayload);
      // Every word of the Urdu text comes back, shaped glyphs mapped to the letters typed (ToUnicode).
      for (const w of [...words(UR_TEXT), ...words('تحقیق میں شرکت کی رضامندی'), 'عائشہ'])
        expect(urText).toContain(w);
      expect(urText).toContain('PHQ 9');
      ok(await get(`${base}/consent/consent-nothing/pdf`, owner), 404);
    });

    it('downloads the register as CSV', async () => {
      const res = ok(await get(`${base}/consent/register.csv`, analyst), 200);
      expect(res.headers['content-type']).toContain('text/csv');
      const lines = res.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(
        'Record,Participant,Form version,Language,Date signed,Signed as,Witness,Notes,Recorded at,Recorded by,Status,Withdrawal recorded at,Withdrawal recorded by,Withdrawal note',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(
        ',P1,v1.0 2026-11-01,en,2026-11-20,A. K.,Dr Witness,Signed before the session,',
      );
      expect(lines[1]).toContain(',Dr Analyst,consented,,,');
      expect(lines[2]).toContain(',P2,v1.0-ur,ur,2026-11-21,عائشہ,,,');
    });

    it('withdrawal deletes the participant and records itself on the consent record and in the audit trail', async () => {
      const p1 = await participantId('P1');
      ok(
        await post(
          `${base}/participants/${p1}/withdraw`,
          { confirm: '1', note: 'Phoned on 2026-12-01' },
          owner,
        ),
      );
      const p = (await store.qual.byStudy(studyId))!;
      const state = (await store.qual.state(p.id, { coderId: null, all: true }))!;
      expect(state.get('participant', p1)).toBeUndefined();
      const record = (await doc()).consents.find((c) => c.participantId === p1)!;
      expect(record.withdrawal).toMatchObject({
        by: expect.stringMatching(/^u\d+$/),
        note: 'Phoned on 2026-12-01',
      });
      const trail = await store.qual.auditTrail(p.id);
      const withdraw = trail.find((e) => e.action === 'consent.withdraw')!;
      expect(withdraw).toBeDefined();
      expect(JSON.stringify(withdraw.after)).toContain('Phoned on 2026-12-01');
      // The name signed with never enters the audit trail.
      expect(JSON.stringify(trail)).not.toContain('A. K.');
      expect(JSON.stringify(trail)).not.toContain('عائشہ');
      expect(trail.map((e) => e.action)).toEqual(
        expect.arrayContaining([
          'consent.form_add',
          'consent.record',
          'consent.pdf',
          'consent.register_export',
        ]),
      );
      const page = ok(await get(`${base}/consent`, owner), 200);
      expect(page.body).toContain('withdrawn');
      const text = pdfText(ok(await get(`${base}/consent/${record.id}/pdf`, owner), 200).rawPayload);
      expect(text).toContain('Consent withdrawn');
      expect(text).toContain('Phoned on 2026-12-01');
      const csv = ok(await get(`${base}/consent/register.csv`, owner), 200).body;
      expect(csv).toContain(',withdrawn,');
      // The participant is gone, so a new record for them is refused.
      const res = ok(
        await post(
          `${base}/consent/records`,
          {
            participant: p1,
            formVersion: 'v1.0 2026-11-01',
            signedOn: '2026-11-20',
            signedAs: 'A. K.',
            witness: '',
            notes: '',
          },
          owner,
        ),
        400,
      );
      expect(res.body).toContain('does not exist');
    });

    it('refuses to print a character its fonts lack (422 naming it) rather than print a box', async () => {
      ok(
        await post(
          `${base}/consent/forms`,
          { version: 'v2-emoji', language: 'en', title: 'Consent', text: 'I agree 🙂 to take part.' },
          owner,
        ),
      );
      const p3 = await participantId('P3');
      ok(
        await post(
          `${base}/consent/records`,
          {
            participant: p3,
            formVersion: 'v2-emoji',
            signedOn: '2026-11-22',
            signedAs: 'Z. Q.',
            witness: '',
            notes: '',
          },
          owner,
        ),
      );
      const record = (await doc()).consents.find((c) => c.participantId === p3)!;
      const res = ok(await get(`${base}/consent/${record.id}/pdf`, owner), 422);
      expect(res.body).toContain('U+1F642');
      expect(res.body).toContain('consent form text (version v2-emoji)');
    });
  });
}
