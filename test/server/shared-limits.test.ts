/**
 * Issue 12, finding 20: two server processes over one database share the per-address submit limit, the
 * sign-in lockout (address and account thresholds), the owner's exemption from the account lock and the
 * per-address bound on saved drafts (finding 12), and one
 * idempotency key stores one row whichever server it reaches. Before the limits moved into the store, each
 * threshold doubled with two servers and the exemption held only on the server that saw the owner's sign-in.
 * In process (two apps, two Stores, one database), on SQLite and (NABZ_TEST_PG_URL) PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAVES_PER_ADDRESS_HOUR } from '../../src/server/respond/state.js';
import {
  countRows,
  createStudy,
  phq9StudyDefinition,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

/** A fixed start at the beginning of a minute, so the two fake clocks share every rate-limit window. */
const START = Date.UTC(2026, 11, 7, 9, 0, 0);

for (const backend of serverBackends()) {
  describe(`limits shared by two servers (${backend.name})`, () => {
    let a: TestApp;
    let b: TestApp;
    beforeEach(async () => {
      const config = { submitRateLimitPerMinute: 4 };
      a = await testApp({ backend, config, start: START, sharedRateLimits: true });
      b = await testApp({ backend, config, start: START, sharedRateLimits: true, sharedDb: a.db });
    });
    afterEach(async () => {
      await b.close();
      await a.close();
    });

    const attempt = async (t: TestApp, email: string, password: string, ip: string) =>
      (await t.attemptSignIn(email, password, { ip })).res.statusCode;

    it('the per-address submit limit counts submissions to both servers together', async () => {
      const owner = await a.createUser();
      const s = await createStudy(a.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const send = (t: TestApp, i: number, ip = '192.0.2.10') =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${s.publicToken}/responses`,
          remoteAddress: ip,
          headers: { 'content-type': 'application/json', 'idempotency-key': `shared-rl-${ip}-${i}` },
          payload: JSON.stringify({ answers: { phq9_1: 0 } }),
        });
      // 4 a minute from one address: two to each server, then both refuse (with one server each, 8 got in).
      for (let i = 0; i < 4; i++) expect((await send(i % 2 ? b : a, i)).statusCode).toBe(201);
      expect((await send(a, 4)).statusCode).toBe(429);
      expect((await send(b, 5)).statusCode).toBe(429);
      expect((await send(b, 0, '192.0.2.11')).statusCode).toBe(201);
      expect(await countRows(a.store, 'responses')).toBe(5);
      // The next minute starts a new window on both.
      a.advance(60_000);
      b.advance(60_000);
      expect((await send(b, 6)).statusCode).toBe(201);
      // The counters hold keyed hashes, never the address.
      const keys = await a.store.db.selectFrom('rate_counters').select('key').execute();
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k.key).toMatch(/^[0-9a-f]{64}$/);
    });

    it('one idempotency key sent to both servers stores one response', async () => {
      const owner = await a.createUser();
      const s = await createStudy(a.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const send = (t: TestApp) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${s.publicToken}/responses`,
          headers: { 'content-type': 'application/json', 'idempotency-key': 'shared-key-0000-0001' },
          payload: JSON.stringify({ answers: { phq9_1: 2 } }),
        });
      const [r1, r2] = await Promise.all([send(a), send(b)]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 201]);
      expect(r1.json().id).toBe(r2.json().id);
      expect(await countRows(a.store, 'responses')).toBe(1);
    });

    it('the per-address bound on saved drafts (finding 12) counts saves through both servers together', async () => {
      const owner = await a.createUser();
      const s = await createStudy(a.store, { ownerId: owner.id, definition: phq9StudyDefinition() });
      const page1: Record<string, string> = { _lang: 'en', _page: 'p1', _nav: 'save' };
      for (let i = 1; i <= 9; i++) page1[`phq9_${i}`] = '1';
      const save = (t: TestApp, remoteAddress = '203.0.113.9') =>
        t.app.inject({
          method: 'POST',
          url: `/s/${s.publicToken}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(page1).toString(),
          remoteAddress,
        });
      // Each save is answered with a redirect to its resume code (303). Half of the hour's saves through each
      // server, then both refuse (with per-process counts, each server would have accepted
      // SAVES_PER_ADDRESS_HOUR more).
      for (let i = 0; i < SAVES_PER_ADDRESS_HOUR; i++)
        expect((await save(i % 2 ? b : a)).statusCode).toBe(303);
      expect((await save(a)).statusCode).toBe(429);
      expect((await save(b)).statusCode).toBe(429);
      expect(await countRows(a.store, 'resume_drafts')).toBe(SAVES_PER_ADDRESS_HOUR);
      // Another address is not affected; the counters hold keyed hashes, never the address.
      expect((await save(b, '198.51.100.4')).statusCode).toBe(303);
      const keys = await a.store.db.selectFrom('rate_counters').select('key').execute();
      for (const k of keys) expect(k.key).toMatch(/^[0-9a-f]{64}$/);
      // The next hour opens a new window on both.
      a.advance(3_600_000);
      b.advance(3_600_000);
      expect((await save(b)).statusCode).toBe(303);
    });

    it('the address lockout threshold (20 failures) holds across both servers', async () => {
      const ip = '198.51.100.20';
      for (let i = 0; i < 19; i++) {
        expect(await attempt(i % 2 ? b : a, `victim${i}@example.org`, 'Summer2026!', ip)).toBe(401);
      }
      expect(await attempt(b, 'victim19@example.org', 'Summer2026!', ip)).toBe(401);
      // 10 failures on each server: the address is locked on both (before: 20 more were allowed).
      expect(await attempt(a, 'victim20@example.org', 'Summer2026!', ip)).toBe(429);
      expect(await attempt(b, 'victim21@example.org', 'Summer2026!', ip)).toBe(429);
    });

    it('the account lock counts failures from both servers, and the owner signed in on one is exempt on the other', async () => {
      const owner = await a.createUser({ email: 'owner@example.org' });
      const home = '203.0.113.7';
      // The owner signs in from home through server A.
      expect(await attempt(a, owner.email, owner.password, home)).toBe(303);
      // 50 failures from 50 addresses, spread over both servers, lock the account.
      for (let i = 0; i < 50; i++) {
        expect(await attempt(i % 2 ? b : a, owner.email, 'Winter2026!', `192.0.2.${100 + i}`)).toBe(401);
      }
      expect(await attempt(a, owner.email, owner.password, '198.51.100.99')).toBe(429);
      expect(await attempt(b, owner.email, owner.password, '198.51.100.98')).toBe(429);
      // The owner's home address is known on server B too (before: only on A, which saw the sign-in).
      expect(await attempt(b, owner.email, owner.password, home)).toBe(303);
    });
  });
}
