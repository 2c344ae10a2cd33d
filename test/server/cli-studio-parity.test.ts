/**
 * One study, one set of answers, the same numbers through the CLI and the studio (issue 11, "Done when").
 *
 * The example study with its own instrument (examples/help-seeking-attitudes: a 10-item Likert scale with two
 * reverse-keyed items, stored inline in the server's definition) is analysed three ways:
 *  1. `nabz analyze responses.csv --study study.json --format json` (the CLI, as a process);
 *  2. the same respondents submitted one by one through the respondent JSON API, then the studio's report
 *     (`studyReport`, what the Analysis page renders) as the owner, grouped by year;
 *  3. `nabz analyze` on the studio's own CSV export of those responses.
 * Every section of the three reports — tables, cells, notes, sentences, figures — must be identical (the
 * export's numbers to 13 significant digits: its rows are in random order, see `to13Digits`).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report/spec.js';
import { AnswerStatus, type Dataset } from '../../src/core/response/dataset.js';
import { resolvedLookup, resolveStudy } from '../../src/core/study/resolve.js';
import { importResponses, targetsFromStudy } from '../../src/import/index.js';
import { getInstrument, instrumentIds } from '../../src/instruments/index.js';
import { renderJson } from '../../src/render/index.js';
import { programVersion } from '../../src/render/version.js';
import { studyReport } from '../../src/server/studio/common.js';
import { createStudy, serverBackends, studioClient, type TestApp, testApp } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'help-seeking-attitudes');
const cli = join(root, 'dist', 'cli', 'main.js');

/** The example study with its instrument file put inline (the server stores own instruments inline). */
function inlineDefinition(): Record<string, unknown> {
  const study = JSON.parse(readFileSync(join(exampleDir, 'study.json'), 'utf8'));
  study.instruments = (study.instruments as { file?: string }[]).map((si) =>
    si.file ? { definition: JSON.parse(readFileSync(join(exampleDir, si.file), 'utf8')) } : si,
  );
  study.analysis = { ...study.analysis, minCellSize: 5 };
  return study;
}

/** What is compared: the sections (the header holds the program line and the date). */
function comparable(json: string): unknown {
  const r = JSON.parse(json) as Report & Record<string, unknown>;
  return r.sections;
}

/**
 * Every number to 13 significant digits. The studio exports rows in random order (never in the order of
 * submission: docs/security.md, finding 6), so sums over the export are added in another order and may differ
 * from the CSV's in the last bit or two; everything else (tables, notes, sentences) must be identical.
 */
function to13Digits(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(13)) : value;
  if (Array.isArray(value)) return value.map(to13Digits);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, to13Digits(v)]));
  return value;
}

function analyzeWithCli(csv: string, studyFile: string): string {
  return execFileSync(process.execPath, [cli, 'analyze', csv, '--study', studyFile, '--format', 'json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One respondent's answers as the JSON API takes them (option values; unanswered items left out). */
function apiAnswers(ds: Dataset, row: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, col] of ds.columns) {
    if (col.kind !== 'numeric') continue;
    if (col.status[row] === AnswerStatus.ANSWERED) out[id] = col.values[row]!;
  }
  return out;
}

for (const backend of serverBackends()) {
  describe(`CLI and studio agree on one study (${backend.name})`, () => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nabz-parity-'));
      t = await testApp({ backend });
    });
    afterAll(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives identical report sections from the CSV, from API submissions and from the studio export', async () => {
      const definition = inlineDefinition();
      const studyFile = join(dir, 'study.json');
      writeFileSync(studyFile, JSON.stringify(definition));
      const csv = join(exampleDir, 'responses.csv');
      const fromCli = comparable(analyzeWithCli(csv, studyFile));

      // The same respondents, submitted through the respondent JSON API.
      const resolved = resolveStudy(definition, getInstrument, instrumentIds());
      if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
      const targets = targetsFromStudy(resolved.value.study, resolvedLookup(resolved.value));
      if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
      const imported = await importResponses(csv, targets.value, {});
      if (!imported.ok) throw new Error(JSON.stringify(imported));
      const ds = imported.dataset;
      expect(ds.n).toBe(160);
      const owner = await t.createUser({ email: 'owner@example.org' });
      const c = studioClient(t, await t.signIn(owner.email, owner.password));
      const study = await createStudy(t.store, { ownerId: owner.id, definition });
      for (let i = 0; i < ds.n; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${study.publicToken}/responses`,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          payload: JSON.stringify({ language: 'en', answers: apiAnswers(ds, i) }),
        });
        expect(r.statusCode, r.body).toBe(201);
      }

      const stored = await t.store.studies.byId(study.id);
      if (!stored) throw new Error('study vanished');
      const studio = await studyReport(t.store, stored, resolved.value, ['year'], programVersion());
      expect(studio.n).toBe(160);
      const fromStudio = comparable(renderJson(studio.report));
      expect(fromStudio).toEqual(fromCli);

      // The studio's CSV export (labels), analysed by the CLI.
      const exported = await c.post(`/studies/${study.id}/exports`, { format: 'csv', labels: 'labels' });
      expect(exported.statusCode, exported.body.slice(0, 300)).toBe(200);
      const exportFile = join(dir, 'export.csv');
      writeFileSync(exportFile, exported.rawPayload);
      expect(to13Digits(comparable(analyzeWithCli(exportFile, studyFile)))).toEqual(to13Digits(fromCli));
    }, 120_000);
  });
}
