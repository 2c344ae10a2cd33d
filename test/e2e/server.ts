/**
 * The real server for end-to-end tests: `buildApp` over a fresh database (SQLite in a temporary directory, or
 * PostgreSQL in a fresh schema when NABZ_TEST_PG_URL is set), listening on a free local port, and Debian's
 * Chromium driven by playwright-core.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { configFromEnv } from '../../src/server/config.js';
import type { Store, User } from '../../src/store/index.js';
import { type TestBackend, type TestDatabase, testBackends } from '../store/backends.js';

/** Where screenshots and downloads go (gitignored). */
export const ARTIFACTS = join(new URL('../..', import.meta.url).pathname, 'test-artifacts');

export const CHROMIUM = process.env.NABZ_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium flags: headless, no sandbox (containers), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Record every request of a page that leaves the server under test (the flows expect none). */
export function recordForeignRequests(page: Page, baseUrl: string, into: string[]): void {
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(baseUrl) && !u.startsWith('data:') && !u.startsWith('about:')) into.push(u);
  });
}

/** Backends to run the flows on: SQLite always, PostgreSQL too when NABZ_TEST_PG_URL is set. */
export function e2eBackends(): TestBackend[] {
  return testBackends();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly baseUrl: string;
  createUser(email: string, name: string, password: string): Promise<User>;
  close(): Promise<void>;
}

/** Start the real server on a free port; its public URL (links, QR code) is that address. */
export async function startServer(backend: TestBackend): Promise<RunningServer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const db: TestDatabase = await backend.create();
  const store = await db.open();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = configFromEnv(
    {},
    { port, host: '127.0.0.1', dataDir: '/nonexistent-e2e-data-dir', publicUrl: baseUrl },
  );
  const app = await buildApp({ store, config });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    store,
    baseUrl,
    async createUser(email, name, password) {
      const r = await store.users.create({
        email,
        displayName: name,
        passwordHash: await hashPassword(password),
      });
      if (!r.ok) throw new Error(r.message);
      return r.value;
    },
    async close() {
      await app.close();
      await store.close();
      await db.dispose();
    },
  };
}

/** A phone: 360×740 CSS pixels, touch, mobile user agent behaviour. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
} as const;

/** The text of the first element matching `selector`, once it is there. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const l = page.locator(selector).first();
  await l.waitFor({ state: 'attached', timeout: 15_000 });
  return (await l.textContent()) ?? '';
}

/** Sign in through the sign-in form (the page ends on the studio's start page). */
export async function signInAs(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  if (new URL(page.url(), baseUrl).pathname !== '/signin') await page.goto(`${baseUrl}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button.primary');
  await page.waitForURL(`${baseUrl}/`);
}

/** Select `needle` inside the transcript with the DOM Selection API, as a mouse drag would. */
export async function selectText(page: Page, needle: string): Promise<void> {
  await page.evaluate((n) => {
    const root = document.getElementById('transcript')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    let full = '';
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      nodes.push(t as Text);
      full += (t as Text).data;
    }
    const at = full.indexOf(n);
    if (at < 0) throw new Error(`"${n}" is not on the page`);
    const locate = (pos: number): [Text, number] => {
      let acc = 0;
      for (const t of nodes) {
        if (pos <= acc + t.data.length) return [t, pos - acc];
        acc += t.data.length;
      }
      throw new Error('past the end');
    };
    const [sn, so] = locate(at);
    const [en, eo] = locate(at + n.length);
    const r = document.createRange();
    r.setStart(sn, so);
    r.setEnd(en, eo);
    const sel = window.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(r);
    document.getElementById('transcript')!.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
  }, needle);
}
