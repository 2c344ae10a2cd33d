/**
 * A quick property-based pass over the respondent endpoints and sign-in with generated hostile payloads
 * (wrong types, nested JSON, random bytes under several content types, random form fields including control
 * fields and a live session key): never a 5xx, and every JSON refusal carries a message. The long run (100k+
 * payloads, database-unchanged checks) belongs to the fault suite in bench/.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { baceStudyDefinition, createStudy, FormBrowser, testApp } from './helpers.js';

it('answers generated hostile requests with 2xx/3xx/4xx only', async () => {
  const t = await testApp({ config: { submitRateLimitPerMinute: 1_000_000 } });
  try {
    const owner = await t.createUser();
    const s = await createStudy(t.store, { ownerId: owner.id, definition: baceStudyDefinition() });
    const b = new FormBrowser(t.app);
    await b.get(`/s/${s.publicToken}`);
    await b.submit({}, { name: '_consent', value: 'agree' });
    const liveKey = b.hidden()._s!;
    const itemIds = ['bace3_01', 'bace3_14', 'age', 'enrolled', 'gender', 'training', 'specialty'];
    const json = fc.jsonValue({ maxDepth: 4 });
    const field = fc.oneof(
      fc.constantFrom(
        '_s',
        '_page',
        '_nav',
        '_idem',
        '_lang',
        '_r',
        '_consent',
        'code',
        '__proto__',
        'constructor',
        ...itemIds,
      ),
      fc.string(),
    );
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        liveKey,
        'e1',
        'p1',
        'p3',
        'review',
        'consent',
        'next',
        'submit',
        'back',
        'save',
        'goto:p1',
        'goto:p99',
        'agree',
        '1',
        '0',
        'na',
        '-1',
        '1e309',
        '=HYPERLINK("x")',
      ),
    );
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            kind: fc.constant('form' as const),
            url: fc.constantFrom(
              `/s/${s.publicToken}`,
              `/s/${s.publicToken}/resume`,
              `/s/${s.publicToken}?preview=1`,
              '/signin',
              '/setup/abc',
            ),
            fields: fc.array(fc.tuple(field, value), { maxLength: 12 }),
          }),
          fc.record({
            kind: fc.constant('json' as const),
            body: fc.oneof(
              json,
              fc.record({ answers: json, language: json, idempotencyKey: fc.oneof(fc.string(), json) }),
              fc.record({
                answers: fc.dictionary(fc.constantFrom(...itemIds), json),
                idempotencyKey: fc.constant('fuzz-key-0001'),
              }),
            ),
          }),
          fc.record({
            kind: fc.constant('raw' as const),
            url: fc.constantFrom(`/api/v1/s/${s.publicToken}/responses`, `/s/${s.publicToken}`, '/signin'),
            type: fc.constantFrom(
              'application/json',
              'application/x-www-form-urlencoded',
              'text/plain',
              'multipart/form-data',
              'application/json; charset=latin1',
            ),
            bytes: fc.uint8Array({ maxLength: 300 }),
          }),
        ),
        async (c) => {
          let res: Awaited<ReturnType<typeof t.app.inject>>;
          if (c.kind === 'form') {
            const p = new URLSearchParams();
            for (const [k, v] of c.fields) p.append(k, v);
            res = await t.app.inject({
              method: 'POST',
              url: c.url,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: p.toString(),
            });
          } else if (c.kind === 'json') {
            res = await t.app.inject({
              method: 'POST',
              url: `/api/v1/s/${s.publicToken}/responses`,
              headers: { 'content-type': 'application/json' },
              payload: JSON.stringify(c.body) ?? 'null',
            });
          } else {
            res = await t.app.inject({
              method: 'POST',
              url: c.url,
              headers: { 'content-type': c.type },
              payload: Buffer.from(c.bytes),
            });
          }
          if (res.statusCode >= 500) failures.push(`${res.statusCode} ${JSON.stringify(c).slice(0, 300)}`);
          if (res.statusCode >= 400 && String(res.headers['content-type']).startsWith('application/json')) {
            const body = res.json() as { error?: unknown };
            if (typeof body.error !== 'string' || !body.error)
              failures.push(`no message: ${JSON.stringify(c).slice(0, 300)}`);
          }
        },
      ),
      { numRuns: 2000, seed: 20260601 },
    );
    expect(failures.slice(0, 5)).toEqual([]);
  } finally {
    await t.close();
  }
}, 120_000);
