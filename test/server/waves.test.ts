/**
 * Follow-up waves over HTTP (issue 14), on SQLite and PostgreSQL (NABZ_TEST_PG_URL): the owner makes a wave
 * from the screening study's volunteers, sends it, each volunteer answers through a personal wave link; the
 * response stores a panel id (a keyed hash of the volunteer's code: never the code, never a contact); a second
 * submission with the same link is refused; the paired export joins pre and post by panel id and the paired
 * comparison runs; a volunteer's withdrawal deletes their wave responses (audited).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerPhq9, followUpStudy } from './followUpHelpers.js';
import {
  createStudy,
  FormBrowser,
  type SignedIn,
  serverBackends,
  studioClient,
  type TestApp,
  testApp,
} from './helpers.js';

/** Answer a wave through a personal wave link: consent, PHQ-9 items at `v`, submit. */
async function answerWave(b: FormBrowser, waveToken: string, code: string, v: number): Promise<void> {
  await b.get(`/s/${waveToken}?w=${code}&lang=en`);
  expect(b.status).toBe(200);
  expect(b.html).toContain('confidential, not anonymous');
  await b.submit({}, { name: '_consent', value: 'agree' });
  for (let step = 0; step < 5 && b.page() !== 'review'; step++) {
    const fields: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      if (b.html.includes(`name="phq9_${i}"`)) fields[`phq9_${i}`] = String(i === 10 ? 0 : v);
    await b.submit(fields);
  }
  expect(b.page()).toBe('review');
  await b.submit({}, { name: '_nav', value: 'submit' });
}

for (const backend of serverBackends()) {
  describe(`follow-up waves (${backend.name})`, () => {
    let t: TestApp;
    let owner: SignedIn;
    let parentId: number;
    let parentToken: string;
    const contacts = ['a@example.org', 'b@example.org', 'c@example.org', 'd@example.org'];
    beforeAll(async () => {
      t = await testApp({ backend, config: { submitRateLimitPerMinute: 10_000 } });
      const o = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
      const s = await createStudy(t.store, { ownerId: o.id, definition: followUpStudy() });
      await t.store.studies.setSettings({ studyId: s.id, minCellSize: 2 });
      owner = await t.signIn(o.email, o.password);
      parentId = s.id;
      parentToken = s.publicToken;
      for (const email of contacts) {
        const b = new FormBrowser(t.app);
        await answerPhq9(b, parentToken, 2);
        await b.get(`/s/${parentToken}/volunteer?lang=en`);
        await b.submit({ email, agree: '1' });
        expect(b.status).toBe(200);
      }
    });
    afterAll(() => t.close());

    const codeOf = async (email: string) => {
      const v = (await t.store.volunteers.list(parentId)).volunteers.find((x) => x.contact.email === email);
      if (!v) throw new Error(`no volunteer ${email}`);
      return v.code;
    };

    it('makes waves, sends them with personal links, stores a panel id, refuses a second submission, pairs pre and post', async () => {
      const c = studioClient(t, owner);
      expect((await c.post(`/studies/${parentId}/waves`, { label: 'pre' })).statusCode).toBe(303);
      expect((await c.post(`/studies/${parentId}/waves`, { label: 'post' })).statusCode).toBe(303);
      const dup = await c.post(`/studies/${parentId}/waves`, { label: 'Pre' });
      expect(dup.statusCode).toBe(400);
      expect(dup.body).toContain('has a wave called');
      const [pre, post] = await t.store.studies.waves(parentId);
      if (!pre || !post) throw new Error('two waves expected');
      expect([pre.waveLabel, post.waveLabel, pre.waveOf]).toEqual(['pre', 'post', parentId]);
      expect(pre.definition.followUp).toBeUndefined();
      expect(pre.definition.collection?.consent?.text.en).toContain('confidential, not anonymous');
      for (const w of [pre, post]) await t.store.studies.setStatus({ studyId: w.id, status: 'open' });

      // Without a personal link, or with a link the wave was not sent to: refused, nothing stored.
      const anon = new FormBrowser(t.app);
      await anon.get(`/s/${pre.publicToken}?lang=en`);
      expect(anon.status).toBe(403);
      expect(anon.html).toContain('This follow-up is by personal link');
      const early = new FormBrowser(t.app);
      await early.get(`/s/${pre.publicToken}?w=${await codeOf(contacts[0] ?? '')}&lang=en`);
      expect(early.status).toBe(409);

      // Send "pre" to all, "post" too; the page lists each volunteer's wave link.
      const sent = await c.post(`/studies/${parentId}/waves/${pre.id}/send`, { status: 'all', message: '' });
      expect(sent.statusCode).toBe(303);
      const listing = await c.get(sent.headers.location as string);
      const codeA = await codeOf(contacts[0] ?? '');
      expect(listing.body).toContain(`http://localhost:3000/s/${pre.publicToken}?w=${codeA}`);
      expect(listing.body).toContain('4 volunteers were sent this wave');
      expect(
        (await c.post(`/studies/${parentId}/waves/${post.id}/send`, { status: 'all', message: '' }))
          .statusCode,
      ).toBe(303);
      const none = await c.post(`/studies/${parentId}/waves/${post.id}/send`, {
        status: 'attended',
        message: '',
      });
      expect(none.statusCode).toBe(400);

      // Four volunteers answer pre (PHQ-9 items at 2: total 18); post: 9 and 0 (and 9 for the third, below).
      const codes = await Promise.all(contacts.map(codeOf));
      for (const code of codes) await answerWave(new FormBrowser(t.app), pre.publicToken, code, 2);
      await answerWave(new FormBrowser(t.app), post.publicToken, codes[0] ?? '', 1);
      await answerWave(new FormBrowser(t.app), post.publicToken, codes[1] ?? '', 0);
      const stored = [];
      for await (const r of t.store.responses.iterate(pre.id)) stored.push(r);
      expect(stored).toHaveLength(4);
      for (const r of stored) {
        expect(r.panelId).toMatch(/^[0-9a-f]{32}$/);
        expect(codes).not.toContain(r.panelId);
      }
      expect(new Set(stored.map((r) => r.panelId)).size).toBe(4);

      // The same link again: the start page says it was answered; a session started before is refused at submit.
      const again = new FormBrowser(t.app);
      await again.get(`/s/${pre.publicToken}?w=${codes[0]}&lang=en`);
      expect(again.status).toBe(409);
      expect(again.html).toContain('You have answered this follow-up');
      const twice = new FormBrowser(t.app);
      await twice.get(`/s/${post.publicToken}?w=${codes[2]}&lang=en`);
      await twice.submit({}, { name: '_consent', value: 'agree' });
      // Meanwhile the same link answers the wave in another browser: the first session's submit is refused.
      await answerWave(new FormBrowser(t.app), post.publicToken, codes[2] ?? '', 1);
      for (let step = 0; step < 5 && twice.page() !== 'review'; step++) {
        const fields: Record<string, string> = {};
        for (let i = 1; i <= 10; i++) if (twice.html.includes(`name="phq9_${i}"`)) fields[`phq9_${i}`] = '3';
        await twice.submit(fields);
      }
      await twice.submit({}, { name: '_nav', value: 'submit' });
      expect(twice.status).toBe(409);
      expect(twice.html).toContain('You have answered this follow-up');
      expect(await t.store.responses.count(post.id)).toBe(3);

      // The wave's export carries panel_id; the paired export joins pre and post per panel id.
      const exp = await c.post(`/studies/${pre.id}/exports`, {
        format: 'csv',
        labels: 'codes',
        missing: 'empty',
      });
      expect(exp.statusCode).toBe(200);
      expect(exp.body.split('\r\n')[0]).toContain('panel_id');
      const paired = await c.get(`/studies/${parentId}/waves/paired.csv`);
      expect(paired.statusCode).toBe(200);
      const [header, ...rows] = paired.body.trim().split('\r\n');
      expect(header).toBe('panel_id,phq9_total_pre,phq9_total_band_pre,phq9_total_post,phq9_total_band_post');
      expect(rows).toHaveLength(4);
      expect(rows.map((r) => r.split(',').slice(1).join(',')).sort()).toEqual([
        '18,4,,',
        '18,4,0,1',
        '18,4,9,2',
        '18,4,9,2',
      ]);
      // The panel ids are those of the stored responses.
      expect(rows.map((r) => r.split(',')[0]).sort()).toEqual(stored.map((r) => r.panelId).sort());
      // No code or contact in any wave export (CSV, scored CSV, .sav, codebook) nor in the paired export.
      const bodies = [exp.body, paired.body];
      for (const format of ['scored', 'sav', 'codebook_csv']) {
        const x = await c.post(`/studies/${pre.id}/exports`, { format, labels: 'codes', missing: 'empty' });
        expect(x.statusCode).toBe(200);
        bodies.push(x.rawPayload.toString('latin1'));
      }
      for (const body of bodies)
        for (const secret of [...codes, ...contacts]) {
          expect(body).not.toContain(secret);
          expect(body.toLowerCase()).not.toContain(secret.toLowerCase());
        }

      // The JSON API takes no wave link: a submission to a wave through it is refused, nothing stored.
      const phq = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`phq9_${i + 1}`, 1]));
      const api = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${pre.publicToken}/responses`,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'a1b2c3d4-0000-4000-8000-000000000009',
        },
        payload: JSON.stringify({ answers: phq, consent: { agreed: true, version: 1 } }),
      });
      expect(api.statusCode).toBe(403);
      expect(api.json()).toMatchObject({ code: 'wave_link_required' });
      expect(await t.store.responses.count(pre.id)).toBe(4);

      // The paired comparison over the three pairs: changes -9, -18, -9 → mean -12, t(2) = -4; R
      // t.test(c(9, 0, 9), c(18, 18, 18), paired = TRUE): p = 0.05719, 95% CI [-24.9079582, 0.9079582].
      // Beside it the signed-rank test: no rise, so V = 0; |changes| 9, 18, 9 tie, so the normal approximation:
      // R wilcox.test(c(9, 0, 9), c(18, 18, 18), paired = TRUE): V = 0, p = 0.1735682.
      const cmp = await c.get(`/studies/${parentId}/waves?a=${pre.id}&b=${post.id}`);
      expect(cmp.body).toContain(
        '<td>phq9_total</td><td>3</td><td>18.00</td><td>6.00</td><td>-12.00 [-24.91, 0.91]</td><td>t(2) = -4.00</td><td>.057</td><td>V = 0</td><td>.174</td></tr>',
      );
      expect(cmp.body).toContain('<th>Wilcoxon V</th><th>p</th>');
      expect(cmp.body).toContain('wilcox.test(x, y, paired = TRUE)');
      // The wave's analysis says, in its methods, that the data are confidential, not anonymous.
      const analysis = await c.get(`/studies/${pre.id}/analysis`);
      expect(analysis.statusCode).toBe(200);
      expect(analysis.body).toContain('follow-up wave of a screening survey');
      expect(analysis.body).toContain('confidential, not anonymous');
      // Below k pairs: suppressed.
      await t.store.studies.setSettings({ studyId: parentId, minCellSize: 4 });
      const few = await c.get(`/studies/${parentId}/waves`);
      expect(few.body).toContain(
        '<td>phq9_total</td><td>3</td><td colspan="7" class="muted">fewer than k = 4 volunteers answered both waves: not shown</td>',
      );
      expect(few.body).not.toContain('V = 0');
      await t.store.studies.setSettings({ studyId: parentId, minCellSize: 2 });
    });

    it("deletes a withdrawing volunteer's wave responses, audited", async () => {
      const [pre, post] = await t.store.studies.waves(parentId);
      if (!pre || !post) throw new Error('two waves expected');
      const code = await codeOf(contacts[0] ?? '');
      const b = new FormBrowser(t.app);
      await b.get(`/s/${parentToken}/v/${code}`);
      await b.submit({}, { name: 'withdraw', value: '1' });
      expect(await t.store.responses.count(pre.id)).toBe(3);
      expect(await t.store.responses.count(post.id)).toBe(2);
      const audit = await t.store.audit.listForStudy(parentId, { action: 'wave.withdraw' });
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(code);
      // The link no longer opens the wave.
      const again = new FormBrowser(t.app);
      await again.get(`/s/${pre.publicToken}?w=${code}&lang=en`);
      expect(again.status).toBe(409);

      // A volunteer whose details the owner deleted can still withdraw their wave answers with the link.
      const other = await codeOf(contacts[1] ?? '');
      const vid = (await t.store.volunteers.list(parentId)).volunteers.find(
        (v) => v.code === other,
      )?.codeHash;
      const c = studioClient(t, owner);
      expect((await c.post(`/studies/${parentId}/volunteers/${vid}/delete`, {})).statusCode).toBe(303);
      const p = new FormBrowser(t.app);
      await p.get(`/s/${parentToken}/v/${other}`);
      expect(p.status).toBe(200);
      await p.submit({}, { name: 'withdraw', value: '1' });
      expect(p.status).toBe(404);
      expect(await t.store.responses.count(pre.id)).toBe(2);
      expect(await t.store.responses.count(post.id)).toBe(1);
      expect(await t.store.audit.listForStudy(parentId, { action: 'wave.withdraw' })).toHaveLength(2);
    });
  });
}
