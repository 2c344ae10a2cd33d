/**
 * The export routes: formats, content types and file names, labels vs codes, free text and times left out
 * unless chosen, every export audited, viewers refused. The writers' own tests (test/render/export) cover the
 * file formats in depth; here the .sav file is also read back with PSPP when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formBody, type SignedIn, serverBackends, type TestApp, testApp } from './helpers.js';

function hasPspp(): boolean {
  try {
    execFileSync('pspp', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let t: TestApp;
let owner: SignedIn;
let viewer: SignedIn;
let studyId: number;

const post = (url: string, fields: Record<string, string | readonly string[]>, who: SignedIn = owner) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ ...fields, _csrf: who.csrf }),
  });

const exportAs = (fields: Record<string, string>, who: SignedIn = owner) =>
  post(`/studies/${studyId}/exports`, fields, who);

for (const backend of serverBackends()) {
  describe(`on ${backend.name}`, () => {
    beforeAll(async () => {
      t = await testApp({ backend });
      const o = await t.createUser({ email: 'owner@example.org', name: 'Owner' });
      const v = await t.createUser({ email: 'viewer@example.org', name: 'Viewer' });
      owner = await t.signIn(o.email);
      viewer = await t.signIn(v.email);
      let r = await post('/studies', {
        title: 'Export study',
        languages: ['en'],
        instruments: ['bace3'],
        acknowledge: ['bace3'],
      });
      studyId = Number(/\/studies\/(\d+)/.exec(String(r.headers.location))![1]);
      r = await post(`/studies/${studyId}/edit/questions`, {
        id: 'year',
        text_en: 'Year of study',
        type: 'single',
        options: 'First year\nSecond year',
      });
      expect(r.statusCode).toBe(303);
      r = await post(`/studies/${studyId}/edit/questions`, {
        id: 'note',
        text_en: 'Anything else?',
        type: 'longtext',
      });
      expect(r.statusCode).toBe(303);
      expect((await post(`/studies/${studyId}/launch`, { confirmed: '1' })).statusCode).toBe(303);
      expect(
        (await post(`/studies/${studyId}/roles`, { email: 'viewer@example.org', role: 'viewer' })).statusCode,
      ).toBe(303);
      // The viewer accepts the invitation on their start page.
      const accepted = await t.app.inject({
        method: 'POST',
        url: `/invitations/${studyId}/accept`,
        headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ _csrf: viewer.csrf }),
      });
      expect(accepted.statusCode).toBe(303);
      for (let i = 0; i < 3; i++) {
        const answers: Record<string, unknown> = {
          year: { kind: 'value', value: (i % 2) + 1 },
          note: i === 0 ? { kind: 'text', text: 'my private story' } : { kind: 'skipped' },
        };
        for (let j = 1; j <= 30; j++)
          answers[`bace3_${String(j).padStart(2, '0')}`] = { kind: 'value', value: (i + j) % 4 };
        answers.bace3_14 = { kind: 'na' };
        const ins = await t.store.responses.insert({
          studyId,
          idempotencyKey: `e${i}`,
          answers,
          language: 'en',
        });
        expect(ins.ok).toBe(true);
      }
    });

    afterAll(async () => {
      await t.close();
    });

    describe('exports', () => {
      it('offers the formats to owners and analysts, not to viewers', async () => {
        const page = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}/exports`,
          headers: { cookie: owner.cookie },
        });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('name="format" value="sav"');
        // Anonymous study without times: no option to export times.
        expect(page.body).toContain('this study does not record times of submission');
        const v = await t.app.inject({
          method: 'GET',
          url: `/studies/${studyId}/exports`,
          headers: { cookie: viewer.cookie },
        });
        expect(v.statusCode).toBe(403);
        expect(v.body).not.toContain('Export study');
        const before = (await t.store.audit.listForStudy(studyId)).length;
        const vp = await exportAs({ format: 'csv' }, viewer);
        expect(vp.statusCode).toBe(403);
        expect(vp.body).not.toContain('bace3_01');
        expect((await t.store.audit.listForStudy(studyId)).length).toBe(before);
      });

      it('streams CSV with labels or codes, leaving free text out unless chosen', async () => {
        const labels = await exportAs({ format: 'csv', labels: 'labels' });
        expect(labels.statusCode).toBe(200);
        expect(labels.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(labels.headers['content-disposition']).toMatch(
          /^attachment; filename="export_study_data_\d{4}-\d{2}-\d{2}\.csv"$/,
        );
        const lines = labels.body
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n');
        const head = lines[0]!.split(',');
        expect(head.slice(0, 3)).toEqual(['response_id', 'submitted_on', 'language']);
        expect(head).toContain('year');
        expect(head).not.toContain('note');
        expect(head).not.toContain('submitted_at');
        expect(lines).toHaveLength(4);
        const year = head.indexOf('year');
        // Rows come in random (public-id) order, not in the order of submission.
        expect(
          lines
            .slice(1)
            .map((l) => l.split(',')[year])
            .sort(),
        ).toEqual(['First year', 'First year', 'Second year']);
        for (const l of lines.slice(1)) expect(l.split(',')[0]).toMatch(/^[0-9a-f]{24}$/);
        expect(labels.body).not.toContain('my private story');

        const codes = await exportAs({ format: 'csv', labels: 'codes', includeFreeText: 'on' });
        const cl = codes.body
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n');
        const ch = cl[0]!.split(',');
        expect(
          cl
            .slice(1)
            .map((l) => l.split(',')[ch.indexOf('year')])
            .sort(),
        ).toEqual(['1', '1', '2']);
        expect(ch).toContain('note');
        expect(codes.body).toContain('my private story');

        const times = await exportAs({ format: 'csv', includeTimes: 'on' });
        expect(times.statusCode).toBe(400);
        expect(times.body).toContain('does not record times of submission');
      });

      it('streams XLSX, the scored dataset and the codebook', async () => {
        const x = await exportAs({ format: 'xlsx', labels: 'labels' });
        expect(x.statusCode).toBe(200);
        expect(x.headers['content-type']).toBe(
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        );
        expect(x.headers['content-disposition']).toMatch(/filename="export_study_data_[\d-]+\.xlsx"/);
        expect(x.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');

        const scored = await exportAs({ format: 'scored' });
        expect(scored.headers['content-disposition']).toMatch(/filename="export_study_scored_[\d-]+\.csv"/);
        const head = scored.body
          .replace(/^\uFEFF/, '')
          .split('\r\n')[0]!
          .split(',');
        expect(head).toContain('bace3_mean');
        expect(head).toContain('bace3_mean_n');

        const cb = await exportAs({ format: 'codebook' });
        expect(cb.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(cb.body).toContain('Codebook: Export study');
        expect(cb.body).toContain('Year of study');
      });

      it('streams an SPSS .sav file that PSPP reads with its labels', async () => {
        const sav = await exportAs({ format: 'sav' });
        expect(sav.statusCode).toBe(200);
        expect(sav.headers['content-type']).toBe('application/x-spss-sav');
        expect(sav.headers['content-disposition']).toMatch(
          /^attachment; filename="export_study_data_[\d-]+\.sav"$/,
        );
        expect(sav.rawPayload.subarray(0, 4).toString('latin1')).toBe('$FL2');
        if (!hasPspp()) {
          if (process.env.CI === 'true')
            throw new Error('pspp is not installed; CI must install it (apt-get install pspp).');
          return;
        }
        const dir = mkdtempSync(join(tmpdir(), 'nabz-sav-'));
        try {
          writeFileSync(join(dir, 'data.sav'), sav.rawPayload);
          writeFileSync(
            join(dir, 'read.sps'),
            "GET FILE='data.sav'.\nDISPLAY DICTIONARY.\nFREQUENCIES VARIABLES=year bace3_14.\n",
          );
          execFileSync('pspp', ['-O', 'format=csv', '-o', 'out.csv', 'read.sps'], {
            cwd: dir,
            encoding: 'utf8',
          });
          const csv = readFileSync(join(dir, 'out.csv'), 'utf8');
          expect(csv).toContain('Year of study');
          expect(csv).toContain('First year');
          expect(csv).toContain('Valid,First year,2,66.7%');
          expect(csv).toContain(',Second year,1,33.3%');
          // bace3_14 answered "not applicable" by all three: a labelled user-missing code, never a value.
          expect(csv).toContain('Missing,Not applicable,3,100.0%');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('records every export in the audit log', async () => {
        const actions = (await t.store.audit.listForStudy(studyId)).map((e) => e.action);
        for (const a of ['export.csv', 'export.xlsx', 'export.sav', 'export.scored', 'export.codebook'])
          expect(actions).toContain(a);
        const csv = (await t.store.audit.listForStudy(studyId)).find((e) => e.action === 'export.csv');
        expect(csv?.actorUserId).toBe(owner.user.id);
        expect(csv?.detail).toMatchObject({ format: 'csv', responses: 3 });
      });
    });
  });
}
