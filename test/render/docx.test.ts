import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/core/report/spec.js';
import { REPORT_FONT } from '../../src/render/common.js';
import { DOCX_FONT, MINUS, renderDocx, trueMinus } from '../../src/render/docx.js';
import { renderFigureImages } from '../../src/render/png.js';
import { docxParagraphs } from '../../src/render/qdpx/docx.js';
import { readZip } from '../../src/render/qdpx/zip.js';
import { fixtureReport, XSS } from './fixture.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'nabz-docx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function documentXml(bytes: Uint8Array): string {
  const { entries } = readZip(bytes);
  const doc = entries.find((e) => e.name === 'word/document.xml');
  if (!doc) throw new Error('no word/document.xml');
  return new TextDecoder().decode(doc.data);
}

/** A report with negative statistics and p values, as a comparison table prints them. */
function statsReport(): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title: 'Signs',
    language: 'en',
    generatedBy: 'nabz 0.1.0',
    scoringNote: 'Scores are item means.',
    sections: [
      {
        id: 'cmp',
        title: 'Group comparisons',
        blocks: [
          { type: 'text', sentences: ['Women scored higher.'] },
          {
            type: 'table',
            id: 'ttest',
            title: 'Stigma by gender',
            columns: [
              { key: 'row', label: 'Test', format: { kind: 'text' } },
              { key: 't', label: 't', format: { kind: 'decimal', digits: 2 } },
              { key: 'p', label: 'p', format: { kind: 'pValue' } },
              { key: 'g', label: "Hedges' g", format: { kind: 'decimal', digits: 2 } },
              { key: 'ci', label: '95% CI', format: { kind: 'decimal', digits: 2 } },
            ],
            rows: [
              {
                kind: 'data',
                cells: {
                  row: { kind: 'text', text: 'Self-reported - Welch' },
                  t: { kind: 'number', value: -2.3456 },
                  p: { kind: 'number', value: 0.0213 },
                  g: { kind: 'number', value: -0.318 },
                  ci: { kind: 'interval', lower: -0.61, upper: -0.02 },
                },
              },
              {
                kind: 'data',
                cells: {
                  row: { kind: 'text', text: 'Student' },
                  t: { kind: 'number', value: 1.5 },
                  p: { kind: 'number', value: 0.0004 },
                  g: { kind: 'not_computable', reason: 'one group is empty' },
                },
              },
            ],
            notes: ['Welch rows do not assume equal variances.'],
          },
        ],
      },
    ],
  };
}

describe('trueMinus', () => {
  it('turns the minus of a number into U+2212 and leaves hyphens in words alone', () => {
    expect(trueMinus('-0.32')).toBe(`${MINUS}0.32`);
    expect(trueMinus('[-0.61, -0.02]')).toBe(`[${MINUS}0.61, ${MINUS}0.02]`);
    expect(trueMinus('-.32')).toBe(`${MINUS}.32`);
    expect(trueMinus('18-41')).toBe('18-41');
    expect(trueMinus('self-report')).toBe('self-report');
  });
});

describe('renderDocx', async () => {
  const bytes = await renderDocx(statsReport());
  const xml = documentXml(bytes);
  const paragraphs = docxParagraphs(bytes).paragraphs;

  it('writes the table as a Word table under "Table 1" with an italic title and a Note', () => {
    expect(xml.match(/<w:tbl>/g)?.length).toBe(1);
    expect(paragraphs).toContain('Table 1');
    const title = paragraphs.indexOf('Stigma by gender');
    expect(title).toBe(paragraphs.indexOf('Table 1') + 1);
    // the title run is italic
    expect(xml).toMatch(/<w:i\/>(?:(?!<\/w:r>).)*<w:t[^>]*>Stigma by gender<\/w:t>/s);
    expect(paragraphs).toContain(
      'Note. Welch rows do not assume equal variances. Not computable: one group is empty (Student: Hedges\u2019 g).'.replace(
        '\u2019',
        "'",
      ),
    );
    expect(paragraphs).toContain('Women scored higher.');
  });

  it('prints true minus signs in numbers, p without a leading zero, and keeps hyphens in labels', () => {
    expect(paragraphs).toContain(`${MINUS}2.35`);
    expect(paragraphs).toContain(`${MINUS}0.32`);
    expect(paragraphs).toContain(`[${MINUS}0.61, ${MINUS}0.02]`);
    expect(paragraphs).toContain('.021');
    expect(paragraphs).toContain('< .001');
    expect(paragraphs).toContain('Self-reported - Welch');
    expect(paragraphs.some((p) => /(^|\s)-\d/.test(p))).toBe(false);
    expect(paragraphs.some((p) => /^0\.0\d\d$/.test(p))).toBe(false);
  });

  it('uses APA rules only: no vertical borders, a rule above and below the header', () => {
    expect(xml).not.toMatch(/<w:(left|right|insideV)\b[^>]*w:val="single"/);
    expect(xml).toMatch(/<w:tblHeader\/>/);
  });

  it('embeds each figure as its PNG at the stated size, with the title as alt text, under "Figure N"', async () => {
    const report = fixtureReport();
    const figures = await renderFigureImages(report);
    const fx = await renderDocx(report, { figures });
    const { entries } = readZip(fx);
    const media = entries.filter((e) => e.name.startsWith('word/media/'));
    expect(media).toHaveLength(1);
    const png = figures.get('top-barriers')!;
    expect(Buffer.from(media[0]!.data).equals(Buffer.from(png.png))).toBe(true);
    const xml = documentXml(fx);
    // inline extent in EMU: 914400 per inch, so the 300 dpi pixels print at the stated size
    const ext = /<wp:extent cx="(\d+)" cy="(\d+)"\/>/.exec(xml)!;
    expect(Number(ext[1])).toBeCloseTo(png.widthIn * 914400, -4);
    expect(Number(ext[2])).toBeCloseTo(png.heightIn * 914400, -4);
    expect(xml).toMatch(/<wp:docPr[^>]*title="Top 5 barriers"/);
    const p = docxParagraphs(fx).paragraphs;
    expect(p.indexOf('Top 5 barriers')).toBe(p.indexOf('Figure 1') + 1);
    expect(xml.indexOf('<w:drawing>')).toBeGreaterThan(xml.indexOf('>Figure 1<'));
  });

  it("writes the text in the figures' font", () => {
    expect(DOCX_FONT).toBe(REPORT_FONT);
    expect(xml).toContain(`w:ascii="${REPORT_FONT}"`);
  });

  it('numbers tables and figures in report order, and escapes hostile labels', async () => {
    const fx = await renderDocx(fixtureReport());
    const p = docxParagraphs(fx).paragraphs;
    const tables = p.filter((x) => /^Table \d+$/.test(x));
    expect(tables.length).toBeGreaterThan(2);
    expect(tables).toEqual(tables.map((_x, i) => `Table ${i + 1}`));
    expect(p).toContain('Figure 1');
    expect(documentXml(fx).match(/<w:tbl>/g)?.length).toBe(tables.length);
    expect(p.some((x) => x.includes(XSS))).toBe(true);
    expect(documentXml(fx)).not.toContain('<script>');
  });
});

describe('nabz analyze --format docx (BACE example)', () => {
  const out = join(tmp, 'bace');
  const ex = join(root, 'examples', 'bace-medical-students');
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'analyze',
      join(ex, 'responses.csv'),
      '--study',
      join(ex, 'study.json'),
      '--format',
      'docx',
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );

  it('writes report.docx with numbered APA tables', () => {
    expect(r.stderr).toContain('report.docx');
    expect(r.status).toBe(0);
    const bytes = new Uint8Array(readFileSync(join(out, 'report.docx')));
    const p = docxParagraphs(bytes).paragraphs;
    const xml = documentXml(bytes);
    const captions = p.filter((x) => /^Table \d+$/.test(x));
    expect(captions[0]).toBe('Table 1');
    expect(captions.length).toBeGreaterThanOrEqual(5);
    const figures = p.filter((x) => /^Figure \d+$/.test(x)).length;
    expect(figures).toBeGreaterThanOrEqual(1);
    expect(xml.match(/<w:tbl>/g)?.length).toBe(captions.length);
    // every figure embedded as a 300 dpi PNG (word/media), drawn inline under its caption
    const media = readZip(bytes).entries.filter((e) => /^word\/media\/.+\.png$/.test(e.name));
    expect(media).toHaveLength(figures);
    expect(xml.match(/<w:drawing>/g)?.length).toBe(figures);
    expect(p.some((x) => /(^|[\s[(])-\d/.test(x) && !/[A-Za-z]/.test(x))).toBe(false);
    expect(p.some((x) => /^(< )?\.\d{3}$/.test(x))).toBe(true);
  });

  it('opens in LibreOffice: converts to PDF without error', () => {
    const office = ['libreoffice', 'soffice'].find((b) => spawnSync('which', [b]).status === 0);
    if (!office) {
      // CI must have it (.ci/run installs libreoffice-writer-nogui); a developer machine may not.
      if (process.env.CI)
        throw new Error('LibreOffice is not installed: apt-get install libreoffice-writer-nogui');
      return;
    }
    const profile = join(tmp, 'lo-profile');
    const c = spawnSync(
      office,
      [
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        out,
        join(out, 'report.docx'),
      ],
      { encoding: 'utf8' },
    );
    expect(c.status, c.stderr).toBe(0);
    const pdf = readFileSync(join(out, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    // and the PDF renders to an image (page 1: the title and Table 1)
    const png = spawnSync('pdftoppm', [
      '-r',
      '50',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(out, 'report.pdf'),
      join(out, 'page1'),
    ]);
    if (png.error && process.env.CI)
      throw new Error('pdftoppm is not installed: apt-get install poppler-utils');
    if (!png.error) {
      expect(png.status).toBe(0);
      expect(readFileSync(join(out, 'page1.png')).subarray(1, 4).toString()).toBe('PNG');
    }
  });
});
