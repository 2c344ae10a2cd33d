/**
 * The application shell: configuration, the one error handler (JSON under /api, HTML elsewhere, sign-in
 * redirect for 401), the role guard, cookies' Secure flag; and the `nabz serve` / `nabz user` commands as
 * processes (first-run link, health check, graceful shutdown, password from stdin).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, loggablePath, toHttpError } from '../../src/server/app.js';
import { requireStudyRole, requireUser } from '../../src/server/auth/guard.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { ConfigError, configFromEnv } from '../../src/server/config.js';
import { HttpError } from '../../src/server/errors.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createStudy, form, mergeCookies, phq9StudyDefinition, TEST_PASSWORD } from './helpers.js';

describe('configFromEnv', () => {
  it('uses flags, then the environment, then defaults', () => {
    const d = configFromEnv({});
    expect(d).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
      minCellSizeDefault: 5,
      trustProxy: false,
      submitRateLimitPerMinute: 2000,
    });
    expect(d.dataDir).toBe(join(process.cwd(), 'data'));
    const e = configFromEnv({
      PORT: '8080',
      HOST: '0.0.0.0',
      NABZ_DATA_DIR: '/srv/nabz',
      NABZ_PUBLIC_URL: 'https://survey.example.edu/',
      NABZ_TRUST_PROXY: '1',
    });
    expect(e).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/nabz',
      publicUrl: 'https://survey.example.edu',
      secureCookies: true,
      trustProxy: 1,
    });
    expect(configFromEnv({ PORT: '8080' }, { port: '9000', dataDir: '/tmp/x' })).toMatchObject({
      port: 9000,
      dataDir: '/tmp/x',
      publicUrl: 'http://localhost:9000',
    });
  });

  it('names the bad value and the fix', () => {
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(
      'PORT=eighty is not a port number: use a whole number from 1 to 65535',
    );
    expect(() => configFromEnv({ NABZ_PUBLIC_URL: 'ftp://x' })).toThrow(/not valid: use e.g. https:\/\//);
    // A start-up error, not an HTTP one (the CLI exits with 2).
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(ConfigError);
  });
});

describe('error mapping', () => {
  it('turns validation, database and client errors into the right status', () => {
    const zodErr = z.object({ age: z.number() }).safeParse({ age: 'x' }).error;
    const v = toHttpError(zodErr);
    expect(v.status).toBe(400);
    expect(v.issues[0]?.path).toBe('age');
    expect(
      toHttpError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })).status,
    ).toBe(503);
    expect(
      toHttpError(
        Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }),
      ).status,
    ).toBe(503);
    expect(
      toHttpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).headers[
        'retry-after'
      ],
    ).toBe('5');
    expect(toHttpError(Object.assign(new Error('x'), { code: '57P01' })).status).toBe(503);
    const bug = toHttpError(new TypeError('undefined is not a function'));
    expect(bug.status).toBe(500);
    expect(bug.message).not.toContain('undefined is not a function');
    expect(
      toHttpError(Object.assign(new Error('x'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))
        .status,
    ).toBe(413);
  });

  it('keeps secrets and queries out of logged paths', () => {
    expect(loggablePath('/setup/abcdef123?x=1')).toBe('/setup/[token]');
    expect(loggablePath('/s/tok?r=ABCD1234&lang=ur')).toBe('/s/tok');
  });
});

describe('app shell', () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nabz-app-'));
    store = await openStore({ kind: 'sqlite', file: join(dir, 'nabz.sqlite') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('guards study routes: 401 signed out (HTML → sign-in), 404 without a role or study, 403 for the wrong role', async () => {
    const config = configFromEnv({}, { dataDir: dir });
    const app = await buildApp({ store, config });
    app.get<{ Params: { id: string } }>('/t/owner/:id', async (req) => {
      const r = await requireStudyRole(req, req.params.id, ['owner']);
      return { role: r.role, title: r.study.title };
    });
    app.get('/api/v1/t/me', async (req) => ({ email: requireUser(req).email }));
    app.get('/t/teapot', async () => {
      throw new HttpError(418, 'Short & <stout>.', 'teapot');
    });
    app.get('/t/bug', async () => {
      throw new Error('secret internals');
    });
    await app.ready();
    try {
      const passwordHash = await hashPassword(TEST_PASSWORD);
      const owner = await store.users.create({ email: 'o@example.org', displayName: 'O', passwordHash });
      if (!owner.ok) throw new Error(owner.message);
      const analyst = await store.users.create({ email: 'a@example.org', displayName: 'A', passwordHash });
      if (!analyst.ok) throw new Error(analyst.message);
      const study = await createStudy(store, { ownerId: owner.value.id, definition: phq9StudyDefinition() });
      await store.roles.grant({ studyId: study.id, userId: analyst.value.id, role: 'analyst' });

      // Signed out.
      const anon = await app.inject({ method: 'GET', url: `/t/owner/${study.id}` });
      expect(anon.statusCode).toBe(303);
      expect(anon.headers.location).toBe(`/signin?next=${encodeURIComponent(`/t/owner/${study.id}`)}`);
      const apiAnon = await app.inject({ method: 'GET', url: '/api/v1/t/me' });
      expect(apiAnon.statusCode).toBe(401);
      expect(apiAnon.json()).toMatchObject({ code: 'unauthenticated' });

      // Sign in as the owner through the real form.
      const page = await app.inject({ method: 'GET', url: '/signin' });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const body = form({ email: 'o@example.org', password: TEST_PASSWORD, _csrf: csrf });
      const res = await app.inject({
        method: 'POST',
        url: '/signin',
        headers: { ...body.headers, cookie: mergeCookies('', page) },
        payload: body.payload,
      });
      expect(res.statusCode).toBe(303);
      const cookie = mergeCookies(mergeCookies('', page), res);
      const ok = await app.inject({ method: 'GET', url: `/t/owner/${study.id}`, headers: { cookie } });
      expect(ok.json()).toEqual({ role: 'owner', title: 'Wellbeing of house officers' });
      for (const id of ['999999', 'abc', '0', '-1', '1e3']) {
        const r = await app.inject({ method: 'GET', url: `/t/owner/${id}`, headers: { cookie } });
        expect(r.statusCode, id).toBe(404);
      }
      // The analyst: 403 here (a role, but not this one); a study they have no role on: 404, same as none at all.
      const other = await createStudy(store, { ownerId: owner.value.id, definition: phq9StudyDefinition() });
      const p2 = await app.inject({ method: 'GET', url: '/signin' });
      const b2 = form({
        email: 'a@example.org',
        password: TEST_PASSWORD,
        _csrf: /name="_csrf" value="([^"]+)"/.exec(p2.body)![1]!,
      });
      const r2 = await app.inject({
        method: 'POST',
        url: '/signin',
        headers: { ...b2.headers, cookie: mergeCookies('', p2) },
        payload: b2.payload,
      });
      const aCookie = mergeCookies(mergeCookies('', p2), r2);
      expect(
        (await app.inject({ method: 'GET', url: `/t/owner/${study.id}`, headers: { cookie: aCookie } }))
          .statusCode,
      ).toBe(403);
      const hidden = await app.inject({
        method: 'GET',
        url: `/t/owner/${other.id}`,
        headers: { cookie: aCookie },
      });
      expect(hidden.statusCode).toBe(404);
      expect(hidden.body).toContain('Study not found.');

      // The error handler: HTML escaped, JSON under /api, 500 without internals, 404s.
      const tea = await app.inject({ method: 'GET', url: '/t/teapot' });
      expect(tea.statusCode).toBe(418);
      expect(tea.body).toContain('Short &amp; &lt;stout&gt;.');
      expect(tea.headers['content-security-policy']).toBeDefined();
      const bug = await app.inject({ method: 'GET', url: '/t/bug' });
      expect(bug.statusCode).toBe(500);
      expect(bug.body).not.toContain('secret internals');
      // The router's own refusals come in the app's format too, without echoing the address.
      const long = await app.inject({
        method: 'POST',
        url: `/api/v1/s/${'a'.repeat(300)}/responses`,
        payload: {},
      });
      expect(long.statusCode).toBe(414);
      expect(long.json()).toEqual({ error: 'The address is too long; check the link.', code: 'malformed' });
      const badEscape = await app.inject({ method: 'GET', url: '/s/%E0%A4%A' });
      expect(badEscape.statusCode).toBe(400);
      expect(badEscape.headers['content-security-policy']).toMatch(/default-src 'none'/);
      const nf = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
      expect(nf.statusCode).toBe(404);
      expect(nf.json().code).toBe('not_found');
      expect((await app.inject({ method: 'GET', url: '/nothing-here' })).headers['content-type']).toMatch(
        /text\/html/,
      );
    } finally {
      await app.close();
    }
  });

  it('marks cookies Secure when the public URL is https', async () => {
    const config = configFromEnv({ NABZ_PUBLIC_URL: 'https://survey.example.edu' }, { dataDir: dir });
    const app = await buildApp({ store, config });
    try {
      const page = await app.inject({ method: 'GET', url: '/signin' });
      expect(String(page.headers['set-cookie'])).toMatch(/_csrf=.*; Secure/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const body = form({ email: 'o@example.org', password: TEST_PASSWORD, _csrf: csrf });
      const res = await app.inject({
        method: 'POST',
        url: '/signin',
        headers: { ...body.headers, cookie: mergeCookies('', page) },
        payload: body.payload,
      });
      expect(String(res.headers['set-cookie'])).toMatch(
        /nabz_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/,
      );
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await app.close();
    }
  });
});

/** Run the CLI from source (tsx), collecting output. */
function cli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): ChildProcess & { out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  return Object.assign(child, { out: () => out });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('nabz serve and nabz user (processes)', () => {
  it('creates the SQLite file, prints the one-time owner link, answers /healthz, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nabz-serve-'));
    try {
      const server = cli(
        [
          'serve',
          '--port',
          '0',
          '--data-dir',
          join(dataDir, 'data'),
          '--public-url',
          'http://localhost:3999',
        ],
        {},
      );
      const done = exited(server);
      await waitFor(() => /create the owner account/.test(server.out()), 'the setup link');
      const out = server.out();
      expect(out).toMatch(
        /Open http:\/\/localhost:3999\/setup\/[A-Za-z0-9_-]{32} to create the owner account \(valid 24 h\)\./,
      );
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, backend: 'sqlite' });
      const token = /\/setup\/([A-Za-z0-9_-]{32})/.exec(out)![1]!;
      expect((await fetch(`http://127.0.0.1:${port}/setup/${token}`)).status).toBe(200);
      server.kill('SIGTERM');
      expect(await done).toBe(0);
      expect(server.out()).toContain('nabz: stopped.');

      // `nabz user add` with the password on stdin; then a restart prints no setup link.
      const add = cli(
        [
          'user',
          'add',
          '--email',
          'Owner@Example.org',
          '--name',
          'Dr Owner',
          '--admin',
          '--data-dir',
          join(dataDir, 'data'),
        ],
        {},
        `${TEST_PASSWORD}\n`,
      );
      expect(await exited(add)).toBe(0);
      expect(add.out()).toContain('Created administrator account owner@example.org');
      const weak = cli(['user', 'add', '--email', 'x@example.org', '--data-dir', join(dataDir, 'data')], {
        NABZ_PASSWORD: 'short',
      });
      expect(await exited(weak)).toBe(1);
      expect(weak.out()).toContain('use at least 10');
      const list = cli(['user', 'list', '--data-dir', join(dataDir, 'data')], {});
      expect(await exited(list)).toBe(0);
      expect(list.out()).toMatch(/owner@example\.org\tDr Owner\tadmin/);

      const again = cli(['serve', '--port', '0', '--data-dir', join(dataDir, 'data')], {});
      const done2 = exited(again);
      await waitFor(() => /listening on/.test(again.out()), 'the server');
      again.kill('SIGINT');
      expect(await done2).toBe(0);
      expect(again.out()).not.toContain('create the owner account');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
