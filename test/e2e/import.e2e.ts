/**
 * Bring existing data into a study, in real Chromium against the real server (issue 14, second e2e of "Done
 * when"): the owner of a new BACE study uploads the example's Google Forms export from the Exports tab, goes
 * through the mapping screen (every column, "30 of 30 instrument items matched", the dry run), imports, and the
 * studio's analysis shows the numbers `nabz analyze` prints for the same file: n, a domain's mean and SD, and
 * Cronbach's alpha. Uses the built CLI (dist/cli/main.js; `npm test` builds first), as test/cli does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  e2eBackends,
  launchBrowser,
  type RunningServer,
  recordForeignRequests,
  signInAs,
  startServer,
} from './server.js';

const PASSWORD = 'correct horse battery staple';
const root = join(import.meta.dirname, '../..');
const STUDY_FILE = join(root, 'examples/bace-medical-students/study.json');
const CSV_FILE = join(root, 'examples/bace-medical-students/responses.csv');

/** A CSV table's rows as cell arrays (the CLI's tables quote only cells with commas or quotes). */
function csvRows(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) =>
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) =>
        m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
      ),
    )
    .map((cells) => cells.slice(0, -1));
}

/** The CLI's figures for the file: per score, n, mean and SD; per score, alpha of the all-items listwise row. */
function cliFigures(): { scores: Map<string, string[]>; alpha: Map<string, string[]> } {
  const out = mkdtempSync(join(tmpdir(), 'nabz-import-e2e-'));
  const r = spawnSync(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'analyze', CSV_FILE, '--study', STUDY_FILE, '--out', out],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
  const scores = new Map(
    csvRows(readFileSync(join(out, 'tables/bace3_scores.csv'), 'utf8'))
      .slice(1)
      .map((c) => [c[0]!, c]),
  );
  const alpha = new Map<string, string[]>();
  for (const c of csvRows(readFileSync(join(out, 'tables/reliability.csv'), 'utf8')).slice(1))
    if (!alpha.has(c[0]!)) alpha.set(c[0]!, c);
  return { scores, alpha };
}

/** Every table row of the page, as the texts of its cells. */
async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('table tr', (trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
    ),
  );
}

for (const backend of e2eBackends()) {
  describe(`a Google Forms export imported through the mapping screen, on ${backend.name}`, () => {
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    let studyId = 0;
    const foreign: string[] = [];

    beforeAll(async () => {
      server = await startServer(backend);
      const owner = await server.createUser('researcher@example.org', 'Dr Researcher', PASSWORD);
      const definition = JSON.parse(readFileSync(STUDY_FILE, 'utf8')) as Record<string, unknown>;
      // A new study (a draft: nothing collected yet) with the example's definition.
      const study = await server.store.studies.create({
        title: String(definition.title),
        ownerId: owner.id,
        definition,
      });
      studyId = study.id;
      await server.store.acknowledgements.record({ studyId, instrumentId: 'bace3', userId: owner.id });
      browser = await launchBrowser();
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      recordForeignRequests(page, server.baseUrl, foreign);
      await signInAs(page, server.baseUrl, 'researcher@example.org', PASSWORD);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("upload → mapping screen → dry run → import → the analysis shows the CLI's n, mean, SD and alpha", async () => {
      const base = `${server.baseUrl}/studies/${studyId}`;
      await page.goto(`${base}/exports`);
      await page.click('text=Import responses from a CSV or Excel export');
      await page.waitForURL(`${base}/import`);
      await page.setInputFiles('#import-file', CSV_FILE);
      await page.click('button:has-text("Upload and match columns")');
      await page.waitForURL(new RegExp(`/studies/${studyId}/import/\\d+$`));

      // The mapping screen: every column, its match, k of n, the dry run.
      expect(await page.textContent('#items-matched')).toContain('30 of 30 instrument items matched');
      const columns = await page.locator('select[name^="c"]').count();
      expect(columns).toBe(csvRows(readFileSync(CSV_FILE, 'utf8').split('\n')[0]!)[0]!.length);
      expect(await page.locator('#col-0 option:checked').textContent()).toBe('Submission time');
      expect(await page.locator('#col-2 option:checked').textContent()).toContain('gender');
      expect(await page.textContent('#dry-run')).toContain('217 responses will be added');
      // Checking again with the choices as they are keeps the dry run clean.
      await page.click('#check-mapping');
      await page.waitForSelector('#do-import');
      await page.screenshot({ path: join(ARTIFACTS, `import-mapping-${backend.name}.png`), fullPage: true });
      await page.click('#do-import');
      await page.waitForURL(`${base}/import?added=217&already=0`);
      expect(await page.textContent('#import-result')).toContain('217 responses imported');

      // The studio's analysis of the stored responses = nabz analyze of the file.
      const cli = cliFigures();
      await page.goto(`${base}/analysis`);
      expect(await page.textContent('main')).toContain('217 responses');
      const rows = await tableRows(page);
      await page.screenshot({ path: join(ARTIFACTS, `import-analysis-${backend.name}.png`), fullPage: true });
      for (const name of ['Stigma-related barriers', 'Attitudinal barriers', 'Instrumental barriers']) {
        const [, n, mean, sd] = cli.scores.get(name)!;
        expect(n).toBe('217');
        const found = rows.find(
          (r) => r[0] === name && r.includes(n!) && r.includes(mean!) && r.includes(sd!),
        );
        expect(
          found,
          `${name}: n ${n}, mean ${mean}, SD ${sd} in one row of the analysis page`,
        ).toBeDefined();
        const a = cli.alpha.get(name)!;
        const alphaValue = a[a.length - 1]!;
        const alphaN = a[a.length - 2]!;
        const alphaRow = rows.find((r) => r[0] === name && r.includes(alphaValue) && r.includes(alphaN));
        expect(alphaRow, `${name}: alpha ${alphaValue} (n ${alphaN}) on the analysis page`).toBeDefined();
      }
      expect(foreign).toEqual([]);
    }, 120_000);
  });
}
