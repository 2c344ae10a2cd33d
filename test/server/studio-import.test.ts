/**
 * The studio's import pages (src/server/studio/importData.ts), in process, on every backend: upload → mapping
 * screen → dry run → import; the stored responses give the same scores as `nabz analyze` of the same file;
 * re-importing the same file adds nothing; a bad label or an unmatched column is refused with a clear message
 * and nothing stored, and is fixed on the mapping screen; a viewer and an analyst are refused; 413 above the
 * size limit; an anonymous study keeps no time of day.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { importAndScore } from '../../src/cli/pipeline.js';
import { readStudyFile } from '../../src/cli/study.js';
import { checkedOf, scoredResponses } from '../../src/server/studio/common.js';
import { IMPORT_BODY_LIMIT } from '../../src/server/studio/importData.js';
import { createStudy, type SignedIn, serverBackends, type TestApp, testApp } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const STUDY_FILE = join(root, 'examples/bace-medical-students/study.json');
const CSV_FILE = join(root, 'examples/bace-medical-students/responses.csv');
const definition = () => JSON.parse(readFileSync(STUDY_FILE, 'utf8')) as Record<string, unknown>;
const csvText = () => readFileSync(CSV_FILE, 'utf8');

/** A multipart/form-data body as a browser sends a form with a file input. */
function multipart(
  csrf: string,
  fileName: string,
  bytes: Buffer,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----nabzTest${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function client(t: TestApp, who: SignedIn, studyId: number) {
  const base = `/studies/${studyId}/import`;
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const post = (url: string, fields: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, _csrf: who.csrf }).toString(),
    });
  const upload = async (text: string | Buffer, fileName = 'responses.csv') => {
    const body = multipart(who.csrf, fileName, Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
    return t.app.inject({
      method: 'POST',
      url: base,
      headers: { ...body.headers, cookie: who.cookie },
      payload: body.payload,
    });
  };
  /** Upload and follow to the mapping screen: its address and HTML. */
  const uploadToMapping = async (text: string | Buffer) => {
    const res = await upload(text);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const url = String(res.headers.location);
    expect(url).toMatch(new RegExp(`^${base}/\\d+$`));
    const page = await get(url);
    expect(page.statusCode, page.body.slice(0, 1000)).toBe(200);
    return { url, html: page.body };
  };
  return { base, get, post, upload, uploadToMapping };
}

async function setUp(
  backend: typeof serverBackends extends () => (infer B)[] ? B : never,
  opts: { recordTimes?: boolean; anonymous?: boolean } = {},
) {
  const t = await testApp({ backend });
  const u = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
  const owner = await t.signIn(u.email, u.password);
  const study = await createStudy(t.store, {
    ownerId: owner.user.id,
    definition: definition(),
    status: 'draft',
    ...opts,
  });
  return { t, owner, study, c: client(t, owner, study.id) };
}

const count = async (t: TestApp, studyId: number) => t.store.responses.count(studyId);

for (const backend of serverBackends()) {
  describe(`studio import (${backend.name})`, () => {
    it('upload → mapping → dry run → import: the same scores as nabz analyze, marked imported, audited; a second import adds nothing', async () => {
      const { t, owner, study, c } = await setUp(backend);
      try {
        const form = await c.get(c.base);
        expect(form.statusCode).toBe(200);
        expect(form.body).toContain('enctype="multipart/form-data"');
        const { url, html } = await c.uploadToMapping(csvText());
        expect(html).toContain('<b>30 of 30</b> instrument items matched');
        expect(html).toContain('Dry run: no problems.');
        expect(html).toContain('217 responses will be added');
        // Every column is listed with its match; the Timestamp column is the submission time.
        expect(html).toContain(
          'Barriers to Access to Care Evaluation, version 3 [Being unsure where to go to get professional care]',
        );
        expect(html).toMatch(/<option value="__timestamp" selected>Submission time<\/option>/);
        expect(await count(t, study.id)).toBe(0); // a dry run stores nothing

        const done = await c.post(`${url}/import`);
        expect(done.statusCode, done.body.slice(0, 1000)).toBe(303);
        expect(done.headers.location).toBe(`${c.base}?added=217&already=0`);
        expect(await count(t, study.id)).toBe(217);
        const stored = await t.store.responses.list(study.id, { limit: 1000 });
        const sha = (await import('node:crypto'))
          .createHash('sha256')
          .update(readFileSync(CSV_FILE))
          .digest('hex');
        expect(new Set(stored.map((r) => r.source))).toEqual(new Set([`imported:${sha.slice(0, 12)}`]));
        // Anonymous study without times: the day is kept, the time of day is not.
        expect(stored.every((r) => r.submittedAt === null)).toBe(true);
        expect(stored[0]!.submittedOn).toMatch(/^20\d\d-\d\d-\d\d$/);
        const audit = await t.store.audit.listForStudy(study.id, { action: 'responses.import' });
        expect(audit).toHaveLength(1);
        expect(audit[0]!.actorUserId).toBe(owner.user.id);
        expect(audit[0]!.detail).toMatchObject({ added: 217, already: 0, rows: 217, sha256: sha });

        // The studio's scores from the stored responses equal the CLI's from the file.
        const fresh = (await t.store.studies.byId(study.id))!;
        const checked = checkedOf(fresh);
        if ('issues' in checked) throw new Error('study does not resolve');
        const studio = await scoredResponses(t.store, fresh, checked.resolved);
        const cli = await importAndScore(CSV_FILE, readStudyFile(STUDY_FILE));
        expect(studio.scored.n).toBe(cli.scored.n);
        expect(studio.scored.scores.map((x) => x.id)).toEqual(cli.scored.scores.map((x) => x.id));
        cli.scored.scores.forEach((col, k) => {
          // Same respondents in the same order (storage order is file order), same values.
          expect([...studio.scored.scores[k]!.values], col.id).toEqual([...col.values]);
        });
        expect(studio.dataset.n).toBe(217);
        const page = await c.get(c.base + '?added=217&already=0');
        expect(page.body).toContain('217 responses imported');
        expect(page.body).toContain(`imported:${sha.slice(0, 12)}`);

        // The same file again: the dry run says so, the import adds nothing and appends no audit entry.
        const again = await c.uploadToMapping(csvText());
        expect(again.html).toContain('217 are in the study already');
        const second = await c.post(`${again.url}/import`);
        expect(second.headers.location).toBe(`${c.base}?added=0&already=217`);
        expect(await count(t, study.id)).toBe(217);
        expect(await t.store.audit.listForStudy(study.id, { action: 'responses.import' })).toHaveLength(1);
        // The upload is gone after its import.
        expect((await c.get(again.url)).statusCode).toBe(404);
      } finally {
        await t.close();
      }
    });

    it('a bad label: listed per column × value with its row count, the import refused with nothing stored, then mapped on the screen', async () => {
      const { t, study, c } = await setUp(backend);
      try {
        const lines = csvText().split('\n');
        // Gender is the 3rd column; make three rows say "F".
        for (const i of [1, 2, 5]) {
          const cells = lines[i]!.split(',');
          cells[2] = 'F';
          lines[i] = cells.join(',');
        }
        const { url, html } = await c.uploadToMapping(lines.join('\n'));
        expect(html).toContain('Dry run: nothing can be imported yet.');
        expect(html).toContain('Values that do not match');
        expect(html).toMatch(/<td>Gender<\/td><td>F<\/td><td class="num">3<\/td><td class="num">2<\/td>/);
        expect(html).toContain('&quot;F&quot; is not one of');
        const refused = await c.post(`${url}/import`);
        expect(refused.statusCode).toBe(409);
        expect(refused.body).toContain('Dry run: nothing can be imported yet.');
        expect(await count(t, study.id)).toBe(0);
        expect(await t.store.audit.listForStudy(study.id, { action: 'responses.import' })).toHaveLength(0);

        // Read "F" as the option Female (value 2 in the example study) on the mapping screen.
        const fields: Record<string, string> = {};
        for (const m of html.matchAll(/<select id="col-(\d+)" name="(c\d+)"[^>]*>([\s\S]*?)<\/select>/g)) {
          const sel = /<option value="([^"]*)" selected>/.exec(m[3]!);
          fields[m[2]!] = sel ? sel[1]!.replace(/&quot;/g, '"') : '';
        }
        const key = /<input type="hidden" name="vk0" value="([^"]+)">/
          .exec(html)![1]!
          .replace(/&quot;/g, '"');
        const female = /<option value="(\d+)">\1 = Female<\/option>/.exec(html)![1]!;
        const saved = await c.post(`${url}/mapping`, { ...fields, vk0: key, v0: female });
        expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
        const fixed = await c.get(url);
        expect(fixed.body).toContain('Dry run: no problems.');
        expect((await c.post(`${url}/import`)).statusCode).toBe(303);
        expect(await count(t, study.id)).toBe(217);
      } finally {
        await t.close();
      }
    });

    it('an unmatched column: "29 of 30", "did you mean", the import refused, then the suggestion chosen', async () => {
      const { t, study, c } = await setUp(backend);
      try {
        const text = csvText().replace(
          '[Wanting to solve the problem on my own]',
          '[Wanted to solve the problem myself]',
        );
        const { url, html } = await c.uploadToMapping(text);
        expect(html).toContain('<b>29 of 30</b> instrument items matched (no column: bace3_02)');
        expect(html).toContain('bace3_02 — item of bace3');
        expect(html).toMatch(
          /<optgroup label="Did you mean"><option value="bace3_02">bace3_02 — [^<]*\(\d+%\)<\/option>/,
        );
        const refused = await c.post(`${url}/import`);
        expect(refused.statusCode).toBe(409);
        expect(await count(t, study.id)).toBe(0);
        const fields: Record<string, string> = {};
        for (const m of html.matchAll(/<select id="col-(\d+)" name="(c\d+)"[^>]*>([\s\S]*?)<\/select>/g)) {
          const sel = /<option value="([^"]*)" selected>/.exec(m[3]!);
          fields[m[2]!] = sel ? sel[1]! : '';
          if (m[3]!.includes('<optgroup label="Did you mean"><option value="bace3_02">'))
            fields[m[2]!] = 'bace3_02';
        }
        expect(Object.values(fields)).toContain('bace3_02');
        expect((await c.post(`${url}/mapping`, fields)).statusCode).toBe(303);
        const fixed = await c.get(url);
        expect(fixed.body).toContain('<b>30 of 30</b> instrument items matched');
        expect(fixed.body).toContain('your choice');
        expect((await c.post(`${url}/import`)).statusCode).toBe(303);
        expect(await count(t, study.id)).toBe(217);
      } finally {
        await t.close();
      }
    });

    it('viewers and analysts are refused (before the body is read); a file over the limit gets a clear 413', async () => {
      const { t, owner, study, c } = await setUp(backend);
      try {
        for (const role of ['viewer', 'analyst'] as const) {
          const u = await t.createUser();
          await t.store.roles.grant({ studyId: study.id, userId: u.id, role });
          const who = await t.signIn(u.email, u.password);
          const other = client(t, who, study.id);
          expect((await other.get(other.base)).statusCode).toBe(403);
          const up = await other.upload(csvText());
          expect(up.statusCode).toBe(403);
        }
        // The upload form's CSRF token is checked like every other form's.
        const forged = client(t, { ...owner, csrf: 'not-a-token' }, study.id);
        expect((await forged.upload(csvText())).statusCode).toBe(403);
        const big = Buffer.alloc(IMPORT_BODY_LIMIT + 1024, 'a');
        const res = await c.upload(big);
        expect(res.statusCode).toBe(413);
        expect(res.body).toContain('The file is larger than');
        expect(res.body).toContain('nothing was saved');
        expect(await t.store.db.selectFrom('response_uploads').selectAll().execute()).toHaveLength(0);
        expect(owner.user.id).toBeGreaterThan(0);
      } finally {
        await t.close();
      }
    });

    it('an Excel workbook (.xlsx) of the same export imports the same responses; an old .xls is refused with the fix', async () => {
      const { t, study, c } = await setUp(backend);
      try {
        // The CSV's rows as a workbook (Excel's own "Save as .xlsx" of the Google Forms download).
        const wb = new ExcelJS.Workbook();
        const sheet = wb.addWorksheet('Form responses 1');
        for (const row of Papa.parse<string[]>(csvText(), { skipEmptyLines: true }).data) sheet.addRow(row);
        const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
        const res = await c.upload(xlsx, 'responses.xlsx');
        expect(res.statusCode).toBe(303);
        const mapping = await c.get(String(res.headers.location));
        expect(mapping.body).toContain('<b>30 of 30</b> instrument items matched');
        expect(mapping.body).toContain('Dry run: no problems.');
        expect((await c.post(`${res.headers.location}/import`)).statusCode).toBe(303);
        expect(await count(t, study.id)).toBe(217);
        const xls = Buffer.concat([
          Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
          Buffer.alloc(512),
        ]);
        const old = await c.upload(xls, 'responses.xls');
        expect(old.statusCode).toBe(415);
        expect(old.body).toContain('Save it as .xlsx or as CSV UTF-8');
      } finally {
        await t.close();
      }
    });

    it('problems with the file as a whole are listed in the dry run and nothing can be imported', async () => {
      const { t, study, c } = await setUp(backend);
      try {
        const lines = csvText().split('\n');
        const dup = await c.uploadToMapping(
          [lines[0]!.replace('Specialty', 'Gender'), ...lines.slice(1)].join('\n'),
        );
        expect(dup.html).toContain('Dry run: nothing can be imported yet.');
        expect(dup.html).toContain('all have the header &quot;Gender&quot;');
        expect((await c.post(`${dup.url}/import`)).statusCode).toBe(409);
        const utf16 = await c.uploadToMapping(
          Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.slice(0, 3).join('\n'), 'utf16le')]),
        );
        expect(utf16.html).toContain('Dry run: nothing can be imported yet.');
        expect(utf16.html).toContain('The file is UTF-16 text, not UTF-8.');
        expect((await c.post(`${utf16.url}/import`)).statusCode).toBe(409);
        expect(await count(t, study.id)).toBe(0);
      } finally {
        await t.close();
      }
    });

    it("a study that records times keeps the file's times; the exports carry the source column", async () => {
      const { t, study, c } = await setUp(backend, { recordTimes: true });
      try {
        const { url } = await c.uploadToMapping(csvText());
        expect((await c.post(`${url}/import`)).statusCode).toBe(303);
        const stored = await t.store.responses.list(study.id, { limit: 1000 });
        expect(stored.every((r) => r.submittedAt instanceof Date)).toBe(true);
        // The file's first Timestamp, 2024/03/14-style with its zone, read as a time.
        expect(stored.some((r) => r.submittedAt!.getUTCFullYear() >= 2020)).toBe(true);
        const exp = await c.post(`/studies/${study.id}/exports`, {
          format: 'csv',
          labels: 'codes',
          missing: 'empty',
        });
        expect(exp.statusCode, exp.body.slice(0, 500)).toBe(200);
        const [header, ...rows] = exp.body.trim().split(/\r?\n/);
        const at = header!.split(',').indexOf('source');
        expect(at).toBeGreaterThan(0);
        expect(rows).toHaveLength(217);
        expect(new Set(rows.map((r) => r.split(',')[at]))).toEqual(new Set([stored[0]!.source]));
        expect((await c.get(`/studies/${study.id}/exports`)).body).toContain('217 imported from exports');
      } finally {
        await t.close();
      }
    });
  });
}
