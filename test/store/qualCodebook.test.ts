/**
 * The consensus codebook's writes (src/store/qualCodebook.ts) on every backend: merging three coders' codes,
 * undoing a merge, splitting a code passage by passage — each one audited plan with its actor, the agreement
 * before consensus recorded once, and refusals that write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consensusCodebook } from '../../src/core/qual/codebook.js';
import { parseQualProject } from '../../src/core/qual/model.js';
import { type QualActor, type QualChange, type Store, toQualProject } from '../../src/store/index.js';
import { makeOwner, type TestDatabase, testBackends } from './backends.js';

const TEXT = `Moderator: What is hardest?\nP1: The exams scare me and I cannot sleep.\nP2: I worry I will fail the year.\n`;
const A: QualActor = { coderId: 'u1', userId: null };
const B: QualActor = { coderId: 'u2', userId: null };
const C: QualActor = { coderId: 'u3', userId: null };

const at = (needle: string) => {
  const i = TEXT.indexOf(needle);
  return { start: i, end: i + needle.length };
};

for (const backend of testBackends()) {
  describe(`the consensus codebook on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    let projectId: number;
    const state = async () => (await store.qual.state(projectId, { coderId: null, all: true }))!;

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
      const owner = await makeOwner(store);
      const studyId = (await store.studies.create({ title: 'FGD', ownerId: owner.id, definition: {} })).id;
      const r = await store.qual.create({ studyId, name: 'Three coders', actor: A });
      if (!r.ok) throw new Error(r.message);
      projectId = r.value.id;
      const seg = (id: string, coderId: string, needle: string, codeIds: string[]) => ({
        kind: 'segment' as const,
        id,
        expect: 'new' as const,
        data: { id, sourceId: 'fgd', ...at(needle), codeIds, coderId },
      });
      const setup = await store.qual.apply(projectId, A, () => ({
        changes: [
          {
            kind: 'source',
            id: 'fgd',
            expect: 'new',
            data: { source: { id: 'fgd', name: 'FGD 1', text: TEXT, language: 'en' } },
          },
          ...[A, B, C].map(
            (x, i): QualChange => ({
              kind: 'coder',
              id: x.coderId,
              expect: 'new',
              data: { id: x.coderId, name: `Coder ${'ABC'[i]}`, userId: null },
            }),
          ),
          { kind: 'code', id: 'fear', expect: 'new', data: { id: 'fear', name: 'Fear of failure' } },
          { kind: 'code', id: 'anx', expect: 'new', data: { id: 'anx', name: 'Anxiety', createdBy: 'u2' } },
          { kind: 'code', id: 'worry', expect: 'new', data: { id: 'worry', name: 'Worry', createdBy: 'u3' } },
          seg('a1', 'u1', 'The exams scare me', ['fear']),
          seg('b1', 'u2', 'The exams scare me', ['anx']),
          seg('c1', 'u3', 'The exams scare me', ['worry']),
          seg('a2', 'u1', 'I worry I will fail the year.', ['fear']),
          seg('b2', 'u2', 'I worry I will fail', ['anx']),
          seg('c2', 'u3', 'I will fail the year.', ['worry']),
        ],
        result: null,
      }));
      if (!setup.ok) throw new Error(setup.message);
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    it('refuses while coding is blind, writing nothing', async () => {
      const before = await store.qual.counts(projectId);
      const r = await store.qual.mergeCodes(projectId, A, { codeIds: ['fear', 'anx'], into: 'fear' });
      expect(r).toMatchObject({ ok: false, code: 'invalid' });
      if (!r.ok) expect(r.message).toContain('the owner opens comparison first');
      expect(await store.qual.counts(projectId)).toEqual(before);
      const p = await store.qual.byStudy((await state()).project.studyId);
      const open = await store.qual.apply(projectId, A, () => ({
        project: {
          expect: p!.version,
          comparisonOpen: true,
          audit: { action: 'comparison.open', before: null, after: null },
        },
        result: null,
      }));
      expect(open.ok).toBe(true);
    });

    it('merges three coders’ codes into one, recording the agreement before consensus and both sides of the step', async () => {
      const r = await store.qual.mergeCodes(
        projectId,
        B,
        { codeIds: ['fear', 'anx', 'worry'], into: 'fear' },
        { now: new Date('2025-03-01T10:00:00Z') },
      );
      expect(r.ok).toBe(true);
      const s = await state();
      expect(s.entities.code.map((c) => [c.id, c.data.mergedInto ?? null])).toEqual([
        ['fear', null],
        ['anx', 'fear'],
        ['worry', 'fear'],
      ]);
      // Nothing rewritten: every coder's segments keep their own codes.
      expect(s.get('segment', 'b1')?.data.codeIds).toEqual(['anx']);
      const view = consensusCodebook(toQualProject(s));
      expect(view.codes.map((c) => c.id)).toEqual(['fear']);
      expect(new Set(view.segments.flatMap((x) => x.codeIds))).toEqual(new Set(['fear']));
      expect(parseQualProject(toQualProject(s)).ok).toBe(true);
      const baseline = s.project.doc.consensusBaseline!;
      expect(baseline).toMatchObject({
        at: '2025-03-01T10:00:00.000Z',
        coders: ['u1', 'u2', 'u3'],
        codes: 3,
      });
      expect(baseline.alpha).toBeLessThan(0);
      const trail = await store.qual.auditTrail(projectId);
      const mine = trail.slice(-4);
      expect(mine.map((e) => [e.action, e.actor])).toEqual([
        ['codebook.merge', 'u2'],
        ['codebook.merge', 'u2'],
        ['consensus.baseline', 'u2'],
        ['codebook.merge', 'u2'],
      ]);
      const summary = mine[3]!.after as {
        into: string;
        agreementBefore: { alpha: number };
        agreementAfter: { alpha: number; codes: number };
      };
      expect(summary.into).toBe('Fear of failure');
      expect(summary.agreementBefore.alpha).toBe(baseline.alpha);
      expect(summary.agreementAfter.codes).toBe(1);
      expect(summary.agreementAfter.alpha).toBeGreaterThan(0.5);
      expect((await store.qual.verifyAudit(projectId)).ok).toBe(true);
    });

    it('undoes a merge, and the baseline stays as recorded', async () => {
      const before = (await state()).project.doc.consensusBaseline;
      const r = await store.qual.unmergeCode(projectId, A, 'worry');
      expect(r.ok).toBe(true);
      const s = await state();
      expect(s.get('code', 'worry')?.data.mergedInto).toBeUndefined();
      expect(s.project.doc.consensusBaseline).toEqual(before);
      expect((await store.qual.auditTrail(projectId)).at(-1)?.action).toBe('codebook.unmerge');
      const again = await store.qual.unmergeCode(projectId, A, 'worry');
      expect(again).toMatchObject({
        ok: false,
        code: 'invalid',
        message: '"Worry" is not merged into another code.',
      });
    });

    it('splits a code passage by passage: the moved passages’ segments of every coder carry the new code', async () => {
      const fail = at('I worry I will fail the year.');
      const r = await store.qual.splitCode(projectId, C, {
        codeId: 'fear',
        newCode: { id: 'failing', name: 'Fear of failing the year' },
        move: [`fgd:${fail.start}-${fail.end}`],
      });
      if (!r.ok) throw new Error(r.message);
      const s = await state();
      expect(s.get('code', 'failing')?.data).toMatchObject({
        name: 'Fear of failing the year',
        parentId: null,
      });
      expect(['a1', 'b1', 'a2', 'b2', 'c2'].map((id) => s.get('segment', id)?.data.codeIds)).toEqual([
        ['fear'],
        ['anx'],
        ['failing'],
        ['failing'],
        ['worry'],
      ]);
      const trail = await store.qual.auditTrail(projectId);
      const split = trail.filter((e) => e.action.startsWith('codebook.split'));
      expect(split.map((e) => [e.action, e.entity.id, e.actor])).toEqual([
        ['codebook.split_segment', 'a2', 'u3'],
        ['codebook.split_segment', 'b2', 'u3'],
        ['codebook.split', 'fear', 'u3'],
      ]);
      expect(split[1]!.before).toEqual({ codeIds: ['anx'] });
      // A stale passage list is refused and writes nothing.
      const n = await store.qual.counts(projectId);
      const stale = await store.qual.splitCode(projectId, A, {
        codeId: 'fear',
        newCode: { id: 'again', name: 'Again' },
        move: [`fgd:${fail.start}-${fail.end}`],
      });
      expect(stale).toMatchObject({ ok: false, code: 'invalid' });
      if (!stale.ok) expect(stale.message).toContain('the coding changed since the page was loaded');
      expect(await store.qual.counts(projectId)).toEqual(n);
      expect((await store.qual.verifyAudit(projectId)).ok).toBe(true);
    });

    it('undoes a split (audited), refused while a later step depends on it', async () => {
      const n = await store.qual.counts(projectId);
      const notSplit = await store.qual.unsplitCode(projectId, A, 'fear');
      expect(notSplit).toMatchObject({ ok: false, code: 'invalid' });
      if (!notSplit.ok) expect(notSplit.message).toContain('"Fear of failure" was not made by splitting');
      // A later step: "Worry" merged into the split-off code. Refused, naming it; nothing written.
      const m = await store.qual.mergeCodes(projectId, B, { codeIds: ['worry', 'failing'], into: 'failing' });
      if (!m.ok) throw new Error(m.message);
      const counted = await store.qual.counts(projectId);
      const refusedUndo = await store.qual.unsplitCode(projectId, A, 'failing');
      expect(refusedUndo).toMatchObject({ ok: false, code: 'invalid' });
      if (!refusedUndo.ok)
        expect(refusedUndo.message).toBe(
          'The split of "Fear of failure" into "Fear of failing the year" cannot be undone: later steps depend on it ("Worry" merged into it). Undo those first.',
        );
      expect(await store.qual.counts(projectId)).toEqual(counted);
      const um = await store.qual.unmergeCode(projectId, B, 'worry');
      if (!um.ok) throw new Error(um.message);
      const r = await store.qual.unsplitCode(projectId, A, 'failing');
      if (!r.ok) throw new Error(r.message);
      const s = await state();
      expect(s.get('code', 'failing')).toBeUndefined();
      expect(['a1', 'b1', 'a2', 'b2', 'c2'].map((id) => s.get('segment', id)?.data.codeIds)).toEqual([
        ['fear'],
        ['anx'],
        ['fear'],
        ['fear'],
        ['worry'],
      ]);
      expect((await store.qual.counts(projectId)).entities).toBe(n.entities - 1);
      const trail = await store.qual.auditTrail(projectId);
      const undo = trail.filter((e) => e.action.startsWith('codebook.unsplit'));
      expect(undo.map((e) => [e.action, e.entity.id, e.actor])).toEqual([
        ['codebook.unsplit_segment', 'a2', 'u1'],
        ['codebook.unsplit_segment', 'b2', 'u1'],
        ['codebook.unsplit_code', 'failing', 'u1'],
        ['codebook.unsplit', 'fear', 'u1'],
      ]);
      expect(undo[0]!.before).toEqual({ codeIds: ['failing'] });
      expect((await store.qual.verifyAudit(projectId)).ok).toBe(true);
    });
  });
}
