/**
 * In-process test apps for the server suites: `testApp()` opens a fresh store (SQLite in a temporary
 * directory, or PostgreSQL in a fresh schema when `backend: 'postgres'`), builds the app, and offers sign-in
 * and user helpers. Requests go through `app.inject()`; nothing listens on a port.
 *
 * ```ts
 * for (const backend of serverBackends()) describe(backend.name, () => {
 *   it('...', async () => {
 *     const t = await testApp({ backend });
 *     try {
 *       const owner = await t.createUser({ email: 'owner@example.org' });
 *       const auth = await t.signIn(owner.email, owner.password);
 *       const res = await t.app.inject({ method: 'POST', url: '/studies', headers: { cookie: auth.cookie },
 *         payload: { title: 'x', _csrf: auth.csrf } });
 *     } finally { await t.close(); }
 *   });
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/auth/password.js';
import type { SessionPolicy } from '../../src/server/auth/session.js';
import { configFromEnv, type ServerConfig } from '../../src/server/config.js';
import type { StudyDraft } from '../../src/server/studio/definition.js';
import type { Store, User } from '../../src/store/index.js';
import { type TestBackend, type TestDatabase, testBackends } from '../store/backends.js';

export type { TestBackend } from '../store/backends.js';

/** SQLite always; PostgreSQL too when NABZ_TEST_PG_URL is set. */
export function serverBackends(): TestBackend[] {
  return testBackends();
}

/** A password that passes the policy, used by `createUser` unless one is given. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  /** `cookie` header value carrying the session and the CSRF secret. */
  readonly cookie: string;
  /** A CSRF token for forms (`_csrf` field) or the `x-csrf-token` header. */
  readonly csrf: string;
  readonly user: User;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly config: ServerConfig;
  readonly db: TestDatabase;
  /** The fake clock (ms); advance it with `t.now += ms` via `advance`. */
  now(): number;
  advance(ms: number): void;
  /** Create an account directly in the store (password hashed with argon2id). */
  createUser(input?: {
    email?: string;
    name?: string;
    password?: string;
    admin?: boolean;
  }): Promise<User & { password: string }>;
  /** Sign in through POST /signin and return the cookies and a CSRF token for the signed-in browser. */
  signIn(email: string, password?: string): Promise<SignedIn>;
  /** POST /signin from a browser with `cookie` (from address `ip`): the response and the browser's cookies after. */
  attemptSignIn(
    email: string,
    password: string,
    opts?: { cookie?: string; ip?: string },
  ): Promise<{ res: LightMyRequestResponse; cookie: string }>;
  /** A CSRF token and cookie for a signed-out browser (GET /signin). */
  csrfFor(cookie?: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

/** URL-encoded form fields as a browser sends them: arrays become repeated fields, undefined ones are left out. */
export function formBody(fields: Record<string, string | readonly string[] | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else p.append(k, String(v));
  }
  return p.toString();
}

/** An `application/x-www-form-urlencoded` body for `app.inject` (repeated fields as arrays), as a browser sends it. */
export function form(fields: Record<string, string | readonly string[] | number | undefined>): {
  payload: string;
  headers: Record<string, string>;
} {
  return { payload: formBody(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** The hidden inputs of the (first) form in an HTML page, by name. */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const name = m[1]!;
    if (!(name in out)) out[name] = decodeEntities(m[2]!);
  }
  return out;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Create a study directly in the store (as the studio would), optionally opened. */
export async function createStudy(
  store: Store,
  input: {
    ownerId: number;
    definition: Record<string, unknown>;
    status?: 'draft' | 'open' | 'closed';
    anonymous?: boolean;
    recordTimes?: boolean;
    title?: string;
  },
) {
  const study = await store.studies.create({
    title: input.title ?? String(input.definition.title ?? 'Test study'),
    ownerId: input.ownerId,
    definition: input.definition,
    ...(input.anonymous !== undefined ? { anonymous: input.anonymous } : {}),
    ...(input.recordTimes !== undefined ? { recordTimes: input.recordTimes } : {}),
  });
  const status = input.status ?? 'open';
  if (status !== 'draft') await store.studies.setStatus({ studyId: study.id, status: 'open' });
  if (status === 'closed') await store.studies.setStatus({ studyId: study.id, status: 'closed' });
  const fresh = await store.studies.byId(study.id);
  if (!fresh) throw new Error('study vanished');
  return fresh;
}

/** Merge Set-Cookie headers of a response into a `cookie` header value (later values win; cleared ones drop). */
export function mergeCookies(cookieHeader: string, res: LightMyRequestResponse): string {
  const jar = new Map<string, string>();
  for (const part of cookieHeader.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k) jar.set(k, v.join('='));
  }
  for (const c of res.cookies) {
    const expired = c.expires instanceof Date && c.expires.getTime() <= Date.now();
    if (c.value === '' || expired || c.maxAge === 0) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The value of `name="_csrf"` in an HTML page. */
export function csrfFromHtml(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('No _csrf field in the page.');
  return m[1];
}

/** Build an app over a fresh database. */
export async function testApp(
  options: {
    backend?: TestBackend;
    config?: Partial<ServerConfig>;
    sessionPolicy?: SessionPolicy;
    /** Start of the fake clock (default the real time at creation). */
    start?: number;
    /** Capture the server log (info level, or `logLevel`) into this array. */
    log?: string[];
    logLevel?: string;
    /**
     * Another server process over an existing database (`t.db` of another app): opens a second Store on it,
     * which `close()` closes without dropping the database.
     */
    sharedDb?: TestDatabase;
    /** Count rate limits in the database (the app's default: on for PostgreSQL only). */
    sharedRateLimits?: boolean;
  } = {},
): Promise<TestApp> {
  const backend = options.backend ?? serverBackends()[0]!;
  const db = options.sharedDb ?? (await backend.create());
  const store = await db.open();
  let now = options.start ?? Date.now();
  const config: ServerConfig = {
    ...configFromEnv({}, { port: 3000, dataDir: '/nonexistent-test-data-dir' }),
    ...options.config,
  };
  const app = await buildApp({
    store,
    config,
    clock: () => now,
    ...(options.log
      ? {
          logger: {
            level: options.logLevel ?? 'info',
            stream: { write: (line: string) => void options.log!.push(line) },
          },
        }
      : {}),
    ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    ...(options.sharedRateLimits !== undefined ? { sharedRateLimits: options.sharedRateLimits } : {}),
  });
  await app.ready();

  const csrfFor = async (cookie = '') => {
    const res = await app.inject({ method: 'GET', url: '/signin', headers: cookie ? { cookie } : {} });
    if (res.statusCode === 303) {
      // Already signed in: tokens are bound to the session, so take one from a page of that session.
      const r2 = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
      return { cookie: mergeCookies(cookie, r2), csrf: csrfFromHtml(r2.body) };
    }
    return { cookie: mergeCookies(cookie, res), csrf: csrfFromHtml(res.body) };
  };

  const attemptSignIn: TestApp['attemptSignIn'] = async (email, password, opts = {}) => {
    const c = await csrfFor(opts.cookie ?? '');
    const body = form({ email, password, _csrf: c.csrf });
    const res = await app.inject({
      method: 'POST',
      url: '/signin',
      headers: { ...body.headers, cookie: c.cookie },
      payload: body.payload,
      ...(opts.ip ? { remoteAddress: opts.ip } : {}),
    });
    return { res, cookie: mergeCookies(c.cookie, res) };
  };

  return {
    app,
    store,
    config,
    db,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async createUser(input = {}) {
      const email = input.email ?? `user-${randomBytes(4).toString('hex')}@example.org`;
      const password = input.password ?? TEST_PASSWORD;
      const created = await store.users.create({
        email,
        displayName: input.name ?? email.split('@')[0]!,
        passwordHash: await hashPassword(password),
        isAdmin: input.admin ?? false,
      });
      if (!created.ok) throw new Error(created.message);
      return { ...created.value, password };
    },
    async signIn(email, password = TEST_PASSWORD) {
      const { res, cookie } = await attemptSignIn(email, password);
      if (res.statusCode !== 303)
        throw new Error(`Sign-in as ${email} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
      const user = await store.users.byEmail(email);
      if (!user) throw new Error(`No user ${email}.`);
      const { passwordHash: _ignored, ...plain } = user;
      // CSRF tokens are bound to the session: the signed-out token no longer verifies.
      const signedIn = await csrfFor(cookie);
      return { cookie: signedIn.cookie, csrf: signedIn.csrf, user: plain };
    },
    attemptSignIn,
    csrfFor,
    async close() {
      await app.close();
      await store.close();
      if (!options.sharedDb) await db.dispose();
    },
  };
}

/** The ids of the 30 BACE v3 items, in order (bace3_01 … bace3_30). */
export const BACE_ITEMS = Array.from({ length: 30 }, (_, i) => `bace3_${String(i + 1).padStart(2, '0')}`);

/**
 * The BACE v3 example study (terms acknowledged) with English and Urdu, versioned consent, one screening
 * question (`enrolled = 1` to continue) and referral links.
 */
export function baceStudyDefinition(): Record<string, unknown> {
  const base = JSON.parse(
    readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../../examples/bace-medical-students/study.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  return {
    ...base,
    languages: ['en', 'ur'],
    collection: {
      consent: {
        version: 2,
        text: {
          en: 'You may stop at any time. Your answers are anonymous.',
          ur: 'آپ کسی بھی وقت رک سکتے ہیں۔',
        },
      },
      eligibility: {
        questions: [
          {
            id: 'enrolled',
            type: 'single',
            text: { en: 'Are you a medical student or a postgraduate trainee?' },
            options: [
              { value: 1, label: { en: 'Yes' } },
              { value: 0, label: { en: 'No' } },
            ],
            required: true,
          },
        ],
        eligibleIf: 'enrolled = 1',
        ineligibleMessage: { en: 'Thank you — this study is only for medical students and trainees.' },
      },
      referrals: true,
    },
  };
}

/** Support contacts used by the PHQ-9 study. */
export const SUPPORT_CONTACTS = [
  {
    name: { en: 'Student Counselling Centre, Rawalpindi Medical University' },
    phone: '+92 51 9290301',
    hours: { en: 'Mon–Fri 9:00–16:00' },
  },
  { name: { en: 'Umang mental-health helpline' }, phone: '0311 7786264', url: 'https://umang.com.pk' },
];

/** A PHQ-9 study (safety rule on item 9) with the researcher's support contacts. */
export function phq9StudyDefinition(): Record<string, unknown> {
  return {
    id: 'phq9_wellbeing',
    title: 'Wellbeing of house officers',
    languages: ['en'],
    instruments: [{ instrument: 'phq9' }],
    collection: { supportContacts: SUPPORT_CONTACTS },
  };
}

/**
 * A browser without JavaScript: forms are posted with their hidden fields, a 303 is followed with a GET (as
 * browsers do: redirect-after-POST), and cookies are kept per path (the respondent session is one).
 * `lastPost` is the last POST's own answer (before any redirect); `url` the last URL fetched.
 */
export class FormBrowser {
  html = '';
  status = 0;
  headers: Record<string, string | string[] | number | undefined> = {};
  url = '';
  lastPost: LightMyRequestResponse | undefined;
  private readonly jar = new Map<string, { value: string; path: string }>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly requestHeaders: Record<string, string> = {},
    private readonly remoteAddress?: string,
  ) {}

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    this.html = res.body;
    this.status = res.statusCode;
    this.headers = res.headers;
    return res;
  }

  private keep(res: LightMyRequestResponse): void {
    for (const c of res.cookies) {
      const expired = c.expires instanceof Date && c.expires.getTime() <= Date.now();
      const key = `${c.path ?? '/'}|${c.name}`;
      if (c.value === '' || expired || c.maxAge === 0) this.jar.delete(key);
      else this.jar.set(key, { value: c.value, path: c.path ?? '/' });
    }
  }

  /** The request headers for a URL: the given ones, with the jar's cookies for its path added. */
  private headersFor(url: string): Record<string, string> {
    const path = url.split('?')[0] ?? '';
    const mine = [...this.jar]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([k, c]) => `${k.split('|')[1]}=${c.value}`);
    const given = this.requestHeaders.cookie;
    const cookie = [...(given ? [given] : []), ...mine].join('; ');
    return { ...this.requestHeaders, ...(cookie ? { cookie } : {}) };
  }

  /** The jar's cookies (name → value), for checks. */
  cookies(): Record<string, string> {
    return Object.fromEntries([...this.jar].map(([k, c]) => [k.split('|')[1]!, c.value]));
  }

  private async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    let r = res;
    for (let hops = 0; r.statusCode === 303 && hops < 5; hops++) {
      const location = String(r.headers.location);
      r = await this.fetch(location);
    }
    return this.remember(r);
  }

  private async fetch(url: string): Promise<LightMyRequestResponse> {
    this.url = url;
    const res = await this.app.inject({
      method: 'GET',
      url,
      headers: this.headersFor(url),
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
    });
    this.keep(res);
    return res;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.follow(await this.fetch(url));
  }

  /** The form's action, decoded. */
  action(): string {
    const m = /<form method="post" action="([^"]*)"/.exec(this.html);
    if (!m) throw new Error(`No form on the page (status ${this.status}): ${this.html.slice(0, 400)}`);
    return m[1]!.replace(/&amp;/g, '&');
  }

  /** Hidden fields of the current page. */
  hidden(): Record<string, string> {
    return hiddenFields(this.html);
  }

  /** Post a form body to a URL with the jar's cookies (no redirect followed); the answer. */
  async post(
    url: string,
    body: { headers: Record<string, string>; payload: string },
  ): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.headersFor(url), ...body.headers },
      payload: body.payload,
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
    });
    this.keep(res);
    this.lastPost = res;
    return res;
  }

  /** Submit the current form with the hidden fields, the given fields and the pressed button; follow the 303. */
  async submit(
    fields: Record<string, string | readonly string[] | number | undefined> = {},
    button?: { name: string; value: string },
  ): Promise<LightMyRequestResponse> {
    const body = form({ ...this.hidden(), ...fields, ...(button ? { [button.name]: button.value } : {}) });
    return this.follow(await this.post(this.action(), body));
  }

  /** The `_page` of the current page. */
  page(): string | undefined {
    return this.hidden()._page;
  }
}

/** Count the rows of a table (for "nothing stored" checks). */
export async function countRows(
  store: Store,
  table: 'responses' | 'resume_drafts' | 'progress_counters' | 'referral_links' | 'audit_log' | 'sessions',
): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A signed-in studio user's requests (GET, form POST with the CSRF token) and study set-up. */
export function studioClient(t: TestApp, who: SignedIn) {
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const post = (url: string, fields: Record<string, string | readonly string[]>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ ...fields, _csrf: who.csrf }),
    });
  /** Create a study through the new-study form (English unless `languages` is given); its id. */
  const createStudy = async (fields: Record<string, string | readonly string[]>): Promise<number> => {
    const r = await post('/studies', { languages: ['en'], ...fields });
    if (r.statusCode !== 303)
      throw new Error(`study not created (${r.statusCode}): ${r.body.slice(0, 2000)}`);
    return Number(/^\/studies\/(\d+)$/.exec(String(r.headers.location))![1]);
  };
  const definitionOf = async (id: number) => (await t.store.studies.byId(id))!.definition as StudyDraft;
  return { get, post, createStudy, definitionOf };
}

/** A fresh test app with one signed-in owner (Olivia Owner) and her studio client. */
export async function ownerStudio(backend: TestBackend) {
  const t = await testApp({ backend });
  const u = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
  const owner = await t.signIn(u.email, u.password);
  return { t, owner, c: studioClient(t, owner) };
}
