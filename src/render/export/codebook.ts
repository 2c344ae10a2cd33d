/**
 * The codebook of an export: every variable with its name, label, type and format, value labels,
 * missing-value codes, what it belongs to (response, screening, a question, an instrument, a score) and how
 * it is scored; then the instruments with their citations and the licence lines their owners require.
 * Rendered as Markdown, HTML and CSV from the same rows (and used for the XLSX "Variables" sheet). Markdown and
 * HTML also give the study's intro texts in every language, as respondents saw them before the questions.
 */
import { BACK_TRANSLATION_LABELS } from '../../core/instrument/schema.js';
import { studyTitleText, textDirection } from '../../core/study/i18n.js';
import { introName, languageLabel, studyIntros } from '../../core/study/intros.js';
import type { Study } from '../../core/study/schema.js';
import { escapeXml } from '../common.js';
import { csvField } from '../csv.js';
import { escapeMarkdown, escapeParagraph } from '../markdown.js';
import type { ExportVariable, InstrumentInfo, VariableFormat } from './model.js';

/** One codebook row (all text). */
interface CodebookRow {
  readonly name: string;
  readonly label: string;
  /** The short label used in report tables and headings ("Level of training"). */
  readonly short: string;
  /** "numeric" or "string". */
  readonly type: string;
  /** SPSS format, e.g. F8.0, SDATE10, YMDHMS19, A2000. */
  readonly format: string;
  /** "0 = Not at all; 1 = Several days; …" */
  readonly values: string;
  /** "-9 = Skipped; -8 = Not applicable; -7 = Not shown" */
  readonly missing: string;
  /** "Response", "Screening question", "Question", "Question: Demographics", "PHQ-9 item", "PHQ-9 score". */
  readonly belongsTo: string;
  readonly scoring: string;
  /** The licence line of the variable's instrument (empty for the study's own variables). */
  readonly licence: string;
}

export const CODEBOOK_COLUMNS: readonly { key: keyof CodebookRow; title: string }[] = [
  { key: 'name', title: 'Variable' },
  { key: 'label', title: 'Label' },
  { key: 'short', title: 'Short label' },
  { key: 'type', title: 'Type' },
  { key: 'format', title: 'Format' },
  { key: 'values', title: 'Values' },
  { key: 'missing', title: 'Missing values' },
  { key: 'belongsTo', title: 'Belongs to' },
  { key: 'scoring', title: 'Scoring' },
];

/** The SPSS name of a format, e.g. F8.2, SDATE10, A255. */
function formatName(f: VariableFormat): string {
  switch (f.type) {
    case 'F':
      return `F${f.width}.${f.decimals}`;
    case 'SDATE':
      return 'SDATE10';
    case 'YMDHMS':
      return 'YMDHMS19';
    case 'A':
      return `A${f.width}`;
  }
}

function belongsTo(v: ExportVariable): string {
  const g = v.group;
  switch (g.kind) {
    case 'response':
      return 'Response';
    case 'screening':
      return 'Screening question';
    case 'question':
      return `Question${g.section ? `: ${g.section}` : ''}${g.grid ? ` (grid: ${g.grid})` : ''}`;
    case 'instrument':
      return `${g.instrument.shortTitle} item`;
    case 'score':
      return `${g.instrument.shortTitle} ${g.official ? 'score' : 'study domain'}`;
  }
}

/** The codebook rows, one per variable, in column order. */
export function codebookRows(variables: readonly ExportVariable[]): CodebookRow[] {
  return variables.map((v) => ({
    name: v.name,
    label: v.label,
    short: v.short ?? '',
    type: v.type,
    format: formatName(v.format),
    values: v.valueLabels.map((l) => `${l.value} = ${l.label}`).join('; '),
    missing: v.missing.map((m) => `${m.value} = ${m.label}`).join('; '),
    belongsTo: belongsTo(v),
    scoring: v.scoring ?? '',
    licence: v.group.kind === 'instrument' || v.group.kind === 'score' ? v.group.instrument.attribution : '',
  }));
}

/** The instruments the variables come from, in order of first appearance. */
function codebookInstruments(variables: readonly ExportVariable[]): InstrumentInfo[] {
  const seen = new Map<string, InstrumentInfo>();
  for (const v of variables) {
    const g = v.group;
    if ((g.kind === 'instrument' || g.kind === 'score') && !seen.has(g.instrument.id))
      seen.set(g.instrument.id, g.instrument);
  }
  return [...seen.values()];
}

/** The licence lines: one per instrument, "<short title>: <attribution>". */
export function licenceLines(variables: readonly ExportVariable[]): string[] {
  return codebookInstruments(variables).map((i) => `${i.shortTitle}: ${i.attribution}`);
}

/**
 * One line per text pack the study applied: "Text (ur): supplied by …; source: …; back-translated; differs
 * from the known wording".
 */
function textPackLines(i: InstrumentInfo): string[] {
  return (i.textPacks ?? []).map((p) =>
    [
      `Text (${p.language}): supplied by ${p.licensee}`,
      p.source ? `source: ${p.source}` : 'source: not stated',
      p.backTranslation ? BACK_TRANSLATION_LABELS[p.backTranslation] : 'back-translation: not stated',
      p.matchesKnownText === true
        ? 'matches the known wording'
        : p.matchesKnownText === false
          ? 'differs from the known wording'
          : '',
    ]
      .filter(Boolean)
      .join('; '),
  );
}

const NOTES = [
  'Missing values: -9 = skipped (seen, not answered), -8 = not applicable (answered "not applicable"), -7 = not shown (skip logic hid the item). They are never 0 and never merged; the .sav file declares them as user-missing, and the CSV and XLSX files show them as empty cells unless codes were chosen. An item whose own values could equal these codes uses -99/-98/-97 (then -999/-998/-997, …), as listed per variable.',
  'An empty cell (system-missing) means the item was not part of the study when the response was given, or a score could not be computed (too few items answered).',
  'A multiple-choice question has one 0/1 variable per option, named <question>__<option value> (a minus sign written as m): 1 = chosen, 0 = not chosen.',
  'A grid question (statements sharing one response scale) has one variable per statement, named <question>_<row>, coded like a single-choice question.',
  'Dates are the day of submission (YYYY-MM-DD); times of day are included only when the study owner turned them on. Free-text answers are included only when chosen at export.',
];

/** The study's intro texts with where respondents saw them ("The intro before PHQ-9"), for the codebook. */
function codebookIntros(
  study: Partial<Pick<Study, 'instruments' | 'collection'>>,
  instruments: readonly InstrumentInfo[],
): { where: string; texts: { lang: string; text: string }[] }[] {
  if (!study.instruments || !study.collection) return [];
  const names = new Map(instruments.map((i) => [i.id, i.shortTitle]));
  return studyIntros({ instruments: study.instruments, collection: study.collection }).map((p) => {
    const where = introName(p, (id) => names.get(id) ?? id);
    return {
      where: `${where.charAt(0).toUpperCase()}${where.slice(1)}${p.kind === 'instrument' ? ' (shown before its instructions)' : ''}`,
      texts: Object.entries(p.text).map(([lang, text]) => ({ lang, text })),
    };
  });
}

/**
 * Render the codebook of an export as Markdown, a standalone HTML page and CSV (UTF-8 with BOM, one row per
 * variable, with a final "Licence" column holding the licence line of the variable's instrument). Markdown
 * and HTML then give the study's intro texts (when the study has any) and end with the instruments: title,
 * version, citation, licence and the licence line.
 */
export function renderCodebook(
  variables: readonly ExportVariable[],
  study: Pick<Study, 'id' | 'title'> & { readonly languages?: readonly string[] } & Partial<
      Pick<Study, 'instruments' | 'collection'>
    >,
): { markdown: string; html: string; csv: string } {
  // A title per language: the study's first language (the codebook is the researchers').
  const title = studyTitleText(study);
  const rows = codebookRows(variables);
  const instruments = codebookInstruments(variables);
  const intros = codebookIntros(study, instruments);

  // Markdown
  const md: string[] = [
    `# Codebook: ${escapeMarkdown(title)}`,
    '',
    `Study \`${study.id}\`, ${rows.length} variables.`,
    '',
  ];
  for (const n of NOTES) md.push(`- ${escapeMarkdown(n)}`);
  md.push(
    '',
    `| ${CODEBOOK_COLUMNS.map((c) => c.title).join(' | ')} |`,
    `|${CODEBOOK_COLUMNS.map(() => ' --- ').join('|')}|`,
  );
  for (const r of rows) md.push(`| ${CODEBOOK_COLUMNS.map((c) => escapeMarkdown(r[c.key])).join(' | ')} |`);
  if (intros.length) {
    md.push('', '## Intro texts shown to respondents', '');
    for (const i of intros) {
      md.push(`### ${escapeMarkdown(i.where)}`, '');
      for (const t of i.texts)
        md.push(
          `${languageLabel(t.lang)}:`,
          '',
          ...t.text.split(/\r?\n/).map((l) => (l.trim() ? `> ${escapeParagraph(l.trim())}` : '>')),
          '',
        );
    }
  }
  if (instruments.length) {
    md.push('', '## Instruments and licences', '');
    for (const i of instruments) {
      md.push(`### ${escapeMarkdown(`${i.shortTitle} — ${i.title} (version ${i.version})`)}`, '');
      md.push(`- Citation: ${escapeMarkdown(i.citation)}`);
      md.push(`- Licence: ${escapeMarkdown(i.licenceName)}`);
      md.push(`- ${escapeMarkdown(i.attribution)}`);
      if (i.url) md.push(`- ${escapeMarkdown(i.url)}`);
      for (const t of textPackLines(i)) md.push(`- ${escapeMarkdown(t)}`);
      md.push('');
    }
  }
  const markdown = `${md.join('\n').trimEnd()}\n`;

  // HTML
  const h: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>Codebook: ${escapeXml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.4}table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:start;vertical-align:top}th{background:#f2f2f2}</style>',
    '</head>',
    '<body>',
    `<h1>Codebook: ${escapeXml(title)}</h1>`,
    `<p>Study <code>${escapeXml(study.id)}</code>, ${rows.length} variables.</p>`,
    '<ul>',
    ...NOTES.map((n) => `<li>${escapeXml(n)}</li>`),
    '</ul>',
    '<table>',
    `<thead><tr>${CODEBOOK_COLUMNS.map((c) => `<th scope="col">${escapeXml(c.title)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map(
      (r) =>
        `<tr>${CODEBOOK_COLUMNS.map((c, k) => (k === 0 ? `<th scope="row"><code>${escapeXml(r[c.key])}</code></th>` : `<td dir="auto">${escapeXml(r[c.key])}</td>`)).join('')}</tr>`,
    ),
    '</tbody>',
    '</table>',
  ];
  if (intros.length) {
    h.push('<h2>Intro texts shown to respondents</h2>');
    for (const i of intros) {
      h.push(`<h3>${escapeXml(i.where)}</h3>`);
      for (const t of i.texts) {
        const dir = textDirection(t.lang);
        const paras = t.text
          .split(/\r?\n\s*\r?\n/)
          .map((p) => p.trim())
          .filter((p) => p !== '')
          .map((p) => `<p>${p.split(/\r?\n/).map(escapeXml).join('<br>')}</p>`)
          .join('');
        h.push(
          `<p><strong>${escapeXml(languageLabel(t.lang))}:</strong></p><blockquote lang="${escapeXml(t.lang)}" dir="${dir}">${paras}</blockquote>`,
        );
      }
    }
  }
  if (instruments.length) {
    h.push('<h2>Instruments and licences</h2>');
    for (const i of instruments) {
      h.push(`<h3>${escapeXml(`${i.shortTitle} — ${i.title} (version ${i.version})`)}</h3>`, '<ul>');
      h.push(`<li>Citation: ${escapeXml(i.citation)}</li>`);
      h.push(`<li>Licence: ${escapeXml(i.licenceName)}</li>`);
      h.push(`<li>${escapeXml(i.attribution)}</li>`);
      if (i.url) h.push(`<li>${escapeXml(i.url)}</li>`);
      for (const t of textPackLines(i)) h.push(`<li dir="auto">${escapeXml(t)}</li>`);
      h.push('</ul>');
    }
  }
  h.push('</body>', '</html>');
  const html = `${h.join('\n')}\n`;

  // CSV: rectangular, the licence line on each row of an instrument's variables.
  const csvColumns = [...CODEBOOK_COLUMNS, { key: 'licence' as const, title: 'Licence' }];
  const lines = [csvColumns.map((c) => csvField(c.title)).join(',')];
  for (const r of rows) lines.push(csvColumns.map((c) => csvField(r[c.key])).join(','));
  const csv = `\uFEFF${lines.join('\r\n')}\r\n`;

  return { markdown, html, csv };
}
