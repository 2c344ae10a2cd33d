/**
 * The analysis plan's tests edited with forms (src/server/studio/plan-tests.ts): associations with an outcome,
 * the correlation matrix, the multiple-comparison adjustment and the sample size calculation.
 *
 * - Good input is saved as a new definition version with an audit entry, and what the forms saved is what
 *   `nabz analyze` reads: the stored definition, written out as study.json, analysed by the CLI with the example's
 *   responses, gives the association table, the Spearman matrix, Holm-adjusted p-values and the sample size
 *   sentence.
 * - Bad input is refused (400) with the problem next to its field (aria-describedby, aria-invalid, the first one
 *   focused) and in the summary; nothing is stored, nothing audited.
 * - Only the owner may change the plan (analyst and viewer 403), and only with the CSRF token.
 * - The new result tables on the analysis page follow the study's suppression policy for a viewer: a crosstab
 *   cell under k is suppressed (with its complement), a correlation over fewer than k pairs is not shown, a
 *   logistic model with fewer than k events is not shown; the viewer's page covers the published snapshot, so
 *   one more response moves the owner's table and not the viewer's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report/spec.js';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  createStudy,
  formBody,
  ownerStudio,
  serverBackends,
  type studioClient,
  type TestApp,
} from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const exampleCsv = join(root, 'examples', 'bace-medical-students', 'responses.csv');

let t: TestApp;
let c: ReturnType<typeof studioClient>;
let owner: Awaited<ReturnType<typeof ownerStudio>>['owner'];

async function planUpdates(id: number) {
  return (await t.store.audit.listForStudy(id))
    .filter((e) => e.action === 'study.update')
    .reverse()
    .map((e) => e.detail as Record<string, unknown>);
}

/** The problems of a failed post, for assertion messages. */
const errorsOf = (body: string) => /<div class="errors"[\s\S]*?<\/div>/.exec(body)?.[0];

/** `nabz analyze` of the example's responses with `definition` as study.json (the CLI, as a process). */
function analyzeWithCli(definition: unknown): Report {
  const dir = mkdtempSync(join(tmpdir(), 'nabz-plan-'));
  try {
    const study = join(dir, 'study.json');
    writeFileSync(study, JSON.stringify(definition, null, 2));
    const out = execFileSync(
      process.execPath,
      [cli, 'analyze', exampleCsv, '--study', study, '--format', 'json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return JSON.parse(out) as Report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One section of an analysis page, from its heading to its end. */
function sectionOf(body: string, id: string): string {
  const at = body.indexOf(`<section id="section-${id}"`);
  expect(at, `section ${id}`).toBeGreaterThan(0);
  return body.slice(at, body.indexOf('</section>', at));
}

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeEach(async () => {
      ({ t, c, owner } = await ownerStudio(backend));
    });
    afterEach(async () => {
      await t.close();
    });

    /** The BACE example study without a plan (its terms acknowledged by the owner). */
    const study = async (status: 'draft' | 'open' = 'draft') => {
      const st = await createStudy(t.store, {
        ownerId: owner.user.id,
        definition: { ...baceStudyDefinition(), analysis: {} },
        status,
      });
      await t.store.acknowledgements.record({ studyId: st.id, instrumentId: 'bace3', userId: owner.user.id });
      return st.id;
    };

    it('shows the forms of associations, correlations, the adjustment and the sample size, with labels', async () => {
      const id = await study();
      const r = await c.get(`/studies/${id}/plan`);
      expect(r.statusCode).toBe(200);
      for (const section of ['associations', 'correlations', 'adjust', 'samplesize'])
        expect(r.body).toContain(`action="/studies/${id}/plan/${section}"`);
      expect(r.body).toContain('<label for="pa-outcome">Outcome</label>');
      expect(r.body).toMatch(/name="characteristics" value="gender"/);
      expect(r.body).toMatch(/name="characteristics" value="stigma"/);
      expect(r.body).toMatch(/<option value="nonparametric">Rank-based: Mann–Whitney/);
      // correlations: scores and number questions only
      expect(r.body).toMatch(/name="variables" value="age"/);
      expect(r.body).not.toMatch(/name="variables" value="gender"/);
      expect(r.body).toContain('<label for="pj-adjust">Adjustment of p-values</label>');
      expect(r.body).toContain('<label for="ps-margin">Margin of error d</label>');
      expect(r.body).toContain('aria-describedby="ps-margin-h"');
      // no problem shown, nothing focused
      expect(r.body).not.toContain('aria-invalid');
      expect(r.body).not.toContain('autofocus');
    });

    it('saves each part as a new audited version, and `nabz analyze` reads what the forms saved', async () => {
      const id = await study();
      const steps: [string, Record<string, string | string[]>][] = [
        [
          'associations',
          {
            id: 'stigma_factors',
            outcome: 'stigma',
            atLeast: '1.5',
            characteristics: ['gender', 'training', 'age'],
            numeric: 'nonparametric',
            title: 'Any stigma-related barrier by characteristics',
          },
        ],
        [
          'correlations',
          {
            variables: ['stigma', 'attitudinal', 'instrumental', 'age'],
            method: 'spearman',
            missing: 'pairwise',
          },
        ],
        ['adjust', { adjust: 'holm' }],
        [
          'samplesize',
          {
            proportion: '0.5',
            margin: '0.05',
            confidence: '0.95',
            population: '1200',
            source: 'no earlier estimate',
          },
        ],
      ];
      for (const [section, fields] of steps) {
        const r = await c.post(`/studies/${id}/plan/${section}`, fields);
        expect(r.statusCode, `${section}: ${errorsOf(r.body)}`).toBe(303);
        expect(r.headers.location).toBe(`/studies/${id}/plan?saved=${section}#${section}`);
      }
      const def = await c.definitionOf(id);
      expect(def.analysis).toEqual({
        associations: [
          {
            id: 'stigma_factors',
            title: 'Any stigma-related barrier by characteristics',
            outcome: 'stigma',
            atLeast: 1.5,
            characteristics: ['gender', 'training', 'age'],
            numeric: 'nonparametric',
          },
        ],
        correlations: {
          variables: ['stigma', 'attitudinal', 'instrumental', 'age'],
          method: 'spearman',
          missing: 'pairwise',
        },
        adjust: 'holm',
        sampleSize: {
          proportion: 0.5,
          margin: 0.05,
          confidence: 0.95,
          population: 1200,
          source: 'no earlier estimate',
        },
      });
      const updates = await planUpdates(id);
      expect(updates.map((d) => d.change)).toEqual([
        'plan.association.add',
        'plan.correlations',
        'plan.adjust',
        'plan.sampleSize',
      ]);
      expect(updates.map((d) => d.version)).toEqual([2, 3, 4, 5]);
      expect(updates[0]).toMatchObject({ association: 'stigma_factors', numeric: 'nonparametric' });
      expect(updates[2]).toMatchObject({ adjust: 'holm' });

      // the page shows what is saved
      const page = await c.get(`/studies/${id}/plan?saved=samplesize`);
      expect(page.body).toContain('Saved (samplesize)');
      expect(page.body).toContain('stigma ≥ 1.5 by gender, training, age (rank-based tests)');
      expect(page.body).toContain(
        'Spearman correlations of stigma, attitudinal, instrumental, age (pairwise deletion)',
      );
      expect(page.body).toContain('Currently: Holm.');
      expect(page.body).toContain('at least 292 respondents were required');
      expect(page.body).toMatch(/id="pr-variables-age" name="variables" value="age" checked/);
      expect(page.body).toMatch(/<option value="holm" selected>/);
      expect(page.body).toContain('id="ps-population" name="population" value="1200"');

      // round trip: the stored definition (what the Design page's JSON shows) analysed by the CLI
      const report = analyzeWithCli(def);
      const section = (sid: string) => report.sections.find((s) => s.id === sid);
      const assoc = section('assoc_stigma_factors');
      expect(assoc?.title).toBe('Any stigma-related barrier by characteristics');
      const assocTable = assoc?.blocks.find((b) => b.type === 'table');
      expect(assocTable?.type === 'table' && assocTable.columns.map((x) => x.label)).toContain('p (Holm)');
      const text = JSON.stringify(assoc);
      expect(text).toContain('Mann–Whitney'); // age by a yes/no outcome, rank-based as chosen
      expect(text).toMatch(/χ²|Fisher/); // gender and training: categorical pairs
      const corr = section('correlations');
      const corrTable = corr?.blocks.find((b) => b.type === 'table');
      expect(corrTable?.type === 'table' && corrTable.title).toBe('Spearman rank correlations');
      expect(JSON.stringify(corr)).toContain('p (Holm)');
      const methods = JSON.stringify(section('methods'));
      expect(methods).toContain('for a population of N = 1200, at least 292 respondents were required');

      // removing works the same way, each audited
      for (const [section, fields] of [
        ['associations', { action: 'remove', id: 'stigma_factors' }],
        ['correlations', { action: 'remove' }],
        ['samplesize', { action: 'remove' }],
        ['adjust', { adjust: 'none' }],
      ] as const) {
        const r = await c.post(`/studies/${id}/plan/${section}`, fields);
        expect(r.statusCode, `${section}: ${errorsOf(r.body)}`).toBe(303);
      }
      const after = (await c.definitionOf(id)).analysis as Record<string, unknown>;
      expect(after).toEqual({ associations: [], adjust: 'none' });
      expect((await planUpdates(id)).map((d) => d.change).slice(-4)).toEqual([
        'plan.association.remove',
        'plan.correlations.remove',
        'plan.sampleSize.remove',
        'plan.adjust',
      ]);
    });

    it('refuses bad input next to the field (described, invalid, the first focused); nothing is stored', async () => {
      const id = await study();
      const before = (await t.store.studies.byId(id))!.version;
      const good = { id: 'a1', outcome: 'stigma', characteristics: ['gender'], numeric: 'parametric' };
      // [section, fields, the field's control id, what its error line says]
      const cases: [string, Record<string, string | string[]>, string, RegExp][] = [
        [
          'associations',
          { ...good, characteristics: [] },
          'pa-characteristics',
          /tick at least one characteristic/,
        ],
        ['associations', { ...good, atLeast: 'ten' }, 'pa-atLeast', /&quot;ten&quot; is not a number/],
        [
          'associations',
          { ...good, outcome: 'nosuch' },
          'pa-outcome',
          /outcome &quot;nosuch&quot; is not a score or question of this study/,
        ],
        [
          'associations',
          { ...good, characteristics: ['stigma', 'gender'] },
          'pa-characteristics',
          /&quot;stigma&quot; is the outcome; it cannot also be a characteristic/,
        ],
        ['associations', { ...good, id: '9lives' }, 'pa-id', /got &quot;9lives&quot;.*letters, digits and _/],
        [
          'associations',
          { ...good, numeric: 'magic' },
          'pa-numeric',
          /got &quot;magic&quot;.*choose parametric or nonparametric/,
        ],
        [
          'associations',
          { ...good, outcome: 'gender', atLeast: '2', characteristics: ['training'] },
          'pa-atLeast',
          /&quot;gender&quot; is a single-choice question, so &quot;atLeast&quot; does not apply/,
        ],
        [
          'correlations',
          { variables: ['stigma'], method: 'pearson', missing: 'pairwise' },
          'pr-variables',
          /tick at least two scores or number questions to correlate \(1 ticked\)/,
        ],
        [
          'correlations',
          { variables: ['stigma', 'gender'], method: 'pearson', missing: 'pairwise' },
          'pr-variables',
          /variable &quot;gender&quot; is a single question; use a score/,
        ],
        [
          'correlations',
          { variables: ['stigma', 'age'], method: 'kendall', missing: 'pairwise' },
          'pr-method',
          /got &quot;kendall&quot;.*choose pearson or spearman/,
        ],
        [
          'adjust',
          { adjust: 'sidak' },
          'pj-adjust',
          /got &quot;sidak&quot;.*choose none, holm, bonferroni or BH/,
        ],
        [
          'samplesize',
          { proportion: '0.3', margin: '5' },
          'ps-margin',
          /got 5.*e\.g\. 0\.05 for ±5 percentage points/,
        ],
        [
          'samplesize',
          { proportion: 'half', margin: '0.05' },
          'ps-proportion',
          /&quot;half&quot; is not a number/,
        ],
        ['samplesize', { proportion: '0.3' }, 'ps-margin', /type the margin of error/],
        [
          'samplesize',
          { proportion: '0.3', margin: '0.05', population: '12.5' },
          'ps-population',
          /got 12\.5.*whole number of people/,
        ],
      ];
      for (const [section, fields, control, message] of cases) {
        const what = `${section} ${JSON.stringify(fields)}`;
        const r = await c.post(`/studies/${id}/plan/${section}`, fields);
        expect(r.statusCode, what).toBe(400);
        // the summary at the top of the form, and the line next to the field, tied to its control
        expect(errorsOf(r.body), what).toMatch(message);
        const line = new RegExp(`<span class="field-error" id="${control}-e">([^<]*)</span>`).exec(r.body);
        expect(line?.[1], what).toMatch(message);
        const tag = new RegExp(`<(input|select)[^>]*id="${control}(-[^"]*)?"[^>]*>`).exec(r.body)?.[0] ?? '';
        expect(tag, what).toMatch(new RegExp(`aria-describedby="[^"]*${control}-e`));
        expect(tag, what).toContain('aria-invalid="true"');
        expect(tag, what).toContain('autofocus');
        expect(r.body.match(/ autofocus/g), what).toHaveLength(1);
      }
      // two problems: both shown at their fields, the first one (in the page's order) focused
      const two = await c.post(`/studies/${id}/plan/samplesize`, { proportion: '2', margin: '0' });
      expect(two.statusCode).toBe(400);
      expect(two.body).toMatch(/<input[^>]*id="ps-proportion"[^>]*aria-invalid="true" autofocus/);
      expect(two.body).toMatch(/<input[^>]*id="ps-margin"[^>]*aria-invalid="true">/);
      // what was typed is kept
      expect(two.body).toContain('id="ps-proportion" name="proportion" value="2"');
      expect((await t.store.studies.byId(id))!.version).toBe(before);
      expect(await planUpdates(id)).toEqual([]);
      // a second association with the same id is refused, naming it
      expect((await c.post(`/studies/${id}/plan/associations`, good)).statusCode).toBe(303);
      const dup = await c.post(`/studies/${id}/plan/associations`, good);
      expect(dup.statusCode).toBe(400);
      expect(dup.body).toContain('there is already an association &quot;a1&quot;');
      const gone = await c.post(`/studies/${id}/plan/associations`, { action: 'remove', id: 'nosuch' });
      expect(gone.statusCode).toBe(400);
      expect(gone.body).toContain('there is no association &quot;nosuch&quot;');
      // a problem of no field: the list of problems takes the focus instead
      expect(gone.body).toContain('<div class="errors" role="alert" tabindex="-1" autofocus>');
      expect(gone.body.match(/ autofocus/g)).toHaveLength(1);
      expect((await planUpdates(id)).map((d) => d.change)).toEqual(['plan.association.add']);
    });

    it('adds and removes a study domain with a form; the plan and `nabz analyze` use it', async () => {
      const id = await study();
      const form = { instrument: 'bace3', id: 'unsure', label: 'Not knowing where to go', method: 'mean' };
      let r = await c.post(`/studies/${id}/plan/domains`, {
        ...form,
        items: ['bace3_01', 'bace3_02', 'bace3_06'],
        minAnswered: '2',
        description: 'mean of items 1, 2 and 6 (0–3)',
      });
      expect(r.statusCode, errorsOf(r.body)).toBe(303);
      expect(r.headers.location).toBe(`/studies/${id}/plan?saved=domains#domains`);
      const def = await c.definitionOf(id);
      const domains = (def.instruments as { domains: Record<string, unknown>[] }[])[0]!.domains;
      expect(domains.at(-1)).toEqual({
        id: 'unsure',
        label: { en: 'Not knowing where to go' },
        items: ['bace3_01', 'bace3_02', 'bace3_06'],
        method: 'mean',
        minAnswered: 2,
        official: false,
        description: 'mean of items 1, 2 and 6 (0–3)',
      });
      expect((await planUpdates(id)).at(-1)).toMatchObject({
        change: 'plan.domain.add',
        instrument: 'bace3',
        domain: 'unsure',
        items: 3,
      });
      // the plan's forms offer it, and the CLI computes it from the stored definition
      const page = await c.get(`/studies/${id}/plan`);
      expect(page.body).toMatch(/name="variables" value="unsure"/);
      expect(page.body).toContain(
        'unsure</strong>: Not knowing where to go — mean of bace3_01, bace3_02, bace3_06',
      );
      r = await c.post(`/studies/${id}/plan/correlations`, {
        variables: ['unsure', 'stigma'],
        method: 'pearson',
        missing: 'pairwise',
      });
      expect(r.statusCode, errorsOf(r.body)).toBe(303);
      const report = analyzeWithCli(await c.definitionOf(id));
      const corr = report.sections.find((x) => x.id === 'correlations')?.blocks[0];
      expect(corr?.type === 'table' && corr.columns.map((x) => x.label)).toContain(
        '1. Not knowing where to go',
      );
      // a domain the plan names cannot be removed: the whole-definition check names where it is used
      const before = (await t.store.studies.byId(id))!.version;
      r = await c.post(`/studies/${id}/plan/domains`, {
        action: 'remove',
        instrument: 'bace3',
        id: 'unsure',
      });
      expect(r.statusCode).toBe(400);
      expect(errorsOf(r.body)).toContain('analysis.correlations.variables[0]');
      expect((await t.store.studies.byId(id))!.version).toBe(before);
      r = await c.post(`/studies/${id}/plan/correlations`, { action: 'remove' });
      r = await c.post(`/studies/${id}/plan/domains`, {
        action: 'remove',
        instrument: 'bace3',
        id: 'unsure',
      });
      expect(r.statusCode, errorsOf(r.body)).toBe(303);
      const after = (await c.definitionOf(id)).instruments as { domains: { id: string }[] }[];
      expect(after[0]!.domains.map((d) => d.id)).toEqual(['stigma', 'attitudinal', 'instrumental']);
      expect((await planUpdates(id)).at(-1)).toMatchObject({
        change: 'plan.domain.remove',
        domain: 'unsure',
      });

      // bad input: at the field, nothing stored
      const v = (await t.store.studies.byId(id))!.version;
      const cases: [Record<string, string | string[]>, string, RegExp][] = [
        [{ ...form, items: [] }, 'pd-bace3-items', /tick the items the domain is computed from/],
        [
          { ...form, id: 'stigma', items: ['bace3_01'] },
          'pd-bace3-id',
          /there is already a score &quot;stigma&quot;/,
        ],
        [{ ...form, label: '', items: ['bace3_01'] }, 'pd-bace3-label', /type the name the tables show/],
        [
          { ...form, items: ['bace3_01'], minAnswered: '0' },
          'pd-bace3-minAnswered',
          /got 0.*whole number of items, at least 1/,
        ],
        [{ ...form, items: ['bace3_01'], method: 'median' }, 'pd-bace3-method', /got &quot;median&quot;/],
        [{ ...form, items: ['gender'] }, 'pd-bace3-items', /gender/],
      ];
      for (const [fields, control, message] of cases) {
        const what = JSON.stringify(fields);
        const res = await c.post(`/studies/${id}/plan/domains`, fields);
        expect(res.statusCode, what).toBe(400);
        const line = new RegExp(`<span class="field-error" id="${control}-e">([^<]*)</span>`).exec(res.body);
        expect(line?.[1], what).toMatch(message);
        expect(res.body, what).toMatch(
          new RegExp(`id="${control}(-[^"]*)?"[^>]*aria-invalid="true" autofocus`),
        );
      }
      const unknown = await c.post(`/studies/${id}/plan/domains`, {
        ...form,
        instrument: 'phq9',
        items: ['x'],
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.body).toContain('&quot;phq9&quot; is not an instrument of this study');
      expect((await t.store.studies.byId(id))!.version).toBe(v);
    });

    it('saves the reporting options with a form, and `nabz analyze` reports with them', async () => {
      const id = await study();
      const good = {
        confidenceLevel: '0.99',
        leveneCenter: 'median',
        alphaMissing: 'pairwise',
        topN: '5',
        questionFigures: 'on',
      };
      for (const [fields, control, message] of [
        [{ ...good, confidenceLevel: '95' }, 'po-confidenceLevel', /got 95.*e\.g\. 0\.95/],
        [{ ...good, topN: '2.5' }, 'po-topN', /got 2\.5.*whole number of items/],
        [
          { ...good, leveneCenter: 'trimmed' },
          'po-leveneCenter',
          /got &quot;trimmed&quot;.*choose mean or median/,
        ],
      ] as const) {
        const r = await c.post(`/studies/${id}/plan/options`, fields);
        expect(r.statusCode, JSON.stringify(fields)).toBe(400);
        const line = new RegExp(`<span class="field-error" id="${control}-e">([^<]*)</span>`).exec(r.body);
        expect(line?.[1], JSON.stringify(fields)).toMatch(message);
        expect(r.body).toMatch(new RegExp(`id="${control}"[^>]*aria-invalid="true" autofocus`));
      }
      expect(await planUpdates(id)).toEqual([]);
      const r = await c.post(`/studies/${id}/plan/options`, good);
      expect(r.statusCode, errorsOf(r.body)).toBe(303);
      const def = await c.definitionOf(id);
      expect(def.analysis).toEqual({
        confidenceLevel: 0.99,
        leveneCenter: 'median',
        alphaMissing: 'pairwise',
        topN: 5,
        questionFigures: true,
      });
      expect((await planUpdates(id)).map((d) => d.change)).toEqual(['plan.options']);
      const page = await c.get(`/studies/${id}/plan`);
      expect(page.body).toContain('id="po-confidenceLevel" name="confidenceLevel" value="0.99"');
      expect(page.body).toMatch(/name="questionFigures" value="on" checked/);
      const methods = JSON.stringify(analyzeWithCli(def).sections.find((x) => x.id === 'methods'));
      expect(methods).toContain('intervals are 99% confidence intervals');
      // unticked, the charts are off again
      const off = await c.post(`/studies/${id}/plan/options`, { ...good, questionFigures: [] });
      expect(off.statusCode).toBe(303);
      expect(((await c.definitionOf(id)).analysis as { questionFigures: boolean }).questionFigures).toBe(
        false,
      );
    });

    it('lets only the owner change these parts, and only with the CSRF token', async () => {
      const id = await study();
      const forms: [string, Record<string, string | string[]>][] = [
        ['associations', { id: 'a1', outcome: 'stigma', characteristics: ['gender'], numeric: 'parametric' }],
        ['correlations', { variables: ['stigma', 'age'], method: 'pearson', missing: 'pairwise' }],
        ['adjust', { adjust: 'holm' }],
        ['samplesize', { proportion: '0.5', margin: '0.05' }],
        ['domains', { instrument: 'bace3', id: 'd1', label: 'D', items: ['bace3_01'], method: 'mean' }],
        ['options', { confidenceLevel: '0.9', leveneCenter: 'mean', alphaMissing: 'listwise', topN: '10' }],
      ];
      const people = [];
      for (const role of ['analyst', 'viewer'] as const) {
        const u = await t.createUser({ email: `${role}@example.org`, name: role });
        await t.store.roles.grant({ studyId: id, userId: u.id, role });
        people.push({ role, ...(await t.signIn(u.email, u.password)) });
      }
      for (const [section, fields] of forms) {
        const noToken = await t.app.inject({
          method: 'POST',
          url: `/studies/${id}/plan/${section}`,
          headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: formBody(fields),
        });
        expect(noToken.statusCode, section).toBe(403);
        for (const p of people) {
          const r = await t.app.inject({
            method: 'POST',
            url: `/studies/${id}/plan/${section}`,
            headers: { cookie: p.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            payload: formBody({ ...fields, _csrf: p.csrf }),
          });
          expect(r.statusCode, `${p.role} ${section}`).toBe(403);
        }
      }
      expect((await c.definitionOf(id)).analysis).toEqual({});
      expect(await planUpdates(id)).toEqual([]);
    });

    it("applies the study's suppression policy to a viewer's association, correlation and model tables", async () => {
      const id = await study('open');
      let seq = 0;
      /** Stigma items all at `v` (the domain mean is v), the other 20 items varied, so no two look alike. */
      const respond = async (gender: number, v: number, age?: number) => {
        const k = seq++;
        const answers: Record<string, unknown> = {
          gender: { kind: 'value', value: gender },
          training: { kind: 'value', value: 1 + (k % 2) },
          ...(age !== undefined ? { age: { kind: 'value', value: age } } : {}),
        };
        const stigma = new Set(['21', '12', '28', '03', '08', '05', '26', '14', '04', '24']);
        BACE_ITEMS.forEach((item, j) => {
          const value = stigma.has(item.slice(-2)) ? v : (k * 7 + j * j * 3 + ((k * (j + 1)) % 5)) % 4;
          answers[item] = { kind: 'value', value };
        });
        const r = await t.store.responses.insert({
          studyId: id,
          idempotencyKey: `s${k}`,
          answers,
          language: 'en',
          counters: ['started', 'completed'],
        });
        expect(r.ok).toBe(true);
      };
      // gender 1: 20 respondents, 2 with a stigma score of 3; gender 2: 20, 1 at 3 and 9 at 2; three ages only
      for (let i = 0; i < 20; i++) await respond(1, i < 2 ? 3 : 0, i === 0 ? 30 : undefined);
      for (let i = 0; i < 20; i++) await respond(2, i === 0 ? 3 : i < 10 ? 2 : 0, i < 2 ? 25 + i : undefined);
      const plan: [string, Record<string, string | string[]>][] = [
        [
          'associations',
          {
            id: 'any',
            outcome: 'stigma',
            atLeast: '1.5',
            characteristics: ['gender'],
            numeric: 'parametric',
          },
        ],
        [
          'correlations',
          { variables: ['stigma', 'attitudinal', 'age'], method: 'pearson', missing: 'pairwise' },
        ],
        [
          'models',
          { id: 'severe', type: 'logistic', outcome: 'stigma', atLeast: '2.5', predictors: ['gender'] },
        ],
        [
          'models',
          { id: 'anyb', type: 'logistic', outcome: 'stigma', atLeast: '1.5', predictors: ['attitudinal'] },
        ],
      ];
      for (const [section, fields] of plan) {
        const r = await c.post(`/studies/${id}/plan/${section}`, fields);
        expect(r.statusCode, `${section}: ${errorsOf(r.body)}`).toBe(303);
      }
      const v = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      await t.store.roles.grant({ studyId: id, userId: v.id, role: 'viewer' });
      const viewer = await t.signIn(v.email, v.password);
      const page = async (who: { cookie: string }) => {
        const r = await t.app.inject({
          method: 'GET',
          url: `/studies/${id}/analysis`,
          headers: { cookie: who.cookie },
        });
        expect(r.statusCode).toBe(200);
        return r.body;
      };
      const seen = await page(viewer);
      expect(seen).toContain('40 responses');
      const assoc = sectionOf(seen, 'assoc_any');
      // gender 1 (Female): 2 of 20 with the outcome — under k = 5, hidden with its complement. Gender 2 (Male,
      // 10 of 20) is hidden too: the outcome's 12 of 40 is in the model's events line, so 12 − 10 would give 2
      // away; and the χ² over the table (with those margins it pins the cell down) is not shown either.
      const row = (label: string) =>
        new RegExp(`<tr><th scope="row"[^>]*>${label}</th>((?!</tr>)[\\s\\S])*</tr>`).exec(assoc)?.[0] ?? '';
      expect(row('Female').match(/>suppressed</g)).toHaveLength(2);
      expect(row('Female')).not.toMatch(/\(2\/20\)|\(18\/20\)/);
      expect(row('Male').match(/>suppressed</g)).toHaveLength(2);
      expect(row('Male')).not.toMatch(/\(10\/20\)/);
      expect(assoc).toContain('the test would reveal them');
      expect(assoc).not.toMatch(/χ²\(1\)/);
      // age was given by 3 respondents: its pairs are not shown; stigma × attitudinal is
      const corr = sectionOf(seen, 'correlations');
      expect(corr).toContain('suppressed');
      expect(corr).not.toMatch(/>3<\/td>/);
      expect(corr).toContain('>40<');
      // stigma ≥ 2.5: 3 events, under k — the model is not shown; stigma ≥ 1.5 (12 events) is
      expect(sectionOf(seen, 'model_severe')).toContain(
        'not shown. Fewer than 5 of the 40 respondents used had',
      );
      expect(sectionOf(seen, 'model_anyb')).toContain('Events (Stigma-related barriers ≥ 1.5): 12 of 40.');
      // the owner's tables: the same policy (what researchers publish), over live figures
      const own = await page(owner);
      expect(sectionOf(own, 'assoc_any')).toBe(assoc);
      // one more response: the owner's table moves, the viewer's (a published snapshot) does not
      await respond(2, 0);
      const ownAfter = sectionOf(await page(owner), 'assoc_any');
      expect(ownAfter).not.toBe(assoc);
      expect(ownAfter).toMatch(/>Male<\/th><td class="r">21</);
      expect(sectionOf(await page(viewer), 'assoc_any')).toBe(assoc);
    });
  });
}
