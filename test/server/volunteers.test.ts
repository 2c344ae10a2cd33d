/**
 * Follow-up volunteers over HTTP (issue 14), on SQLite and PostgreSQL (NABZ_TEST_PG_URL): the end page offers
 * the separate volunteer page only to respondents the follow-up rule admits; the form refuses a missing or
 * malformed contact and a missing agreement (naming them, storing nothing); a volunteer gets a personal
 * link that can withdraw; nobody else can volunteer through the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { createStudy, FormBrowser, form, serverBackends, type TestApp, testApp } from './helpers.js';

export function followUpStudy(): Record<string, unknown> {
  return {
    id: 'fu_screening',
    title: 'Burnout screening',
    languages: ['en', 'ur'],
    instruments: [{ instrument: 'phq9' }],
    followUp: {
      eligibleIf: 'band.phq9_total in ["Moderate", "Moderately severe"]',
      description: { en: 'A 60-minute focus group in March.', ur: 'مارچ میں ایک گھنٹے کی گروپ گفتگو۔' },
    },
  };
}

/** Answer the PHQ-9 study with every scored item at `v` (total 9v) and submit; the browser is on the end page. */
export async function answerPhq9(b: FormBrowser, token: string, v: number, lang = 'en'): Promise<void> {
  await b.get(`/s/${token}?lang=${lang}`);
  for (let step = 0; step < 5 && b.page() !== 'review'; step++) {
    const fields: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      if (b.html.includes(`name="phq9_${i}"`)) fields[`phq9_${i}`] = String(i === 10 ? 0 : v);
    await b.submit(fields);
  }
  expect(b.page()).toBe('review');
  await b.submit({}, { name: '_nav', value: 'submit' });
  expect(b.status).toBe(200);
}

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
