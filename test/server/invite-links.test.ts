/**
 * Issue 12, finding 2: padding a small group over k with fake anonymous responses. On an open study anyone with
 * the link can add responses of known answers (the attack works; the burst detector flags it). On an
 * invitation-only study each response needs an unused single-use invitation link: fakes without one, and a
 * second response with a used one, are refused and nothing is stored; a double tap gives one response; and
 * nothing in the database links an invitation to the response it started.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flaggedPositions } from '../../src/core/privacy/bursts.js';
import type { Answers } from '../../src/core/response/answer.js';
import {
  countRows,
  createStudy,
  FormBrowser,
  phq9StudyDefinition,
  type SignedIn,
  serverBackends,
  studioClient,
  type TestApp,
  testApp,
} from './helpers.js';

/** PHQ-9 answers as the API takes them; `seed` varies them. */
function phq(seed: number): Record<string, number> {
  const a: Record<string, number> = { phq9_10: 1 };
  for (let i = 1; i <= 9; i++) a[`phq9_${i}`] = (i * 7 + seed) % 4;
  return a;
}

/** `phq(seed)` as stored answers (what the engine makes of the API body), for inserts straight into the store. */
function phqAnswers(seed: number): Answers {
  return Object.fromEntries(
    Object.entries(phq(seed)).map(([k, value]) => [k, { kind: 'value', value } as const]),
  );
}

/** The rows of the CSV the studio gives (label,link), BOM and header removed. */
function csvRows(body: string): { label: string; link: string }[] {
  const lines = body
    .replace(/^\ufeff/, '')
    .trim()
    .split('\r\n');
  expect(lines[0]).toBe('label,link');
  return lines.slice(1).map((l) => {
    const at = l.lastIndexOf(',');
    return { label: l.slice(0, at), link: l.slice(at + 1) };
  });
}

const tokenOf = (link: string) => new URL(link).searchParams.get('i') as string;

for (const backend of serverBackends()) {
  describe(`invitation-only studies (${backend.name})`, () => {
    let t: TestApp;
    let ownerId: number;
    let owner: SignedIn;
    beforeEach(async () => {
      t = await testApp({ backend });
      const u = await t.createUser({ email: 'owner@example.org' });
      ownerId = u.id;
      owner = await t.signIn(u.email, u.password);
    });
    afterEach(async () => {
      await t.close();
    });

    const post = (token: string, body: unknown, key: string, invitation?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${token}/responses`,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          ...(invitation !== undefined ? { 'nabz-invitation': invitation } : {}),
        },
        payload: JSON.stringify(body),
      });

    /** An invitation-only PHQ-9 study with `labels.length` links made in the studio (CSV). */
    async function invitationStudy(labels: readonly string[]) {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const c = studioClient(t, owner);
      const mode = await c.post(`/studies/${study.id}/invite-links/mode`, { mode: 'invitation' });
      expect(mode.statusCode, mode.body).toBe(303);
      const made = await c.post(`/studies/${study.id}/invite-links`, {
        labels: labels.join('\n'),
        format: 'csv',
      });
      expect(made.statusCode, made.body).toBe(200);
      expect(made.headers['content-type']).toMatch(/^text\/csv/);
      const rows = csvRows(made.body);
      expect(rows.map((r) => r.label)).toEqual(labels);
      return { study, c, rows, tokens: rows.map((r) => tokenOf(r.link)) };
    }

    it('an open study: five fake responses lift a group of one over k (the attack works), and the burst is flagged', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      expect((await post(study.publicToken, { answers: phq(1) }, 'victim-key-000')).statusCode).toBe(201);
      const fake = phq(2);
      for (let i = 0; i < 4; i++)
        expect((await post(study.publicToken, { answers: fake }, `fake-key-${i}-000`)).statusCode).toBe(201);
      const stored = await t.store.responses.list(study.id);
      expect(stored).toHaveLength(5); // k = 5 reached with one real respondent
      // h6's defence on open links: the near-identical fakes are flagged (from the third one on).
      const flagged = flaggedPositions(stored.map((r) => r.answers));
      expect(flagged.length).toBeGreaterThan(0);
      expect(flagged).not.toContain(0);
    });

    it('an invitation-only study refuses fakes without a valid unused invitation, and a reused one; nothing is stored', async () => {
      const { study, c, tokens } = await invitationStudy(['Ayesha', 'Bilal', 'Chand']);
      // The public link alone: a kind page, and the API refuses.
      const page = await t.app.inject({ method: 'GET', url: `/s/${study.publicToken}` });
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('This study is by invitation');
      expect(page.body).not.toContain('phq9_1');
      const none = await post(study.publicToken, { answers: phq(2) }, 'fake-key-0000');
      expect(none.statusCode).toBe(403);
      expect(none.json().code).toBe('invitation_required');
      expect(none.json().error).toMatch(/invitation links only/);
      const forged = await post(study.publicToken, { answers: phq(2) }, 'fake-key-0001', 'A'.repeat(22));
      expect(forged.statusCode).toBe(409);
      expect(forged.json().code).toBe('invitation_invalid');
      const malformed = await post(study.publicToken, { answers: phq(2) }, 'fake-key-0002', 'no!');
      expect(malformed.statusCode).toBe(400);
      // A token of another study is not valid here.
      const other = await invitationStudy(['X']);
      const crossed = await post(study.publicToken, { answers: phq(2) }, 'fake-key-0003', other.tokens[0]);
      expect(crossed.statusCode).toBe(409);
      expect(await t.store.responses.count(study.id)).toBe(0);
      expect(await countRows(t.store, 'progress_counters')).toBe(0);

      // The real invitee answers; a retry of the same response is answered as a duplicate.
      const real = await post(study.publicToken, { answers: phq(1) }, 'real-key-0000', tokens[0]);
      expect(real.statusCode, real.body).toBe(201);
      const retry = await post(study.publicToken, { answers: phq(1) }, 'real-key-0000', tokens[0]);
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ id: real.json().id, duplicate: true });
      // Padding with the used link: refused, whatever the key.
      for (let i = 0; i < 4; i++) {
        const r = await post(study.publicToken, { answers: phq(2) }, `pad-key-${i}-0000`, tokens[0]);
        expect(r.statusCode).toBe(409);
        expect(r.json().code).toBe('invitation_invalid');
      }
      // The same key with other answers is still a conflict, never another response.
      expect(
        (await post(study.publicToken, { answers: phq(2) }, 'real-key-0000', tokens[0])).statusCode,
      ).toBe(409);
      expect(await t.store.responses.count(study.id)).toBe(1);
      // ?i= in the URL works as the header does.
      const viaUrl = await t.app.inject({
        method: 'POST',
        url: `/api/v1/s/${study.publicToken}/responses?i=${tokens[1]}`,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'url-key-00000' },
        payload: JSON.stringify({ answers: phq(3) }),
      });
      expect(viaUrl.statusCode, viaUrl.body).toBe(201);

      // Revoke the last unused link: it is refused from then on; the counts add up.
      const revoke = await c.post(`/studies/${study.id}/invite-links/revoke`, {
        links: `http://localhost:3000/s/${study.publicToken}?i=${tokens[2]}`,
      });
      expect(revoke.statusCode, revoke.body).toBe(303);
      expect(
        (await post(study.publicToken, { answers: phq(4) }, 'late-key-0000', tokens[2])).statusCode,
      ).toBe(409);
      expect(await t.store.inviteLinks.counts(study.id)).toEqual({ made: 3, used: 2, revoked: 1, unused: 0 });
      const share = await c.get(`/studies/${study.id}/share`);
      expect(share.body).toContain('3 made, 2 used, 1 revoked, 0 unused');
      // Back to an open link: the public link accepts responses again.
      await c.post(`/studies/${study.id}/invite-links/mode`, { mode: 'open' });
      expect((await post(study.publicToken, { answers: phq(5) }, 'open-key-00000')).statusCode).toBe(201);
    });

    it('one invitation gives one response under concurrency (parallel submissions with different keys)', async () => {
      const { study, tokens } = await invitationStudy(['A', 'B']);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(study.publicToken, { answers: phq(i) }, `race-key-${i}-0000`, tokens[0]),
        ),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes.filter((s) => s === 201)).toHaveLength(1);
      expect(codes.filter((s) => s === 409)).toHaveLength(11);
      expect(await t.store.responses.count(study.id)).toBe(1);
      // Straight into the store: many inserts with one invitation hash in one group-commit batch and alone.
      const hash = (
        await t.store.db
          .selectFrom('invite_links')
          .select('token_hash')
          .where('study_id', '=', study.id)
          .execute()
      )[0]!.token_hash;
      const direct = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.store.responses.insert({
            studyId: study.id,
            idempotencyKey: `direct-${i}`,
            answers: phqAnswers(i),
            language: 'en',
            invitationHash: hash,
          }),
        ),
      );
      expect(direct.filter((r) => r.ok)).toHaveLength(1);
      expect(direct.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code))).toEqual(
        Array(9).fill('invitation_invalid'),
      );
      expect(await t.store.responses.count(study.id)).toBe(2);
      // A repeat key with a fresh invitation does not use the invitation up.
      const again = await t.store.responses.insert({
        studyId: study.id,
        idempotencyKey: 'direct-0',
        answers: phqAnswers(0),
        language: 'en',
        invitationHash: hash,
      });
      expect(again.ok).toBe(true);
      expect(await t.store.inviteLinks.counts(study.id)).toMatchObject({ used: 2, unused: 0 });
    });

    it('the form: ?i= starts a response, a resume code keeps the invitation, a double tap gives one response, the link is then used up', async () => {
      const { study, tokens } = await invitationStudy(['Ayesha', 'Bilal']);
      const url = `/s/${study.publicToken}`;
      const b = new FormBrowser(t.app);
      await b.get(`${url}?i=${tokens[0]}`);
      expect(b.status).toBe(200);
      expect(b.hidden()._i).toBe(tokens[0]);
      // Save on the first page and resume in another browser.
      await b.submit({ phq9_1: '1' }, { name: '_nav', value: 'save' });
      const code = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(b.html)?.[1];
      expect(code).toBeTruthy();
      const r = new FormBrowser(t.app);
      await r.get(`${url}/resume`);
      await r.submit({ code: code as string });
      expect(r.status).toBe(200);
      const answers: Record<string, string> = { phq9_10: '1' };
      for (let i = 1; i <= 9; i++) answers[`phq9_${i}`] = '1';
      for (let step = 0; step < 5 && r.page() !== 'review'; step++)
        await r.submit(
          Object.fromEntries(Object.entries(answers).filter(([k]) => r.html.includes(`name="${k}"`))),
        );
      expect(r.page()).toBe('review');
      const review = r.html;
      await r.submit({}, { name: '_nav', value: 'submit' });
      expect(r.html).toMatch(/Thank you/i);
      r.html = review; // double tap
      await r.submit({}, { name: '_nav', value: 'submit' });
      expect(r.html).toMatch(/Thank you/i);
      expect(await t.store.responses.count(study.id)).toBe(1);
      // The used link now shows the kind page, on GET and on a form started before it was used.
      const again = new FormBrowser(t.app);
      await again.get(`${url}?i=${tokens[0]}`);
      expect(again.status).toBe(409);
      expect(again.html).toContain('cannot be used');
      // Two tabs with the second link: the first submit wins, the other tab gets the kind page.
      const tab1 = new FormBrowser(t.app);
      const tab2 = new FormBrowser(t.app);
      for (const tab of [tab1, tab2]) {
        await tab.get(`${url}?i=${tokens[1]}`);
        for (let step = 0; step < 5 && tab.page() !== 'review'; step++)
          await tab.submit(
            Object.fromEntries(Object.entries(answers).filter(([k]) => tab.html.includes(`name="${k}"`))),
          );
        expect(tab.page()).toBe('review');
      }
      await tab1.submit({}, { name: '_nav', value: 'submit' });
      expect(tab1.html).toMatch(/Thank you/i);
      await tab2.submit({}, { name: '_nav', value: 'submit' });
      expect(tab2.status).toBe(409);
      expect(tab2.html).toContain('cannot be used');
      expect(await t.store.responses.count(study.id)).toBe(2);
    });

    it('the printable slips: one link and QR code per label', async () => {
      const study = await createStudy(t.store, { ownerId, definition: phq9StudyDefinition() });
      const c = studioClient(t, owner);
      // Links are made only for an invitation-only study, with a clear refusal otherwise.
      const early = await c.post(`/studies/${study.id}/invite-links`, { count: '2', format: 'print' });
      expect(early.statusCode).toBe(409);
      expect(early.body).toMatch(/invitation only/);
      await c.post(`/studies/${study.id}/invite-links/mode`, { mode: 'invitation' });
      const bad = await c.post(`/studies/${study.id}/invite-links`, { count: 'many', format: 'print' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toMatch(/whole number from 1 to 1000/);
      const slips = await c.post(`/studies/${study.id}/invite-links`, { count: '4', format: 'print' });
      expect(slips.statusCode).toBe(200);
      expect(slips.body.match(/class="slip"/g)).toHaveLength(4);
      expect(slips.body.match(/<svg role="img" aria-label="QR code for/g)).toHaveLength(4);
      const links = [...slips.body.matchAll(/<p class="link">([^<]+)<\/p>/g)].map((m) =>
        m[1]!.replace(/&amp;/g, '&'),
      );
      expect(new Set(links.map(tokenOf)).size).toBe(4);
      expect(await t.store.inviteLinks.counts(study.id)).toEqual({ made: 4, used: 0, revoked: 0, unused: 4 });
    });

    it('unlinkability scan: nothing in the database links an invitation (or its label) to a response', async () => {
      const labels = ['Ayesha Khan', 'Bilal Ahmed', 'Chand Bibi', 'Danish Ali', 'Erum Shah', 'Faisal Raza'];
      const { study, tokens } = await invitationStudy(labels);
      // Four of six answer, in an order unlike the roster's.
      for (const i of [3, 0, 5, 1]) {
        const r = await post(study.publicToken, { answers: phq(i) }, `scan-key-${i}-0000`, tokens[i]);
        expect(r.statusCode, r.body).toBe(201);
      }
      const hashes = await t.store.db.selectFrom('invite_links').selectAll().execute();
      // Only the two unused invitations remain, with no column but study, hash and day.
      expect(hashes).toHaveLength(2);
      for (const h of hashes) expect(Object.keys(h).sort()).toEqual(['created_on', 'study_id', 'token_hash']);
      // No token, label or invitation hash anywhere else in the database.
      // The store introspects its own schema only (other test files' databases run beside this one).
      const tables = await t.store.db.introspection.getTables();
      const dump: Record<string, string> = {};
      for (const table of tables) {
        if (table.name === 'invite_links') continue;
        dump[table.name] = JSON.stringify(
          await t.store.db
            .selectFrom(table.name as 'responses')
            .selectAll()
            .execute(),
        );
      }
      const all = Object.values(dump).join('\n');
      for (const needle of [...tokens, ...labels, ...hashes.map((h) => h.token_hash)])
        expect(all.includes(needle), needle).toBe(false);
      // No column anywhere refers to invitations.
      for (const table of tables)
        for (const col of table.columns)
          if (table.name !== 'invite_links') expect(col.name).not.toMatch(/invit.*(hash|token|id)/);
      if (backend.name === 'postgres') {
        // A used flag set by an UPDATE would leave a row version whose xmin is the response's transaction.
        const xmins = async (table: 'responses' | 'invite_links') =>
          new Set(
            (
              await sql<{ x: string }>`SELECT xmin::text AS x FROM ${sql.table(table)}`.execute(t.store.db)
            ).rows.map((r) => r.x),
          );
        const responsesX = await xmins('responses');
        for (const x of await xmins('invite_links')) expect(responsesX.has(x)).toBe(false);
      } else {
        // SQLite: no rowid, so no insertion order: the rows are kept in (study, hash) order.
        const ddl = await sql<{
          sql: string;
        }>`SELECT sql FROM sqlite_master WHERE name = 'invite_links'`.execute(t.store.db);
        expect(ddl.rows[0]?.sql).toMatch(/WITHOUT ROWID/);
      }
    });
  });
}
