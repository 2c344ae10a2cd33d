/**
 * Follow-up waves in the store (src/store/waves.ts, the wave rules of src/store/responses.ts), on SQLite and
 * PostgreSQL (NABZ_TEST_PG_URL): the panel id is a keyed hash of the code per screening study (the same in every
 * wave of one, another for another, never the code); a wave takes a response only with a panel id it was sent
 * to, once per panel id (a retry of the same key is the same response); other studies are unaffected;
 * withdrawal deletes a panel's responses in every wave of its screening study and nothing else.
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import { repositories, type Store } from '../../src/store/index.js';
import { makeOpenStudy, newKey, testBackends, useStore } from './backends.js';

/** The tables a statement reads or writes, sorted. */
function tablesOf(node: RootOperationNode): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === 'object' && v !== null) {
      const o = v as { kind?: unknown; table?: { identifier?: { name?: unknown } } };
      const name = o.kind === 'TableNode' ? o.table?.identifier?.name : undefined;
      if (typeof name === 'string') names.add(name);
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(node);
  return [...names].sort();
}

/** The store's repositories through Kysely only (no direct connection), recording each statement's tables. */
function recorded(store: Store) {
  const statements: string[][] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      statements.push(tablesOf(node));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { repos: repositories({ db: store.db.withPlugin(plugin), backend: store.backend }), statements };
}

for (const backend of testBackends()) {
  describe(`follow-up waves (${backend.name})`, () => {
    let store: Store;
    useStore(backend, (t) => {
      store = t.store;
    });

    /** A screening study and an open wave of it. */
    async function parentAndWave(label = 'pre') {
      const { study: parent, ownerId } = await makeOpenStudy(store);
      const wave = await store.studies.duplicate({
        fromStudyId: parent.id,
        title: `follow-up ${label}`,
        ownerId,
        definition: parent.definition,
        wave: { of: parent.id, label },
      });
      if (!wave) throw new Error('no wave');
      await store.studies.setStatus({ studyId: wave.id, status: 'open' });
      return { parent, wave };
    }
    const insert = (studyId: number, panelId: string | undefined, key = newKey()) =>
      store.responses.insert({ studyId, idempotencyKey: key, answers: {}, language: 'en', panelId });

    it('makes the panel id from the code per screening study: 32 hex digits, never the code', async () => {
      const code = 'ABCDEFGHJKMNPQRS';
      const a = await store.waves.panelId(1, code);
      expect(a).toMatch(/^[0-9a-f]{32}$/);
      expect(await store.waves.panelId(1, code)).toBe(a);
      expect(await store.waves.panelId(2, code)).not.toBe(a);
      expect(await store.waves.panelId(1, 'ABCDEFGHJKMNPQRT')).not.toBe(a);
      expect(a).not.toContain(code.toLowerCase());
    });

    it('lists the waves of a screening study with their names', async () => {
      const { parent, wave } = await parentAndWave();
      const waves = await store.studies.waves(parent.id);
      expect(waves.map((w) => [w.id, w.waveOf, w.waveLabel])).toEqual([[wave.id, parent.id, 'pre']]);
      expect((await store.studies.byId(parent.id))?.waveOf).toBeNull();
    });

    it('takes a response only with a panel id the wave was sent to, once; a retry is the same response', async () => {
      const { parent, wave } = await parentAndWave();
      const panel = await store.waves.panelId(parent.id, 'ABCDEFGHJKMNPQRS');
      expect(await insert(wave.id, undefined)).toMatchObject({ ok: false, code: 'panel_required' });
      expect(await insert(wave.id, panel)).toMatchObject({ ok: false, code: 'panel_invalid' });
      expect(await store.waves.state(wave.id, panel)).toBe('unknown');
      expect(await store.waves.invite(wave.id, [panel, panel])).toBe(1);
      expect(await store.waves.invite(wave.id, [panel])).toBe(0);
      expect(await store.waves.state(wave.id, panel)).toBe('invited');
      const key = newKey();
      const first = await insert(wave.id, panel, key);
      expect(first).toMatchObject({ ok: true, created: true });
      expect(await insert(wave.id, panel, key)).toMatchObject({ ok: true, created: false });
      expect(await insert(wave.id, panel)).toMatchObject({ ok: false, code: 'panel_used' });
      expect(await store.responses.count(wave.id)).toBe(1);
      expect(await store.waves.state(wave.id, panel)).toBe('answered');
      expect(await store.waves.counts(wave.id)).toEqual({ invited: 1, answered: 1 });
      const stored = [];
      for await (const r of store.responses.iterate(wave.id)) stored.push(r);
      expect(stored.map((r) => r.panelId)).toEqual([panel]);
      // Another study takes responses without a panel id, as before.
      expect(await insert(parent.id, undefined)).toMatchObject({ ok: true, created: true });
      // The database refuses a second response with the panel id however it is written.
      await expect(
        store.db
          .insertInto('responses')
          .values({
            study_id: wave.id,
            version: 1,
            idempotency_key: newKey(),
            answers: '{}',
            language: 'en',
            submitted_on: '2026-01-01',
            submitted_at: null,
            referral_wave: null,
            panel_id: panel,
          })
          .execute(),
      ).rejects.toThrow();
    });

    it('reads where a panel id stands in a wave in one statement, for the state and in the insert', async () => {
      const { parent, wave } = await parentAndWave();
      const [sent, answered, stranger] = await Promise.all(
        ['ABCDEFGHJKMNPQRS', 'SRQPNMKJHGFEDCBA', 'KMNPQRSABCDEFGHJ'].map((c) =>
          store.waves.panelId(parent.id, c),
        ),
      );
      if (!sent || !answered || !stranger) throw new Error('panels');
      await store.waves.invite(wave.id, [sent, answered]);
      expect(await insert(wave.id, answered)).toMatchObject({ ok: true, created: true });
      const { repos, statements } = recorded(store);
      for (const [panel, state] of [
        [sent, 'invited'],
        [answered, 'answered'],
        [stranger, 'unknown'],
      ] as const) {
        statements.length = 0;
        expect(await repos.waves.state(wave.id, panel)).toBe(state);
        expect(statements).toEqual([['responses', 'wave_invites']]);
      }
      // The insert's wave rule (the `panel` step through Kysely): one statement reads both tables.
      for (const [panel, outcome] of [
        [stranger, { ok: false, code: 'panel_invalid' }],
        [answered, { ok: false, code: 'panel_used' }],
        [sent, { ok: true, created: true }],
      ] as const) {
        statements.length = 0;
        const key = newKey();
        expect(
          await repos.responses.insert({
            studyId: wave.id,
            idempotencyKey: key,
            answers: {},
            language: 'en',
            panelId: panel,
          }),
        ).toMatchObject(outcome);
        expect(statements.filter((t) => t.includes('wave_invites'))).toEqual([['responses', 'wave_invites']]);
      }
      expect(await store.waves.counts(wave.id)).toEqual({ invited: 2, answered: 2 });
    });

    it('withdraws a panel from every wave of its screening study and nothing else', async () => {
      const { parent, wave: pre } = await parentAndWave('pre');
      const { ownerId } = await makeOpenStudy(store);
      const post = await store.studies.duplicate({
        fromStudyId: parent.id,
        title: 'post',
        ownerId,
        definition: parent.definition,
        wave: { of: parent.id, label: 'post' },
      });
      if (!post) throw new Error('no wave');
      await store.studies.setStatus({ studyId: post.id, status: 'open' });
      const [a, b] = await Promise.all(
        ['ABCDEFGHJKMNPQRS', 'SRQPNMKJHGFEDCBA'].map((c) => store.waves.panelId(parent.id, c)),
      );
      if (!a || !b) throw new Error('panels');
      for (const w of [pre, post]) {
        await store.waves.invite(w.id, [a, b]);
        await insert(w.id, a);
        await insert(w.id, b);
      }
      expect(await store.waves.hasResponses(parent.id, a)).toBe(true);
      const out = await store.waves.withdraw(parent.id, a);
      expect(out).toEqual([
        { waveId: pre.id, deleted: 1 },
        { waveId: post.id, deleted: 1 },
      ]);
      expect(await store.waves.hasResponses(parent.id, a)).toBe(false);
      expect(await store.waves.state(pre.id, a)).toBe('unknown');
      expect((await store.waves.responses(pre.id)).map((r) => r.panelId)).toEqual([b]);
      expect(await store.waves.withdraw(parent.id, a)).toEqual([]);
    });
  });
}
