/**
 * `nabz analyze FILE (--study STUDY | --instrument ID|FILE)`: import a survey export, score it, and write the
 * publication tables — terminal, Markdown, CSV, JSON, HTML, Word (.docx) and figures (SVG and PNG at 300 dpi).
 */
import { join } from 'node:path';
import { analyzeStudy } from '../../core/analysis/analyzeStudy.js';
import type { Report } from '../../core/report/spec.js';
import { renderJson } from '../../render/json.js';
import { renderMarkdown } from '../../render/markdown.js';
import { renderText } from '../../render/text.js';
import { programVersion } from '../../render/version.js';
import { parse } from '../args.js';
import { usageError } from '../errors.js';
import { writeOut } from '../io.js';
import { importAndScore } from '../pipeline.js';
import { loadStudy, studySource } from '../study.js';

const FORMATS = ['terminal', 'markdown', 'csv', 'json', 'html', 'docx', 'svg', 'all'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: nabz analyze FILE (--study STUDY.json | --instrument ID|FILE) [--group COLUMN]... [--format F] [--out DIR]

Imports a survey export (CSV or XLSX, e.g. a Google Forms download), scores it and writes the tables of a
cross-sectional survey paper: sample, item endorsement, score descriptives, bands, thresholds, group
comparisons (Student and Welch rows, Levene, Hedges' g), reliability.
  --study       the study definition (instruments, domains, questions, analysis plan)
  --instrument  analyse one instrument with its official scoring: a library id (see \`nabz instruments list\`)
                or an own instrument file (FILE.instrument.json, docs/own-instruments.md)
  --group       question id to compare groups by (repeatable; default: the study's analysis.groupBy)
  --mapping     mapping file for headers and labels that do not match (docs/importing.md)
  --write-mapping FILE  write the suggested mapping (matched columns and the closest column for each
                unmatched item) to FILE, in the format --mapping reads, for review
  --allow-missing  analyse even when scored items or group variables have no column (refused by
                default); each score then says "k of n items present"
  --sheet       XLSX worksheet name (default: the first)
  --format      ${FORMATS.join(' | ')} (default: terminal, or all when --out is given)
  --out         folder for the output files (report.md, report.html, report.docx,
                report.json, tables/*.csv, figures/*.svg and figures/*.png at 300 dpi)
  --min-cell    suppress counts below this size (default: the study's analysis.minCellSize)
  --verbose     print the column mapping report`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      study: { type: 'string' },
      instrument: { type: 'string' },
      group: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      sheet: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'min-cell': { type: 'string' },
      verbose: { type: 'boolean' },
      'allow-missing': { type: 'boolean' },
      'write-mapping': { type: 'string' },
    },
    USAGE,
  );
  const file = positionals[0];
  if (!file) throw usageError('the responses file is missing', USAGE);
  if (positionals.length > 1)
    throw usageError(
      `one responses file at a time; got ${positionals.length}: ${positionals.join(', ')}`,
      USAGE,
    );
  const source = studySource(values, USAGE);
  const format = (values.format ?? (values.out ? 'all' : 'terminal')) as Format;
  if (!FORMATS.includes(format))
    throw usageError(`--format must be one of ${FORMATS.join(', ')}; got "${values.format}"`, USAGE);
  if (format !== 'terminal' && !values.out && format !== 'markdown' && format !== 'json') {
    throw usageError(`--format ${format} writes files: add --out DIR`, USAGE);
  }
  let minCell: number | undefined;
  if (values['min-cell'] !== undefined) {
    minCell = Number(values['min-cell']);
    if (!Number.isInteger(minCell) || minCell < 0)
      throw usageError(`--min-cell must be a whole number ≥ 0, got "${values['min-cell']}"`, USAGE);
  }

  const resolved = loadStudy(source);
  for (const g of values.group ?? []) {
    const v = resolved.variables.get(g);
    if (!v)
      throw usageError(
        `--group "${g}" is not a question of the study; questions: ${resolved.study.questions.map((q) => q.id).join(', ') || '(none)'}`,
        USAGE,
      );
    if (v.item.type !== 'single')
      throw usageError(`--group "${g}" must be a single-choice question (it is ${v.item.type})`, USAGE);
  }
  const { imported, scored } = await importAndScore(file, resolved, {
    mappingFile: values.mapping,
    sheet: values.sheet,
    verbose: values.verbose ?? false,
    allowMissing: values['allow-missing'] ?? false,
    writeMapping: values['write-mapping'],
    groupBy: values.group?.length ? values.group : undefined,
  });
  const report = analyzeStudy({
    resolved,
    dataset: imported.dataset,
    scored,
    generatedBy: programVersion(),
    ...(minCell !== undefined ? { minCellSize: minCell } : {}),
    ...(values.group?.length ? { groupBy: values.group } : {}),
  });
  await write(report, format, values.out);
}

async function write(report: Report, format: Format, out: string | undefined): Promise<void> {
  const want = (f: Format) => format === f || format === 'all';
  if (!out) {
    if (format === 'markdown') process.stdout.write(renderMarkdown(report));
    else if (format === 'json') process.stdout.write(renderJson(report));
    else
      process.stdout.write(
        renderText(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }),
      );
    return;
  }
  const written: string[] = [];
  const put = (name: string, content: string | Uint8Array) => {
    writeOut(join(out, name), content);
    written.push(join(out, name));
  };
  if (want('terminal')) put('report.txt', renderText(report, { color: false }));
  if (want('markdown')) put('report.md', renderMarkdown(report));
  if (want('json')) put('report.json', renderJson(report));
  // Figures (vega, resvg) load only when asked for: they cost about a second of start-up. Drawn once, for
  // figures/ (SVG and PNG at 300 dpi), the Word report (the PNG) and the HTML report (the SVG).
  const figures =
    want('svg') || want('docx') || want('html')
      ? await (await import('../../render/png.js')).renderFigureImages(report)
      : undefined;
  if (want('docx')) {
    const { renderDocx } = await import('../../render/docx.js');
    put('report.docx', await renderDocx(report, figures ? { figures } : {}));
  }
  if (want('csv')) {
    const { renderTablesCsv } = await import('../../render/csv.js');
    for (const [name, csv] of renderTablesCsv(report)) put(join('tables', name), csv);
  }
  if (want('svg'))
    for (const [id, f] of figures ?? []) {
      put(join('figures', `${id}.svg`), f.svg);
      put(join('figures', `${id}.png`), f.png);
    }
  if (want('html')) {
    const { renderHtmlDocument } = await import('../../render/html.js');
    const svgs = new Map([...(figures ?? [])].map(([id, f]) => [`${id}.svg`, f.svg]));
    put('report.html', renderHtmlDocument(report, svgs));
  }
  if (format === 'all')
    process.stdout.write(
      renderText(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }),
    );
  process.stderr.write(
    `\nwrote ${written.length} files to ${out}/ (${written.map((w) => w.slice(out.length + 1)).join(', ')})\n`,
  );
}
