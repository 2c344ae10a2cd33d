/**
 * A transcript's recording in real Chromium: the owner imports a WebVTT transcript, links a WAV built in code
 * (the page's script reads the chosen file), and clicks a turn's play control: the page's player plays that
 * turn's span and pauses at its end. The recording loads under the page's CSP with byte ranges, and nothing
 * is requested from anywhere else.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wav } from '../helpers/media.js';
import {
  ARTIFACTS,
  CHROMIUM,
  CHROMIUM_ARGS,
  e2eBackends,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const VTT =
  'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n<v Moderator>What makes exams hard?\n\n' +
  '00:00:01.500 --> 00:00:02.500\n<v P1>Sleep, mostly.\n\n00:00:02.500 --> 00:00:03.500\n<v P2>The fear.\n';

for (const backend of e2eBackends()) {
  describe(`playing a turn of a recording in Chromium on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    let studyId = 0;
    const foreign: string[] = [];
    const problems: string[] = [];
    const mediaStatuses: number[] = [];

    beforeAll(async () => {
      server = await startServer(backend);
      const o = await server.createUser('owner@example.org', 'Dr Owner', PASSWORD);
      studyId = (await server.store.studies.create({ title: 'Exam stress', ownerId: o.id, definition: {} }))
        .id;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, '--mute-audio'],
        headless: true,
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      recordForeignRequests(page, server.baseUrl, foreign);
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('response', (r) => {
        if (r.url().endsWith('/media') && r.request().method() === 'GET') mediaStatuses.push(r.status());
      });
      await signInAs(page, server.baseUrl, 'owner@example.org', PASSWORD);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('links a recording to an imported WebVTT transcript', async () => {
      await page.goto(`${server.baseUrl}/studies/${studyId}/qual`);
      await page.click('text=Start the qualitative project');
      await page.goto(`${server.baseUrl}/studies/${studyId}/qual/sources`);
      await page.fill('#name', 'FGD 1');
      await page.selectOption('#format', 'vtt');
      await page.fill('#text', VTT);
      await page.click('button:has-text("Import")');
      await page.click('text=Open it for coding');
      await page.setInputFiles('#media_file', {
        name: 'fgd1.wav',
        mimeType: 'audio/wav',
        buffer: Buffer.from(wav(4)),
      });
      await page.waitForFunction(
        () => (document.getElementById('media_b64') as HTMLInputElement).value !== '',
      );
      await page.click('section.media button:has-text("Upload")');
      await page.waitForSelector('#qual-media');
      await page.waitForFunction(
        () => (document.getElementById('qual-media') as HTMLMediaElement).readyState >= 1,
      );
      expect(await page.locator('a[data-play]').count()).toBe(3);
    });

    it('plays a turn: from its start, pausing at its end', async () => {
      await page.click('#turn-1 a[data-play]');
      await page.waitForFunction(
        () => {
          const m = document.getElementById('qual-media') as HTMLMediaElement;
          return m.currentTime > 1.6 && m.paused;
        },
        undefined,
        { timeout: 15_000 },
      );
      const at = await page.evaluate(
        () => (document.getElementById('qual-media') as HTMLMediaElement).currentTime,
      );
      // timeupdate fires every 15–250 ms: the player stops at the turn's end, a little after at most.
      expect(at).toBeGreaterThanOrEqual(2.5);
      expect(at).toBeLessThan(2.9);
      await page.screenshot({ path: join(ARTIFACTS, `qual-media-${backend.name}.png`), fullPage: true });
    });

    it('loaded the recording from the server only, by byte ranges, without a CSP complaint', () => {
      expect(foreign).toEqual([]);
      expect(mediaStatuses.length).toBeGreaterThan(0);
      expect(mediaStatuses.every((s) => s === 206 || s === 200)).toBe(true);
      expect(mediaStatuses).toContain(206);
      expect(problems.filter((p) => /Content Security Policy|media/i.test(p))).toEqual([]);
    });
  });
}
