import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ans, type TestDatabase, testBackends } from './backends.js';

const child = join(__dirname, 'fixtures', 'insert-and-die.ts');

for (const backend of testBackends()) {
  describe(`durability on ${backend.name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await backend.create();
    });
    afterAll(async () => {
      await db?.dispose();
    });

    it('keeps a response acknowledged just before the process was killed', async () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', child], {
        env: { ...process.env, NABZ_TEST_STORE_CONFIG: JSON.stringify(db.config) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const ack = JSON.parse(run.stdout.trim()) as { studyId: number; id: number };
      const store = await db.open();
      try {
        expect(await store.responses.byId(ack.id)).toMatchObject({
          id: ack.id,
          studyId: ack.studyId,
          answers: ans({ q1: 4 }),
        });
        expect(await store.responses.count(ack.studyId)).toBe(1);
        expect(
          await store.responses.insert({
            studyId: ack.studyId,
            idempotencyKey: 'acknowledged-1',
            answers: {},
            language: 'en',
          }),
        ).toMatchObject({ ok: true, id: ack.id, created: false });
      } finally {
        await store.close();
      }
    });
  });
}
