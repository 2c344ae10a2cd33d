import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { makeOwner, type RawConnection, type TestDatabase, testBackends, useStore } from './backends.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const ZERO = '0'.repeat(64);

/** The documented chain rule, written out here independently of the store. */
function expectedHash(
  prev: string,
  studyId: number | null,
  actor: number | null,
  action: string,
  detail: string,
  at: string,
) {
  return sha256(JSON.stringify([prev, studyId, actor, action, detail, at]));
}

for (const backend of testBackends()) {
  describe(`audit log on ${backend.name}`, () => {
    describe('appending and reading', () => {
      let db: TestDatabase;
      let store: Store;
      useStore(backend, (open) => {
        ({ db, store } = open);
      });

      it('links each entry to the one before with SHA-256', async () => {
        const t = ['2024-09-01T10:00:00.000Z', '2024-09-01T10:00:01.500Z', '2024-09-01T10:00:02.000Z'];
        const a = await store.audit.append({
          action: 'sign_in',
          actorUserId: 1,
          now: new Date(t[0] as string),
        });
        const b = await store.audit.append({
          action: 'role.grant',
          studyId: 7,
          actorUserId: 1,
          detail: { role: 'analyst', userId: 2 },
          now: new Date(t[1] as string),
        });
        const c = await store.audit.append({
          action: 'export.sav',
          studyId: 7,
          detail: { z: 1, a: { y: 2, b: 3 } },
          now: new Date(t[2] as string),
        });
        expect(a.prevHash).toBe(ZERO);
        expect(a.hash).toBe(expectedHash(ZERO, null, 1, 'sign_in', '{}', t[0] as string));
        expect(b.prevHash).toBe(a.hash);
        expect(b.hash).toBe(
          expectedHash(a.hash, 7, 1, 'role.grant', '{"role":"analyst","userId":2}', t[1] as string),
        );
        expect(c.prevHash).toBe(b.hash);
        // detail is stored with sorted keys, so the same value always hashes the same
        expect(c.hash).toBe(
          expectedHash(b.hash, 7, null, 'export.sav', '{"a":{"b":3,"y":2},"z":1}', t[2] as string),
        );
        expect(c.detail).toEqual({ z: 1, a: { y: 2, b: 3 } });
        expect(await store.audit.verify()).toEqual({ ok: true, count: 3, head: c.hash });

        expect((await store.audit.listForStudy(7)).map((e) => e.action)).toEqual([
          'export.sav',
          'role.grant',
        ]);
        expect((await store.audit.list({ limit: 2 })).map((e) => e.id)).toEqual([c.id, b.id]);
        expect((await store.audit.list({ beforeId: b.id })).map((e) => e.id)).toEqual([a.id]);
      });

      it('keeps one unforked chain when 25 entries are appended at once', async () => {
        const before = await store.audit.verify();
        await Promise.all(
          Array.from({ length: 25 }, (_, i) => store.audit.append({ action: 'export.csv', detail: { i } })),
        );
        const after = await store.audit.verify({ batchSize: 7 });
        expect(after).toMatchObject({ ok: true, count: (before.ok ? before.count : 0) + 25 });
      });

      it('refuses malformed action names (a programming error)', async () => {
        await expect(store.audit.append({ action: 'Study Update' })).rejects.toThrow(RangeError);
      });

      it('has the database refuse UPDATE and DELETE of audit entries', async () => {
        const e = await store.audit.append({ action: 'study.update', studyId: 9 });
        await expect(
          store.db.updateTable('audit_log').set({ action: 'nothing' }).where('id', '=', e.id).execute(),
        ).rejects.toThrow(/append-only/);
        await expect(store.db.deleteFrom('audit_log').where('id', '=', e.id).execute()).rejects.toThrow(
          /append-only/,
        );
        const raw = await db.raw();
        try {
          await expect(
            raw.exec(`UPDATE audit_log SET detail = '{"x":1}' WHERE id = ${e.id}`),
          ).rejects.toThrow(/append-only/);
          await expect(raw.exec('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
          if (backend.name === 'postgres') {
            await expect(raw.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
          }
        } finally {
          await raw.close();
        }
        expect((await store.audit.list({ limit: 1 }))[0]).toEqual(e);
        expect((await store.audit.verify()).ok).toBe(true);
      });
    });

    describe('tampering behind the store’s back', () => {
      let store: Store;
      let raw: RawConnection;
      const ids: number[] = [];
      let recordedHead = '';
      useStore(backend, async (open) => {
        store = open.store;
        for (let i = 0; i < 5; i++)
          ids.push((await store.audit.append({ action: 'export.csv', studyId: 3, detail: { i } })).id);
        const v = await store.audit.verify();
        recordedHead = v.ok ? v.head : '';
        raw = await open.db.raw(); // closed by the database's dispose
        const on = backend.name === 'postgres' ? ' ON audit_log' : '';
        await raw.exec(`DROP TRIGGER audit_log_no_update${on}`);
        await raw.exec(`DROP TRIGGER audit_log_no_delete${on}`);
      });

      it('detects an altered entry and names it', async () => {
        expect((await store.audit.verify()).ok).toBe(true);
        await raw.exec(`UPDATE audit_log SET detail = '{"i":99}' WHERE id = ${ids[2]}`);
        expect(await store.audit.verify()).toEqual({
          ok: false,
          brokenAt: ids[2],
          reason: 'hash_mismatch',
          intact: 2,
          message: `Audit entry ${ids[2]} was altered after it was written (its hash no longer matches).`,
        });
        await raw.exec(`UPDATE audit_log SET detail = '{"i":2}' WHERE id = ${ids[2]}`);
        expect((await store.audit.verify()).ok).toBe(true);
      });

      it('detects an altered time', async () => {
        const later = backend.name === 'postgres' ? `at + interval '1 second'` : `'2030-01-01T00:00:00.000Z'`;
        await raw.exec(`UPDATE audit_log SET at = ${later} WHERE id = ${ids[4]}`);
        expect(await store.audit.verify()).toMatchObject({
          ok: false,
          brokenAt: ids[4],
          reason: 'hash_mismatch',
        });
      });

      it('detects a removed entry in the middle of the chain', async () => {
        await raw.exec(`DELETE FROM audit_log WHERE id = ${ids[4]}`);
        // Removing the newest entry leaves a valid chain: only the head recorded elsewhere reveals it.
        const v = await store.audit.verify();
        expect(v).toMatchObject({ ok: true, count: 4 });
        expect(v.ok && v.head).not.toBe(recordedHead);
        await raw.exec(`DELETE FROM audit_log WHERE id = ${ids[1]}`);
        expect(await store.audit.verify()).toMatchObject({
          ok: false,
          brokenAt: ids[2],
          reason: 'prev_hash_mismatch',
          intact: 1,
        });
      });
    });

    describe('audited writes (store.audited): the change and its entry commit together', () => {
      let db: TestDatabase;
      let store: Store;
      useStore(backend, (open) => {
        ({ db, store } = open);
      });

      /** Make every audit append fail in the database itself (a trigger), as a full disk or a bug would. */
      async function refuseAppends(raw: RawConnection): Promise<() => Promise<void>> {
        if (backend.name === 'sqlite') {
          await raw.exec(`CREATE TRIGGER audit_log_refuse_insert BEFORE INSERT ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit append refused by the test'); END`);
          return () => raw.exec('DROP TRIGGER audit_log_refuse_insert');
        }
        await raw.exec(`CREATE FUNCTION audit_log_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit append refused by the test'; END $$`);
        await raw.exec(`CREATE TRIGGER audit_log_refuse_insert BEFORE INSERT ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_insert()`);
        return async () => {
          await raw.exec('DROP TRIGGER audit_log_refuse_insert ON audit_log');
          await raw.exec('DROP FUNCTION audit_log_refuse_insert()');
        };
      }

      it('commits a write with its entry, in order, with the actor', async () => {
        const owner = await makeOwner(store);
        const study = await store.studies.create({ title: 'Audited', ownerId: owner.id, definition: {} });
        const opened = await store.audited(
          (tx) => tx.studies.setStatus({ studyId: study.id, status: 'open' }),
          {
            action: 'study.launch',
            studyId: study.id,
            actorUserId: owner.id,
            detail: { version: 1 },
          },
        );
        expect(opened?.status).toBe('open');
        const [entry] = await store.audit.listForStudy(study.id, { limit: 1 });
        expect(entry).toMatchObject({
          action: 'study.launch',
          actorUserId: owner.id,
          detail: { version: 1 },
        });
        expect((await store.audit.verify()).ok).toBe(true);
      });

      it('appends nothing when the entry function says nothing changed (a refusal)', async () => {
        const owner = await makeOwner(store);
        const study = await store.studies.create({ title: 'Refused', ownerId: owner.id, definition: {} });
        const before = (await store.audit.list({ limit: 1000 })).length;
        const r = await store.audited(
          (tx) => tx.roles.revoke({ studyId: study.id, userId: owner.id }),
          (v) => (v.ok ? { action: 'role.revoke', studyId: study.id, actorUserId: owner.id } : undefined),
        );
        expect(r).toMatchObject({ ok: false, code: 'last_owner' });
        expect((await store.audit.list({ limit: 1000 })).length).toBe(before);
      });

      it('leaves nothing when the audit append fails: the write is rolled back', async () => {
        const owner = await makeOwner(store);
        const study = await store.studies.create({
          title: 'Rolled back',
          ownerId: owner.id,
          definition: { a: 1 },
        });
        const before = (await store.audit.list({ limit: 1000 })).length;
        const raw = await db.raw();
        const restore = await refuseAppends(raw);
        try {
          await expect(
            store.audited((tx) => tx.studies.setStatus({ studyId: study.id, status: 'open' }), {
              action: 'study.launch',
              studyId: study.id,
              actorUserId: owner.id,
            }),
          ).rejects.toThrow(/audit append refused by the test/);
          await expect(
            store.audited(
              async (tx) => {
                const v = await tx.studies.updateDefinition({
                  studyId: study.id,
                  definition: { a: 2 },
                  userId: owner.id,
                });
                await tx.studies.setSettings({ studyId: study.id, title: 'Changed' });
                return v;
              },
              { action: 'study.update', studyId: study.id, actorUserId: owner.id },
            ),
          ).rejects.toThrow(/audit append refused by the test/);
        } finally {
          await restore();
          await raw.close();
        }
        const after = await store.studies.byId(study.id);
        expect(after).toMatchObject({
          status: 'draft',
          version: 1,
          title: 'Rolled back',
          definition: { a: 1 },
        });
        expect((await store.studies.versions(study.id)).length).toBe(1);
        expect((await store.audit.list({ limit: 1000 })).length).toBe(before);
        // The store is usable afterwards: the same audited write now commits.
        await store.audited((tx) => tx.studies.setStatus({ studyId: study.id, status: 'open' }), {
          action: 'study.launch',
          studyId: study.id,
          actorUserId: owner.id,
        });
        expect((await store.studies.byId(study.id))?.status).toBe('open');
      });
    });
  });
}
