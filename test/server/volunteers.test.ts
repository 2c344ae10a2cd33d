/**
 * Follow-up volunteers over HTTP (issue 14), on SQLite and PostgreSQL (NABZ_TEST_PG_URL): the end page offers
 * the separate volunteer page only to respondents the follow-up rule admits; the form refuses a missing or
 * malformed contact and a missing agreement (naming them, storing nothing); a volunteer gets a personal
 * link that can withdraw; nobody else can volunteer through the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { answerPhq9, followUpStudy } from './followUpHelpers.js';
import {
  createStudy,
  FormBrowser,
  form,
  type SignedIn,
  serverBackends,
  studioClient,
  type TestApp,
  testApp,
} from './helpers.js';

const volunteersOf = async (store: Store, studyId: number) => store.volunteers.list(studyId);

for (const backend of serverBackends()) {
  describe(`follow-up volunteers: respondent side (${backend.name})`, () => {
    let t: TestApp;
    let token: string;
    let studyId: number;
    beforeAll(async () => {
      t = await testApp({ backend, config: { submitRateLimitPerMinute: 10_000 } });
      const owner = await t.createUser();
      const s = await createStudy(t.store, { ownerId: owner.id, definition: followUpStudy() });
      await t.store.studies.setSettings({ studyId: s.id, minCellSize: 2 });
      token = s.publicToken;
      studyId = s.id;
    });
    afterAll(() => t.close());

    it('offers the volunteer page to an eligible respondent only', async () => {
      const no = new FormBrowser(t.app);
      await answerPhq9(no, token, 0); // 0: Minimal
      expect(no.html).not.toContain('/volunteer');
      await no.get(`/s/${token}/volunteer?lang=en`);
      expect(no.status).toBe(404);
      expect(no.html).toContain('Volunteering is not available');
      // Posting anyway stores nothing.
      await no.post(`/s/${token}/volunteer`, form({ _lang: 'en', email: 'sneaky@example.org', agree: '1' }));
      expect(await volunteersOf(t.store, studyId)).toEqual({ volunteers: [], waiting: 0 });

      const yes = new FormBrowser(t.app);
      await answerPhq9(yes, token, 2); // 18: Moderately severe
      expect(yes.html).toContain('Take part in a follow-up');
      const href = /<a class="vo" href="([^"]+)"/.exec(yes.html)?.[1]?.replace(/&amp;/g, '&');
      expect(href).toBe(`/s/${token}/volunteer?lang=en`);
    });

    it('refuses a missing contact, a malformed e-mail or phone and no agreement, naming each; stores nothing', async () => {
      const b = new FormBrowser(t.app);
      await answerPhq9(b, token, 2);
      await b.get(`/s/${token}/volunteer?lang=en`);
      expect(b.status).toBe(200);
      expect(b.html).toContain('A 60-minute focus group in March.');
      await b.submit({});
      expect(b.status).toBe(400);
      expect(b.html).toContain('Give an e-mail address or a phone number.');
      expect(b.html).toContain('Tick the box to agree to be contacted');
      await b.submit({ email: 'not-an-address', phone: '12', agree: '1' });
      expect(b.status).toBe(400);
      expect(b.html).toContain('Enter an e-mail address like name@example.com.');
      expect(b.html).toContain('Enter a phone number of 7 to 15 digits');
      // The typed values are not put in the URL.
      expect(b.url).not.toContain('not-an-address');
      expect(await volunteersOf(t.store, studyId)).toEqual({ volunteers: [], waiting: 0 });
    });

    it('stores a volunteer with the bands only, gives a personal link, and waits for k before showing them', async () => {
      const b = new FormBrowser(t.app);
      await answerPhq9(b, token, 2, 'ur');
      await b.get(`/s/${token}/volunteer?lang=ur`);
      expect(b.html).toContain('فالو اپ کے لیے رضاکار بنیں');
      await b.submit({ name: 'Ayesha', phone: '۰۳۰۰ ۱۲۳۴۵۶۷', agree: '1' });
      expect(b.status).toBe(200);
      const link = /<p dir="ltr"><a href="([^"]+)"/.exec(b.html)?.[1];
      expect(link).toMatch(new RegExp(`/s/${token}/v/[2-9A-Z]{16}$`));
      // A second sign-up from the same session is not stored.
      await b.post(`/s/${token}/volunteer`, form({ _lang: 'ur', email: 'again@example.org', agree: '1' }));
      expect(await volunteersOf(t.store, studyId)).toEqual({ volunteers: [], waiting: 1 });

      const c = new FormBrowser(t.app);
      await answerPhq9(c, token, 1); // 9: Mild — not eligible; then an eligible one
      const d = new FormBrowser(t.app);
      await answerPhq9(d, token, 2);
      await d.get(`/s/${token}/volunteer?lang=en`);
      await d.submit({ email: 'bilal@example.org', agree: '1' });
      const { volunteers, waiting } = await volunteersOf(t.store, studyId);
      expect(waiting).toBe(0);
      expect(
        volunteers.map((v) => v.contact).sort((x, y) => (x.name ?? '').localeCompare(y.name ?? '')),
      ).toEqual([{ email: 'bilal@example.org' }, { name: 'Ayesha', phone: '03001234567' }]);
      expect(volunteers.map((v) => v.bands)).toEqual([
        { phq9_total: 'Moderately severe' },
        { phq9_total: 'Moderately severe' },
      ]);

      // The personal link shows the status and withdraws.
      const path = new URL(link!).pathname;
      const p = new FormBrowser(t.app);
      await p.get(path);
      expect(p.html).toContain('You volunteered for the follow-up');
      await p.submit({}, { name: 'withdraw', value: '1' });
      expect(p.status).toBe(404);
      expect(p.html).toContain('There are no contact details under this link');
      expect((await volunteersOf(t.store, studyId)).volunteers.map((v) => v.contact.email)).toEqual([
        'bilal@example.org',
      ]);
    });
  });
}

/** Volunteer through the respondent pages: answer, follow the offer, leave a contact. */
async function volunteer(
  t: TestApp,
  token: string,
  answers: number | readonly number[],
  contact: Record<string, string>,
) {
  const b = new FormBrowser(t.app);
  await answerPhq9(b, token, answers);
  await b.get(`/s/${token}/volunteer?lang=en`);
  await b.submit({ ...contact, agree: '1' });
  expect(b.status).toBe(200);
  return b;
}

const MODERATE = [2, 2, 2, 2, 2, 0, 0, 0, 0]; // 10: Moderate

for (const backend of serverBackends()) {
  describe(`follow-up volunteers: owner side (${backend.name})`, () => {
    let t: TestApp;
    let owner: SignedIn;
    let analyst: SignedIn;
    let token: string;
    let studyId: number;
    /** Every line the server logs (at debug level: more than production writes). */
    const logLines: string[] = [];
    beforeAll(async () => {
      t = await testApp({
        backend,
        config: { submitRateLimitPerMinute: 10_000 },
        log: logLines,
        logLevel: 'debug',
      });
      const o = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
      const a = await t.createUser({ email: 'anwar@example.org', name: 'Anwar Analyst' });
      const s = await createStudy(t.store, { ownerId: o.id, definition: followUpStudy() });
      await t.store.roles.grant({ studyId: s.id, userId: a.id, role: 'analyst' });
      await t.store.studies.setSettings({ studyId: s.id, minCellSize: 2 });
      owner = await t.signIn(o.email, o.password);
      analyst = await t.signIn(a.email, a.password);
      token = s.publicToken;
      studyId = s.id;
    });
    afterAll(() => t.close());

    it('shows volunteers in batches of k with k-safe bands, invitation texts with personal links; owners only', async () => {
      const c = studioClient(t, owner);
      await volunteer(t, token, 2, { name: 'Ayesha', phone: '+92 300 1234567' });
      let page = await c.get(`/studies/${studyId}/volunteers`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('0 volunteers shown; 1 waiting until 2 have volunteered.');
      expect(page.body).not.toContain('Ayesha');
      await volunteer(t, token, MODERATE, { email: 'bilal@example.org' });
      page = await c.get(`/studies/${studyId}/volunteers`);
      expect(page.body).toContain('2 volunteers shown; 0 waiting');
      expect(page.body).toContain('Ayesha');
      expect(page.body).toContain('bilal@example.org');
      // Two bands in a batch of two: each is shared by fewer than k = 2, so neither is shown.
      expect(page.body.match(/withheld: fewer than k volunteers of this batch share them/g)).toHaveLength(2);
      expect(page.body).not.toContain('Moderately severe</b>');
      // The invitation text carries the personal link; WhatsApp and e-mail links carry the text.
      const link = new RegExp(`http://localhost:3000/s/${token}/v/[2-9A-Z]{16}`);
      expect(page.body).toMatch(link);
      expect(page.body).toContain('Hello Ayesha, thank you for volunteering');
      expect(page.body).toContain('href="https://wa.me/923001234567?text=Hello%20Ayesha');
      expect(page.body).toContain('href="mailto:bilal@example.org?subject=');
      const custom = await c.get(
        `/studies/${studyId}/volunteers?message=${encodeURIComponent('Dear {name}: group on 3 March, {link}')}`,
      );
      expect(custom.body).toContain('Dear Ayesha: group on 3 March, http://localhost:3000/s/');
      // Two more with the same band as Ayesha: a batch of two sharing it, so their bands show.
      await volunteer(t, token, 2, { email: 'c@example.org' });
      await volunteer(t, token, 2, { email: 'd@example.org' });
      page = await c.get(`/studies/${studyId}/volunteers`);
      expect(page.body.match(/PHQ-9 total \(depression severity\): <b>Moderately severe<\/b>/g)).toHaveLength(
        2,
      );
      expect((await t.store.audit.listForStudy(studyId, { action: 'volunteers.view' })).length).toBe(4);
      // Analysts (who can export the answers) never see contacts.
      const ac = studioClient(t, analyst);
      expect((await ac.get(`/studies/${studyId}/volunteers`)).statusCode).toBe(403);
    });

    it('tracks status (audited), makes an attending volunteer a qualitative participant with the bands, deletes on request', async () => {
      const c = studioClient(t, owner);
      const { volunteers } = await t.store.volunteers.list(studyId);
      const shownRow = volunteers.find((v) => v.contact.email === 'c@example.org')!;
      const vid = shownRow.codeHash;
      const bad = await c.post(`/studies/${studyId}/volunteers/${vid}/status`, { status: 'famous' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(
        'Status &quot;famous&quot; is not one of volunteered, invited, consented, attended, declined',
      );
      for (const status of ['invited', 'consented', 'attended'])
        expect((await c.post(`/studies/${studyId}/volunteers/${vid}/status`, { status })).statusCode).toBe(
          303,
        );
      const audit = await t.store.audit.listForStudy(studyId, { action: 'volunteer.status' });
      // Newest first.
      expect(audit.map((e) => (e.detail as { status: string }).status)).toEqual([
        'attended',
        'consented',
        'invited',
      ]);
      expect(JSON.stringify(audit)).not.toContain('c@example.org');

      // No qualitative project yet: refused, naming the way.
      const none = await c.post(`/studies/${studyId}/volunteers/${vid}/participant`, {});
      expect(none.statusCode).toBe(404);
      expect(none.body).toContain('no qualitative project yet');
      expect((await c.post(`/studies/${studyId}/qual`, { name: 'Focus groups' })).statusCode).toBe(303);
      expect((await c.post(`/studies/${studyId}/volunteers/${vid}/participant`, {})).statusCode).toBe(303);
      const project = (await t.store.qual.byStudy(studyId))!;
      const state = (await t.store.qual.state(project.id, { coderId: null }))!;
      const participants = state.entities.participant.map((p) => p.data);
      expect(participants).toHaveLength(1);
      expect(participants[0]).toMatchObject({
        pseudonym: 'P1',
        attributes: {
          'PHQ-9 total (depression severity) band': 'Moderately severe',
          'follow-up volunteer': true,
        },
      });
      expect((await t.store.volunteers.get(studyId, vid))?.participantId).toBe('P1');
      const again = await c.post(`/studies/${studyId}/volunteers/${vid}/participant`, {});
      expect(again.statusCode).toBe(409);
      // A volunteer whose bands are withheld becomes a participant without them.
      const bilal = volunteers.find((v) => v.contact.email === 'bilal@example.org')!;
      await c.post(`/studies/${studyId}/volunteers/${bilal.codeHash}/participant`, {});
      const state2 = (await t.store.qual.state(project.id, { coderId: null }))!;
      expect(
        state2.entities.participant.map((p) => p.data.attributes).find((a) => 'screening bands' in a),
      ).toEqual({
        'follow-up volunteer': true,
        'screening bands': 'withheld (fewer than k volunteers share them)',
      });

      // Deleted on request: audited, gone.
      expect((await c.post(`/studies/${studyId}/volunteers/${bilal.codeHash}/delete`, {})).statusCode).toBe(
        303,
      );
      expect(await t.store.volunteers.get(studyId, bilal.codeHash)).toBeUndefined();
      expect(await t.store.audit.listForStudy(studyId, { action: 'volunteer.delete' })).toHaveLength(1);
      expect((await c.post(`/studies/${studyId}/volunteers/${bilal.codeHash}/delete`, {})).statusCode).toBe(
        404,
      );
    });

    it("never puts a contact in the anonymous dataset, exports, the analyst's pages or the log; closing deletes them all", async () => {
      const needles = ['Ayesha', '923001234567', 'bilal@example.org', 'c@example.org'];
      const exportReq = (fields: Record<string, string>) => {
        const body = form({ ...fields, _csrf: owner.csrf });
        return t.app.inject({
          method: 'POST',
          url: `/studies/${studyId}/exports`,
          headers: { ...body.headers, cookie: owner.cookie },
          payload: body.payload,
        });
      };
      const outputs: { where: string; text: string }[] = [];
      for (const fields of [
        { format: 'csv', labels: 'codes', includeFreeText: 'on', includeScores: 'on' },
        { format: 'scored', includeFreeText: 'on' },
        { format: 'xlsx', includeFreeText: 'on' },
        { format: 'sav', includeFreeText: 'on' },
        { format: 'codebook' },
      ]) {
        const res = await exportReq(fields);
        expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
        outputs.push({ where: fields.format, text: res.rawPayload.toString('latin1') + res.body });
      }
      const ac = studioClient(t, analyst);
      for (const url of ['', '/analysis', '/progress', '/exports', '/dataset', '/qual/participants'])
        outputs.push({ where: `analyst ${url}`, text: (await ac.get(`/studies/${studyId}${url}`)).body });
      const rows = await t.store.db.selectFrom('responses').selectAll().execute();
      outputs.push({ where: 'responses table', text: JSON.stringify(rows) });
      outputs.push({ where: 'the server log', text: logLines.join('\n') });
      expect(logLines.length).toBeGreaterThan(10);
      for (const o of outputs)
        for (const n of needles) expect(o.text.includes(n), `${n} in ${o.where}`).toBe(false);

      const c = studioClient(t, owner);
      expect((await c.post(`/studies/${studyId}/close`, {})).statusCode).toBe(303);
      expect(await t.store.volunteers.list(studyId)).toEqual({ volunteers: [], waiting: 0 });
      expect((await c.get(`/studies/${studyId}/volunteers`)).body).toContain('0 volunteers shown; 0 waiting');
    });
  });
}
