/**
 * Invitation and password reset links (migration 0011_account_links, src/store/accountLinks.ts) on every
 * backend: only the hash of the secret is stored, a link is used once even by concurrent requests, expired,
 * withdrawn and unknown links are refused with the reason, refused attempts revoke a link at the fifth, a new
 * reset link revokes the earlier ones, and links go with their study.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINK_FAILURES, type Store } from '../../src/store/index.js';
import { makeOwner, type TestDatabase, testBackends } from './backends.js';

for (const backend of testBackends()) {
  describe(`account links on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    let ownerId: number;
    let studyId: number;
    const later = () => new Date(Date.now() + 3_600_000);

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
      ownerId = (await makeOwner(store)).id;
      studyId = (await store.studies.create({ title: 'S', ownerId, definition: {} })).id;
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    it('stores the hash of the secret only, and is used once even by concurrent requests', async () => {
      const token = 'invite-secret-aaaaaaaaaaaaaaaaaaaa';
      const link = await store.accountLinks.create({
        token,
        kind: 'invite',
        studyId,
        role: 'analyst',
        createdBy: ownerId,
        expiresAt: later(),
      });
      const raw = JSON.stringify(await store.db.selectFrom('account_links').selectAll().execute());
      expect(raw).not.toContain(token);
      expect(raw).toContain(link.id);
      expect(await store.accountLinks.check(token, 'invite')).toMatchObject({ ok: true });
      expect(await store.accountLinks.check(token, 'reset')).toMatchObject({
        ok: false,
        code: 'unknown_link',
      });
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.accountLinks.consume(token, 'invite', ownerId)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await store.accountLinks.check(token, 'invite')).toMatchObject({ ok: false, code: 'used_link' });
      expect(await store.accountLinks.openInvites(studyId)).toEqual([]);
    });

    it('refuses expired and unknown links, naming why', async () => {
      const token = 'invite-expired-aaaaaaaaaaaaaaaaaaa';
      await store.accountLinks.create({
        token,
        kind: 'invite',
        studyId,
        role: 'viewer',
        createdBy: ownerId,
        expiresAt: new Date(Date.now() - 1000),
      });
      const r = await store.accountLinks.consume(token, 'invite', ownerId);
      expect(r).toMatchObject({ ok: false, code: 'expired_link' });
      expect(r.ok ? '' : r.message).toMatch(/expired on .* UTC; ask the study's owner for a new one/);
      expect(await store.accountLinks.check('no-such-link-aaaaaaaaaaaa', 'invite')).toMatchObject({
        ok: false,
        code: 'unknown_link',
      });
    });

    it(`revokes a link at its ${MAX_LINK_FAILURES}th refused attempt`, async () => {
      const token = 'invite-failures-aaaaaaaaaaaaaaaaaa';
      await store.accountLinks.create({
        token,
        kind: 'invite',
        studyId,
        role: 'viewer',
        createdBy: ownerId,
        expiresAt: later(),
      });
      for (let i = 1; i < MAX_LINK_FAILURES; i++) expect(await store.accountLinks.fail(token)).toBe(i);
      expect(await store.accountLinks.check(token, 'invite')).toMatchObject({ ok: true });
      await store.accountLinks.fail(token);
      expect(await store.accountLinks.check(token, 'invite')).toMatchObject({
        ok: false,
        code: 'revoked_link',
      });
    });

    it('revokes earlier reset links of an account, and links go with their study', async () => {
      for (const token of ['reset-one-aaaaaaaaaaaaaaaaaaaaaaa', 'reset-two-aaaaaaaaaaaaaaaaaaaaaaa'])
        await store.accountLinks.create({
          token,
          kind: 'reset',
          userId: ownerId,
          createdBy: ownerId,
          expiresAt: later(),
        });
      expect(await store.accountLinks.revokeResets(ownerId)).toBe(2);
      expect(await store.accountLinks.check('reset-one-aaaaaaaaaaaaaaaaaaaaaaa', 'reset')).toMatchObject({
        code: 'revoked_link',
      });
      const other = (await store.studies.create({ title: 'T', ownerId, definition: {} })).id;
      await store.accountLinks.create({
        token: 'invite-gone-aaaaaaaaaaaaaaaaaaaaaa',
        kind: 'invite',
        studyId: other,
        role: 'viewer',
        createdBy: ownerId,
        expiresAt: later(),
      });
      expect(await store.accountLinks.openInvites(other)).toHaveLength(1);
      await store.studies.deleteWithData(other);
      const left = await store.db
        .selectFrom('account_links')
        .select('study_id')
        .where('study_id', '=', other)
        .execute();
      expect(left).toEqual([]);
    });

    it('refuses a row that is neither a whole invitation nor a whole reset link', async () => {
      await expect(
        store.accountLinks.create({
          token: 'broken-aaaaaaaaaaaaaaaaaaaaaaaaaa',
          kind: 'invite',
          createdBy: ownerId,
          expiresAt: later(),
        }),
      ).rejects.toThrow();
    });
  });
}
