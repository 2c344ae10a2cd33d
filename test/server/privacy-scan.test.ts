/**
 * Privacy scan of an anonymous study, end to end: respondents through the JSON API and the form flow (with a
 * save-and-resume, a screened-out respondent and an abandoned session), from distinctive client addresses
 * (IPv4 and IPv6, direct and through a trusted proxy's X-Forwarded-For) and a distinctive user agent. Then:
 *
 * - every column of every table: no client address, no user agent; respondent tables (responses, drafts,
 *   progress counters, referral links) hold no time of day (HH:MM:SS other than 00:00:00);
 * - every export (CSV with codes and with labels, the scored CSV, XLSX cell by cell, SPSS .sav bytes, the
 *   codebook in HTML and CSV): no address, no user agent, no time of day (the .sav header's own creation time
 *   excepted), no `submitted_at` variable; asking for times is refused;
 * - the analysis output (page, group comparisons, downloadable report): no count under k (0 excepted) in any
 *   n or N cell, sentence or n/N pair, and no suppressed cell that could be recovered from the totals (a lone
 *   suppressed cell in a group whose other cells and total are shown).
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUAL_TABLES, TABLES } from '../../src/store/index.js';
import {
  BACE_ITEMS,
  baceStudyDefinition,
  createStudy,
  FormBrowser,
  form,
  type SignedIn,
  serverBackends,
  type TestApp,
  testApp,
} from './helpers.js';

const IPV4 = '203.0.113.91';
const IPV6 = '2001:db8::7a7a';
const FORWARDED = '198.51.100.42';
const PROXY = '127.0.0.1';
const UA = 'Mozilla/5.0 (Linux; Android 10; NabzScanProbe/9.9) AppleWebKit/537.36 Chrome/120 Mobile';
const NEEDLES = [IPV4, IPV6, FORWARDED, 'NabzScanProbe', 'AppleWebKit', 'Android 10'];
const K = 5;
/** A time of day that is not midnight. */
const TIME_OF_DAY = /(?<!\d)([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?!\d)/g;
const notMidnight = (text: string) =>
  [...text.matchAll(TIME_OF_DAY)].map((m) => m[0]).filter((x) => x !== '00:00:00');

const RESPONDENT_TABLES = ['responses', 'resume_drafts', 'progress_counters', 'referral_links'] as const;

/** 12 respondents: 10 women and 2 men; 8 undergraduates, 4 postgraduates all in one specialty. */
function answers(i: number): Record<string, unknown> {
  const post = i % 3 === 0;
  const a: Record<string, unknown> = {
    enrolled: 1,
    age: 20 + i,
    gender: i < 10 ? 1 : 2,
    training: post ? 2 : 1,
    ...(post ? { specialty: 1 } : {}),
  };
  BACE_ITEMS.forEach((id, j) => {
    a[id] = (i * (j + 1)) % 4;
  });
  return a;
}

interface ParsedTable {
  caption: string;
  head: string[];
  /** Rows with their row group (the last `rowgroup` header above them). */
  rows: { group: string; cells: string[] }[];
}

const text = (h: string) =>
  h
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();

function tables(html: string): ParsedTable[] {
  const out: ParsedTable[] = [];
  for (const m of html.matchAll(/<table[\s\S]*?<\/table>/g)) {
    const t = m[0];
    const caption = text(/<caption>([\s\S]*?)<\/caption>/.exec(t)?.[1] ?? '');
    const head = [
      ...(/<thead>([\s\S]*?)<\/thead>/.exec(t)?.[1] ?? '').matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g),
    ].map((x) => text(x[1]!));
    const rows: ParsedTable['rows'] = [];
    let group = '';
    const body = t.replace(/<thead>[\s\S]*?<\/thead>/, '');
    for (const r of body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)) {
      const cells = [...r[1]!.matchAll(/<t[hd]([^>]*)>([\s\S]*?)<\/t[hd]>/g)];
      if (cells.length === 1 && /rowgroup|colspan/.test(cells[0]![1]!)) {
        group = text(cells[0]![2]!);
        continue;
      }
      rows.push({ group, cells: cells.map((c) => text(c[2]!)) });
    }
    out.push({ caption, head, rows });
  }
  return out;
}

interface Problem {
  readonly kind: 'small' | 'recoverable' | 'sentence';
  /** The table's caption (empty for sentences). */
  readonly caption: string;
  readonly text: string;
}

/** Every count shown under k (zero allowed), and every suppressed cell recoverable from the totals. */
function smallCells(html: string, where: string, total: number): Problem[] {
  const problems: Problem[] = [];
  const small = (n: number) => n > 0 && n < K;
  for (const t of tables(html)) {
    const countCols = t.head.map((h, i) => (/^(n|N)$/.test(h) ? i : -1)).filter((i) => i >= 0);
    const ratioCols = t.head.map((h, i) => (/n\/N/.test(h) ? i : -1)).filter((i) => i >= 0);
    for (const r of t.rows) {
      for (const i of countCols) {
        const v = r.cells[i];
        if (v !== undefined && /^\d+$/.test(v) && small(Number(v)))
          problems.push({
            kind: 'small',
            caption: t.caption,
            text: `${where}: ${t.caption} [${r.group} / ${r.cells[0]}] ${t.head[i]} = ${v}`,
          });
      }
      for (const i of ratioCols) {
        const m = /^(\d+)\/(\d+)$/.exec(r.cells[i] ?? '');
        if (m && (small(Number(m[1])) || small(Number(m[2]))))
          problems.push({
            kind: 'small',
            caption: t.caption,
            text: `${where}: ${t.caption} [${r.cells[0]}] n/N = ${m[0]}`,
          });
      }
    }
    // Complementary suppression: within a group of a frequency table (its rows add up to all respondents), a
    // single suppressed row next to shown rows is the total minus the others.
    if (countCols.length && t.head.includes('Percent')) {
      const groups = new Map<string, { suppressed: number; shown: number }>();
      for (const r of t.rows) {
        const g = groups.get(r.group) ?? { suppressed: 0, shown: 0 };
        const v = r.cells[countCols[0]!] ?? '';
        if (/^\d+$/.test(v)) g.shown += Number(v);
        else if (/suppressed/i.test(v)) g.suppressed++;
        groups.set(r.group, g);
      }
      for (const [g, c] of groups)
        if (c.suppressed === 1)
          problems.push({
            kind: 'recoverable',
            caption: t.caption,
            text: `${where}: ${t.caption} [${g}]: one suppressed cell = ${total} − ${c.shown} = ${total - c.shown}, recoverable from the shown cells and the total`,
          });
    }
  }
  const plain = text(html.replace(/<(style|script)[\s\S]*?<\/\1>/g, ''));
  for (const m of plain.matchAll(/\bn = (\d+)\b/g))
    if (small(Number(m[1])))
      problems.push({ kind: 'sentence', caption: '', text: `${where}: sentence "${m[0]}"` });
  return problems;
}

for (const backend of serverBackends()) {
  describe(`privacy scan of an anonymous study (${backend.name})`, () => {
    let t: TestApp;
    let owner: SignedIn;
    let studyId: number;
    let token: string;

    beforeAll(async () => {
      // Behind a trusted proxy, so the forwarded address is the one the server sees (and must not keep).
      t = await testApp({ backend, config: { trustProxy: PROXY, submitRateLimitPerMinute: 100_000 } });
      const user = await t.createUser({ email: 'owner@example.org' });
      const s = await createStudy(t.store, {
        ownerId: user.id,
        definition: baceStudyDefinition(),
        anonymous: true,
      });
      await t.store.acknowledgements.record({ studyId: s.id, instrumentId: 'bace3', userId: user.id });
      studyId = s.id;
      token = s.publicToken;
      owner = await t.signIn(user.email);

      const via = [
        { remoteAddress: IPV4, headers: { 'user-agent': UA } },
        { remoteAddress: IPV6, headers: { 'user-agent': UA } },
        { remoteAddress: PROXY, headers: { 'user-agent': UA, 'x-forwarded-for': FORWARDED } },
      ];
      for (let i = 0; i < 12; i++) {
        const v = via[i % via.length]!;
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/s/${token}/responses`,
          remoteAddress: v.remoteAddress,
          headers: {
            ...v.headers,
            'content-type': 'application/json',
            'idempotency-key': `scan-${backend.name}-${i}`,
          },
          payload: JSON.stringify({ answers: answers(i), consent: { agreed: true, version: 2 } }),
        });
        expect(res.statusCode, res.body).toBe(201);
      }
      // The form flow: a respondent who saves and resumes, then submits; one screened out; one who leaves.
      for (const v of via) {
        const b = new FormBrowser(t.app, v.headers, v.remoteAddress);
        await b.get(`/s/${token}?lang=en`);
        await b.submit({}, { name: '_consent', value: 'agree' });
        await b.submit({ enrolled: '1' });
        await b.submit({ age: '23', gender: '1', training: '1' });
        await b.submit({ bace3_01: '2' }, { name: '_nav', value: 'save' });
        const code = /<p class="code">([A-Z0-9-]+)<\/p>/.exec(b.html)?.[1];
        expect(code).toBeDefined();
        if (v === via[0]) {
          await b.get(`/s/${token}/resume`);
          await b.submit({ code: code! });
          await b.submit(Object.fromEntries(BACE_ITEMS.map((id, i) => [id, String(i % 4)])));
          await b.submit({}, { name: '_nav', value: 'submit' });
          expect(b.html).toMatch(/Thank you/i);
        }
        const s2 = new FormBrowser(t.app, v.headers, v.remoteAddress);
        await s2.get(`/s/${token}`);
        await s2.submit({}, { name: '_consent', value: 'agree' });
        await s2.submit({ enrolled: '0' });
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    const exportReq = (fields: Record<string, string>) => {
      const body = form({ ...fields, _csrf: owner.csrf });
      return t.app.inject({
        method: 'POST',
        url: `/studies/${studyId}/exports`,
        headers: { ...body.headers, cookie: owner.cookie },
        payload: body.payload,
      });
    };

    it('keeps no client address or user agent in any table', async () => {
      expect(await t.store.responses.count(studyId)).toBe(13);
      for (const table of [...TABLES, ...QUAL_TABLES]) {
        const dump = JSON.stringify(
          await t.store.db
            .selectFrom(table as 'responses')
            .selectAll()
            .execute(),
        );
        for (const needle of NEEDLES) expect(dump.includes(needle), `${needle} in ${table}`).toBe(false);
      }
    });

    it('keeps no time of day in responses, progress counters or referral links', async () => {
      for (const table of ['responses', 'progress_counters', 'referral_links'] as const) {
        const rows = await t.store.db.selectFrom(table).selectAll().execute();
        expect(rows.length, table).toBeGreaterThan(0);
        const times = rows.flatMap((r) =>
          Object.values(r).flatMap((v) => notMidnight(v instanceof Date ? v.toISOString() : String(v))),
        );
        expect(times, `times of day in ${table}`).toEqual([]);
      }
    });

    it("keeps no time of day in respondents' saved drafts", async () => {
      const rows = await t.store.db.selectFrom(RESPONDENT_TABLES[1]).selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      const times = rows.flatMap((r) =>
        Object.entries(r).flatMap(([k, v]) =>
          notMidnight(v instanceof Date ? v.toISOString() : String(v)).map((x) => `${k}=${x}`),
        ),
      );
      expect(
        times,
        'a draft (answers of an identifiable session) carries the time of day it was saved',
      ).toEqual([]);
    });

    it('exports no address, user agent or time of day, in any format', async () => {
      const refused = await exportReq({ format: 'csv', includeTimes: 'on' });
      expect(refused.statusCode).toBe(400);
      for (const fields of [
        { format: 'csv', labels: 'codes', includeFreeText: 'on', includeScores: 'on' },
        { format: 'csv', labels: 'labels', includeFreeText: 'on', missing: 'codes' },
        { format: 'scored', includeFreeText: 'on' },
        { format: 'codebook' },
        { format: 'codebook_csv' },
      ]) {
        const res = await exportReq(fields);
        expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
        for (const needle of NEEDLES)
          expect(res.body.includes(needle), `${needle} in ${fields.format}`).toBe(false);
        expect(notMidnight(res.body), `times of day in ${JSON.stringify(fields)}`).toEqual([]);
        expect(res.body.includes('submitted_at')).toBe(false);
        if (fields.format === 'csv') {
          const rows = parse(res.body.replace(/^\uFEFF/, '')) as string[][];
          expect(rows.length).toBe(14);
          const on = rows[0]!.indexOf('submitted_on');
          expect(on).toBeGreaterThanOrEqual(0);
          for (const r of rows.slice(1)) expect(r[on]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }

      const xlsx = await exportReq({ format: 'xlsx', includeFreeText: 'on', labels: 'labels' });
      expect(xlsx.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      let cells = 0;
      wb.eachSheet((sheet) =>
        sheet.eachRow((row) =>
          row.eachCell((cell) => {
            cells++;
            const v = cell.value;
            if (v instanceof Date) {
              expect(v.toISOString(), `${sheet.name}!${cell.address}`).toMatch(/T00:00:00\.000Z$/);
              return;
            }
            const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
            for (const needle of NEEDLES)
              expect(s.includes(needle), `${needle} in XLSX ${cell.address}`).toBe(false);
            expect(notMidnight(s), `XLSX ${sheet.name}!${cell.address}`).toEqual([]);
            expect(s).not.toBe('submitted_at');
          }),
        ),
      );
      expect(cells).toBeGreaterThan(13 * 30);

      const sav = await exportReq({ format: 'sav' });
      expect(sav.statusCode).toBe(200);
      const bytes = sav.rawPayload.toString('latin1');
      for (const needle of NEEDLES) expect(bytes.includes(needle), `${needle} in .sav`).toBe(false);
      expect(bytes.includes('submitted_at')).toBe(false);
      // The only time of day is the file header's own creation time (bytes 97–104 of an SPSS system file).
      const times = [...bytes.matchAll(TIME_OF_DAY)].filter((m) => m[0] !== '00:00:00');
      expect(times.map((m) => m.index)).toEqual(times.length ? [97] : []);
    });

    const analysisPages = async () => {
      const pages: { url: string; html: string }[] = [];
      for (const url of [
        `/studies/${studyId}/analysis`,
        `/studies/${studyId}/analysis?group=gender`,
        `/studies/${studyId}/analysis?group=training`,
        `/studies/${studyId}/analysis?group=specialty`,
        `/studies/${studyId}/analysis/report.html`,
      ]) {
        const res = await t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
        expect(res.statusCode, url).toBe(200);
        expect(tables(res.body).length, url).toBeGreaterThan(0);
        pages.push({ url, html: res.body });
      }
      return pages;
    };

    it('shows no count under k for respondents described by their characteristics or groups', async () => {
      const problems = (await analysisPages()).flatMap((p) => smallCells(p.html, p.url, 13));
      expect(
        problems.filter((p) => /Characteristics|by |group|Scores by/i.test(p) && !/recoverable/.test(p)),
      ).toEqual([]);
    });

    it('shows no suppressed cell that the shown cells and the total reveal (complementary suppression)', async () => {
      const problems = (await analysisPages()).flatMap((p) => smallCells(p.html, p.url, 13));
      expect(problems.filter((p) => p.kind === 'recoverable').map((p) => p.text)).toEqual([]);
    });

    it('shows no count under k anywhere in the analysis output (item endorsement and thresholds included)', async () => {
      const problems = (await analysisPages()).flatMap((p) => smallCells(p.html, p.url, 13));
      expect(problems.map((p) => p.text)).toEqual([]);
    });
  });
}
