/**
 * Column mapping: which column of a file fills which variable of the study.
 *
 * For each header, in this order:
 * 1. the mapping file's `columns` entry (a header → item id, `<id>__<value>`, or `null` to ignore);
 * 2. the item id, an alias, or `<id>__<value>` for one option of a multiple-choice item, case-insensitively
 *    (also the last part of a Kobo group path such as `demographics/age`);
 * 3. the submission-time column by name (`Timestamp`, `Submitted at`, `_submission_time`, `submitdate`, …);
 * 4. the item text in any language, normalised (`normalizeText`: NFC, case, spaces, numbering, trailing punctuation);
 * 5. a Google Forms grid header `Stem [Row text]`, on the row text (or the row as an id, LimeSurvey `Q1[SQ001]`).
 *    When a row text belongs to several items, the other rows of the same stem decide: if they all map to items
 *    of one instrument and exactly one candidate is in it, that one is taken (`grid-context`).
 * Short codes such as "BACE1" or "Q1" are never guessed: they go in a mapping file.
 *
 * Header-level problems (duplicate headers, ambiguous columns, two columns for one variable, mapping-file
 * entries that name unknown items) are errors of the import; unmapped columns and variables without a column
 * are reported, not errors.
 */
import type { ResponseOption } from '../instrument/schema.js';
import { at, present } from '../stats/at.js';
import type { ImportError } from './importErrors.js';
import type { MappingFile, MappingFileInput } from './mappingFile.js';
import { columnLetter, normalizeKey, normalizeText, parseGridHeader, textSimilarity } from './normalize.js';
import { optionColumnId, type Target } from './targets.js';

export type MatchHow = 'mapping-file' | 'id' | 'text' | 'grid-row' | 'grid-context';

type ColumnStatus = 'mapped' | 'timestamp' | 'unmapped' | 'ignored' | 'ambiguous' | 'duplicate' | 'conflict';

export interface ColumnReport {
  /** 0-based position in the file. */
  readonly index: number;
  /** Spreadsheet column letter (A, B, …, AA). */
  readonly letter: string;
  readonly header: string;
  readonly status: ColumnStatus;
  /** Item id the column fills (mapped), or would have filled (conflict). */
  readonly item?: string;
  /** For one option of a multiple-choice item: the option value. */
  readonly option?: number;
  /** Dataset variable: the item id, or `<id>__<value>` for an option column. */
  readonly variable?: string;
  readonly how?: MatchHow;
  /** Ambiguous columns: the items it could be. */
  readonly candidates?: readonly string[];
  /** Why a column is unmapped, ignored or in conflict. */
  readonly note?: string;
}

export interface MappingReport {
  /** Every column of the file, in file order. */
  readonly columns: readonly ColumnReport[];
  readonly mapped: readonly ColumnReport[];
  /** Columns left unmapped or ignored by the mapping file. */
  readonly unmapped: readonly ColumnReport[];
  readonly ambiguous: readonly ColumnReport[];
  /** The submission-time column, if any. */
  readonly timestamp: ColumnReport | null;
  /** Variables of the study (item ids; `<id>__<value>` for options of multiple-choice items) no column fills. */
  readonly missingTargets: readonly string[];
}

/** How a column is read: into an item (or one option of a multiple-choice item), as the timestamp, or not at all. */
type ColumnAssignment =
  | { readonly kind: 'item'; readonly target: Target; readonly how: MatchHow }
  | { readonly kind: 'option'; readonly target: Target; readonly optionIndex: number; readonly how: MatchHow }
  | { readonly kind: 'timestamp' }
  | null;

export interface ColumnPlan {
  readonly assignments: readonly ColumnAssignment[];
  readonly report: MappingReport;
  /** Header-level errors (the import fails if there are any). */
  readonly errors: readonly ImportError[];
  readonly warnings: readonly string[];
}

/** Normalised names of submission-time columns of common tools (English and Google Forms' translations). */
const TIMESTAMP_NAMES = new Set(
  [
    'timestamp',
    'time stamp',
    'submitted at',
    'submitted',
    'submission time',
    'submission date',
    'date submitted',
    '_submission_time',
    'submitdate',
    'submit date',
    'marca temporal',
    'horodateur',
    'zeitstempel',
    'carimbo de data/hora',
    'informazioni cronologiche',
    'tijdstempel',
  ].map(normalizeText),
);

type Match =
  | { kind: 'item'; target: Target; how: MatchHow }
  | { kind: 'option'; target: Target; optionIndex: number; how: MatchHow }
  | { kind: 'ambiguous'; candidates: Target[]; stem: string | null };

function q(s: string): string {
  return JSON.stringify(s);
}

function listIds(ids: readonly string[], max = 10): string {
  return ids.slice(0, max).join(', ') + (ids.length > max ? `, … (${ids.length} in all)` : '');
}

/** Indexes of the targets for matching. */
class TargetIndex {
  readonly byId = new Map<string, Target>();
  readonly options = new Map<string, { target: Target; optionIndex: number }>();
  readonly byText = new Map<string, Target[]>();

  constructor(readonly targets: readonly Target[]) {
    for (const t of targets) {
      this.byId.set(normalizeKey(t.id), t);
      for (const a of t.aliases ?? []) if (!this.byId.has(normalizeKey(a))) this.byId.set(normalizeKey(a), t);
      if (t.type === 'multiple') {
        t.options.forEach((o: ResponseOption, i) => {
          this.options.set(normalizeKey(optionColumnId(t.id, o.value)), { target: t, optionIndex: i });
          this.options.set(normalizeKey(`${t.id}/${o.value}`), { target: t, optionIndex: i });
        });
      }
      const seen = new Set<string>();
      for (const text of t.texts) {
        for (const s of Object.values(text)) {
          const k = normalizeText(s);
          if (seen.has(k)) continue;
          seen.add(k);
          const list = this.byText.get(k);
          if (list) list.push(t);
          else this.byText.set(k, [t]);
        }
      }
    }
  }

  /** An id, alias or option column id; `null` if none. */
  byName(name: string, how: MatchHow): Match | null {
    const k = normalizeKey(name);
    const t = this.byId.get(k);
    if (t) return { kind: 'item', target: t, how };
    const o = this.options.get(k);
    if (o) return { kind: 'option', target: o.target, optionIndex: o.optionIndex, how };
    return null;
  }
}

type ColumnMatch = Match | { kind: 'timestamp' } | null;

/** The work of {@link mapColumns}: what each phase reads and settles, column by column. */
interface MappingRun {
  readonly index: TargetIndex;
  readonly targets: readonly Target[];
  readonly mapping: MappingFile | undefined;
  /** The headers, trimmed. */
  readonly headers: readonly string[];
  readonly reports: { -readonly [K in keyof ColumnReport]: ColumnReport[K] }[];
  readonly matches: ColumnMatch[];
  /** Decided by the mapping file. */
  readonly fixed: boolean[];
  /** A header used by more than one column (and not ignored by the mapping file). */
  readonly duplicate: boolean[];
  /** Columns by header (non-empty headers). */
  readonly positions: Map<string, number[]>;
  /** The mapping file's columns by trimmed key, and by normalised key. */
  readonly mapCols: ReadonlyMap<string, string | null>;
  readonly mapColsNorm: ReadonlyMap<string, string | null>;
  /** Mapping-file column keys used (exact or normalised). */
  readonly usedMapKeys: Set<string>;
  readonly errors: ImportError[];
  readonly warnings: string[];
  timestampIndex: number;
}

function err(run: MappingRun, e: Omit<ImportError, 'row' | 'value'> & { value?: string | null }): void {
  run.errors.push({ row: null, value: null, ...e });
}

function columnLabel(run: MappingRun, i: number): string {
  const h = at(run.headers, i);
  const letter = at(run.reports, i).letter;
  return h.length > 0 ? `column ${letter} (${q(h)})` : `column ${letter} (no header)`;
}

/** A header's entry in the mapping file's columns: exact header first, then normalised. */
function mappingEntry(run: MappingRun, h: string): { key: string; value: string | null } | undefined {
  const exact = run.mapCols.get(h);
  if (exact !== undefined) return { key: h, value: exact };
  const nk = normalizeKey(h);
  const norm = h.length > 0 ? run.mapColsNorm.get(nk) : undefined;
  return norm !== undefined ? { key: nk, value: norm } : undefined;
}

/** The variables a target fills: a multiple-choice item one per option. */
function variablesOf(t: Target): string[] {
  return t.type === 'multiple' ? t.options.map((o) => optionColumnId(t.id, o.value)) : [t.id];
}

/** Phase 1: the mapping file's "values" keys must be items of the study (or "*"). */
function checkMappingValues(run: MappingRun): void {
  if (!run.mapping) return;
  for (const key of Object.keys(run.mapping.values)) {
    if (key !== '*' && !run.index.byId.has(normalizeKey(key))) {
      err(run, {
        code: 'mapping_file',
        column: null,
        item: key,
        message: `The mapping file has "values" for ${q(key)}, which is not an item of this study. Use an item id (${listIds(
          run.targets.map((t) => t.id),
        )}) or "*".`,
      });
    }
  }
}

/** Phase 2: headers used by several columns cannot be told apart (unless the mapping file ignores them). */
function markDuplicateHeaders(run: MappingRun): void {
  const { headers, positions, reports } = run;
  headers.forEach((h, i) => {
    if (h.length === 0) return;
    const list = positions.get(h);
    if (list) list.push(i);
    else positions.set(h, [i]);
  });
  for (const [h, list] of positions) {
    if (list.length < 2) continue;
    const entry = mappingEntry(run, h);
    if (entry && entry.value === null) continue; // ignored by the mapping file: harmless
    for (const i of list) {
      run.duplicate[i] = true;
      const r = at(reports, i);
      r.status = 'duplicate';
      r.note = `header also used by column${list.length > 2 ? 's' : ''} ${list
        .filter((j) => j !== i)
        .map((j) => at(reports, j).letter)
        .join(', ')}`;
    }
    err(run, {
      code: 'duplicate_header',
      column: h,
      item: null,
      message: `Columns ${list.map((j) => at(reports, j).letter).join(', ')} all have the header ${q(h)}, so they cannot be told apart. Rename them in the file so that each header is used once, or ignore them with a mapping file ("columns": { ${q(h)}: null }).`,
    });
  }
}

/** Phase 3: the timestamp column the mapping file chooses, if any. */
function chosenTimestamp(run: MappingRun): void {
  const want = run.mapping?.timestamp;
  if (typeof want !== 'string') return;
  let i = run.headers.indexOf(want.trim());
  if (i < 0) i = run.headers.findIndex((h) => normalizeKey(h) === normalizeKey(want));
  run.timestampIndex = i;
  if (i < 0) {
    err(run, {
      code: 'mapping_file',
      column: want,
      item: null,
      message: `The mapping file names ${q(want)} as the timestamp column, but the file has no such column. Its headers are: ${listIds(
        run.headers.filter((h) => h.length > 0).map(q),
      )}.`,
    });
  } else if (!run.duplicate[i]) {
    run.matches[i] = { kind: 'timestamp' };
    run.fixed[i] = true;
  }
}

/** Phase 4, one column: the mapping file's entry for it (ignore, or an item). True when it decided. */
function matchByMappingFile(run: MappingRun, i: number): boolean {
  const h = at(run.headers, i);
  const entry = mappingEntry(run, h);
  if (!entry) return false;
  run.usedMapKeys.add(entry.key);
  run.fixed[i] = true;
  if (entry.value === null) {
    const r = at(run.reports, i);
    r.status = 'ignored';
    r.note = 'ignored by the mapping file';
    return true;
  }
  const m = run.index.byName(entry.value, 'mapping-file');
  if (!m) {
    err(run, {
      code: 'mapping_file',
      column: h,
      item: entry.value,
      message: `The mapping file maps column ${q(h)} to ${q(entry.value)}, which is not an item of this study (nor <item>__<value> for an option of a multiple-choice item). Items: ${listIds(
        run.targets.map((t) => t.id),
      )}.`,
    });
    return true;
  }
  run.matches[i] = m;
  return true;
}

/** Phase 4, one column: by id (also the last one or two parts of a `group/item` path), timestamp name, text, grid row. */
function matchByName(run: MappingRun, i: number): void {
  const { index } = run;
  const h = at(run.headers, i);
  let m = index.byName(h, 'id');
  if (!m && h.includes('/')) {
    const parts = h.split('/');
    m = index.byName(at(parts, parts.length - 1), 'id');
    if (!m && parts.length >= 2)
      m = index.byName(`${parts[parts.length - 2]}__${parts[parts.length - 1]}`, 'id');
  }
  if (m) {
    run.matches[i] = m;
    return;
  }
  const norm = normalizeText(h);
  if (run.mapping?.timestamp === undefined && run.timestampIndex < 0 && TIMESTAMP_NAMES.has(norm)) {
    run.matches[i] = { kind: 'timestamp' };
    run.timestampIndex = i;
    return;
  }
  const byText = index.byText.get(norm);
  if (byText) {
    run.matches[i] =
      byText.length === 1
        ? { kind: 'item', target: at(byText, 0), how: 'text' }
        : { kind: 'ambiguous', candidates: byText, stem: null };
    return;
  }
  const grid = parseGridHeader(h);
  if (!grid) return;
  const g = index.byName(grid.row, 'id');
  if (g) {
    run.matches[i] = g;
    return;
  }
  const rows = index.byText.get(normalizeText(grid.row));
  if (rows) {
    run.matches[i] =
      rows.length === 1
        ? { kind: 'item', target: at(rows, 0), how: 'grid-row' }
        : { kind: 'ambiguous', candidates: rows, stem: normalizeText(grid.stem) };
  }
}

/** Phase 4: every column not yet decided, by the mapping file, then by name. */
function matchColumns(run: MappingRun): void {
  for (let i = 0; i < run.headers.length; i++) {
    if (run.duplicate[i] || run.fixed[i]) continue;
    if (matchByMappingFile(run, i)) continue;
    if (at(run.headers, i).length === 0) {
      at(run.reports, i).note = 'no header';
      continue;
    }
    matchByName(run, i);
  }
}

/** Phase 5: settle ambiguous grid rows by the instrument of the other rows of the same stem. */
function settleGridRows(run: MappingRun): void {
  const { matches, headers } = run;
  for (let i = 0; i < headers.length; i++) {
    const m = matches[i];
    if (m?.kind !== 'ambiguous' || m.stem === null) continue;
    const groups = new Set<string>();
    for (let j = 0; j < headers.length; j++) {
      const o = matches[j];
      if (j === i || !o || (o.kind !== 'item' && o.kind !== 'option')) continue;
      const g = parseGridHeader(at(headers, j));
      if (g && normalizeText(g.stem) === m.stem) groups.add(o.target.group);
    }
    if (groups.size === 1) {
      const [group] = groups;
      const inGroup = m.candidates.filter((t) => t.group === group);
      if (inGroup.length === 1) matches[i] = { kind: 'item', target: at(inGroup, 0), how: 'grid-context' };
    }
  }
}

/**
 * Phase 6: which columns fill each variable (a whole multiple-choice column claims all its options). A variable
 * claimed by one mapping-file column and others goes to the mapping file's; otherwise every claimant is in
 * conflict (returned) and the conflict is reported once.
 */
function resolveClaims(run: MappingRun): Set<number> {
  const { matches, reports, fixed } = run;
  const claims = new Map<string, number[]>();
  const claim = (v: string, i: number) => {
    const list = claims.get(v);
    if (list) list.push(i);
    else claims.set(v, [i]);
  };
  matches.forEach((m, i) => {
    if (m?.kind === 'item') for (const v of variablesOf(m.target)) claim(v, i);
    else if (m?.kind === 'option')
      claim(optionColumnId(m.target.id, at(m.target.options, m.optionIndex).value), i);
  });
  const conflicted = new Set<number>();
  const reportedConflicts = new Set<string>();
  for (const [v, cols] of claims) {
    if (cols.length < 2) continue;
    const byFile = cols.filter((i) => fixed[i]);
    if (byFile.length === 1) {
      for (const i of cols) {
        if (i === byFile[0]) continue;
        matches[i] = null;
        at(reports, i).note = `${v} is filled from ${columnLabel(run, at(byFile, 0))} by the mapping file`;
      }
      continue;
    }
    for (const i of cols) conflicted.add(i);
    const key = cols.join(',');
    if (reportedConflicts.has(key)) continue;
    reportedConflicts.add(key);
    const m = matches[at(cols, 0)] as Match & { target: Target };
    const item = m.target.id;
    err(run, {
      code: 'conflicting_columns',
      column: at(run.headers, at(cols, 1)),
      item,
      message: `${cols.map((i) => columnLabel(run, i)).join(' and ')} would all fill ${item === v ? `item ${item}` : `${v} (item ${item})`}. Keep one: ignore the others in a mapping file ("columns": { ${q(
        at(run.headers, at(cols, 1)),
      )}: null }).`,
    });
  }
  return conflicted;
}

/** Phase 7: each column's report and assignment; ambiguous columns are errors naming the candidates. */
function assignColumns(run: MappingRun, conflicted: ReadonlySet<number>): ColumnAssignment[] {
  const assignments: ColumnAssignment[] = new Array(run.headers.length).fill(null);
  run.matches.forEach((m, i) => {
    const r = at(run.reports, i);
    if (!m) return;
    if (m.kind === 'timestamp') {
      r.status = 'timestamp';
      assignments[i] = { kind: 'timestamp' };
      return;
    }
    if (m.kind === 'ambiguous') {
      r.status = 'ambiguous';
      r.candidates = m.candidates.map((t) => t.id);
      err(run, {
        code: 'ambiguous_column',
        column: r.header,
        item: null,
        message: `Column ${q(r.header)} matches several items: ${r.candidates.join(', ')}. Say which in a mapping file ("columns": { ${q(
          r.header,
        )}: ${q(at(r.candidates, 0))} }).`,
      });
      return;
    }
    r.item = m.target.id;
    r.how = m.how;
    if (m.kind === 'option') {
      const o = at(m.target.options, m.optionIndex);
      r.option = o.value;
      r.variable = optionColumnId(m.target.id, o.value);
    } else r.variable = m.target.id;
    if (conflicted.has(i)) {
      r.status = 'conflict';
      return;
    }
    r.status = 'mapped';
    assignments[i] =
      m.kind === 'item'
        ? { kind: 'item', target: m.target, how: m.how }
        : { kind: 'option', target: m.target, optionIndex: m.optionIndex, how: m.how };
  });
  return assignments;
}

/** Phase 8: a warning for each mapping-file column the file does not have. */
function warnUnusedMappingColumns(run: MappingRun): void {
  if (!run.mapping) return;
  for (const k of Object.keys(run.mapping.columns)) {
    if (
      !run.usedMapKeys.has(k.trim()) &&
      !run.usedMapKeys.has(normalizeKey(k)) &&
      !run.positions.has(k.trim())
    ) {
      run.warnings.push(`The mapping file names column ${q(k)}, which is not in the file.`);
    }
  }
}

/** Phase 9: the report, with the variables no column fills. */
function mappingReport(run: MappingRun, assignments: readonly ColumnAssignment[]): MappingReport {
  const filled = new Set<string>();
  for (const a of assignments) {
    if (!a || a.kind === 'timestamp') continue;
    if (a.kind === 'item') for (const v of variablesOf(a.target)) filled.add(v);
    else filled.add(optionColumnId(a.target.id, at(a.target.options, a.optionIndex).value));
  }
  const columns = run.reports as ColumnReport[];
  return {
    columns,
    mapped: columns.filter((c) => c.status === 'mapped'),
    unmapped: columns.filter((c) => c.status === 'unmapped' || c.status === 'ignored'),
    ambiguous: columns.filter((c) => c.status === 'ambiguous'),
    timestamp: columns.find((c) => c.status === 'timestamp') ?? null,
    missingTargets: run.targets.flatMap((t) => variablesOf(t).filter((v) => !filled.has(v))),
  };
}

/**
 * Map a file's header row onto the study's variables, in named phases: the mapping file's "values" keys checked,
 * duplicate headers, the mapping file's timestamp column, each column matched (mapping file, then id, timestamp
 * name, text, grid row), ambiguous grid rows settled by their neighbours, conflicting claims on a variable,
 * assignments and reports, unused mapping-file columns, variables without a column.
 *
 * @param headers the header row, as text
 * @param targets the study's variables (`targetsFromStudy`)
 * @param mapping an optional, already validated mapping file
 */
export function mapColumns(
  headers: readonly string[],
  targets: readonly Target[],
  mapping?: MappingFile,
): ColumnPlan {
  const trimmed = headers.map((h) => h.trim());
  const n = trimmed.length;
  const run: MappingRun = {
    index: new TargetIndex(targets),
    targets,
    mapping,
    headers: trimmed,
    reports: trimmed.map((h, i) => ({
      index: i,
      letter: columnLetter(i + 1),
      header: h,
      status: 'unmapped',
    })),
    matches: new Array<ColumnMatch>(n).fill(null),
    fixed: new Array<boolean>(n).fill(false),
    duplicate: new Array<boolean>(n).fill(false),
    positions: new Map(),
    mapCols: new Map(Object.entries(mapping?.columns ?? {}).map(([k, v]) => [k.trim(), v])),
    mapColsNorm: new Map(Object.entries(mapping?.columns ?? {}).map(([k, v]) => [normalizeKey(k), v])),
    usedMapKeys: new Set(),
    errors: [],
    warnings: [],
    timestampIndex: -1,
  };
  checkMappingValues(run);
  markDuplicateHeaders(run);
  chosenTimestamp(run);
  matchColumns(run);
  settleGridRows(run);
  const conflicted = resolveClaims(run);
  const assignments = assignColumns(run, conflicted);
  warnUnusedMappingColumns(run);
  return { assignments, report: mappingReport(run, assignments), errors: run.errors, warnings: run.warnings };
}

const HOW_TEXT: Record<MatchHow, string> = {
  'mapping-file': 'mapping file',
  id: 'item id',
  text: 'item text',
  'grid-row': 'grid row text',
  'grid-context': 'grid row text, instrument of the other rows',
};

/** A plain-text account of a mapping for a terminal or a log: every column and how it was mapped. */
export function formatMappingReport(r: MappingReport): string {
  const lines: string[] = [];
  const head = (c: ColumnReport) =>
    `${c.letter.padStart(3)}  ${c.header.length > 0 ? q(c.header) : '(no header)'}`;
  lines.push(`Mapped ${r.mapped.length} of ${r.columns.length} columns:`);
  for (const c of r.mapped)
    lines.push(`${head(c)} → ${c.variable} (${HOW_TEXT[present(c.how, 'the match of a mapped column')]})`);
  if (r.timestamp) lines.push(`Submission time: ${head(r.timestamp).trim()}`);
  if (r.unmapped.length > 0) {
    lines.push(`Not mapped (${r.unmapped.length}):`);
    for (const c of r.unmapped) lines.push(`${head(c)}${c.note ? ` — ${c.note}` : ''}`);
  }
  if (r.ambiguous.length > 0) {
    lines.push(`Ambiguous (${r.ambiguous.length}) — name the item in a mapping file:`);
    for (const c of r.ambiguous) lines.push(`${head(c)} could be ${(c.candidates ?? []).join(', ')}`);
  }
  const other = r.columns.filter((c) => c.status === 'duplicate' || c.status === 'conflict');
  if (other.length > 0) {
    lines.push(`Not usable (${other.length}):`);
    for (const c of other) lines.push(`${head(c)} — ${c.status}${c.note ? `: ${c.note}` : ''}`);
  }
  if (r.missingTargets.length > 0) {
    lines.push(`Variables with no column (${r.missingTargets.length}): ${listIds(r.missingTargets, 30)}`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------- unmatched variables

/** An unmapped column that reads like a study variable. */
interface ColumnSuggestion {
  readonly column: ColumnReport;
  /** `textSimilarity` of the closest pair of texts (header or grid row vs item text, id or alias), 0–1. */
  readonly similarity: number;
  /**
   * For a study question with options: the share of the column's sampled distinct answers that are its option
   * labels (any language) or codes, 0–1; absent for instrument items (their scales are shared by many items,
   * so only the text tells them apart) and when no answers were sampled.
   */
  readonly answers?: number;
}

/** A study variable the analysis needs that no column fills, with the columns it may be in. */
export interface UnmatchedTarget {
  readonly target: Target;
  /** Why it is needed: an item of an instrument (scored or tabulated), or a variable the report groups by. */
  readonly role: 'item' | 'group';
  /** Its dataset variables with no column (the id; `<id>__<value>` option columns of a multiple-choice item). */
  readonly variables: readonly string[];
  /** Unmapped columns whose header reads most like it, closest first (at most `max`, similarity ≥ `minSimilarity`). */
  readonly suggestions: readonly ColumnSuggestion[];
}

/** Suggestions below this similarity are not shown: unrelated sentences share about a quarter of their bigrams. */
const MIN_SUGGESTION_SIMILARITY = 0.45;

/** A column whose sampled answers are at least this share of a question's labels is suggested for it. */
const MIN_ANSWER_SHARE = 0.8;

/** Share of `answers` that are option labels or codes of `t` (a multiple-choice answer: each `, `-part). */
function answerShare(t: Target, answers: readonly string[]): number | undefined {
  if (answers.length === 0) return undefined;
  const labels = new Set<string>();
  for (const o of t.options) {
    labels.add(normalizeText(String(o.value)));
    for (const l of Object.values(o.label)) labels.add(normalizeText(l));
  }
  const isLabel = (a: string) =>
    labels.has(normalizeText(a)) ||
    (t.type === 'multiple' && a.split(',').every((p) => labels.has(normalizeText(p))));
  return answers.filter(isLabel).length / answers.length;
}

/** Ranking of a suggestion: a close header, and answers that are the question's labels, both count. */
function suggestionRank(s: ColumnSuggestion, minSimilarity: number): number {
  return (
    (s.similarity >= minSimilarity ? s.similarity : 0) +
    (s.answers !== undefined && s.answers >= MIN_ANSWER_SHARE ? s.answers : 0)
  );
}

function similarityTo(t: Target, c: ColumnReport): number {
  const names = [t.id, ...(t.aliases ?? []), ...t.texts.flatMap((x) => Object.values(x))];
  const grid = parseGridHeader(c.header);
  const heads = grid ? [c.header, grid.row] : [c.header];
  let best = 0;
  for (const h of heads) for (const s of names) best = Math.max(best, textSimilarity(h, s));
  return best;
}

/**
 * The variables an analysis needs that the file has no column for — the items of the study's instruments
 * (targets whose group is not `"study"`; with `items`, only those ids, e.g. the items a score or safety rule
 * uses) and every group variable — each with the unmapped columns that read
 * most like it (by `textSimilarity` on normalised text), so the message can ask "did you mean …?". With
 * `answers` (`ImportResult.unmappedAnswers`), a study question is also suggested the columns whose answers
 * are its option labels (a "Sex" column of Female/Male for "gender"). Columns the mapping file ignores are
 * not suggested.
 */
export function unmatchedTargets(
  report: MappingReport,
  targets: readonly Target[],
  groupVariables: readonly string[] = [],
  options: {
    max?: number;
    minSimilarity?: number;
    answers?: ReadonlyMap<number, readonly string[]> | undefined;
    /** The instrument items that need a column (default: all of them). */
    items?: ReadonlySet<string> | undefined;
  } = {},
): UnmatchedTarget[] {
  const max = options.max ?? 3;
  const minSimilarity = options.minSimilarity ?? MIN_SUGGESTION_SIMILARITY;
  const missing = new Set(report.missingTargets);
  const groups = new Set(groupVariables);
  const free = report.columns.filter((c) => c.status === 'unmapped' && c.header.length > 0);
  const out: UnmatchedTarget[] = [];
  for (const t of targets) {
    const role = groups.has(t.id)
      ? 'group'
      : t.group !== 'study' && (options.items === undefined || options.items.has(t.id))
        ? 'item'
        : null;
    if (role === null) continue;
    const variables =
      t.type === 'multiple'
        ? t.options.map((o) => optionColumnId(t.id, o.value)).filter((v) => missing.has(v))
        : missing.has(t.id)
          ? [t.id]
          : [];
    if (variables.length === 0) continue;
    const answers = t.group === 'study' && t.options.length > 0 ? options.answers : undefined;
    const suggestions = free
      .map((column): ColumnSuggestion => {
        const share = answers ? answerShare(t, answers.get(column.index) ?? []) : undefined;
        return {
          column,
          similarity: similarityTo(t, column),
          ...(share !== undefined ? { answers: share } : {}),
        };
      })
      .map((s) => ({ s, rank: suggestionRank(s, minSimilarity) }))
      .filter((x) => x.rank > 0)
      .sort((a, b) => b.rank - a.rank || a.s.column.index - b.s.column.index)
      .slice(0, max)
      .map((x) => x.s);
    out.push({ target: t, role, variables, suggestions });
  }
  return out;
}

/** The text of a target in `language` (or its first), for messages; `null` when it has none. */
function targetText(t: Target, language?: string): string | null {
  for (const x of t.texts) {
    const s = language !== undefined && x[language] !== undefined ? x[language] : Object.values(x)[0];
    if (s !== undefined) return s;
  }
  return null;
}

function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A header for a message: a long grid header keeps its row text, the part that tells columns apart. */
function clipHeader(h: string, n = 80): string {
  const grid = h.length > n ? parseGridHeader(h) : null;
  return grid ? `…[${clip(grid.row, n - 3)}]` : clip(h, n);
}

/**
 * One block per unmatched variable: its id, what it is, its text, and "did you mean" the closest columns
 * (letter, header, similarity in percent), or why nothing is suggested.
 */
export function formatUnmatched(unmatched: readonly UnmatchedTarget[], language?: string): string {
  const lines: string[] = [];
  for (const u of unmatched) {
    const t = u.target;
    const text = targetText(t, language);
    const what = u.role === 'group' ? 'group variable' : `item of ${t.group}`;
    const vars = u.variables.length > 1 || u.variables[0] !== t.id ? ` (${u.variables.join(', ')})` : '';
    lines.push(`  ${t.id}${vars} — ${what}${text ? `, ${q(clip(text))}` : ', no item text'}`);
    if (u.suggestions.length > 0) {
      lines.push(
        `      did you mean ${u.suggestions
          .map((s) => {
            const answersMatch = s.answers !== undefined && s.answers >= MIN_ANSWER_SHARE;
            const why =
              answersMatch && s.similarity < MIN_SUGGESTION_SIMILARITY
                ? []
                : [`${Math.round(s.similarity * 100)}%`];
            if (s.answers !== undefined && s.answers >= MIN_ANSWER_SHARE)
              why.push(
                s.answers === 1
                  ? 'its answers are the options'
                  : `${Math.round(s.answers * 100)}% of its answers are the options`,
              );
            return `${s.column.letter} ${q(clipHeader(s.column.header))} (${why.join('; ')})`;
          })
          .join(' or ')}?`,
      );
    } else if (!text && t.group !== 'study') {
      lines.push(
        `      no unmapped column is like it; the instrument ships without item text, so only its id matches a header — add the instrument's text pack to the study (docs/instruments.md) or map the column by hand`,
      );
    } else lines.push('      no unmapped column reads like it');
  }
  return lines.join('\n');
}

/**
 * A mapping file (the format `parseMappingFile` reads) that records the mapping as it stands — every mapped
 * column by header, columns the given mapping file ignored, the timestamp column — plus, for each unmatched
 * variable, its closest suggestion, each column suggested once (closest pairs first). `values` of `base` are
 * kept. Meant to be reviewed by a person before use: a suggestion is a guess by text similarity.
 */
export function suggestedMapping(
  report: MappingReport,
  unmatched: readonly UnmatchedTarget[],
  base?: MappingFile,
): MappingFileInput {
  const columns: Record<string, string | null> = {};
  for (const c of report.columns) {
    if (c.status === 'mapped' && c.variable !== undefined) columns[c.header] = c.variable;
    else if (c.status === 'ignored' && c.header.length > 0) columns[c.header] = null;
  }
  const pairs = unmatched.flatMap((u) =>
    // A multiple-choice item is suggested as one column only when none of its option columns is mapped.
    u.target.type === 'multiple' && u.variables.length < u.target.options.length
      ? []
      : u.suggestions.map((s) => ({ id: u.target.id, ...s, rank: suggestionRank(s, 0) })),
  );
  pairs.sort((a, b) => b.rank - a.rank || a.column.index - b.column.index);
  const usedIds = new Set<string>();
  const usedCols = new Set<number>();
  for (const p of pairs) {
    if (usedIds.has(p.id) || usedCols.has(p.column.index)) continue;
    usedIds.add(p.id);
    usedCols.add(p.column.index);
    columns[p.column.header] = p.id;
  }
  const out: {
    columns: Record<string, string | null>;
    values?: MappingFileInput['values'];
    timestamp?: string | null;
  } = { columns };
  if (base && Object.keys(base.values).length > 0) out.values = base.values;
  if (report.timestamp) out.timestamp = report.timestamp.header;
  else if (base?.timestamp === null) out.timestamp = null;
  return out;
}
