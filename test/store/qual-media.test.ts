/**
 * Recordings linked to transcripts (migration 0008_qual_media, src/store/qual.ts `plan.media`) on every
 * backend: the type is decided by the bytes, the size is bounded, a refusal stores nothing, byte ranges are
 * read from the database, and a recording goes with its transcript, with a participant who speaks in it
 * (consent withdrawn) and with its study.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_BYTES } from '../../src/core/qual/media.js';
import { importWebVtt } from '../../src/core/qual/transcript.js';
import type { QualActor, QualChange, Store } from '../../src/store/index.js';
import { HEADS, NOT_MEDIA, wav } from '../helpers/media.js';
import { makeOwner, type TestDatabase, testBackends } from './backends.js';

const A: QualActor = { coderId: 'u1', userId: null };

const VTT =
  'WEBVTT\n\n00:00:01.250 --> 00:00:03.500\n<v Moderator>What makes exams hard?\n\n' +
  '00:00:03.500 --> 00:00:06.125\n<v P1>Sleep, mostly.\n\n00:00:06.125 --> 00:00:08.000\n<v P2>The fear.\n';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

for (const backend of testBackends()) {
  describe(`recordings on ${backend.name}`, () => {
    let db: TestDatabase;
    let store: Store;
    let studyId: number;
    let projectId: number;

    const rows = async (): Promise<number> => {
      const raw = await db.raw();
      try {
        const r = await raw.query<{ n: number | string }>('SELECT count(*) AS n FROM qual_media');
        return Number(r[0]!.n);
      } finally {
        await raw.close();
      }
    };

    const addTranscript = async (id: string) => {
      const participants = [
        { id: 'p1', pseudonym: 'P1', aliases: [], attributes: {} },
        { id: 'p2', pseudonym: 'P2', aliases: [], attributes: {} },
      ];
      const t = importWebVtt(VTT, { id, name: `Focus group ${id}`, language: 'en' }, { participants });
      const r = await store.qual.apply(projectId, A, (state) => ({
        changes: [
          ...participants
            .filter((p) => !state.get('participant', p.id))
            .map((p) => ({ kind: 'participant' as const, id: p.id, expect: 'new' as const, data: p })),
          { kind: 'source', id, expect: 'new', data: { source: t.source, turns: t.turns, format: 'vtt' } },
        ] satisfies QualChange[],
        result: null,
      }));
      if (!r.ok) throw new Error(r.message);
    };

    const attach = (sourceId: string, bytes: Uint8Array | null, name = 'interview.wav') =>
      store.qual.apply(projectId, A, () => ({ media: [{ sourceId, name, bytes }], result: null }));

    beforeAll(async () => {
      db = await backend.create();
      store = await db.open();
      const owner = await makeOwner(store);
      studyId = (await store.studies.create({ title: 'Exam stress', ownerId: owner.id, definition: {} })).id;
      const r = await store.qual.create({ studyId, name: 'FGDs', actor: A });
      if (!r.ok) throw new Error(r.message);
      projectId = r.value.id;
      await addTranscript('fgd1');
    });
    afterAll(async () => {
      await store?.close();
      await db?.dispose();
    });

    it('keeps the turn times of a WebVTT transcript (start and end, in seconds)', async () => {
      const s = (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd1')!;
      expect(s.data.turns.map((t) => [t.time, t.endTime])).toEqual([
        [1.25, 3.5],
        [3.5, 6.125],
        [6.125, 8],
      ]);
    });

    it('links a WAV to a transcript: the bytes in qual_media, the description in the document, audited', async () => {
      const audio = wav(0.5);
      const before = (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd1')!;
      const r = await attach('fgd1', audio, 'fgd1 recording.mp3');
      expect(r.ok).toBe(true);
      const after = (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd1')!;
      expect(after.version).toBe(before.version + 1);
      // The name says .mp3; the bytes say WAV, and the bytes decide.
      expect(after.data.media).toMatchObject({
        name: 'fgd1 recording.mp3',
        contentType: 'audio/wav',
        kind: 'audio',
        size: audio.length,
        sha256: sha(audio),
      });
      const m = await store.qual.media(projectId, 'fgd1');
      expect(m?.contentType).toBe('audio/wav');
      expect(m?.size).toBe(audio.length);
      expect(Buffer.from(m!.bytes).equals(Buffer.from(audio))).toBe(true);
      const part = await store.qual.media(projectId, 'fgd1', { start: 40, end: 48 });
      expect(Array.from(part!.bytes)).toEqual(Array.from(audio.subarray(40, 48)));
      expect(part?.size).toBe(audio.length);
      const last = (await store.qual.auditTrail(projectId)).at(-1)!;
      expect(last.action).toBe('media.attach');
      expect(last.after).toMatchObject({ contentType: 'audio/wav', size: audio.length, sha256: sha(audio) });
      expect(await store.qual.verifyAudit(projectId)).toMatchObject({ ok: true });
    });

    it('refuses a file that is not a recording, or too large, naming it, and stores nothing', async () => {
      await addTranscript('fgd2');
      const counts = await store.qual.counts(projectId);
      const n = await rows();
      for (const [name, bytes] of [
        ['notes.mp3', NOT_MEDIA.zip],
        ['cover.webm', NOT_MEDIA.png],
        ['fgd2.wav', NOT_MEDIA.text],
        ['empty.wav', new Uint8Array(0)],
      ] as const) {
        const r = await attach('fgd2', bytes, name);
        expect(r).toMatchObject({ ok: false, code: 'invalid' });
        if (!r.ok) expect(r.message).toContain(`"${name}" is not an audio or video file`);
      }
      const big = new Uint8Array(MAX_MEDIA_BYTES + 1);
      big.set(wav(0.01).subarray(0, 44));
      const r = await attach('fgd2', big, 'long.wav');
      expect(r).toMatchObject({ ok: false, code: 'invalid' });
      if (!r.ok) expect(r.message).toMatch(/"long\.wav" has 33,554,433 bytes, more than the 33,554,432/);
      expect(await attach('nope', wav(0.1))).toMatchObject({ ok: false, code: 'not_found' });
      expect(await store.qual.counts(projectId)).toEqual(counts);
      expect(await rows()).toBe(n);
      expect(
        (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd2')!.data.media,
      ).toBeUndefined();
    });

    it('recognises each format by its first bytes', async () => {
      for (const [head, type] of [
        [HEADS.mp3Id3, 'audio/mpeg'],
        [HEADS.mp3Frame, 'audio/mpeg'],
        [HEADS.m4a, 'audio/mp4'],
        [HEADS.mp4, 'video/mp4'],
        [HEADS.oggOpus, 'audio/ogg'],
        [HEADS.oggTheora, 'video/ogg'],
        [HEADS.webm, 'video/webm'],
      ] as const) {
        expect(await attach('fgd2', head, 'x.bin')).toMatchObject({ ok: true });
        expect((await store.qual.media(projectId, 'fgd2'))?.contentType).toBe(type);
      }
      expect(await rows()).toBe(2);
    });

    it('keeps the description when a plan rewrites the transcript without it (e.g. relinking turns)', async () => {
      const r = await store.qual.apply(projectId, A, (state) => {
        const s = state.get('source', 'fgd1')!;
        const { media: _m, ...rest } = s.data;
        return { changes: [{ kind: 'source', id: 'fgd1', expect: s.version, data: rest }], result: null };
      });
      expect(r.ok).toBe(true);
      const s = (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd1')!;
      expect(s.data.media?.contentType).toBe('audio/wav');
    });

    it('removes a recording on request, and with its transcript', async () => {
      expect(await attach('fgd2', null)).toMatchObject({ ok: true });
      expect(await rows()).toBe(1);
      expect(
        (await store.qual.state(projectId, { coderId: 'u1' }))!.get('source', 'fgd2')!.data.media,
      ).toBeUndefined();
      expect(await attach('fgd2', null)).toMatchObject({ ok: false, code: 'not_found' });
      expect(await attach('fgd2', wav(0.2))).toMatchObject({ ok: true });
      expect(await rows()).toBe(2);
      const r = await store.qual.apply(projectId, A, (state) => ({
        changes: [{ kind: 'source', id: 'fgd2', expect: state.get('source', 'fgd2')!.version, data: null }],
        result: null,
      }));
      expect(r.ok).toBe(true);
      expect(await rows()).toBe(1);
      expect(await store.qual.media(projectId, 'fgd2')).toBeNull();
    });

    it('deleting a participant who speaks in a recording deletes the recording (consent withdrawn)', async () => {
      await addTranscript('fgd3');
      expect(await attach('fgd3', wav(0.2))).toMatchObject({ ok: true });
      expect(await rows()).toBe(2);
      // P2 is unlinked from their turns and deleted in one plan: both recordings had their voice.
      const r = await store.qual.apply(projectId, A, (state) => ({
        changes: [
          ...state.entities.source.map((s) => ({
            kind: 'source' as const,
            id: s.id,
            expect: s.version,
            data: {
              ...s.data,
              turns: s.data.turns.map((t) =>
                t.participantId === 'p2' ? { ...t, participantId: null, role: 'unknown' as const } : t,
              ),
            },
          })),
          { kind: 'participant', id: 'p2', expect: 'any', data: null },
        ] satisfies QualChange[],
        result: null,
      }));
      expect(r.ok).toBe(true);
      expect(await rows()).toBe(0);
      const state = (await store.qual.state(projectId, { coderId: 'u1' }))!;
      expect(state.entities.source.map((s) => s.data.media)).toEqual([undefined, undefined]);
      const removed = (await store.qual.auditTrail(projectId)).filter((e) => e.action === 'media.remove');
      expect(removed.at(-1)?.after).toEqual({ reason: 'participant p2 was deleted' });
    });

    it('a recording goes with its study', async () => {
      expect(await attach('fgd1', wav(0.2))).toMatchObject({ ok: true });
      expect(await rows()).toBe(1);
      expect(await store.studies.delete(studyId)).toBe(true);
      expect(await rows()).toBe(0);
    });
  });
}
