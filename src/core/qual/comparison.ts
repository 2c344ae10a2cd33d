/**
 * A coder comparison of a project: what is counted (scope), the statistics per code and pooled with their
 * denominators and bootstrap intervals, and the same as report tables for CSV and DOCX. The coder comparison
 * page, its downloads and the consensus report all read this one result.
 *
 * Scope (both shown with the counts they remove):
 * - `sources: 'every'` (default) counts only transcripts every compared coder has coded (has at least one
 *   segment in); `'coded'` counts every transcript some compared coder coded, a coder's units of a transcript
 *   they did not code being missing (κ drops them, α keeps the other coders' values); `'all'` counts every
 *   transcript, an uncoded one as "not coded" by that coder — which inflates agreement on uncoded text and is
 *   offered only to reproduce NVivo's comparison.
 * - `speakers: 'participants'` (default) leaves out moderator and interviewer turns (the turn's speaker role);
 *   `'all'` counts every character or turn.
 */
import type { Cell, Row, TableSpec } from '../report/spec.js';
import { at, present } from '../stats/at.js';
import { isNotComputable, type NotComputable } from '../stats/result.js';
import {
  type AgreementInput,
  type AgreementUnit,
  type AlphaResult,
  krippendorffAlpha,
  type TwoCoderResult,
  twoCoderAgreement,
} from './agreement.js';
import {
  type AlphaBootstrap,
  type BootstrapOptions,
  bootstrapAlpha,
  bootstrapTwoCoder,
  DEFAULT_BOOTSTRAP,
  type TwoCoderBootstrap,
} from './bootstrap.js';
import { type Code, type CodeNode, codeTree, type QualProject } from './model.js';
import { codePointLength } from './offsets.js';

export type SourceScope = 'every' | 'coded' | 'all';
export type SpeakerScope = 'participants' | 'all';
export const SOURCE_SCOPES: readonly SourceScope[] = ['every', 'coded', 'all'];
export const SPEAKER_SCOPES: readonly SpeakerScope[] = ['participants', 'all'];
/** Speaker roles whose turns `speakers: 'participants'` leaves out. */
const NON_PARTICIPANT_ROLES = new Set(['moderator', 'interviewer']);

export interface ComparisonOptions {
  readonly coders: readonly string[];
  readonly codeIds: readonly string[];
  readonly unit: AgreementUnit;
  readonly sources?: SourceScope;
  readonly speakers?: SpeakerScope;
  /** Bootstrap settings, or false for no intervals. */
  readonly bootstrap?: BootstrapOptions | false;
}

interface ComparisonScope {
  readonly sources: SourceScope;
  readonly speakers: SpeakerScope;
  /** Transcripts counted. */
  readonly counted: readonly { readonly id: string; readonly name: string }[];
  /** Transcripts left out, with the compared coders who have not coded them. */
  readonly skipped: readonly { readonly id: string; readonly name: string; readonly notCodedBy: string[] }[];
  /** Moderator/interviewer turns left out of the counted transcripts, and their characters (code points). */
  readonly excludedTurns: number;
  readonly excludedCharacters: number;
}

interface ComparisonRow {
  readonly codeId: string | null;
  /** Two coders only. */
  readonly two?: TwoCoderResult;
  readonly twoCi?: TwoCoderBootstrap;
  readonly alpha: AlphaResult;
  readonly alphaCi?: AlphaBootstrap;
}

export interface Comparison {
  readonly unit: AgreementUnit;
  readonly coders: readonly string[];
  readonly scope: ComparisonScope;
  readonly bootstrap: Required<BootstrapOptions> | null;
  /** Per code in the order asked, then the pooled row (codeId null). */
  readonly rows: readonly ComparisonRow[];
  /** Three or more coders: every pair, pooled over codes. */
  readonly pairs: readonly { readonly coders: readonly [string, string]; readonly result: TwoCoderResult }[];
}

/** The pooled row of a comparison: always its last row. */
export function pooledRow(c: Comparison): ComparisonRow {
  return at(c.rows, c.rows.length - 1);
}

/** The two-coder figures of a row, which every row has when exactly two coders are compared. */
export function twoCoderRow(r: ComparisonRow): TwoCoderResult {
  return present(r.two, 'the two-coder figures of a comparison of two coders');
}

/** The agreement input of a project for the compared coders, and what the scope counted and left out. */
export function projectAgreementInput(
  project: QualProject,
  opts: Pick<ComparisonOptions, 'coders' | 'codeIds' | 'unit' | 'sources' | 'speakers'>,
): { input: AgreementInput; scope: ComparisonScope } {
  const sourcesScope = opts.sources ?? 'every';
  const speakers = opts.speakers ?? 'participants';
  const codedBy = new Map<string, Set<string>>();
  for (const s of project.segments) {
    const set = codedBy.get(s.coderId) ?? new Set<string>();
    set.add(s.sourceId);
    codedBy.set(s.coderId, set);
  }
  const counted: { id: string; name: string }[] = [];
  const skipped: { id: string; name: string; notCodedBy: string[] }[] = [];
  for (const src of project.sources) {
    const notCodedBy = opts.coders.filter((c) => !codedBy.get(c)?.has(src.id));
    const keep =
      sourcesScope === 'all' ||
      (sourcesScope === 'every' ? notCodedBy.length === 0 : notCodedBy.length < opts.coders.length);
    if (keep) counted.push({ id: src.id, name: src.name });
    else skipped.push({ id: src.id, name: src.name, notCodedBy });
  }
  const keepIds = new Set(counted.map((s) => s.id));
  let excludedTurns = 0;
  let excludedCharacters = 0;
  const sources = project.sources
    .filter((s) => keepIds.has(s.id))
    .map((s) => {
      const turns = (project.turns[s.id] ?? []).map((t) => ({
        start: t.start,
        end: Math.max(t.end, t.start + 1),
        role: t.role,
      }));
      const excluded =
        speakers === 'participants'
          ? turns.filter((t) => NON_PARTICIPANT_ROLES.has(t.role)).map(({ start, end }) => ({ start, end }))
          : [];
      excludedTurns += excluded.length;
      for (const e of excluded) excludedCharacters += e.end - e.start;
      return {
        id: s.id,
        length: codePointLength(s.text),
        turns: turns.map(({ start, end }) => ({ start, end })),
        excluded,
      };
    });
  const coverage: Record<string, string[]> = {};
  for (const c of opts.coders) coverage[c] = [...(codedBy.get(c) ?? [])];
  return {
    input: {
      sources,
      segments: project.segments.filter((s) => keepIds.has(s.sourceId)),
      coders: opts.coders,
      codeIds: opts.codeIds,
      unit: opts.unit,
      ...(sourcesScope === 'coded' ? { coverage } : {}),
    },
    scope: {
      sources: sourcesScope,
      speakers,
      counted,
      skipped,
      excludedTurns,
      excludedCharacters,
    },
  };
}

/**
 * The key of each code's random stream (its interval's), by code id: the code's path of names in the codebook,
 * and for codes that share a path (two coders' own codes of one name) its place among them in codebook order.
 * Names, hierarchy and order are what a REFI-QDA export and import keep — the ids are not (an imported code's
 * id is the file's GUID) — so a project gives the same intervals after a round trip; and a code's key does not
 * change when other codes are added. A code outside the tree (in a parent cycle) has no key here: the caller
 * keys it by its id.
 */
export function codeStreamKeys(codes: readonly Code[]): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Map<string, number>();
  const walk = (n: CodeNode, parent: readonly string[]) => {
    const path = [...parent, n.code.name];
    const text = JSON.stringify(path);
    const k = (taken.get(text) ?? 0) + 1;
    taken.set(text, k);
    keys.set(n.code.id, `${text}#${k}`);
    for (const child of n.children) walk(child, path);
  };
  for (const root of codeTree(codes)) walk(root, []);
  return keys;
}

/** Compare coders: κ, AC1, Brennan–Prediger (two coders) and α, per code and pooled, with bootstrap intervals. */
export function compareCoders(project: QualProject, opts: ComparisonOptions): Comparison {
  const { input, scope } = projectAgreementInput(project, opts);
  const boot =
    opts.bootstrap === false
      ? null
      : {
          samples: opts.bootstrap?.samples ?? DEFAULT_BOOTSTRAP.samples,
          seed: opts.bootstrap?.seed ?? DEFAULT_BOOTSTRAP.seed,
          level: opts.bootstrap?.level ?? DEFAULT_BOOTSTRAP.level,
        };
  const alpha = krippendorffAlpha(input);
  const alphaRows = [...alpha.perCode, alpha.pooled];
  const two = opts.coders.length === 2 ? twoCoderAgreement(input) : null;
  const twoRows = two ? [...two.perCode, two.pooled] : null;
  const streamKeys = codeStreamKeys(project.codes);
  const rows: ComparisonRow[] = alphaRows.map((a, i) => {
    const key = a.codeId === null ? '(pooled)' : (streamKeys.get(a.codeId) ?? `id:${a.codeId}`);
    const t = twoRows?.[i];
    return {
      codeId: a.codeId,
      alpha: a,
      ...(boot ? { alphaCi: bootstrapAlpha(a, opts.coders.length, `alpha:${key}`, boot) } : {}),
      ...(t ? { two: t } : {}),
      ...(t && boot ? { twoCi: bootstrapTwoCoder(t.denominator, `two:${key}`, boot) } : {}),
    };
  });
  const pairs: { coders: [string, string]; result: TwoCoderResult }[] = [];
  if (opts.coders.length > 2)
    for (let i = 0; i < opts.coders.length; i++)
      for (let j = i + 1; j < opts.coders.length; j++) {
        const c: [string, string] = [at(opts.coders, i), at(opts.coders, j)];
        pairs.push({ coders: c, result: twoCoderAgreement({ ...input, coders: c }).pooled });
      }
  return { unit: opts.unit, coders: opts.coders, scope, bootstrap: boot, rows, pairs };
}

/** One sentence per scope choice, with the counts it removed (for the page and the table notes). */
export function scopeNotes(c: Comparison, coderName: (id: string) => string): string[] {
  const s = c.scope;
  const notes: string[] = [];
  const names = (xs: readonly { name: string }[]) => xs.map((x) => `"${x.name}"`).join(', ');
  if (s.sources === 'every')
    notes.push(
      `Transcripts: only those every compared coder has coded (${s.counted.length} counted${s.skipped.length ? `; left out: ${s.skipped.map((x) => `"${x.name}" (not coded by ${x.notCodedBy.map(coderName).join(', ')})`).join('; ')}` : ''}).`,
    );
  else if (s.sources === 'coded')
    notes.push(
      `Transcripts: every transcript some compared coder has coded (${s.counted.length}); a coder's units of a transcript they have not coded are missing, not "not coded"${s.skipped.length ? `; left out as coded by nobody: ${names(s.skipped)}` : ''}.`,
    );
  else
    notes.push(
      `Transcripts: all ${s.counted.length}, an uncoded transcript counting as "not coded" by its coder (this inflates agreement on uncoded text).`,
    );
  notes.push(
    s.speakers === 'participants'
      ? `Speakers: participants only; ${s.excludedTurns} moderator/interviewer turn(s) (${s.excludedCharacters} characters) left out.`
      : 'Speakers: every turn, moderator and interviewer turns included.',
  );
  return notes;
}

function num(x: number | NotComputable, digits: number): Cell {
  return isNotComputable(x)
    ? { kind: 'not_computable', reason: x.reason }
    : { kind: 'number', value: x, format: { kind: 'decimal', digits } };
}

function ci(x: { lower: number; upper: number } | NotComputable | undefined, digits = 3): Cell {
  if (x === undefined) return { kind: 'empty' };
  return isNotComputable(x)
    ? { kind: 'not_computable', reason: x.reason }
    : { kind: 'interval', lower: x.lower, upper: x.upper, format: { kind: 'decimal', digits } };
}

const int = (n: number): Cell => ({ kind: 'number', value: n, format: { kind: 'integer' } });
const txt = (t: string): Cell => ({ kind: 'text', text: t });

/**
 * The comparison as report tables: the agreement table (two coders: N, both, A only, B only, neither,
 * missing, agreement, κ, AC1, Brennan–Prediger, α, each with its interval; more coders: α with its
 * denominators) and, for three or more coders, the pairwise table.
 */
export function agreementTables(
  c: Comparison,
  names: { coder: (id: string) => string; code: (id: string) => string },
): TableSpec[] {
  const unitWord = c.unit === 'character' ? 'characters' : 'speaker turns';
  const pct = c.bootstrap ? `${Math.round(c.bootstrap.level * 100)}%` : '';
  const bootNote = c.bootstrap
    ? [
        `${pct} intervals: ${c.bootstrap.samples} bootstrap samples, seed ${c.bootstrap.seed}; κ, AC1 and Brennan–Prediger resample units (percentile interval); α by Hayes & Krippendorff's algorithm (pairs drawn from the coincidence matrix). Units are assumed independent${c.unit === 'character' ? ', which characters of one passage are not: report intervals at the speaker-turn unit' : ''}.`,
      ]
    : [];
  const codeLabel = (id: string | null) => (id === null ? 'Pooled (all codes)' : names.code(id));
  const scope = scopeNotes(c, names.coder);
  const alphaCells = (r: ComparisonRow): Record<string, Cell> => ({
    alpha: num(r.alpha.alpha, 3),
    ...(c.bootstrap ? { alphaCi: ci(r.alphaCi?.interval) } : {}),
  });
  const tables: TableSpec[] = [];
  if (c.coders.length === 2) {
    const [a, b] = c.coders.map(names.coder);
    const rows: Row[] = c.rows.map((r) => {
      const t = twoCoderRow(r);
      const d = t.denominator;
      const ciCells: Record<string, Cell> = c.bootstrap
        ? {
            kappaCi: ci(r.twoCi?.kappa),
            ac1Ci: ci(r.twoCi?.gwetAc1),
            bpCi: ci(r.twoCi?.brennanPrediger),
          }
        : {};
      return {
        kind: 'data',
        cells: {
          code: txt(codeLabel(r.codeId)),
          n: int(d.units),
          both: int(d.codedByBoth),
          aOnly: int(d.codedByAOnly),
          bOnly: int(d.codedByBOnly),
          neither: int(d.codedByNeither),
          missing: int(d.missing),
          agreement: num(t.percentAgreement, 2),
          kappa: num(t.kappa, 3),
          ac1: num(t.gwetAc1, 3),
          bp: num(t.brennanPrediger, 3),
          ...ciCells,
          ...alphaCells(r),
        },
      };
    });
    const col = (key: string, label: string, kind: 'text' | 'integer' | 'decimal' = 'decimal') => ({
      key,
      label,
      format: kind === 'decimal' ? { kind, digits: 3 } : { kind },
    });
    tables.push({
      type: 'table',
      id: 'qualAgreement',
      title: `Inter-coder agreement between ${a} and ${b}, by ${unitWord}`,
      columns: [
        col('code', 'Code', 'text'),
        col('n', 'N', 'integer'),
        col('both', 'Both', 'integer'),
        col('aOnly', 'A only', 'integer'),
        col('bOnly', 'B only', 'integer'),
        col('neither', 'Neither', 'integer'),
        col('missing', 'Missing', 'integer'),
        col('agreement', 'Agreement %'),
        col('kappa', 'κ (Cohen)'),
        ...(c.bootstrap ? [col('kappaCi', `κ ${pct} CI`)] : []),
        col('ac1', 'AC1 (Gwet)'),
        ...(c.bootstrap ? [col('ac1Ci', `AC1 ${pct} CI`)] : []),
        col('bp', 'Brennan–Prediger'),
        ...(c.bootstrap ? [col('bpCi', `BP ${pct} CI`)] : []),
        col('alpha', 'α (Krippendorff)'),
        ...(c.bootstrap ? [col('alphaCi', `α ${pct} CI`)] : []),
      ],
      rows,
      denominator: `N = ${unitWord} both coders could code; A = ${a}, B = ${b}; both, A only, B only, neither = how many of them each coded; missing = ${unitWord} of transcripts one of them has not coded.`,
      notes: [
        ...scope,
        'Agreement = (both + neither) / N. κ = (p_o − p_e)/(1 − p_e) with p_e from each coder’s own rate; AC1 (Gwet) and Brennan–Prediger replace p_e by 2π(1 − π) and 1/2, and stay informative for rare codes where κ collapses. α nominal over the same units. Pooled stacks every unit × code decision.',
        ...bootNote,
      ],
    });
    return tables;
  }
  const rows: Row[] = c.rows.map((r) => {
    const d = r.alpha.denominator;
    return {
      kind: 'data',
      cells: {
        code: txt(codeLabel(r.codeId)),
        n: int(d.units),
        pairableUnits: int(d.pairableUnits),
        pairableValues: int(d.pairableValues),
        missingValues: int(d.missingValues),
        all: int(d.codedByAll),
        some: int(d.codedBySome),
        none: int(d.codedByNone),
        observed: num(r.alpha.observedAgreement, 3),
        ...alphaCells(r),
        ...(c.bootstrap
          ? {
              fail:
                r.alphaCi && !isNotComputable(r.alphaCi.failToReach)
                  ? num(r.alphaCi.failToReach['0.667'], 3)
                  : { kind: 'empty' },
            }
          : {}),
      },
    };
  });
  const dec = { kind: 'decimal' as const, digits: 3 };
  const integer = { kind: 'integer' as const };
  tables.push({
    type: 'table',
    id: 'qualAgreement',
    title: `Inter-coder agreement among ${c.coders.map(names.coder).join(', ')}, by ${unitWord}`,
    columns: [
      { key: 'code', label: 'Code', format: { kind: 'text' } },
      { key: 'n', label: 'N', format: integer },
      { key: 'pairableUnits', label: 'Pairable units', format: integer },
      { key: 'pairableValues', label: 'Pairable values', format: integer },
      { key: 'missingValues', label: 'Missing values', format: integer },
      { key: 'all', label: 'By all', format: integer },
      { key: 'some', label: 'By some', format: integer },
      { key: 'none', label: 'By none', format: integer },
      { key: 'observed', label: 'Observed', format: dec },
      { key: 'alpha', label: 'α (Krippendorff)', format: dec },
      ...(c.bootstrap
        ? [
            { key: 'alphaCi', label: `α ${pct} CI`, format: dec },
            { key: 'fail', label: 'P(α < .667)', format: dec },
          ]
        : []),
    ],
    rows,
    denominator: `N = ${unitWord}; a unit is pairable when at least two coders could code it.`,
    notes: [...scope, 'α nominal; pooled stacks every unit × code decision.', ...bootNote],
  });
  tables.push({
    type: 'table',
    id: 'qualAgreementPairs',
    title: 'Pairs of coders (pooled over codes)',
    columns: [
      { key: 'pair', label: 'Coders', format: { kind: 'text' } },
      { key: 'n', label: 'N', format: integer },
      { key: 'agreement', label: 'Agreement %', format: { kind: 'decimal', digits: 2 } },
      { key: 'kappa', label: 'κ (Cohen)', format: dec },
      { key: 'ac1', label: 'AC1 (Gwet)', format: dec },
      { key: 'bp', label: 'Brennan–Prediger', format: dec },
    ],
    rows: c.pairs.map((p) => ({
      kind: 'data',
      cells: {
        pair: txt(`${names.coder(p.coders[0])} – ${names.coder(p.coders[1])}`),
        n: int(p.result.denominator.units),
        agreement: num(p.result.percentAgreement, 2),
        kappa: num(p.result.kappa, 3),
        ac1: num(p.result.gwetAc1, 3),
        bp: num(p.result.brennanPrediger, 3),
      },
    })),
    notes: [...scope],
  });
  return tables;
}
