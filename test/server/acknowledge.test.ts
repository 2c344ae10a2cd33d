/**
 * Acknowledgement semantics: a response is answered 201 exactly when it is stored. The PostgreSQL read-only
 * fault test once saw a 503 ("nothing was saved") for a stored response: the insert committed on a connection
 * that had not yet reloaded `default_transaction_read_only`, then the respondent's referral link — written
 * after the insert, in its own transaction — hit a connection that had, and its error became the request's
 * 503; the retry found the stored response (a duplicate), so the test's count and its expected 201 failed.
 * Here the same sequence is made deterministic: the referral-link table refuses writes with the database's own
 * read-only error (a trigger), the response table does not. In process, on SQLite and (NABZ_TEST_PG_URL)
 * PostgreSQL.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baceAnswers } from '../faults/helpers.js';
import {
  baceStudyDefinition,
  countRows,
  createStudy,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

for (const backend of serverBackends()) {
  describe(`acknowledgement (${backend.name})`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await testApp({ backend });
    });
    afterEach(async () => {
      await t.close();
    });

    /** Make every insert into referral_links fail as a read-only database fails (SQLite's message, PG's 25006). */
    async function referralLinksReadOnly(): Promise<void> {
      if (backend.name === 'sqlite') {
        await sql`CREATE TRIGGER referral_links_read_only BEFORE INSERT ON referral_links
          BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END`.execute(t.store.db);
      } else {
        await sql`CREATE FUNCTION referral_links_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'cannot execute INSERT in a read-only transaction' USING ERRCODE = '25006'; END $$`.execute(
          t.store.db,
        );
        await sql`CREATE TRIGGER referral_links_read_only BEFORE INSERT ON referral_links
          FOR EACH ROW EXECUTE FUNCTION referral_links_read_only()`.execute(t.store.db);
      }
    }

    it('a response stored just before the database turns read-only is acknowledged (201), never answered 503', async () => {
      const owner = await t.createUser();
      const study = await createStudy(t.store, { ownerId: owner.id, definition: baceStudyDefinition() });
      const submit = (key: string) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${study.publicToken}/responses`,
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          payload: JSON.stringify({ answers: baceAnswers(1), consent: { agreed: true, version: 2 } }),
        });
      // Before the fault: stored with a referral link.
      const before = await submit('acknowledge-0001');
      expect(before.statusCode, before.body).toBe(201);
      expect(before.json().referralLink).toMatch(/\?r=/);
      await referralLinksReadOnly();
      const links = await countRows(t.store, 'referral_links');
      // The response commits, its link cannot be written: 201 without a link (it was a 503 "nothing was saved").
      const res = await submit('acknowledge-0002');
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().referralLink).toBeUndefined();
      expect(await countRows(t.store, 'responses')).toBe(2);
      expect(await countRows(t.store, 'referral_links')).toBe(links);
      // The retry a client makes after any answer is the duplicate of the acknowledged response.
      const retry = await submit('acknowledge-0002');
      expect(retry.statusCode, retry.body).toBe(200);
      expect(retry.json().id).toBe(res.json().id);
      expect(await countRows(t.store, 'responses')).toBe(2);
    });
  });
}
