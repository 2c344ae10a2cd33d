/**
 * `nabz init EXPORT [--out study.json]`: draft a study from a survey export (Google Forms CSV, XLSX) — library
 * instruments recognised from their item text, other Likert grids as own instruments, choice, number and
 * text questions with the labels observed — check that the draft imports the same export, then write it and
 * print what was recognised, the near misses and what to check.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import type { Instrument } from '../../core/instrument/schema.js';
import { formatImportErrors } from '../../core/response/importErrors.js';
import { unmatchedTargets } from '../../core/response/mapping.js';
import { ColumnCollector, type Draft, draftStudy, reverseKeyHints, slugId } from '../../core/study/draft.js';
import { resolveStudy } from '../../core/study/resolve.js';
import { cellText, readTable } from '../../import/index.js';
import { getInstrument, instrumentIds, listInstruments } from '../../instruments/index.js';
import { parse } from '../args.js';
import { CliError, usageError } from '../errors.js';
import { issuesError, writeOut } from '../io.js';
import { importAndScore } from '../pipeline.js';

const USAGE = `Usage: nabz init EXPORT.csv|EXPORT.xlsx [--out study.json] [--inline] [--language en] [--sheet NAME] [--force]

Drafts a study definition from a survey export (a Google Forms download, an XLSX sheet): library instruments
recognised from their item text (Google Forms grids are "Question [Row]"), other Likert grids as own
instruments (written next to the study as <id>.instrument.json), single- and multiple-choice questions with
the labels observed, numbers and free text. The draft is checked by importing the same export with it;
then \`nabz analyze EXPORT --study study.json\` works without edits. Check the draft before you report from it:
reverse-keyed items, score rules, option order.
  --out       the study file to write (default: study.json)
  --inline    put own instruments inside the study file ("definition") instead of separate files
  --language  language of the export's texts (default: en)
  --sheet     XLSX worksheet name (default: the first)
  --force     overwrite existing files`;

const en = (t: Record<string, string> | undefined) => (t ? (t.en ?? Object.values(t)[0] ?? '') : '');
const clip = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      inline: { type: 'boolean' },
      language: { type: 'string' },
      sheet: { type: 'string' },
      force: { type: 'boolean' },
    },
    USAGE,
  );
  const file = positionals[0];
  if (!file) throw usageError('the export file is missing', USAGE);
  if (positionals.length > 1)
    throw usageError(`one export at a time; got ${positionals.length}: ${positionals.join(', ')}`, USAGE);
  const out = values.out ?? 'study.json';
  const language = values.language ?? 'en';
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language))
    throw usageError(`--language must be a language tag like en or ur, got "${language}"`, USAGE);

  // Read the export: the header and what each column holds.
  let collector: ColumnCollector | null = null;
  let rows = 0;
  const fatal = await readTable(
    file,
    (cells, row) => {
      const text = cells.map(cellText);
      if (!collector) {
        if (row !== 1 || text.every((c) => c.trim() === ''))
          throw new CliError(`"${file}": the first row must be the header row (question texts).`);
        collector = new ColumnCollector(text);
        return;
      }
      rows++;
      collector.add(text);
    },
    { sheet: values.sheet },
  );
  if (fatal) throw new CliError(`could not read "${file}": ${formatImportErrors([fatal], 1)}`);
  const col = collector as ColumnCollector | null;
  if (!col || rows === 0)
    throw new CliError(
      `"${file}" has no answers below its header; init drafts a study from the answers it sees.`,
    );

  const base = basename(file, extname(file));
  const draft = draftStudy(col.columns(), listInstruments(), {
    id: slugId(base, 40),
    title: `Draft study from ${basename(file)}`,
    language,
    today: new Date().toISOString().slice(0, 10),
  });

  // The draft must read the same export: resolve it and import + score with the analysis pipeline.
  const resolved = resolveStudy(draft.study, getInstrument, instrumentIds());
  if (!resolved.ok)
    throw issuesError(
      "The drafted study (a bug in nabz init — please report it with the export's header row)",
      resolved.issues,
    );
  let hints: ReturnType<typeof reverseKeyHints>;
  try {
    const { imported } = await importAndScore(file, resolved.value, { sheet: values.sheet });
    hints = reverseKeyHints(imported.dataset, draft.own);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    throw new CliError(
      `the drafted study does not import "${file}" (nothing was written; a bug in nabz init — please report it):\n${e.message}`,
    );
  }

  // Write: own instruments next to the study (unless --inline), then the study.
  const dir = dirname(out);
  const files: { path: string; content: unknown }[] = [];
  const study = structuredClone(draft.study);
  if (!values.inline) {
    study.instruments = study.instruments.map((si) => {
      const def = si.definition as { id: string } | undefined;
      if (!def) return si;
      const path = join(dir, `${def.id}.instrument.json`);
      files.push({ path, content: { $schema: schemaRef(dir), ...def } });
      return { file: relative(dir, path) };
    });
  }
  files.push({ path: out, content: study });
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length && !values.force)
    throw new CliError(
      `not overwriting ${existing.map((p) => `"${p}"`).join(', ')}; choose another --out or add --force`,
    );
  for (const f of files) writeOut(f.path, `${JSON.stringify(f.content, null, 2)}\n`);

  process.stdout.write(summary(draft, hints, { file, rows, out, files: files.map((f) => f.path) }));
}

/** `$schema` of a written instrument file: the repository's schema when it is reachable, else the path name. */
function schemaRef(dir: string): string {
  const local = join(
    dirname(dirname(dirname(new URL(import.meta.url).pathname))),
    'schemas',
    'instrument.schema.json',
  );
  return existsSync(local) ? relative(dir, local) : 'instrument.schema.json';
}

function summary(
  draft: Draft,
  hints: ReturnType<typeof reverseKeyHints>,
  ctx: { file: string; rows: number; out: string; files: string[] },
): string {
  const L: string[] = [];
  L.push(`Drafted ${ctx.out} from ${ctx.file} (${ctx.rows} responses). It imports the export as it is.`);
  L.push('');
  L.push('Library instruments recognised (every item has a column; official scoring):');
  if (draft.library.length === 0) L.push('  (none)');
  for (const { instrument: ins, columns } of draft.library) {
    L.push(`  ${ins.id}: ${ins.shortTitle}, ${columns} of ${ins.items.length} items`);
    if (ins.licence.requiresAcknowledgement)
      L.push(
        `    ${ins.shortTitle}'s owner requires its terms to be acknowledged: read them (nabz instruments show ${ins.id}); the draft records "nabz init (analysis of existing data)" — put your name in termsAcknowledged.`,
      );
  }
  if (draft.nearMisses.length) {
    L.push('');
    L.push('Near misses (not used as library instruments; their columns were drafted as own questions):');
    for (const m of draft.nearMisses) L.push(...nearMiss(m, draft));
  }
  L.push('');
  L.push('Own instruments (Likert grids; check reverse keys and the score):');
  if (draft.own.length === 0) L.push('  (none)');
  for (const o of draft.own) {
    const d = o.definition;
    const opts = d.scales?.[0]?.options ?? [];
    L.push(
      `  ${d.id}: "${clip(o.stem)}", ${d.items.length} items on the ${o.scale} scale (${opts.map((x) => `${x.value} = ${en(x.label)}`).join(', ')}); score ${d.scores?.[0]?.id}: mean, at least ${d.scores?.[0]?.minAnswered} answered`,
    );
    if (o.unseen.length)
      L.push(
        `    no answer used ${o.unseen.map((u) => `"${u}"`).join(', ')}: the full ${o.scale} scale was assumed; check the codes`,
      );
    for (const h of hints.filter((x) => x.instrument === d.id))
      L.push(
        `    ${h.item} "${clip(h.text, 60)}" correlates negatively with the other items (r = ${h.r.toFixed(2)}): if it is worded the other way round, set "reverse": true`,
      );
  }
  L.push('');
  L.push('Questions:');
  if (draft.questions.length === 0) L.push('  (none)');
  for (const q of draft.questions) {
    const qq = q.question;
    const opts = qq.options?.map((o) => en(o.label)) ?? [];
    const detail =
      qq.type === 'grid'
        ? `grid of ${qq.rows?.length} rows: ${opts.join(' | ')}`
        : opts.length
          ? `${qq.type}: ${clip(opts.join(' | '), 90)}`
          : `${qq.type}${qq.integer ? ' (whole numbers)' : ''}`;
    L.push(`  ${qq.id}: "${clip(q.header, 50)}" — ${detail}`);
    if (q.note) L.push(`    check: ${q.note}`);
  }
  if (draft.skipped.length) {
    L.push('');
    L.push('Columns not used:');
    for (const s of draft.skipped) L.push(`  "${clip(s.header, 50)}": ${s.why}`);
  }
  L.push('');
  L.push(`Wrote ${ctx.files.join(', ')}.`);
  L.push(
    `Next: check the draft (reverse-keyed items, scores, option order; add "analysis": { "groupBy": [...] }), then\n  nabz analyze ${ctx.file} --study ${ctx.out}`,
  );
  return `${L.join('\n')}\n`;
}

function nearMiss(m: Draft['nearMisses'][number], draft: Draft): string[] {
  const ins: Instrument = m.instrument;
  const L = [`  ${ins.id} (${ins.shortTitle}): ${m.matched} of ${ins.items.length} items have a column`];
  const missing = unmatchedTargets(
    draft.libraryMapping,
    draft.libraryTargets.filter((t) => m.missing.includes(t.id)),
  );
  for (const u of missing.slice(0, 10)) {
    const sugg = u.suggestions.length
      ? `; did you mean ${u.suggestions.map((s) => `column ${s.column.letter} "${clip(s.column.header, 60)}" (${Math.round(s.similarity * 100)}% alike)`).join(' or ')}?`
      : '';
    L.push(`    no column for ${u.target.id} "${clip(en(u.target.texts[0]), 60)}"${sugg}`);
  }
  if (missing.length > 10) L.push(`    … and ${missing.length - 10} more items without a column`);
  for (const b of m.badLabels.slice(0, 5))
    L.push(
      `    column "${clip(b.header, 50)}": "${b.value}" is not one of ${ins.shortTitle}'s answer labels`,
    );
  if (m.badLabels.length > 5)
    L.push(`    … and ${m.badLabels.length - 5} more answers that are not its labels`);
  L.push(
    `    If this is ${ins.shortTitle}, map the columns to its item ids in a mapping file (docs/importing.md) and use { "instrument": "${ins.id}" } in the study instead of the drafted questions.`,
  );
  return L;
}
