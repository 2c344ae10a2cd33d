/**
 * The qualitative-project storage (migration 0002_qual, src/store/qual.ts) on every backend: versioned JSON
 * entities validated by the core's schemas, blind coding in the query, optimistic versions, atomic plans,
 * concurrent coders, and the per-project hash-chained audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQualProject } from '../../src/core/qual/model.js';
import { importText } from '../../src/core/qual/transcript.js';
import { type QualActor, type QualChange, type Store, toQualProject } from '../../src/store/index.js';
import { makeOwner, type TestDatabase, testBackends } from './backends.js';
import { QUAL_COLUMNS } from './qualColumns.js';

/** Urdu mixed with English: an emoji outside the BMP, a combining mark and CRLF line ends, kept as written. */
const URDU =
  '[00:00:03] Moderator: آپ کو سب سے زیادہ دباؤ کس چیز سے ہوتا ہے؟\r\n\r\n' +
  '[00:00:20] P1: امتحانات کا دباؤ بہت زیادہ ہے 😔 اور sleep بالکل نہیں ہوتی۔\r\n\r\n' +
  '[00:00:45] P2: café x\u0301 دِل — سب کچھ exam کے بارے میں ہے۔\r\n';

const A: QualActor = { coderId: 'u1', userId: null };
const B: QualActor = { coderId: 'u2', userId: null };

async function columnsOf(db: TestDatabase, table: string): Promise<string[]> {
  const raw = await db.raw();
  try {
    const rows =
      db.backend === 'sqlite'
        ? await raw.query<{ c: string }>(`SELECT name AS c FROM pragma_table_info('${table}') ORDER BY cid`)
        : await raw.query<{ c: string }>(
            `SELECT column_name AS c FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = '${table}' ORDER BY ordinal_position`,
          );
    return rows.map((r) => r.c);
  } finally {
    await raw.close();
  }
}

function segment(id: string, coderId: string, start: number, end: number, codeIds = ['workload']) {
  return { id, sourceId: 'fgd1', start, end, codeIds, coderId };
}

for (const backend of testBackends()) {
  describe(`qualitative storage on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    let studyId: number;
    let projectId: number;

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
      const owner = await makeOwner(store);
      studyId = (await store.studies.create({ title: 'Burnout FGD', ownerId: owner.id, definition: {} })).id;
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    it('adds migration 0002_qual after 0001_core, with the designed tables and columns', async () => {
      expect(store.migrations.map((m) => m.name).slice(0, 2)).toEqual(['0001_core', '0002_qual']);
      for (const [table, cols] of Object.entries(QUAL_COLUMNS))
        expect(await columnsOf(db, table)).toEqual(cols);
    });

    it('creates one project per study, with its first audit event', async () => {
      const r = await store.qual.create({ studyId, name: 'Focus group', actor: A });
      if (!r.ok) throw new Error(r.message);
      projectId = r.value.id;
      expect(r.value).toMatchObject({ studyId, name: 'Focus group', version: 1, comparisonOpen: false });
      const again = await store.qual.create({ studyId, name: 'Second', actor: A });
      expect(again).toMatchObject({ ok: false, code: 'exists' });
      expect((await store.qual.byStudy(studyId))?.id).toBe(projectId);
      const trail = await store.qual.auditTrail(projectId);
      expect(trail.map((e) => [e.seq, e.action, e.actor])).toEqual([[1, 'project.create', 'u1']]);
    });

    it('keeps an Urdu transcript exactly (emoji, combining mark, CRLF) and never puts its text in the trail', async () => {
      const t = importText(URDU, { id: 'fgd1', name: 'FGD 1', language: 'ur' }, { lineEndings: 'keep' });
      const r = await store.qual.apply(projectId, A, () => ({
        changes: [
          { kind: 'source', id: 'fgd1', expect: 'new', data: { source: t.source, turns: t.turns } },
          { kind: 'coder', id: 'u1', expect: 'new', data: { id: 'u1', name: 'Researcher A', userId: 1 } },
          { kind: 'coder', id: 'u2', expect: 'new', data: { id: 'u2', name: 'Researcher B', userId: 2 } },
          {
            kind: 'participant',
            id: 'p1',
            expect: 'new',
            data: { id: 'p1', pseudonym: 'P1', name: 'Ayesha Khan', attributes: { year: 4 } },
          },
          { kind: 'code', id: 'workload', expect: 'new', data: { id: 'workload', name: 'Workload' } },
          { kind: 'code', id: 'fear', expect: 'new', data: { id: 'fear', name: 'Fear of failure' } },
        ] satisfies QualChange[],
        result: null,
      }));
      expect(r.ok).toBe(true);
      const state = await store.qual.state(projectId, { coderId: 'u1' });
      const src = state?.get('source', 'fgd1')?.data.source;
      expect(src?.text).toBe(URDU.normalize('NFC'));
      expect(src?.text).toContain('\r\n');
      expect(src?.text).toContain('😔');
      expect(state?.entities.code.map((c) => c.id)).toEqual(['workload', 'fear']);
      const trail = JSON.stringify(await store.qual.auditTrail(projectId));
      expect(trail).not.toContain('امتحانات');
      expect(trail).not.toContain('Ayesha');
      expect(trail).toContain('[confidential]');
    });

    it('refuses a document that does not match its kind, writing nothing', async () => {
      const before = await store.qual.counts(projectId);
      const r = await store.qual.apply(projectId, A, () => ({
        changes: [
          { kind: 'code', id: 'ok1', expect: 'new', data: { id: 'ok1', name: 'Fine' } },
          {
            kind: 'segment',
            id: 's-bad',
            expect: 'new',
            data: { id: 's-bad', sourceId: 'fgd1', start: 0, end: 3, codeIds: [], coderId: 'u1' },
          },
        ],
        result: null,
      }));
      expect(r).toMatchObject({ ok: false, code: 'invalid' });
      if (!r.ok) expect(r.message).toMatch(/Coded segment is not valid: codeIds/);
      expect(await store.qual.counts(projectId)).toEqual(before);
    });

    it("hides each coder's segments from the others until comparison is opened", async () => {
      const add = (actor: QualActor, id: string, s: number, e: number) =>
        store.qual.apply(projectId, actor, () => ({
          changes: [{ kind: 'segment', id, expect: 'new', data: segment(id, actor.coderId, s, e) }],
          result: id,
        }));
      expect((await add(A, 'sa1', 30, 60)).ok).toBe(true);
      expect((await add(B, 'sb1', 40, 70)).ok).toBe(true);
      const seen = async (coderId: string | null) =>
        (await store.qual.state(projectId, { coderId }))?.entities.segment.map((s) => s.id).sort();
      expect(await seen('u1')).toEqual(['sa1']);
      expect(await seen('u2')).toEqual(['sb1']);
      expect(await seen(null)).toEqual([]);
      expect((await store.qual.state(projectId, { coderId: 'u1' }))?.blind).toBe(true);
      // Codings of an imported coder (not a nabz user) are nobody's blind round: everyone sees them.
      await store.qual.apply(projectId, A, () => ({
        changes: [
          { kind: 'coder', id: 'imported', expect: 'new', data: { id: 'imported', name: 'NVivo coder' } },
          { kind: 'segment', id: 'si1', expect: 'new', data: segment('si1', 'imported', 1, 5) },
        ],
        result: null,
      }));
      expect(await seen('u2')).toEqual(['sb1', 'si1']);
      const project = await store.qual.byStudy(studyId);
      const opened = await store.qual.apply(projectId, A, () => ({
        project: {
          expect: project!.version,
          comparisonOpen: true,
          audit: { action: 'comparison.open', before: { open: false }, after: { open: true } },
        },
        result: null,
      }));
      expect(opened.ok).toBe(true);
      expect(await seen('u2')).toEqual(['sa1', 'sb1', 'si1']);
      expect(await seen(null)).toEqual(['sa1', 'sb1', 'si1']);
      const assembled = toQualProject((await store.qual.state(projectId, { coderId: 'u1' }))!);
      const parsed = parseQualProject(assembled);
      expect(parsed.ok ? 'ok' : parsed.issues).toBe('ok');
    });

    it('refuses a write based on an old version with a message naming both versions (409)', async () => {
      const code = (await store.qual.entity(projectId, 'code', 'workload'))!;
      const edit = (name: string, expect: number) =>
        store.qual.apply(projectId, A, () => ({
          changes: [{ kind: 'code', id: 'workload', expect, data: { ...code.data, name } }],
          result: null,
        }));
      const first = await edit('Academic workload', code.version);
      expect(first.ok).toBe(true);
      const events = (await store.qual.counts(projectId)).audit;
      const stale = await edit('Workload (stale)', code.version);
      expect(stale).toMatchObject({ ok: false, code: 'conflict' });
      if (!stale.ok)
        expect(stale.message).toBe(
          'Code "Academic workload" was changed by someone else while you were editing it (you started from version 1, it is now version 2). Nothing was saved: reload the page to see their change, then apply yours again.',
        );
      expect((await store.qual.entity(projectId, 'code', 'workload'))?.data.name).toBe('Academic workload');
      expect((await store.qual.counts(projectId)).audit).toBe(events);
    });

    it('keeps the work of two coders saving at the same time, and lets only one of two racing edits win', async () => {
      const before = await store.qual.counts(projectId);
      const writes = Array.from({ length: 40 }, (_, i) => {
        const actor = i % 2 ? B : A;
        const id = `c${i}`;
        return store.qual.apply(projectId, actor, () => ({
          changes: [
            { kind: 'segment', id, expect: 'new', data: segment(id, actor.coderId, i, i + 5, ['fear']) },
          ],
          result: id,
        }));
      });
      const results = await Promise.all(writes);
      expect(results.every((r) => r.ok)).toBe(true);
      const after = await store.qual.counts(projectId);
      expect(after.entities - before.entities).toBe(40);
      expect(after.audit - before.audit).toBe(40);
      const code = (await store.qual.entity(projectId, 'code', 'fear'))!;
      const race = await Promise.all(
        ['Fear of failing', 'Fear of failure (exams)'].map((name, i) =>
          store.qual.apply(projectId, i ? B : A, () => ({
            changes: [{ kind: 'code', id: 'fear', expect: code.version, data: { ...code.data, name } }],
            result: name,
          })),
        ),
      );
      expect(race.filter((r) => r.ok)).toHaveLength(1);
      expect(race.filter((r) => !r.ok && r.code === 'conflict')).toHaveLength(1);
      const v = await store.qual.verifyAudit(projectId);
      expect(v).toMatchObject({ ok: true, count: after.audit + 1 });
    });

    it('rolls back a whole plan when the database refuses one of its writes', async () => {
      const raw = await db.raw();
      try {
        if (db.backend === 'sqlite')
          await raw.exec(`CREATE TRIGGER qual_test_boom BEFORE INSERT ON qual_entities WHEN NEW.entity_id = 'boom'
            BEGIN SELECT RAISE(ABORT, 'boom'); END`);
        else
          await raw.exec(`CREATE FUNCTION qual_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.entity_id = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER qual_test_boom BEFORE INSERT ON qual_entities FOR EACH ROW EXECUTE FUNCTION qual_test_boom()`);
        const before = await store.qual.counts(projectId);
        await expect(
          store.qual.apply(projectId, A, () => ({
            changes: [
              { kind: 'code', id: 'first', expect: 'new', data: { id: 'first', name: 'First' } },
              { kind: 'code', id: 'boom', expect: 'new', data: { id: 'boom', name: 'Boom' } },
            ],
            result: null,
          })),
        ).rejects.toThrow(/boom/);
        expect(await store.qual.counts(projectId)).toEqual(before);
        expect(await store.qual.entity(projectId, 'code', 'first')).toBeNull();
      } finally {
        await raw.exec(
          'DROP TRIGGER qual_test_boom' + (db.backend === 'postgres' ? ' ON qual_entities' : ''),
        );
        await raw.close();
      }
    });

    it('refuses to rewrite the trail, and names the event someone altered behind its back', async () => {
      const raw = await db.raw();
      try {
        await expect(
          raw.exec(`UPDATE qual_audit SET action = 'x' WHERE project_id = ${projectId}`),
        ).rejects.toThrow(/append-only/);
        await expect(raw.exec(`DELETE FROM qual_audit WHERE project_id = ${projectId}`)).rejects.toThrow(
          /append-only/,
        );
        expect(await store.qual.verifyAudit(projectId)).toMatchObject({ ok: true });
        await raw.exec(
          'DROP TRIGGER qual_audit_no_update' + (db.backend === 'postgres' ? ' ON qual_audit' : ''),
        );
        await raw.exec(
          `UPDATE qual_audit SET after = '{"id":"sa1","forged":true}' WHERE project_id = ${projectId} AND seq = 4`,
        );
        const v = await store.qual.verifyAudit(projectId);
        expect(v).toMatchObject({ ok: false, seq: 4, reason: 'hash_mismatch' });
      } finally {
        await raw.close();
      }
    });

    it('erases the project, its entities and its trail with the study', async () => {
      expect(await store.studies.delete(studyId)).toBe(true);
      expect(await store.qual.byStudy(studyId)).toBeNull();
      expect(await store.qual.counts(projectId)).toEqual({ entities: 0, audit: 0 });
    });
  });
}
