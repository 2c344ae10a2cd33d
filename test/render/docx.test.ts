import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/core/report/spec.js';
import { docxParagraphs } from '../../src/import/docx.js';
import { readZip } from '../../src/lib/zip.js';
import { REPORT_FONT } from '../../src/render/common.js';
import { DOCX_FONT, MAX_FIGURE_HEIGHT_IN, MINUS, renderDocx, trueMinus } from '../../src/render/docx.js';
import { MAX_FIGURE_INCHES, renderFigureImages } from '../../src/render/png.js';
import { FIGURE_MAX_WIDTH } from '../../src/render/svg.js';
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
    // every figure (or part of a tall one) embedded as a 300 dpi PNG (word/media), drawn inline under its caption
    const parts = p.filter((x) => /^Figure \d+( \(continued\))?$/.test(x)).length;
    const media = readZip(bytes).entries.filter((e) => /^word\/media\/.+\.png$/.test(e.name));
    expect(media).toHaveLength(parts);
    expect(xml.match(/<w:drawing>/g)?.length).toBe(parts);
    expect(p.some((x) => /(^|[\s[(])-\d/.test(x) && !/[A-Za-z]/.test(x))).toBe(false);
    expect(p.some((x) => /^(< )?\.\d{3}$/.test(x))).toBe(true);
  });

  it('places each figure at its own size: text at 8 pt or more, in the document font; a tall one continues', () => {
    // the same report's figures as SVG (nabz analyze writes figures/ for the other formats)
    const svgOut = join(tmp, 'bace-svg');
    const a = spawnSync(
      process.execPath,
      [cli, 'analyze', join(ex, 'responses.csv'), '--study', join(ex, 'study.json'), '--out', svgOut],
      { encoding: 'utf8' },
    );
    expect(a.status, a.stderr).toBe(0);
    const xml = documentXml(new Uint8Array(readFileSync(join(out, 'report.docx'))));
    const extents = [...xml.matchAll(/<wp:extent cx="(\d+)" cy="(\d+)"\/>/g)].map((m) => ({
      w: Number(m[1]) / 914400,
      h: Number(m[2]) / 914400,
    }));
    // nothing wider than the text width or taller than a page holds under its caption
    for (const e of extents) {
      expect(e.w).toBeLessThanOrEqual(MAX_FIGURE_INCHES + 1e-9);
      expect(e.h).toBeLessThanOrEqual(MAX_FIGURE_HEIGHT_IN + 1e-9);
    }
    const svgs = readdirSync(join(svgOut, 'figures')).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(2);
    let continued = 0;
    for (const f of svgs) {
      const svg = readFileSync(join(svgOut, 'figures', f), 'utf8');
      const width = Number(/<svg[^>]*\bwidth="([\d.]+)"/.exec(svg)![1]);
      const height = Number(/<svg[^>]*\bheight="([\d.]+)"/.exec(svg)![1]);
      // drawn no wider than the text width, so placed at 96 px to the inch: 1 px = 0.75 pt on paper
      expect(width, f).toBeLessThanOrEqual(FIGURE_MAX_WIDTH);
      const placedWidth = Math.round((width / 96) * 300) / 300;
      if (height / 96 <= MAX_FIGURE_HEIGHT_IN)
        expect(extents.some((e) => Math.abs(e.w - placedWidth) < 1e-4, f)).toBe(true);
      else continued++;
      const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
      const texts = svg.match(/<text\b/g)?.length ?? 0;
      expect(sizes).toHaveLength(texts);
      const scale = (placedWidth * 96) / width;
      expect(Math.min(...sizes) * scale * 0.75, `${f}: smallest text in pt`).toBeGreaterThanOrEqual(8);
      const families = [...svg.matchAll(/font-family="([^"]+)"/g)].map((m) => m[1]);
      expect(families).toHaveLength(texts);
      expect(new Set(families)).toEqual(new Set([`${DOCX_FONT}, sans-serif`]));
    }
    // the 30-item chart is taller than a page: its rows go on in "Figure N (continued)"
    expect(continued).toBeGreaterThanOrEqual(1);
    const p = docxParagraphs(new Uint8Array(readFileSync(join(out, 'report.docx')))).paragraphs;
    expect(p.filter((x) => /^Figure \d+ \(continued\)$/.test(x)).length).toBeGreaterThanOrEqual(continued);
  });

  it('puts tables too wide for a portrait page on landscape pages: the logistic "Table 4" among them', () => {
    const bytes = new Uint8Array(readFileSync(join(out, 'report.docx')));
    const xml = documentXml(bytes);
    // each section ends with its sectPr; the landscape ones hold the wide tables
    const sections = xml.split(/<\/w:sectPr>/).slice(0, -1);
    const landscape = sections.filter((x) => /<w:pgSz[^>]*w:orient="landscape"/.test(x));
    expect(landscape.length).toBeGreaterThanOrEqual(1);
    const logistic = sections.find((x) => x.includes('Crude OR'));
    expect(logistic).toMatch(/<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"\/>/);
    // and every table's column widths add up to no more than its page's text width
    for (const sec of sections) {
      const wide = /w:orient="landscape"/.test(sec);
      for (const grid of sec.matchAll(/<w:tblGrid>(.*?)<\/w:tblGrid>/g)) {
        const total = [...grid[1]!.matchAll(/w:w="(\d+)"/g)].reduce((a, m) => a + Number(m[1]), 0);
        expect(total).toBeLessThanOrEqual(wide ? 16838 - 2880 : 9000);
      }
    }
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
    // no number in a table cell is broken over two lines: each numeric cell's words are whole words of the PDF
    const text = spawnSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    if (text.error && process.env.CI)
      throw new Error('pdftotext is not installed: apt-get install poppler-utils');
    if (!text.error) {
      const words = new Map<string, number>();
      for (const w of text.stdout.split(/\s+/)) words.set(w, (words.get(w) ?? 0) + 1);
      const doc = documentXml(new Uint8Array(readFileSync(join(out, 'report.docx'))));
      const cells = [...doc.matchAll(/<w:tc>(.*?)<\/w:tc>/g)].map((m) =>
        [...m[1]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
      );
      const numeric = cells.filter((c) => /\d/.test(c) && /^[\d\s.,%[\]()\u2212<>=–-]+$/.test(c));
      expect(numeric.length).toBeGreaterThan(200);
      const wanted = new Map<string, number>();
      for (const c of numeric) for (const w of c.split(/\s+/)) if (w) wanted.set(w, (wanted.get(w) ?? 0) + 1);
      const broken = [...wanted].filter(([w, n]) => (words.get(w) ?? 0) < n);
      expect(broken, 'numbers split over lines in the PDF').toEqual([]);
    }
    // the landscape pages are landscape in the PDF too
    const info = spawnSync('pdfinfo', ['-f', '1', '-l', '200', join(out, 'report.pdf')], {
      encoding: 'utf8',
    });
    if (!info.error) {
      const sizes = [...info.stdout.matchAll(/Page +\d+ size: +([\d.]+) x ([\d.]+)/g)];
      expect(sizes.some((m) => Number(m[1]) > Number(m[2]))).toBe(true);
      expect(sizes.some((m) => Number(m[1]) < Number(m[2]))).toBe(true);
    }
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
