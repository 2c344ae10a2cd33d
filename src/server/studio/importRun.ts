/**
 * The import pages' work between the store and the views: read an uploaded file with the importer under the
 * mapping chosen so far (the dry run), turn its reports into the mapping screen's model, and turn the mapping
 * screen's form back into a mapping file. The rules are the importer's and `nabz analyze`'s (core/response/).
 */
import type { Issue, Validated } from '../../core/instrument/schema.js';
import type { ImportResult } from '../../core/response/importer.js';
import { instrumentItemsMatched, itemsScoresUse } from '../../core/response/importRows.js';
import {
  type ColumnReport,
  formatUnmatched,
  type MatchHow,
  type UnmatchedTarget,
  unmatchedTargets,
} from '../../core/response/mapping.js';
import { type MappedValue, type MappingFile, parseMappingFile } from '../../core/response/mappingFile.js';
import { type Target, targetsFromStudy } from '../../core/response/targets.js';
import { buildScoringPlan } from '../../core/scoring/index.js';
import { present } from '../../core/stats/at.js';
import { type ResolvedStudy, resolvedLookup } from '../../core/study/resolve.js';
import { importResponsesFromBytes } from '../../import/index.js';
import type { Store, StoredUpload } from '../../store/index.js';
import { HttpError } from '../errors.js';
import type { FormBody } from '../form.js';
import type { ColumnChoice, ColumnRow, MappingModel, ValueRow } from './importView.js';

interface DryRun {
  readonly result: ImportResult;
  readonly targets: readonly Target[];
  readonly unmatched: readonly UnmatchedTarget[];
  readonly alreadyImported: number;
  /** The file imports cleanly and every variable the analysis needs has a column. */
  readonly ready: boolean;
}

/** `xlsx` for a ZIP (an Excel workbook), `csv` otherwise; an old .xls workbook is refused with the fix. */
export function uploadFormat(fileName: string, bytes: Uint8Array): 'csv' | 'xlsx' {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0)
    throw new HttpError(
      415,
      `"${fileName}" is an old Excel workbook (.xls); nothing was saved. Save it as .xlsx or as CSV UTF-8 and upload that.`,
      'unsupported_media_type',
    );
  return 'csv';
}

/** Read the upload with the mapping chosen so far; nothing is stored. */
export async function dryRun(
  store: Store,
  studyId: number,
  upload: StoredUpload,
  resolved: ResolvedStudy,
): Promise<DryRun> {
  const lookup = resolvedLookup(resolved);
  const targets = targetsFromStudy(resolved.study, lookup);
  const plan = buildScoringPlan(resolved.study, lookup);
  if (!targets.ok || !plan.ok) {
    const issues = [...(targets.ok ? [] : targets.issues), ...(plan.ok ? [] : plan.issues)];
    throw new HttpError(
      409,
      `The study cannot take an import: ${issues.map((i) => i.message).join('; ')}`,
      'invalid_study',
    );
  }
  const mapping = parseMappingFile(upload.mapping);
  const result = await importResponsesFromBytes(upload.bytes, upload.format, targets.value, {
    ...(mapping.ok ? { mapping: mapping.value } : {}),
    missingTargets: 'not-shown',
    language: resolved.study.languages[0],
  });
  const unmatched = result.mappingReport
    ? unmatchedTargets(result.mappingReport, targets.value, resolved.study.analysis.groupBy, {
        answers: result.unmappedAnswers,
        items: itemsScoresUse(plan.value),
      })
    : [];
  const alreadyImported = await store.imports.countImported(studyId, upload.sha256);
  const ready = result.ok && result.rows > 0 && unmatched.length === 0;
  return { result, targets: targets.value, unmatched, alreadyImported, ready };
}

const HOW: Record<MatchHow, string> = {
  'mapping-file': 'your choice',
  id: 'item id',
  text: 'item text',
  'grid-row': 'grid row text',
  'grid-context': 'grid row text (instrument of the other rows)',
};

function clip(s: string, n = 70): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function targetLabel(t: Target): string {
  const text = t.texts.map((x) => x.en ?? Object.values(x)[0]).find((x) => x !== undefined);
  return `${t.id}${text ? ` — ${clip(text)}` : ''}`;
}

/** The value choices for an unknown answer of item `t`: its options, "no answer", and "not applicable" if allowed. */
function valueChoices(t: Target | undefined): ColumnChoice[] {
  if (!t || t.options.length === 0 || t.type === 'multiple') return [];
  return [
    ...t.options.map((o) => ({
      value: String(o.value),
      label: `${o.value} = ${o.label.en ?? Object.values(o.label)[0] ?? ''}`,
    })),
    { value: 'SKIP', label: 'No answer' },
    ...(t.notApplicable ? [{ value: 'NA', label: 'Not applicable' }] : []),
  ];
}

/** What a column is imported as now: a variable, `__timestamp`, or '' (not imported). */
function chosenOf(c: ColumnReport): string {
  return c.status === 'mapped' ? (c.variable ?? '') : c.status === 'timestamp' ? '__timestamp' : '';
}

/** The mapping screen's model of a dry run. */
export function mappingModel(action: string, upload: StoredUpload, run: DryRun): MappingModel {
  const { result, targets, unmatched } = run;
  const report = result.mappingReport;
  const byId = new Map(targets.map((t) => [t.id, t]));
  const all = targets.map((t) => ({ value: t.id, label: targetLabel(t) }));
  const columns: ColumnRow[] = (report?.columns ?? []).map((c) => {
    const suggested = unmatched.flatMap((u) =>
      u.suggestions
        .filter((s) => s.column.index === c.index)
        .map((s) => ({
          value: u.target.id,
          label: `${targetLabel(u.target)} (${Math.round(s.similarity * 100)}%)`,
        })),
    );
    for (const id of c.candidates ?? []) {
      const t = byId.get(id);
      if (t) suggested.push({ value: id, label: targetLabel(t) });
    }
    const chosen = chosenOf(c);
    const extra =
      c.status === 'mapped' && c.variable && !byId.has(c.variable)
        ? [{ value: c.variable, label: c.variable }]
        : [];
    const how =
      c.status === 'mapped'
        ? HOW[c.how ?? 'id']
        : c.status === 'timestamp'
          ? 'submission time'
          : c.status === 'ambiguous'
            ? `could be ${(c.candidates ?? []).join(' or ')}`
            : (c.note ?? (c.status === 'unmapped' ? 'no item or question reads like it' : c.status));
    return {
      index: c.index,
      letter: c.letter,
      header: c.header,
      chosen,
      how,
      suggested,
      all: [...extra, ...all],
    };
  });
  const groups = result.ok ? [] : result.errorSummary;
  const values: ValueRow[] = groups
    .filter((g) => g.value !== null && g.column !== null)
    .map((g) => ({
      key: JSON.stringify([g.item, g.value]),
      group: g,
      choices:
        g.item !== null && ['unknown_label', 'unknown_code', 'na_not_allowed'].includes(g.code)
          ? valueChoices(byId.get(g.item))
          : [],
    }));
  const otherErrors = groups
    .filter((g) => g.value === null || g.column === null)
    .map((g) => (g.count > 1 ? `${g.message} (${g.count} times)` : g.message));
  return {
    action,
    fileName: upload.fileName,
    sha12: upload.sha256.slice(0, 12),
    rows: result.rows,
    columns,
    matched: report
      ? instrumentItemsMatched(report, targets)
      : { matched: 0, total: targets.filter((t) => t.group !== 'study').length, missing: [] },
    unmatched: unmatched.length > 0 ? formatUnmatched(unmatched, 'en') : '',
    errorCount: result.ok ? 0 : result.errorCount,
    values,
    otherErrors:
      result.ok || result.rows > 0 || groups.length > 0 ? otherErrors : ['The file has no response rows.'],
    warnings: result.warnings,
    alreadyImported: run.alreadyImported,
    ready: run.ready,
  };
}

/**
 * The mapping file the mapping screen's form describes: `c<i>` per column (a variable id, `__timestamp`, or
 * empty for "not imported"), and `v<i>` with its key `vk<i>` (JSON `[item, value]`) per value that did not
 * match (an option value, `SKIP` or `NA`; empty leaves it an error). Earlier value choices are kept.
 */
export function mappingFromForm(run: DryRun, previous: unknown, form: FormBody): Validated<MappingFile> {
  const text = (k: string) => {
    const v = form[k];
    return typeof v === 'string' ? v : undefined;
  };
  const prev = parseMappingFile(previous);
  // Only what the owner changed becomes an entry: a column left as the importer matched it keeps "how" it was matched.
  const columns: Record<string, string | null> = prev.ok ? { ...prev.value.columns } : {};
  let timestamp = prev.ok ? prev.value.timestamp : undefined;
  for (const c of run.result.mappingReport?.columns ?? []) {
    const v = text(`c${c.index}`);
    if (v === undefined || c.header.length === 0 || v === chosenOf(c)) continue;
    if (v === '__timestamp') timestamp = c.header;
    else {
      columns[c.header] = v === '' ? null : v;
      if (c.status === 'timestamp') timestamp = null;
    }
  }
  const values: Record<string, Record<string, MappedValue>> = prev.ok
    ? (structuredClone(prev.value.values) as Record<string, Record<string, MappedValue>>)
    : {};
  const issues: Issue[] = [];
  for (let i = 0; text(`vk${i}`) !== undefined; i++) {
    const choice = text(`v${i}`);
    if (!choice) continue;
    let key: unknown;
    try {
      key = JSON.parse(present(text(`vk${i}`), 'a value key'));
    } catch {
      key = null;
    }
    if (!Array.isArray(key) || typeof key[0] !== 'string' || typeof key[1] !== 'string') {
      issues.push({
        path: `vk${i}`,
        code: 'invalid',
        message: 'A value choice came without the value it is for; reload the page and choose again.',
      });
      continue;
    }
    const mapped: MappedValue = choice === 'SKIP' || choice === 'NA' ? choice : Number(choice);
    if (typeof mapped === 'number' && !Number.isFinite(mapped)) {
      issues.push({
        path: `v${i}`,
        code: 'invalid',
        message: `"${choice}" is not an option value; choose one from the list.`,
      });
      continue;
    }
    values[key[0]] = { ...(values[key[0]] ?? {}), [key[1]]: mapped };
  }
  if (issues.length > 0) return { ok: false, issues };
  return parseMappingFile({ columns, values, ...(timestamp !== undefined ? { timestamp } : {}) });
}
